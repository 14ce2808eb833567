// Robustness without a GPU: one writer per run directory, foreign folders,
// unwritable outputs, devices and FIFOs where files belong, closed and slow pipes, a
// Chrome that is not one, full and read-only disks, non-finite checkpoints, hostile text,
// settings eval and predict do not take, resumes with nothing to do. Every case is the
// real CLI (or the real module) with a time bound; none needs Chrome to start.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { UserError } from '../src/errors.ts';
import { quote } from '../src/quote.ts';
import { sizeProblem } from '../src/gpu/size_check.ts';
import { decodeCheckpoint } from '../src/io/checkpoint.ts';
import { readFileBounded } from '../src/io/bounded_read.ts';
import { LOCK_NAME, RunLock } from '../src/rundir/lock.ts';
import { RunDir } from '../src/rundir/rundir.ts';
import { DEFAULT_CONFIG } from '../src/config/config.ts';
import { PROJECT_DIR } from './helpers/cli.ts';
import { until } from './helpers/wait.ts';
import { collect, expectSentence, fakeCheckpoint, mountTmpfs, rssMb, run, TINY_CONFIG, unmount } from './helpers/robust.ts';

// Each case starts the CLI (tsx compiles it first): slow on a busy 2-core machine.
vi.setConfig({ testTimeout: 900_000 });

const root = mkdtempSync(join(tmpdir(), 'seq2seq-robust-'));
const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts) unmount(m);
});
const TINY = ['vocab_size=12', 'max_length=4', 'hidden_size=16', 'embedding_size=8', 'batch_size=8', 'eval_samples=40', 'evaluate_round=1'];

/** A pid that no process has (a child that ran and exited). */
function deadPid(): number {
  return spawnSync('true').pid!;
}

function sleeper(): { pid: number; stop: () => void } {
  const child = spawn('sleep', ['300'], { stdio: 'ignore' });
  return { pid: child.pid!, stop: () => child.kill('SIGKILL') };
}

/**
 * Starts `n` processes that race for the lock of `dir` at one signal (a file appears); the
 * winner holds the lock until every loser has answered, however slowly each one starts.
 * Exactly one wins; the others name it; afterwards only our signal files remain.
 */
async function expectOneWinner(dir: string, n: number): Promise<void> {
  const [go, free] = [join(dir, 'go'), join(dir, 'free')];
  const script = `
    import { existsSync } from 'node:fs';
    import { RunLock } from ${JSON.stringify(join(PROJECT_DIR, 'src/rundir/lock.ts'))};
    const nap = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    console.log('ready');
    while (!existsSync(${JSON.stringify(go)})) nap(1);
    let lock = null;
    try { lock = RunLock.acquire(${JSON.stringify(dir)}, 'race'); console.log('won'); }
    catch (e) { console.log('lost: ' + e.message); }
    if (lock) { while (!existsSync(${JSON.stringify(free)})) nap(20); lock.release(); }`;
  const kids = Array.from({ length: n }, () => spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: PROJECT_DIR }));
  const texts = kids.map(() => '');
  kids.forEach((k, i) => k.stdout!.on('data', (d) => (texts[i] += d)));
  const outs = kids.map((k) => collect(k, Date.now(), 280));
  const answered = (t: string) => /\n(won|lost: .*)\n/.test(t);
  await until('every racer to start', () => texts.every((t) => t.includes('ready')), 240_000, () => texts.join('\n---\n'));
  writeFileSync(go, '');
  await until('every racer to answer', () => texts.every(answered), 240_000, () => texts.join('\n---\n'));
  writeFileSync(free, '');
  const results = await Promise.all(outs);
  const lines = results.map((r) => `${r.stdout.trim().split('\n').pop()} ${r.stderr.trim()}`.trim());
  expect(lines.filter((l) => l === 'won'), lines.join('\n')).toHaveLength(1);
  expect(lines.filter((l) => /^lost: .* is in use by seq2seq race \(pid \d+\)/.test(l)), lines.join('\n')).toHaveLength(n - 1);
  expect(readdirSync(dir).sort(), 'what the race left in the folder').toEqual(['free', 'go']);
}

