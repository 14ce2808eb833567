#!/usr/bin/env node
// The `seq2seq` command: runs the TypeScript CLI through tsx, so no build step is needed.
import { accessSync, constants } from 'node:fs';
import { register as registerHooks } from 'node:module';
import { tmpdir } from 'node:os';

// tsx caches compiled files in the temporary folder: a read-only or missing TMPDIR must
// not break every command (--help included), so compile in memory then.
try {
  accessSync(tmpdir(), constants.W_OK);
} catch {
  process.env.TSX_DISABLE_CACHE = '1';
}

const { register } = await import('tsx/esm/api');
register();
// `.wgsl?raw` imports as text, for the GPU code when it runs in Node (--runtime node).
registerHooks('../src/runtimes/node/wgsl_hooks.mjs', import.meta.url);
const { main, describeError } = await import('../src/cli/main.ts');
const { installStdoutGuard } = await import('../src/cli/signals.ts');

// A reader that goes away early (`seq2seq data | head`) is not an error.
installStdoutGuard();
// Last resort: a promise nobody awaited failed. One sentence, never a stack trace.
process.on('unhandledRejection', (err) => {
  process.stderr.write(`${describeError(err)}\n`);
  process.exit(1);
});

process.exitCode = await main(process.argv.slice(2));
