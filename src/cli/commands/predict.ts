// `seq2seq predict`: the primes a checkpoint predicts for each input sequence.
import { openHarness } from '../../harness/harness.ts';
import { RemoteSession } from '../../run/remote.ts';
import { intFlag, parseCommandArgs } from '../args.ts';
import type { Command } from '../command.ts';
import { UserError } from '../errors.ts';
import { readCheckpointFile } from './checkpoint_file.ts';
import type { Config } from '../../config/config.ts';

/** The widest beam the GPU kernel holds (src/ops/beam.ts MAX_BEAM; not imported: that module loads a shader). */
const MAX_BEAM = 64;

export const predict: Command = {
  name: 'predict',
  summary: 'print the primes a checkpoint predicts for each input sequence',
  usage: `Usage: seq2seq predict --checkpoint F [--beam K] [--attention] [SEQUENCE …]

Each SEQUENCE is numbers separated by spaces or commas (quote it: "4 7 9 11"); with no
SEQUENCE, every non-empty line of standard input is one. Prints one line of
space-separated numbers per input (an empty line when the model predicts no primes).

  --checkpoint F   a .safetensors checkpoint written by seq2seq train
  --beam K         beam width, 1 to 64 (default: the checkpoint's beam; 1 = greedy)
  --attention      (attn checkpoints) one JSON line per input instead:
                   {"input":[…],"prediction":[…],"attention":[[…]…]}, the greedy
                   decoding's weights, one row per output step (up to and including
                   the EOS), one column per input number, rounded to 4 decimals
`,
  async run(argv, io) {
    const { flags, positionals } = parseCommandArgs('predict', argv, { checkpoint: { type: 'string' }, beam: { type: 'string' }, attention: { type: 'boolean' } }, true);
    const { bytes, config } = readCheckpointFile(flags.checkpoint);
    const beam = intFlag(flags, 'beam', 1, 64) ?? config.beam;
    if (beam > MAX_BEAM) throw new UserError(`beam ${beam}: the beam width must be from 1 to ${MAX_BEAM}.`);
    const attention = flags.attention === true;
    if (attention && config.model !== 'attn') throw new UserError(`--attention needs an attn checkpoint; this one holds a ${config.model} model, which has no attention.`);
    if (attention && flags.beam !== undefined && beam > 1) throw new UserError('--attention shows the greedy decoding\'s weights; drop --beam or set it to 1.');
    const lines = positionals.length > 0 ? positionals : (await io.stdin()).split('\n').filter((l) => l.trim() !== '');
    if (lines.length === 0) throw new UserError('No input sequences: give them as arguments or on standard input, one per line.');
    const inputs = lines.map((line, i) => parseSequence(line, i + 1, config));
    const h = await openHarness();
    try {
      const session = await RemoteSession.open(h, null, bytes);
      if (attention) {
        const maps = await session.attention(inputs);
        const round = (w: number) => Math.round(w * 1e4) / 1e4;
        io.stdout(`${maps.map((m, i) => JSON.stringify({ input: inputs[i], prediction: m.prediction, attention: m.weights.map((row) => row.map(round)) })).join('\n')}\n`);
        return 0;
      }
      const out = await session.predict(inputs, beam);
      io.stdout(`${out.map((p) => p.join(' ')).join('\n')}\n`);
      return 0;
    } finally {
      await h.close();
    }
  },
};

/** One input sequence, validated against the checkpoint's vocabulary and max_length. */
export function parseSequence(text: string, index: number, config: Pick<Config, 'vocab_size' | 'max_length'>): number[] {
  const parts = text.trim().split(/[\s,]+/).filter((p) => p !== '');
  const top = config.vocab_size - 2;
  if (parts.length === 0) throw new UserError(`Input ${index} is empty.`);
  if (parts.length > config.max_length) {
    throw new UserError(`Input ${index} has ${parts.length} numbers, but this model takes at most max_length = ${config.max_length}.`);
  }
  return parts.map((p) => {
    const v = /^[+-]?\d+$/.test(p) ? Number(p) : NaN;
    if (!Number.isSafeInteger(v)) throw new UserError(`Input ${index} holds "${p}", which is not an integer.`);
    if (v < 1 || v > top) throw new UserError(`Input ${index} holds ${v}; numbers must be from 1 to ${top} (vocab_size ${config.vocab_size}).`);
    return v;
  });
}
