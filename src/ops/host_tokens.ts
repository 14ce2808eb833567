// Token bookkeeping done on the host when a batch is set (models' setBatch), so the recorded
// training step needs no dispatch for it: the source reversed within each length (what
// shaders/sequence.wgsl reverse_sequences computes) and the embedding backward's buckets
// (what shaders/embedding.wgsl embedding_count / _offsets / _bucket compute). Pure code:
// no GPU imports, so Node tests run it directly.

/** out[t, b] = tokens[len_b − 1 − t, b] for t < len_b, else PAD (0).  tokens, out: (S, B); lengths clamped to [0, S]. */
export function reverseWithinLengths(tokens: ArrayLike<number>, lengths: ArrayLike<number>, S: number, B: number): Int32Array {
  const out = new Int32Array(S * B);
  for (let b = 0; b < B; b++) {
    const len = Math.min(Math.max(lengths[b], 0), S);
    for (let t = 0; t < len; t++) out[t * B + b] = tokens[(len - 1 - t) * B + b];
  }
  return out;
}

/**
 * The embedding backward's scratch (src/ops/embedding.ts embeddingBackwardScratch) for `ids`
 * (R): counts (V), offsets (V + 1, the exclusive prefix sum of counts), then rows (R): the
 * r with ids[r] = v, ascending, from offsets[v] on. Ids outside [0, V) belong to no row.
 */
export function embeddingBuckets(ids: ArrayLike<number>, vocab: number): Uint32Array {
  const R = ids.length;
  const out = new Uint32Array(2 * vocab + 1 + R);
  const inside = (id: number) => Number.isInteger(id) && id >= 0 && id < vocab;
  for (let r = 0; r < R; r++) if (inside(ids[r])) out[ids[r]]++;
  let total = 0;
  for (let v = 0; v < vocab; v++) {
    out[vocab + v] = total;
    total += out[v];
  }
  out[2 * vocab] = total;
  const next = out.slice(vocab, 2 * vocab);
  for (let r = 0; r < R; r++) if (inside(ids[r])) out[2 * vocab + 1 + next[ids[r]]++] = r;
  return out;
}
