// `seq2seq predict`: the primes a checkpoint predicts for each input sequence.
import { openRuntime } from '../../runtimes/runtime.ts';
import { RemoteSession } from '../../runtimes/remote_session.ts';
import { intFlag, parseCommandArgs, refuseSettings } from '../args.ts';
import type { Command, Io } from '../command.ts';
import { UserError } from '../../errors.ts';
import { readCheckpointFile, type CheckpointFile } from './checkpoint_file.ts';
import { predictionText, readInputLines } from '../../data/inputs.ts';
import { RUNTIME_OPTIONS, RUNTIME_USAGE, runtimeOptions, withRuntimeErrors } from '../runtime_flags.ts';
import type { RuntimeOptions } from '../../runtimes/runtime.ts';
import type { Config } from '../../config/config.ts';
import { checkBeam } from '../../config/validate.ts';
import type { AttentionMap } from '../../train/decode.ts';
import { MODEL_SPECS, modelSpec } from '../../specs/index.ts';

/** The widest beam the GPU kernel holds (src/ops/beam.ts MAX_BEAM; not imported: that module loads a shader). */
export const MAX_BEAM = 64;

export const predict: Command = {
  name: 'predict',
  summary: 'print the primes a checkpoint predicts for each input sequence',
  usage: `Usage: seq2seq predict --checkpoint F [--beam K] [--attention [--heads]] [--runtime R] [--adapter A] [SEQUENCE …]

Each SEQUENCE is numbers separated by spaces or commas (quote it: "4 7 9 11"); with no
SEQUENCE, every line of standard input is one. Prints one line of space-separated
numbers per input, in order (an empty line when the model predicts no primes, and for
an empty input line). Every other setting comes from the checkpoint.

For a file task (task=file) every input is a line of text, tokenised as in training
(words or chars); each prints one line of detokenised text, in order, and an empty
input line prints an empty line.

  --checkpoint F   a .safetensors checkpoint written by seq2seq train
  --beam K         beam width, 1 to 64 (default: the checkpoint's beam; 1 = greedy)
  --attention      (attn and transformer checkpoints of built-in tasks) one JSON line per input instead:
                   {"input":[…],"prediction":[…],"attention":[[…]…]}, the weights of
                   the decoding that made the prediction (with --beam K, those of the
                   chosen beam's own path), one row per output step (up to and
                   including the EOS), one column per input number, rounded to 4
                   decimals; for transformer the last decoder layer's cross-attention
                   averaged over its heads
  --heads          (with --attention, transformer) also "heads":[[[…]…]…], the same
                   rows for each head alone
${RUNTIME_USAGE}
`,
  async run(argv, io) {
    const { flags, items, positionals } = parseCommandArgs('predict', argv, { checkpoint: { type: 'string' }, beam: { type: 'string' }, attention: { type: 'boolean' }, heads: { type: 'boolean' }, ...RUNTIME_OPTIONS }, true);
    const runtime = runtimeOptions(flags);
    refuseSettings('predict', items);
    const checkpoint = readCheckpointFile(flags.checkpoint);
    const { bytes, config } = checkpoint;
    const beam = intFlag(flags, 'beam', 1, 64) ?? config.beam;
    if (beam > MAX_BEAM) throw new UserError(`beam ${beam}: the beam width must be from 1 to ${MAX_BEAM}.`);
    checkBeam(config, beam);
    const attention = flags.attention === true;
    const perHead = flags.heads === true;
    if (attention) checkAttention(config, checkpoint.vocab !== undefined);
    if (perHead) checkHeads(config, attention);
    if (checkpoint.vocab) return predictText(checkpoint as CheckpointFile & { vocab: string[] }, beam, positionals, io, runtime);
    const lines = positionals.length > 0 ? positionals : stdinLines(await io.stdin());
    if (lines.length === 0) throw new UserError('No input sequences: give them as arguments or on standard input, one per line.');
    // Empty lines give empty lines, in place, so outputs line up with inputs (docs/contract.md §6).
    const inputs = readInputLines(lines, config);
    const real = inputs.filter((x): x is number[] => x !== null);
    const h = real.length > 0 ? await withRuntimeErrors(() => openRuntime(runtime)) : null;
    try {
      const session = h ? await withRuntimeErrors(() => RemoteSession.open(h, { checkpoint: bytes })) : null;
      if (attention) {
        const maps = session ? await session.attention(real, beam, perHead) : [];
        let k = 0;
        io.stdout(`${inputs.map((x) => (x === null ? '' : attentionLine(x, maps[k++]))).join('\n')}\n`);
        return 0;
      }
      const out = session ? await session.predict(real, beam) : [];
      let next = 0;
      io.stdout(`${inputs.map((x) => (x === null ? '' : out[next++].join(' '))).join('\n')}\n`);
      return 0;
    } finally {
      await h?.close();
    }
  },
};

/** --attention needs a model with attention, of a built-in task. */
function checkAttention(config: Config, fileTask: boolean): void {
  if (!modelSpec(config.model).attention) {
    const withAttention = MODEL_SPECS.filter((s) => s.attention).map((s) => s.name);
    throw new UserError(`--attention needs a checkpoint of a model with attention (${withAttention.join(', ')}); this one holds a ${config.model} model, which has none.`);
  }
  if (fileTask) throw new UserError('--attention prints number sequences; it does not yet support file tasks (task=file).');
}

/** --heads: per-head maps exist for transformer (attn has one head), with --attention. */
function checkHeads(config: Config, attention: boolean): void {
  if (!attention) throw new UserError('--heads adds per-head weights to --attention\'s maps: give --attention too.');
  if (config.model !== 'transformer') throw new UserError(`--heads needs a checkpoint of model transformer (attention with several heads); this one holds a ${config.model} model.`);
}

/** One input's attention map as a JSON line, weights rounded to 4 decimals. */
function attentionLine(input: number[], m: AttentionMap): string {
  const round = (w: number) => Math.round(w * 1e4) / 1e4;
  const rows = (w: number[][]) => w.map((row) => row.map(round));
  return JSON.stringify({ input, prediction: m.prediction, attention: rows(m.weights), ...(m.heads ? { heads: m.heads.map(rows) } : {}) });
}

/**
 * A file task: every input line is text, tokenised as in training; one output line per
 * input line, in order; an empty line (or one with no tokens) gives an empty line.
 */
async function predictText(checkpoint: CheckpointFile & { vocab: string[] }, beam: number, positionals: string[], io: Io, runtime: RuntimeOptions): Promise<number> {
  const { config } = checkpoint;
  const lines = positionals.length > 0 ? positionals : stdinLines(await io.stdin());
  if (lines.length === 0) throw new UserError('No input lines: give them as arguments or on standard input, one per line.');
  const ids = readInputLines(lines, config, checkpoint.vocab);
  const todo = ids.filter((x): x is number[] => x !== null);
  let predicted: number[][] = [];
  if (todo.length > 0) {
    const h = await withRuntimeErrors(() => openRuntime(runtime));
    try {
      const session = await withRuntimeErrors(() => RemoteSession.open(h, { checkpoint: checkpoint.bytes }));
      predicted = await session.predict(todo, beam);
    } finally {
      await h.close();
    }
  }
  let next = 0;
  const out = ids.map((x) => (x === null ? '' : predictionText(predicted[next++], config, checkpoint.vocab)));
  io.stdout(`${out.join('\n')}\n`);
  return 0;
}

/** The lines of standard input; the newline ending the last line does not start another. */
export function stdinLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
