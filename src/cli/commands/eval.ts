// `seq2seq eval`: SPEC §2 evaluation of a checkpoint, as one JSON object.
import { openHarness } from '../../harness/harness.ts';
import { RemoteSession } from '../../run/remote.ts';
import type { Config } from '../../config/config.ts';
import { packEvalFile } from '../../data/file_task.ts';
import { intFlag, parseCommandArgs, type ParsedArgs } from '../args.ts';
import type { Command, Io } from '../command.ts';
import { UserError } from '../errors.ts';
import { readCheckpointFile } from './checkpoint_file.ts';

export const evaluate: Command = {
  name: 'eval',
  summary: 'evaluate a checkpoint: PSA, LCSR, GeoMean, exact match, length accuracy (mean, std, by length)',
  usage: `Usage: seq2seq eval --checkpoint F [--rounds N] [--samples N] [--seed S] [--max-length L] [--beam K] [--data F]

Runs N evaluation rounds of held-out samples with greedy decoding on WebGPU and prints
one JSON object: psa, lcsr, geomean, exact_match, length_accuracy, their _std over rounds,
and by_length (per input length).

  --checkpoint F   a .safetensors checkpoint written by seq2seq train
  --rounds N       evaluation rounds (default: the checkpoint's evaluate_round)
  --samples N      samples per round (default: the checkpoint's eval_samples)
  --seed S         seed of the held-out stream (default: the checkpoint's seed)
  --max-length L   longest input (default: the training max_length); larger L measures
                   length generalisation
  --beam K         beam width, 1 to 64 (default: the checkpoint's beam; 1 = greedy)
  --data F         file tasks: evaluate every pair of F (.tsv or .jsonl) once, tokenised
                   with the checkpoint's vocabulary; adds bleu (corpus BLEU-4 × 100)
`,
  async run(argv, io) {
    const { flags } = parseCommandArgs('eval', argv, {
      checkpoint: { type: 'string' },
      rounds: { type: 'string' },
      samples: { type: 'string' },
      seed: { type: 'string' },
      'max-length': { type: 'string' },
      beam: { type: 'string' },
      data: { type: 'string' },
    });
    const { bytes, config, vocab } = readCheckpointFile(flags.checkpoint);
    if (vocab) return evalFile(flags, bytes, config, vocab, io);
    if (flags.data !== undefined) throw new UserError(`--data is for file tasks; ${flags.checkpoint} was trained on task=${config.task}.`);
    const opts = {
      rounds: intFlag(flags, 'rounds', 1) ?? config.evaluate_round,
      samples: intFlag(flags, 'samples', 1) ?? config.eval_samples,
      seed: intFlag(flags, 'seed', 0) ?? config.seed,
      maxLength: intFlag(flags, 'max-length', config.min_length, 10_000) ?? config.max_length,
      beam: intFlag(flags, 'beam', 1, 64),
    };
    const h = await openHarness();
    try {
      const session = await RemoteSession.open(h, null, bytes);
      const summary = await session.evaluate(opts);
      io.stdout(`${JSON.stringify({ checkpoint: flags.checkpoint, model: config.model, max_length: opts.maxLength, seed: opts.seed, ...summary })}\n`);
      return 0;
    } finally {
      await h.close();
    }
  },
};

/** A file task: every pair of --data once (SPEC §1b), with the checkpoint's vocabulary. */
async function evalFile(flags: ParsedArgs['flags'], bytes: Uint8Array, config: Config, vocab: string[], io: Io): Promise<number> {
  for (const f of ['rounds', 'samples', 'seed'] as const) {
    if (flags[f] !== undefined) throw new UserError(`--${f} does not apply to a file task: --data F is evaluated pair by pair, every pair once.`);
  }
  if (typeof flags.data !== 'string' || flags.data === '') {
    throw new UserError(`${flags.checkpoint} is a file task: name the pairs to evaluate with --data F (.tsv or .jsonl).`);
  }
  const { upload, pairs } = await packEvalFile(flags.data, vocab, config.tokenize);
  const beam = intFlag(flags, 'beam', 1, 64);
  const maxLength = intFlag(flags, 'max-length', 1, 10_000);
  const h = await openHarness();
  try {
    const session = await RemoteSession.open(h, null, bytes, upload);
    const summary = await session.evaluate({ maxLength, beam });
    io.stdout(`${JSON.stringify({ checkpoint: flags.checkpoint, model: config.model, task: 'file', data: flags.data, pairs, ...summary })}\n`);
    return 0;
  } finally {
    await h.close();
  }
}
