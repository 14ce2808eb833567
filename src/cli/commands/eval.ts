// `seq2seq eval`: docs/contract.md §2 evaluation of a checkpoint, as one JSON object.
import { openHarness } from '../../harness/harness.ts';
import { RemoteSession } from '../../run/remote.ts';
import { intFlag, parseCommandArgs } from '../args.ts';
import type { Command } from '../command.ts';
import { readCheckpointFile } from './checkpoint_file.ts';

export const evaluate: Command = {
  name: 'eval',
  summary: 'evaluate a checkpoint: PSA, LCSR, GeoMean, exact match, length accuracy (mean, std, by length)',
  usage: `Usage: seq2seq eval --checkpoint F [--rounds N] [--samples N] [--seed S] [--max-length L]

Runs N evaluation rounds of held-out samples with greedy decoding on WebGPU and prints
one JSON object: psa, lcsr, geomean, exact_match, length_accuracy, their _std over rounds,
and by_length (per input length).

  --checkpoint F   a .safetensors checkpoint written by seq2seq train
  --rounds N       evaluation rounds (default: the checkpoint's evaluate_round)
  --samples N      samples per round (default: the checkpoint's eval_samples)
  --seed S         seed of the held-out stream (default: the checkpoint's seed)
  --max-length L   longest input (default: the training max_length); larger L measures
                   length generalisation
`,
  async run(argv, io) {
    const { flags } = parseCommandArgs('eval', argv, {
      checkpoint: { type: 'string' },
      rounds: { type: 'string' },
      samples: { type: 'string' },
      seed: { type: 'string' },
      'max-length': { type: 'string' },
    });
    const { bytes, config } = readCheckpointFile(flags.checkpoint);
    const opts = {
      rounds: intFlag(flags, 'rounds', 1) ?? config.evaluate_round,
      samples: intFlag(flags, 'samples', 1) ?? config.eval_samples,
      seed: intFlag(flags, 'seed', 0) ?? config.seed,
      maxLength: intFlag(flags, 'max-length', config.min_length, 10_000) ?? config.max_length,
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