describe('item 2: one writer per run directory', () => {
  it('the lock refuses a second holder, names the live owner, takes over a dead one and frees on release', () => {
    const dir = mkdtempSync(join(root, 'lock-'));
    const lock = RunLock.acquire(dir, 'train');
    expect(JSON.parse(readFileSync(join(dir, LOCK_NAME), 'utf8'))).toMatchObject({ pid: process.pid, command: 'train' });
    expect(() => RunLock.acquire(dir, 'train')).toThrow(new UserError(`${dir} is in use by seq2seq train (pid ${process.pid}); wait for it to finish or choose another --out.`));
    lock.release();
    expect(existsSync(join(dir, LOCK_NAME))).toBe(false);

    const live = sleeper();
    try {
      writeFileSync(join(dir, LOCK_NAME), JSON.stringify({ pid: live.pid, started: null, command: 'train' }));
      expect(() => RunLock.acquire(dir, 'train')).toThrow(`(pid ${live.pid})`);
    } finally {
      live.stop();
    }
    writeFileSync(join(dir, LOCK_NAME), JSON.stringify({ pid: deadPid(), started: null, command: 'train' }));
    const taken = RunLock.acquire(dir, 'train');
    expect(JSON.parse(readFileSync(join(dir, LOCK_NAME), 'utf8')).pid).toBe(process.pid);
    taken.release();
    // A pid that is alive but started at another time is not the owner (pid reuse).
    writeFileSync(join(dir, LOCK_NAME), JSON.stringify({ pid: process.pid, started: '1', command: 'train' }));
    RunLock.acquire(dir, 'train').release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('eight processes racing for one stale lock: exactly one gets it', async () => {
    const dir = mkdtempSync(join(root, 'race-'));
    writeFileSync(join(dir, LOCK_NAME), JSON.stringify({ pid: deadPid(), started: null, command: 'train' }));
    await expectOneWinner(dir, 8);
  }, 900_000);

  it('eight processes racing for a stale lock whose takeover guard, and that guard\'s guard, a killed process left: exactly one gets it', async () => {
    // The guard of a takeover is named after the stale lock's dead owner; a process killed
    // inside the takeover leaves it behind, holding its own (dead) pid. Nobody may delete such
    // a guard by age: two processes doing so could each delete the other's fresh guard and
    // both replace the lock.
    const dir = mkdtempSync(join(root, 'race-guard-'));
    const [lockOwner, guardOwner, guard2Owner] = [deadPid(), deadPid(), deadPid()];
    const owner = (pid: number) => JSON.stringify({ pid, started: null, command: 'train' });
    const guard = `${LOCK_NAME}.takeover-${lockOwner}-x`;
    writeFileSync(join(dir, LOCK_NAME), owner(lockOwner));
    writeFileSync(join(dir, guard), owner(guardOwner));
    writeFileSync(join(dir, `${guard}.takeover-${guardOwner}-x`), owner(guard2Owner));
    await expectOneWinner(dir, 8);
  }, 900_000);

  it('train and train --resume beside a live writer are refused before anything is written', async () => {
    const dir = join(root, 'busy');
    mkdirSync(dir);
    writeFileSync(join(dir, 'last.safetensors'), fakeCheckpoint({ step: 10, round: 1, config: { rounds: 2, steps: 10 } }));
    const live = sleeper();
    writeFileSync(join(dir, LOCK_NAME), JSON.stringify({ pid: live.pid, started: null, command: 'train' }));
    try {
      const [fresh, resume] = await Promise.all([run(['train', '--out', dir, ...TINY]), run(['train', '--resume', '--out', dir])]);
      for (const r of [fresh, resume]) expectSentence(r, new RegExp(`is in use by seq2seq train \\(pid ${live.pid}\\); wait for it to finish or choose another --out\\.$`));
    } finally {
      live.stop();
    }
    expect(readdirSync(dir).sort()).toEqual([LOCK_NAME, 'last.safetensors']);
  }, 900_000);
});

describe.concurrent('item 3: a folder that is not a run', () => {
  it('a fresh train refuses it and changes nothing; the same for a file', async () => {
    const dir = join(root, 'foreign');
    mkdirSync(dir);
    writeFileSync(join(dir, 'round-001.safetensors'), 'mine');
    writeFileSync(join(dir, 'metrics.jsonl'), '{"mine":1}\n');
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    const [r, f] = await Promise.all([run(['train', '--out', dir, ...TINY]), run(['train', '--out', file, ...TINY])]);
    expectSentence(r, /^--out .*foreign is not empty and holds no seq2seq run \(it has "metrics\.jsonl", "round-001\.safetensors"\); choose a new or empty directory\.$/);
    expectSentence(f, /^--out .*a-file is a file, not a directory\.$/);
    expect(readdirSync(dir).sort()).toEqual(['metrics.jsonl', 'round-001.safetensors']);
    expect(readFileSync(join(dir, 'round-001.safetensors'), 'utf8')).toBe('mine');
    expect(readFileSync(join(dir, 'metrics.jsonl'), 'utf8')).toBe('{"mine":1}\n');
  });
});

describe('item 4 and 9: unwritable outputs are refused before any work', () => {
  const ro = join(root, 'ro');
  const skip = mountTmpfs(ro, '64k', true);
  if (!skip) mounts.push(ro);
  it.skipIf(skip !== null)(`bench --out, train --out and the default run folder on a read-only file system${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    const [bench, out, cwd] = await Promise.all([
      run(['bench', '--quick', '--out', join(ro, 'b.json')]),
      run(['train', '--out', join(ro, 'run'), ...TINY]),
      run(['train', ...TINY], { cwd: ro }),
    ]);
    expectSentence(bench, /^Cannot write .*b\.json: the file system is read-only \(EROFS\)\.$/);
    expect(bench.stdout).toBe('');
    expectSentence(out, /^Cannot create the run directory .*ro\/run: .*ro is not writable: the file system is read-only \(EROFS\)\.$/);
    expectSentence(cwd, /^Cannot create the run directory .*ro\/runs\/lstm-\d{8}-\d{6}: .*ro is not writable: the file system is read-only \(EROFS\)\.$/);
  });

  const rotmp = join(root, 'rotmp');
  const skipTmp = mountTmpfs(rotmp, '64k', true);
  if (!skipTmp) mounts.push(rotmp);
  it.skipIf(skipTmp !== null)(`a read-only TMPDIR: --help and data work, Chrome's need is one sentence${skipTmp ? ` (skipped: ${skipTmp})` : ''}`, async () => {
    const env = { TMPDIR: rotmp };
    const [help, data, train] = await Promise.all([run(['--help'], { env }), run(['data', '--n', '2'], { env }), run(['train', '--out', join(root, 'tmp-run'), ...TINY], { env })]);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: seq2seq <command>/);
    expect(data.code, data.stderr).toBe(0);
    expect(data.stdout.trim().split('\n')).toHaveLength(2);
    expectSentence(train, /^Chrome needs a writable temporary folder, but ".*rotmp" is not \(the file system is read-only \(EROFS\)\); set TMPDIR to one that is\.$/);
    expect(existsSync(join(root, 'tmp-run'))).toBe(false);
  });
});

