// Reading a file task's data in Node (docs/contract.md §1b): the files are streamed line by line
// into a CorpusBuilder, hashed (SHA-256) on the way, with a progress line for big files.
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { readProblem } from '../config/config_file.ts';
import { CorpusBuilder, type Corpus } from './corpus.ts';
import { splitLines } from './lines.ts';
import { DataError, formatOf } from './parse.ts';
import type { Tokenize } from './tokenize.ts';

/** What a run directory records about a data file, so a resume can see it changed. */
export interface FileIdentity {
  path: string;
  size: number;
  sha256: string;
}

export interface LoadOptions {
  data: string;
  evalData?: string;
  tokenize: Tokenize;
  maxLength?: number;
  /** Called with a progress line now and then while a big file is read. */
  onProgress?: (line: string) => void;
  /** Files at least this big get progress lines (default 8 MiB). */
  progressBytes?: number;
}

export interface LoadedCorpus {
  corpus: Corpus;
  files: FileIdentity[];
}

const PROGRESS_BYTES = 8 << 20;
const PROGRESS_MS = 2000;

export async function loadCorpus(opts: LoadOptions): Promise<LoadedCorpus> {
  const builder = new CorpusBuilder({
    tokenize: opts.tokenize,
    maxLength: opts.maxLength,
    data: { name: opts.data, format: formatOf(opts.data) },
    evalData: opts.evalData ? { name: opts.evalData, format: formatOf(opts.evalData) } : undefined,
  });
  const progress = opts.onProgress ? { onLine: opts.onProgress, minBytes: opts.progressBytes ?? PROGRESS_BYTES } : undefined;
  const files = [await streamFile(opts.data, (l, n) => builder.addDataLine(l, n), progress)];
  if (opts.evalData) files.push(await streamFile(opts.evalData, (l, n) => builder.addEvalLine(l, n), progress));
  return { corpus: builder.finish(), files };
}

/** Streams `path` line by line into `onLine`; with `progress`, a line every PROGRESS_MS once the file is at least minBytes. */
export async function streamFile(
  path: string,
  onLine: (line: string, lineNo: number) => void,
  progress?: { onLine: (line: string) => void; minBytes: number },
): Promise<FileIdentity> {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    size = st.size;
  } catch (err) {
    throw new DataError(readProblem('data file', path, err));
  }
  const hash = createHash('sha256');
  let read = 0;
  let lineNo = 0;
  let shown = Date.now();
  const shows = progress !== undefined && size >= progress.minBytes;
  const tick = () => {
    if (!shows || Date.now() - shown < PROGRESS_MS) return;
    shown = Date.now();
    progress.onLine(`data: read ${mb(read)} of ${mb(size)} MB of ${path} (${Math.floor((100 * read) / size)}%), ${lineNo} lines`);
  };
  const chunks = async function* (): AsyncGenerator<string> {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    try {
      for await (const buf of createReadStream(path) as AsyncIterable<Buffer>) {
        hash.update(buf);
        read += buf.length;
        yield decoder.decode(buf, { stream: true });
      }
      yield decoder.decode();
    } catch (err) {
      if (err instanceof TypeError) throw new DataError(`${path} is not UTF-8 text (bad bytes near line ${lineNo + 1}).`);
      throw new DataError(readProblem('data file', path, err));
    }
  };
  for await (const line of splitLines(chunks())) {
    onLine(line, ++lineNo);
    tick();
  }
  if (shows) progress.onLine(`data: read ${mb(size)} MB of ${path}, ${lineNo} lines`);
  return { path, size, sha256: hash.digest('hex') };
}

const mb = (bytes: number) => (bytes / (1 << 20)).toFixed(1);
