// `seq2seq bench`: kernel and training-step throughput on this machine's WebGPU adapter,
// as one JSON object (the measuring is done in the page by src/bench/run.ts).
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { openRuntime, type GpuRuntime, type RuntimeOptions } from '../../runtimes/runtime.ts';
import { writeFileAtomic, writeProblem } from '../../io/atomic.ts';
import { fsReason } from '../../io/fs_errors.ts';
import { benchPlan, type BenchMode, type BenchPlan } from '../../bench/plan.ts';
import type { PageBenchReport } from '../../bench/run.ts';
import { parseCommandArgs } from '../args.ts';
import type { Command, Io } from '../command.ts';
import { RUNTIME_OPTIONS, RUNTIME_USAGE, runtimeOptions, withRuntimeErrors } from '../runtime_flags.ts';
import { UserError } from '../../errors.ts';

const RUN = '/src/bench/run.ts';

export const NOISE_NOTE =
  'Timings are wall-clock or GPU-timestamp medians on this machine at this moment; on a shared or software ' +
  'adapter (SwiftShader runs WGSL on the CPU) any other busy process changes them, so compare figures from one run only.';

/** Runs a plan in the runtime asked for and returns the full report (Node adds the runtime's version and the date). */
export async function runBenchIn(opts: RuntimeOptions, plan: BenchPlan, onProgress: (text: string) => void = () => undefined): Promise<Record<string, unknown>> {
  const h: GpuRuntime = await withRuntimeErrors(() => openRuntime(opts));
  try {
    await h.expose('__seq2seqBenchProgress', (text: string) => onProgress(text));
    const page = await withRuntimeErrors(() => h.call<PageBenchReport>(RUN, 'runBench', plan, { adapter: opts.adapter }));
    return { runtime: h.kind, runtime_version: h.version, ...assemble(page, h.kind === 'chrome' ? h.version : null) };
  } finally {
    await h.close();
  }
}

function assemble(page: PageBenchReport, chrome: string | null): Record<string, unknown> {
  const summary = (pick: (m: PageBenchReport['models'][string]) => unknown) =>
    Object.fromEntries(Object.entries(page.models).map(([name, m]) => [name, pick(m)]));
  return {
    adapter: page.adapter,
    chrome,
    date: new Date().toISOString(),
    mode: page.mode,
    timestamp_queries: page.timestamps,
    note: NOISE_NOTE,
    subgroups: page.subgroups,
    matmul_gflops: page.matmul?.gflops_by_size ?? {},
    matmul_16x8_gflops: page.matmul?.baseline_16x8_gflops_by_size ?? {},
    matmul_speedup_vs_16x8: page.matmul?.speedup_vs_16x8_by_size ?? {},
    matmul_skinny_gflops: page.matmul?.skinny_gflops ?? {},
    matmul_kernel_choice: page.matmul?.kernel_choice ?? {},
    matmul_tiled_gflops: page.matmul?.tiled_gflops_by_size ?? {},
    op_us_per_call: Object.fromEntries((page.ops?.results ?? []).map((r) => [r.op, r.us_per_call])),
    ms_per_training_step: summary((m) => m.train_step.ms_per_step),
    ms_per_decode_step: summary((m) => m.decode_step.ms_per_call),
    training_step: summary((m) => ({
      same_as: m.same_as,
      dispatches: m.train_step.dispatches,
      submits_per_step: m.train_step.submits_per_step,
      bind_groups_per_step: m.train_step.bind_groups_per_step,
      dispatches_per_time_step_and_layer: m.train_step.dispatches_per_time_step_and_layer,
      ms_per_step: m.train_step.ms_per_step,
      gpu_ms_per_step: m.train_step.profile?.gpu_ms_per_step ?? null,
    })),
    decode_recordings: summary((m) => m.decode_recordings && { sequence: m.decode_recordings.sequence, steps: m.decode_recordings.steps, dispatch_ratio: m.decode_recordings.dispatch_ratio }),
    decode_ratio: summary((m) => m.decode_recordings?.ms_ratio ?? null),
    attn_over_lstm_training_step: stepRatio(page, 'attn_reference', 'lstm_reference') ?? stepRatio(page, 'attn_default', 'lstm_default'),
    recurrence_ratio: recurrenceRatios(page),
    matmul: page.matmul,
    ops: page.ops,
    models: page.models,
  };
}

/** ms per training step of model a over model b, both timed in this run (null when either is absent). */
function stepRatio(page: PageBenchReport, a: string, b: string): number | null {
  const [ma, mb] = [page.models[a], page.models[b]];
  if (!ma || !mb) return null;
  return Math.round((ma.train_step.ms_per_step / mb.train_step.ms_per_step) * 1000) / 1000;
}

