// The self-contained GPU check (`npm run gpu-check` builds dist/gpu-check/): run with
// nothing but Node, `node gpu-check.mjs [--adapter auto|hardware|software] [--steps N]`.
// Loads Dawn (dawn.node) from its own folder, checks every kernel against its float64
// reference on the adapter it finds, times the kernels and each model's training step,
// trains the default model for a fixed number of steps, and prints one JSON object.
// Progress goes to stderr; the exit status is 1 when a check fails.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { ADAPTER_CHOICES, type AdapterChoice } from '../gpu/adapter.ts';
import { installDawn, checkDawnAdapter, type DawnModule } from '../runtimes/node/dawn.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const started = performance.now();
const log = (text: string) => process.stderr.write(`[gpu-check ${((performance.now() - started) / 1000).toFixed(0).padStart(4)}s] ${text}\n`);

function options(): { adapter: AdapterChoice; steps: number } {
  const { values } = parseArgs({ options: { adapter: { type: 'string', default: 'auto' }, steps: { type: 'string', default: '300' } } });
  const adapter = values.adapter as AdapterChoice;
  if (!ADAPTER_CHOICES.includes(adapter)) throw new Error(`--adapter must be auto, hardware or software, got "${adapter}".`);
  const steps = Number(values.steps);
  if (!Number.isSafeInteger(steps) || steps < 1) throw new Error(`--steps must be a positive integer, got "${values.steps}".`);
  return { adapter, steps };
}

/** dawn.node beside this script (the built folder), else npm `webgpu` (running from the repository). */
async function loadDawn(): Promise<DawnModule> {
  const local = join(HERE, 'dawn.node');
  if (existsSync(local)) return createRequire(import.meta.url)(local) as DawnModule;
  return (await import('webgpu')) as unknown as DawnModule;
}

async function main(): Promise<number> {
  const { adapter, steps } = options();
  const dawn = await installDawn(loadDawn, [HERE]);
  await checkDawnAdapter(dawn.gpu, adapter);
  // Imported only now: the GPU modules read GPUBufferUsage & co. when they load.
  const { runGpuCheck } = await import('./report.ts');
  return runGpuCheck(dawn, adapter, steps, HERE, log, started);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
