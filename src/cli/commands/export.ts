// `seq2seq export`: a checkpoint as a static folder that any file server can serve and any WebGPU
// browser can open (index.html, app.js, model.safetensors), predicting what is typed into it.
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseCommandArgs, refuseSettings } from '../args.ts';
import type { Command } from '../command.ts';
import { UserError } from '../../errors.ts';
import { readCheckpointFile } from './checkpoint_file.ts';
import { pageHtml, pageScript } from '../../export/bundle.ts';
import { quote } from '../../quote.ts';

export const exportCommand: Command = {
  name: 'export',
  summary: 'write a checkpoint as a static web page that predicts in the browser',
  usage: `Usage: seq2seq export --checkpoint F --out DIR

Writes DIR/index.html, DIR/app.js (the page, WebGPU kernels included) and
DIR/model.safetensors. Serve DIR with any static file server and open it in a
browser with WebGPU: type inputs, choose a beam width, read the predictions and,
for attn models of built-in tasks, the attention map. Nothing is fetched from
elsewhere. DIR must not exist or be empty: export never overwrites.

  --checkpoint F   a .safetensors checkpoint written by seq2seq train
  --out DIR        the folder to create
`,
  async run(argv, io) {
    const { flags, items } = parseCommandArgs('export', argv, { checkpoint: { type: 'string' }, out: { type: 'string' } });
    refuseSettings('export', items);
    const checkpoint = readCheckpointFile(flags.checkpoint);
    const out = outFolder(flags.out);
    const script = await pageScript();
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'index.html'), pageHtml());
    writeFileSync(join(out, 'app.js'), script);
    writeFileSync(join(out, 'model.safetensors'), checkpoint.bytes);
    io.stdout(`Exported the ${checkpoint.config.model} model (task ${checkpoint.config.task}) to ${out}: serve that folder and open index.html in a WebGPU browser.\n`);
    return 0;
  },
};

/** The --out folder, refused when it is a file or a folder that holds anything. */
function outFolder(flag: string | boolean | undefined): string {
  if (typeof flag !== 'string' || flag === '') throw new UserError('--out DIR is required: the folder to write the page into.');
  const out = resolve(flag);
  let stat;
  try {
    stat = statSync(out);
  } catch {
    return out;
  }
  if (!stat.isDirectory()) throw new UserError(`--out ${quote(flag)} is a file; name a new or empty folder.`);
  if (readdirSync(out).length > 0) throw new UserError(`--out ${quote(flag)} is not empty; name a new or empty folder (export never overwrites).`);
  return out;
}
