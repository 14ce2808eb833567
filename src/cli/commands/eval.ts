// `seq2seq eval`: SPEC §2 evaluation of a checkpoint, as one JSON object.
import { adapterJson } from '../../gpu/adapter.ts';
import { openRuntime } from '../../runtime/runtime.ts';
import { RemoteSession } from '../../run/remote.ts';
import { intFlag, parseCommandArgs } from '../args.ts';
import type { Command } from '../command.ts';
import { readCheckpointFile } from './checkpoint_file.ts';
import { RUNTIME_OPTIONS, RUNTIME_USAGE, runtimeOptions, withRuntimeErrors } from '../runtime_flags.ts';

export const evaluate: Command = {
  name: 'eval',
  summary: 'evaluate a checkpoint: PSA, LCSR, GeoMean, exact match, length accuracy (mean, std, by length)',
  usage: `Usage: seq2seq eval --checkpoint F [--rounds N] [--samples N] [--seed S] [--max-length L] [--runtime R] [--adapter A]

Runs N evaluation rounds of held-out samples with greedy decoding on WebGPU and prints
one JSON object: psa, lcsr, geomean, exact_match, length_accuracy, their _std over rounds,
and by_length (per input length).

  --checkpoint F   a .safetensors checkpoint written by seq2seq train
  --rounds N       evaluation rounds (default: the checkpoint's evaluate_round)
  --samples N      samples per round (default: the checkpoint's eval_samples)
  --seed S         seed of the held-out stream (default: the checkpoint's seed)
  --max-length L   longest input (default: the training max_length); larger L measures
                   length generalisation
${RUNTIME_USAGE}
`,
  async run(argv, io) {
    const { flags } = parseCommandArgs('eval', argv, {
      checkpoint: { type: 'string' },
      rounds: { type: 'string' },
      samples: { type: 'string' },
      seed: { type: 'string' },
      'max-length': { type: 'string' },
      ...RUNTIME_OPTIONS,
    });
    const runtime = runtimeOptions(flags);
    const { bytes, config } = readCheckpointFile(flags.checkpoint);
    const opts = {
      rounds: intFlag(flags, 'rounds', 1) ?? config.evaluate_round,
      samples: intFlag(flags, 'samples', 1) ?? config.eval_samples,
      seed: intFlag(flags, 'seed', 0) ?? config.seed,
      maxLength: intFlag(flags, 'max-length', config.min_length, 10_000) ?? config.max_length,
    };
    const h = await withRuntimeErrors(() => openRuntime(runtime));
    try {
      const session = await withRuntimeErrors(() => RemoteSession.open(h, null, bytes));
      const summary = await session.evaluate(opts);
      const where = { runtime: runtime.runtime, adapter: adapterJson(session.info.adapter) };
      io.stdout(`${JSON.stringify({ checkpoint: flags.checkpoint, model: config.model, max_length: opts.maxLength, seed: opts.seed, ...summary, ...where })}\n`);
      return 0;
    } finally {
      await h.close();
    }
  },
};
