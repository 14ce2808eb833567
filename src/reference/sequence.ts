// CPU reference of shaders/sequence.wgsl: reversal of each time-major
// sequence within its own length, PAD (0) after it.

/** out[t, b] = tokens[len_b - 1 - t, b] for t < len_b, else 0.  tokens, out: (S, B), lengths: (B) */
export function reverseSequences(tokens: ArrayLike<number>, lengths: ArrayLike<number>, steps: number, batch: number): Int32Array {
  if (tokens.length !== steps * batch) throw new Error(`reverseSequences: tokens have ${tokens.length} elements, expected ${steps}×${batch}.`);
  if (lengths.length !== batch) throw new Error(`reverseSequences: ${lengths.length} lengths for a batch of ${batch}.`);
  const out = new Int32Array(steps * batch);
  for (let b = 0; b < batch; b++) {
    const len = lengths[b];
    if (!Number.isInteger(len) || len < 0 || len > steps) throw new Error(`reverseSequences: lengths[${b}] = ${len} is outside [0, ${steps}].`);
    for (let t = 0; t < len; t++) out[t * batch + b] = tokens[(len - 1 - t) * batch + b];
  }
  return out;
}
