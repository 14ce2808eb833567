// `seq2seq eval`: docs/contract.md §2 evaluation of a checkpoint, as one JSON object.
import { adapterJson } from '../../io/adapter_summary.ts';
import { openRuntime, type RuntimeOptions } from '../../runtimes/runtime.ts';
import { RemoteSession } from '../../runtimes/remote_session.ts';
import type { Config } from '../../config/config.ts';
import { checkBeam, mergeConfig } from '../../config/validate.ts';
import { parseKeyValues } from '../../config/keyvalues.ts';
import { packEvalFile } from '../../file_task/prepare.ts';
import type { Summary } from '../../metrics/index.ts';
import { intFlag, parseCommandArgs, refuseSettings, type ParsedArgs } from '../args.ts';
import { MAX_BEAM } from './predict.ts';
import type { Command, Io } from '../command.ts';
import { UserError } from '../../errors.ts';
import { readCheckpointFile } from './checkpoint_file.ts';
import { RUNTIME_OPTIONS, RUNTIME_USAGE, runtimeOptions, withRuntimeErrors } from '../runtime_flags.ts';

export const evaluate: Command = {
  name: 'eval',
  summary: 'evaluate a checkpoint: PSA, LCSR, GeoMean, exact match, length accuracy (mean, std, by length)',
  usage: `Usage: seq2seq eval --checkpoint F [--rounds N] [--samples N] [--seed S] [--max-length L] [--beam K] [--data F] [recurrence=R] [--runtime R] [--adapter A]

Runs N evaluation rounds of held-out samples on WebGPU and prints one JSON object on
stdout: psa, lcsr, geomean, exact_match, length_accuracy, their _std over rounds, and
by_length (per input length); a one-line summary goes to stderr. Every other setting
comes from the checkpoint, except how greedy decoding is recorded:

  recurrence=R     sequence (one dispatch for every decode step, on hardware GPUs) or
                   steps (a few dispatches per step); default: the checkpoint's. The
                   tokens, and so the scores, are the same either way.

  --checkpoint F   a .safetensors checkpoint written by seq2seq train
  --rounds N       evaluation rounds (default: the checkpoint's evaluate_round)
  --samples N      samples per round (default: the checkpoint's eval_samples)
  --seed S         seed of the held-out stream (default: the checkpoint's seed)
  --max-length L   longest input (default: the training max_length); larger L measures
                   length generalisation
  --beam K         beam width, 1 to ${MAX_BEAM} (default: the checkpoint's beam; 1 = greedy)
  --data F         file tasks: evaluate every pair of F (.tsv or .jsonl) once, tokenised
                   with the checkpoint's vocabulary; adds bleu (corpus BLEU-4 × 100)
${RUNTIME_USAGE}
`,
  async run(argv, io) {
    const { flags, items } = parseCommandArgs('eval', argv, {
      checkpoint: { type: 'string' },
      rounds: { type: 'string' },
      samples: { type: 'string' },
      seed: { type: 'string' },
      'max-length': { type: 'string' },
      beam: { type: 'string' },
      data: { type: 'string' },
      ...RUNTIME_OPTIONS,
    });
    const runtime = runtimeOptions(flags);
    refuseSettings('eval', items, ['recurrence']);
    const file = readCheckpointFile(flags.checkpoint);
    const { bytes, vocab } = file;
    const config = items.length > 0 ? mergeConfig(file.config, parseKeyValues(items)) : file.config;
    if (vocab) return evalFile(flags, bytes, config, vocab, io, runtime);
    const recurrence = config.recurrence;
    if (flags.data !== undefined) throw new UserError(`--data is for file tasks; ${flags.checkpoint} was trained on task=${config.task}.`);
    const opts = {
      rounds: intFlag(flags, 'rounds', 1) ?? config.evaluate_round,
      samples: intFlag(flags, 'samples', 1) ?? config.eval_samples,
      seed: intFlag(flags, 'seed', 0) ?? config.seed,
      maxLength: intFlag(flags, 'max-length', config.min_length, 10_000) ?? config.max_length,
      beam: intFlag(flags, 'beam', 1, MAX_BEAM) ?? config.beam,
    };
    checkBeam(config, opts.beam);
    const h = await withRuntimeErrors(() => openRuntime(runtime));
    try {
      const session = await withRuntimeErrors(() => RemoteSession.open(h, { checkpoint: bytes, recurrence }));
      const summary = await session.evaluate(opts);
      io.stdout(`${JSON.stringify({ checkpoint: flags.checkpoint, model: config.model, max_length: opts.maxLength, seed: opts.seed, beam: opts.beam, ...summary, runtime: runtime.runtime, adapter: adapterJson(session.info.adapter) })}\n`);
      io.stderr(`${evalSummaryLine(summary, opts)}\n`);
      return 0;
    } finally {
      await h.close();
    }
  },
};

/** What a person reads first: the headline scores, and how they were measured. */
export function evalSummaryLine(s: Summary, o: { rounds: number; samples: number; maxLength: number; beam: number }): string {
  const pm = (v: number, std: number) => `${v.toFixed(4)} ± ${std.toFixed(4)}`;
  return (
    `eval: GeoMean ${pm(s.geomean, s.geomean_std)}, PSA ${pm(s.psa, s.psa_std)}, LCSR ${pm(s.lcsr, s.lcsr_std)}, ` +
    `exact match ${s.exact_match.toFixed(4)}, length accuracy ${s.length_accuracy.toFixed(4)} ` +
    `(${o.rounds} × ${o.samples} samples, inputs up to ${o.maxLength}, ${o.beam === 1 ? 'greedy' : `beam ${o.beam}`})`
  );
}

/** A file task: every pair of --data once (docs/contract.md §1b), with the checkpoint's vocabulary. */
async function evalFile(flags: ParsedArgs['flags'], bytes: Uint8Array, config: Config, vocab: string[], io: Io, runtime: RuntimeOptions): Promise<number> {
  for (const f of ['rounds', 'samples', 'seed'] as const) {
    if (flags[f] !== undefined) throw new UserError(`--${f} does not apply to a file task: --data F is evaluated pair by pair, every pair once.`);
  }
  if (typeof flags.data !== 'string' || flags.data === '') {
    throw new UserError(`${flags.checkpoint} is a file task: name the pairs to evaluate with --data F (.tsv or .jsonl).`);
  }
  const { upload, pairs } = await packEvalFile(flags.data, vocab, config.tokenize);
  const beam = intFlag(flags, 'beam', 1, MAX_BEAM);
  checkBeam(config, beam);
  const maxLength = intFlag(flags, 'max-length', 1, 10_000);
  const h = await withRuntimeErrors(() => openRuntime(runtime));
  try {
    const session = await withRuntimeErrors(() => RemoteSession.open(h, { checkpoint: bytes, recurrence: config.recurrence }, upload));
    const summary = await session.evaluate({ maxLength, beam });
    const where = { runtime: runtime.runtime, adapter: adapterJson(session.info.adapter) };
    io.stdout(`${JSON.stringify({ checkpoint: flags.checkpoint, model: config.model, task: 'file', data: flags.data, pairs, ...summary, ...where })}\n`);
    return 0;
  } finally {
    await h.close();
  }
}
