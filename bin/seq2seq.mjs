#!/usr/bin/env node
// The `seq2seq` command: runs the TypeScript CLI through tsx, so no build step is needed.
import { register as registerHooks } from 'node:module';
import { register } from 'tsx/esm/api';

// A reader that goes away early (`seq2seq data | head`) is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

register();
// `.wgsl?raw` imports as text, for the GPU code when it runs in Node (--runtime node).
registerHooks('../src/runtime/wgsl_hooks.mjs', import.meta.url);
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