describe('item 9: a full disk while a run writes', () => {
  const full = join(root, 'full');
  const skip = mountTmpfs(full, '256k');
  if (!skip) mounts.push(full);
  it.skipIf(skip !== null)(`checkpoint and metrics writes on a full tmpfs are one sentence naming the file; the previous checkpoint is kept${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    const run = new RunDir(join(full, 'run'));
    mkdirSync(run.path);
    const first = fakeCheckpoint({ step: 10, round: 1 });
    await run.writeConfig(TINY_CONFIG);
    await run.writeCheckpoint(first, 1);
    writeFileSync(join(full, 'filler'), new Uint8Array(0));
    // Fill the file system to the last byte.
    const chunk = new Uint8Array(4096);
    try {
      for (;;) writeFileSync(join(full, 'filler'), chunk, { flag: 'a' });
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
    }
    const big = fakeCheckpoint({ step: 20, round: 2, config: { vocab_size: 5000 } });
    await expect(run.writeCheckpoint(big, 2)).rejects.toThrow(
      new UserError(
        `Cannot write ${run.roundPath(2)}: no space is left on the device (ENOSPC); the last checkpoint, ${run.lastPath}, is kept; free some space, then continue with: npx seq2seq train --resume --out ${run.path}.`,
      ),
    );
    expect(readFileSync(run.lastPath)).toEqual(Buffer.from(first));
    expect(decodeCheckpoint(new Uint8Array(readFileSync(run.lastPath))).step).toBe(10);

    // Metrics appended in the background: the failure is kept, later appends are skipped,
    // the callback runs once, and flushMetrics throws the sentence (no unhandled rejection).
    let stops = 0;
    for (let i = 0; i < 50; i++) run.queueMetrics({ type: 'step', step: i, loss: 1, pad: 'x'.repeat(2000) }, () => stops++);
    await expect(run.flushMetrics()).rejects.toThrow(/^Cannot write .*metrics\.jsonl: no space is left on the device \(ENOSPC\); the last checkpoint, .* is kept; free some space, then continue with: npx seq2seq train --resume --out /);
    expect(stops).toBe(1);
    expect(readdirSync(run.path).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});

describe.concurrent('item 6: devices, FIFOs and huge files where a file belongs', () => {
  const fifo = join(root, 'fifo');
  spawnSync('mkfifo', [fifo]);
  const huge = join(root, 'huge.json');
  writeFileSync(huge, '');
  spawnSync('truncate', ['-s', '2M', huge]);
  const cases: Array<[string, string[], RegExp]> = [
    ['eval --checkpoint /dev/zero', ['eval', '--checkpoint', '/dev/zero'], /^Cannot read checkpoint "\/dev\/zero": it is a device or socket, not a file\.$/],
    ['eval --checkpoint /dev/urandom', ['eval', '--checkpoint', '/dev/urandom'], /^Cannot read checkpoint "\/dev\/urandom": it is a device or socket, not a file\.$/],
    ['train --config /dev/zero', ['train', '--config', '/dev/zero'], /^Cannot read config file "\/dev\/zero": it is a device or socket, not a file\.$/],
    ['metrics --pairs /dev/urandom', ['metrics', '--pairs', '/dev/urandom'], /^Cannot read pairs file "\/dev\/urandom": it is a device or socket, not a file\.$/],
    ['a 2 MB config file', ['train', '--config', huge], /^Cannot read config file ".*huge\.json": it is 2\.0 MB, more than the 1\.0 MB a config file may be\.$/],
    ['a FIFO with no writer as --checkpoint', ['eval', '--checkpoint', fifo], /^Cannot read checkpoint ".*fifo": it is a FIFO and nothing wrote to it within 10 s\.$/],
  ];
  it.each(cases)('%s: one sentence within a time bound', async (_name, args, pattern) => {
    const r = await run(args, { limitS: 300 });
    expect(r.signal, 'killed by the time bound').toBeNull();
    expectSentence(r, pattern);
  });

  it('a FIFO with a writer is read; standard input from /dev/zero is capped', async () => {
    const pipe = join(root, 'fifo-config');
    spawnSync('mkfifo', [pipe]);
    const writer = spawn('sh', ['-c', `sleep 1; printf '{"hidden_size": 0}' > ${pipe}`]);
    const [config, stdin] = await Promise.all([
      run(['train', '--config', pipe, '--out', join(root, 'never')], { limitS: 300 }),
      (() => {
        const t0 = Date.now();
        const child = spawn('sh', ['-c', `exec ${process.execPath} bin/seq2seq.mjs metrics --pairs - < /dev/zero`], { cwd: PROJECT_DIR });
        return collect(child, t0, 300);
      })(),
    ]);
    writer.kill();
    expectSentence(config, /^In .*fifo-config: hidden_size must be a positive integer, got 0\.$/);
    expectSentence(stdin, /^Standard input holds more than 256\.0 MB; give a smaller input\.$/);
  });

  it('readFileBounded caps what it reads from a regular file', () => {
    const path = join(root, 'five');
    writeFileSync(path, '12345');
    expect(readFileBounded(path, { what: 'file', maxBytes: 5 }).toString()).toBe('12345');
    expect(() => readFileBounded(path, { what: 'file', maxBytes: 4 })).toThrow('it is 5 bytes, more than the 4 bytes a file may be.');
  });
});

describe('item 7: a reader that goes away or reads slowly', () => {
  it('data | head -1 ends at once with one line', async () => {
    const t0 = Date.now();
    const child = spawn('sh', ['-c', `${process.execPath} bin/seq2seq.mjs data --n 100000000 | head -1`], { cwd: PROJECT_DIR });
    const r = await collect(child, t0, 600);
    expect(r.signal).toBeNull();
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toHaveProperty('input');
    expect(r.stderr).toBe('');
  });

  it('a reader that stops reading: memory stays flat; closing the pipe ends the command with status 0', async () => {
    const child = spawn(process.execPath, ['bin/seq2seq.mjs', 'data', '--n', '50000000'], { cwd: PROJECT_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    const done = collect(child, Date.now(), 600);
    // Read the first chunk, then stop reading.
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    child.stdout!.pause();
    await new Promise((r) => setTimeout(r, 2000));
    const before = rssMb(child.pid!);
    await new Promise((r) => setTimeout(r, 4000));
    const after = rssMb(child.pid!);
    expect(after - before, `RSS ${before.toFixed(0)} → ${after.toFixed(0)} MB`).toBeLessThan(40);
    child.stdout!.destroy();
    const r = await done;
    expect(r.signal).toBeNull();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
  }, 900_000);
});

describe.concurrent('item 8: a Chrome that is not one', () => {
  const slow = join(root, 'slow-chrome');
  writeFileSync(slow, '#!/bin/sh\nexec sleep 600\n', { mode: 0o755 });
  const noexec = join(root, 'noexec-chrome');
  writeFileSync(noexec, '#!/bin/sh\n', { mode: 0o644 });
  const cases: Array<[string, string, RegExp]> = [
    ['/bin/false', '/bin/false', /^Chrome at "\/bin\/false" exited during start-up; set CHROME_PATH to a working Chrome or Chromium\.$/],
    ['a folder', root, /^CHROME_PATH points to ".*", which is a directory; set it to a Chrome or Chromium executable\.$/],
    ['a file that is not executable', noexec, /^CHROME_PATH points to ".*noexec-chrome", which is not executable; set it to a Chrome or Chromium executable\.$/],
    ['a Chrome that never answers', slow, /^Chrome at ".*slow-chrome" did not answer within 3 s; set CHROME_PATH to a working Chrome or Chromium\.$/],
  ];
  it.each(cases)('CHROME_PATH to %s: one sentence, no run folder, nothing left running', async (_name, chrome, pattern) => {
    const out = join(root, `chrome-${_name.replace(/\W+/g, '-')}`);
    const r = await run(['train', '--out', out, ...TINY], { env: { CHROME_PATH: chrome, SEQ2SEQ_CHROME_TIMEOUT_S: '3' }, limitS: 300 });
    expect(r.signal).toBeNull();
    expectSentence(r, pattern);
    expect(existsSync(out)).toBe(false);
    await new Promise((res) => setTimeout(res, 500));
    expect(spawnSync('pgrep', ['-f', `${slow}`]).stdout.toString().trim()).toBe('');
  });
});

describe('item 10: sizes against the adapter limits', () => {
  // SwiftShader's (and WebGPU's default) limits.
  const limits = { maxStorageBufferBindingSize: 128 * 2 ** 20, maxBufferSize: 256 * 2 ** 20 };
  it.each([
    [{ batch_size: 1_000_000 }, /^batch_size=1000000 is too large for this GPU: the LSTM gate activations need .* floats = 39\.1 GB, more than its maxStorageBufferBindingSize of 128 MB; lower batch_size\.$/],
    [{ hidden_size: 2048, batch_size: 512 }, /^hidden_size=2048 and batch_size=512 are too large for this GPU: .*; lower hidden_size or batch_size\.$/],
    [{ vocab_size: 1_000_000 }, /^vocab_size=1000000 is too large for this GPU: the logits need batch_size × \(max_length \+ 1\) × vocab_size floats = 5\.0 GB, .*; lower vocab_size\.$/],
    [{ decode_length: 10_000_000 }, /^decode_length=10000000 is too large for this GPU: .*; lower decode_length\.$/],
    [{ model: 'blog' as const, batch_size: 200_000 }, /^batch_size=200000 is too large for this GPU: the MLP activations need .*; lower batch_size\.$/],
    [{ model: 'transformer' as const, embedding_size: 64, hidden_size: 64, batch_size: 200_000 }, /^batch_size=200000 is too large for this GPU: the attention projections need batch_size × \(max_length \+ 1\) × 3·hidden_size floats .*; lower batch_size\.$/],
  ])('%o gives one sentence naming the setting and the limit', (over, pattern) => {
    expect(sizeProblem({ ...DEFAULT_CONFIG, ...over }, limits)).toMatch(pattern);
  });
  it('the defaults and the GPU preset fit', () => {
    expect(sizeProblem(DEFAULT_CONFIG, limits)).toBeNull();
    const gpu = JSON.parse(readFileSync(join(PROJECT_DIR, 'src/config/presets/gpu.json'), 'utf8'));
    expect(sizeProblem({ ...DEFAULT_CONFIG, ...gpu }, limits)).toBeNull();
  });
});

describe.concurrent('item 11: non-finite checkpoints and hostile text', () => {
  it('eval and predict refuse a NaN checkpoint in one sentence, before Chrome', async () => {
    const path = join(root, 'nan.safetensors');
    writeFileSync(path, fakeCheckpoint({ fill: NaN }));
    const [e, p] = await Promise.all([run(['eval', '--checkpoint', path]), run(['predict', '--checkpoint', path, '3 4'])]);
    for (const r of [e, p]) {
      expectSentence(r, /^checkpoint .*nan\.safetensors holds a non-finite value \(NaN\) in tensor output\.bias at index 0, so it cannot be used; train again or take an earlier checkpoint\.$/);
      expect(r.stdout).toBe('');
    }
  });

  it('a 1 MB token with control bytes is cut and escaped in the message', async () => {
    const path = join(root, 'ok.safetensors');
    writeFileSync(path, fakeCheckpoint());
    const token = `\u001b[31m${'9'.repeat(1 << 20)}\u0007`;
    const [p, d] = await Promise.all([run(['predict', '--checkpoint', path], { stdin: `3 ${token}\n` }), run(['data', `vocab_size=\u001b]0;x\u0007${'1'.repeat(100_000)}`])]);
    for (const r of [p, d]) {
      expect(r.code).not.toBe(0);
      expect(r.stderr.length).toBeLessThan(300);
      expect(r.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    }
    expect(p.stderr.trim()).toBe(`Input 1 holds ${quote(token)}, which is not an integer.`);
    expect(p.stderr).toMatch(/^Input 1 holds "\\u001b\[31m9{35}…" \(1048582 characters\), which is not an integer\.$/m);
    expect(d.stderr).toMatch(/^vocab_size must be a number, got "\\u001b\]0;x\\u00071{34}…" \(100006 characters\)\.$/m);
  });

  it('quote escapes what moves the cursor and cuts at code points', () => {
    expect(quote('a"b\\c\n\t\u202e')).toBe('"a\\"b\\\\c\\u000a\\u0009\\u202e"');
    expect(quote('😀'.repeat(50), 3)).toBe('"😀😀😀…" (50 characters)');
  });
});

describe.concurrent('what a new user tripped on', () => {
  it('eval and predict refuse settings they do not take; eval takes --beam', async () => {
    const path = join(root, 'plain.safetensors');
    writeFileSync(path, fakeCheckpoint());
    const [e, p, b] = await Promise.all([
      run(['eval', '--checkpoint', path, 'hidden_size=3']),
      run(['predict', '--checkpoint', path, 'beam=4', '3 4']),
      run(['eval', '--checkpoint', path, '--beam', '0']),
    ]);
    expectSentence(e, /^eval does not take the setting "hidden_size=3" \(its settings come from the checkpoint, except recurrence\); see `seq2seq eval --help`\.$/);
    expectSentence(p, /^predict does not take the setting "beam=4" \(its settings come from the checkpoint\); see `seq2seq predict --help`\.$/);
    expectSentence(b, /^--beam must be an integer from 1 to 64, got "0"\.$/);
  });

  it('--resume of a finished run says it is complete without Chrome; --rounds may only grow', async () => {
    const dir = join(root, 'finished');
    mkdirSync(dir);
    const cp = fakeCheckpoint({ step: 40, round: 2, config: { rounds: 2, steps: 20 } });
    writeFileSync(join(dir, 'last.safetensors'), cp);
    writeFileSync(join(dir, 'round-002.safetensors'), cp);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...TINY_CONFIG, rounds: 2, steps: 20 }));
    writeFileSync(join(dir, 'metrics.jsonl'), `${JSON.stringify({ type: 'round', round: 2, step: 40, loss: 1, geomean: 0.75 })}\n`);
    const [done, lower] = await Promise.all([
      run(['train', '--resume', '--out', dir], { env: { CHROME_PATH: '/bin/false' } }),
      run(['train', '--resume', '--out', dir, '--rounds', '1']),
    ]);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toBe('');
    expect(done.stderr.trim()).toBe(
      `The run in ${dir} is complete (2 of 2 rounds, step 40, GeoMean 0.7500); to train it further, raise --rounds: npx seq2seq train --resume --out ${dir} --rounds 3`,
    );
    expectSentence(lower, /^Cannot lower --rounds to 1 when resuming: the run has 2 rounds, and --rounds may only grow\.$/);
    expect(readdirSync(dir).sort()).toEqual(['config.json', 'last.safetensors', 'metrics.jsonl', 'round-002.safetensors']);
  });
});