/** Per case with a `${name}_steps` twin: ms per training step recorded as sequence kernels over step by step. */
export function recurrenceRatios(page: PageBenchReport): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of Object.keys(page.models)) {
    const r = page.models[`${name}_steps`] ? stepRatio(page, name, `${name}_steps`) : null;
    if (r !== null) out[name] = r;
  }
  return out;
}

export const bench: Command = {
  name: 'bench',
  summary: 'kernel and training-step throughput on this WebGPU adapter (one JSON object)',
  usage: `Usage: seq2seq bench [--quick] [--out F] [--runtime R] [--adapter A]

Measures, in headless Chrome (or Node, --runtime node) on WebGPU, and prints one JSON object:
  - the adapter, Chrome's version and the date;
  - matmul GFLOP/s at 128, 256 and 512 and on the model's skinny shapes (GPU time from
    timestamp queries, median of several runs after warm-up), and beside it, runs
    interleaved, the 16x8 kernel used without subgroups (the ratio is the figure to compare);
  - per op at the reference config's sizes (LSTM cell and fused step forward/backward,
    softmax cross-entropy, Adam, embedding gather and scatter, column sums, gradient norm):
    each checked against its float64 reference first, then µs per call, GB/s, and GFLOP/s
    where it computes more than it moves;
  - for the default lstm, the default blog, the reference config (lstm, 1 layer,
    hidden 64, embedding 32, batch 64, max_length 20) and the same with model attn
    (attn_over_lstm_training_step: the ratio of their ms per training step), each lstm and attn
    case also recorded step by step (<case>_steps; recurrence_ratio.<case>: ms per training
    step with recurrence=sequence over recurrence=steps): every kernel of the training step
    (model + optimizer) and of greedy decoding with calls per step, median µs per call and
    ms per step; dispatches, submits and bind groups created per step; dispatches per time
    step and layer; wall-clock ms per training step (median, a fresh batch each step);
  - for lstm and attn, greedy decoding recorded both ways (recurrence=sequence: the encoder
    and one dispatch for every decode step; recurrence=steps: a few dispatches per step),
    timed in alternation on the same batches: decode_recordings (dispatches and ms per
    decoded batch of each) and decode_ratio (steps ms / sequence ms).
Progress goes to stderr. Timings are noisy on a busy machine: compare within one run.

  --quick   fewer runs and shorter timings (about a minute)
  --out F   also write the JSON to file F
${RUNTIME_USAGE}
`,
  async run(argv: string[], io: Io) {
    const { flags } = parseCommandArgs('bench', argv, { quick: { type: 'boolean' }, out: { type: 'string' }, ...RUNTIME_OPTIONS });
    const runtime = runtimeOptions(flags);
    const out = flags.out === undefined ? undefined : resolve(String(flags.out));
    if (out !== undefined) {
      if (String(flags.out) === '') throw new UserError('--out needs a file name.');
      const dir = dirname(out);
      if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`Cannot write ${flags.out}: the directory ${dir} does not exist.`);
      if (existsSync(out) && statSync(out).isDirectory()) throw new UserError(`Cannot write ${flags.out}: it is a directory.`);
      // Minutes of measuring must not end in a file that cannot be written: try it first.
      const problem = await writeProblem(out);
      if (problem) throw new UserError(`Cannot write ${flags.out}: ${problem}.`);
    }
    const mode: BenchMode = flags.quick ? 'quick' : 'full';
    const start = Date.now();
    const log = (text: string) => io.stderr(`[bench ${((Date.now() - start) / 1000).toFixed(0).padStart(3)}s] ${text}\n`);
    log(`${mode} run; starting ${runtime.runtime === 'node' ? 'Dawn for Node' : 'Chrome'} (adapter ${runtime.adapter})`);
    const report = await runBenchIn(runtime, benchPlan(mode), log);
    // stdout first: should the file fail after all (the disk filled meanwhile), the result is not lost.
    io.stdout(`${JSON.stringify(report)}\n`);
    if (out !== undefined) {
      try {
        await writeFileAtomic(out, `${JSON.stringify(report, null, 2)}\n`);
      } catch (err) {
        throw new UserError(`Cannot write ${flags.out}: ${fsReason(err)}; the result is the JSON line printed on stdout.`);
      }
    }
    log(`done${out !== undefined ? `; wrote ${out}` : ''}`);
    return 0;
  },
};
