// Float64 CPU reference of shaders/embedding.wgsl: gather rows of the table W and the
// deterministic scatter-add of their gradients.

function checkIds(ids: ArrayLike<number>, vocab: number, fn: string): void {
  for (let r = 0; r < ids.length; r++) {
    if (!Number.isInteger(ids[r]) || ids[r] < 0 || ids[r] >= vocab) throw new Error(`${fn}: ids[${r}] = ${ids[r]} is outside [0, ${vocab}).`);
  }
}

/** out[r, :] = W[ids[r], :].  W: (V, E), ids: (R), out: (R, E) */
export function embeddingForward(W: ArrayLike<number>, ids: ArrayLike<number>, vocab: number, dim: number): Float64Array {
  if (W.length !== vocab * dim) throw new Error(`embeddingForward: W has ${W.length} elements, expected ${vocab}×${dim}.`);
  checkIds(ids, vocab, 'embeddingForward');
  const out = new Float64Array(ids.length * dim);
  for (let r = 0; r < ids.length; r++) for (let e = 0; e < dim; e++) out[r * dim + e] = W[ids[r] * dim + e];
  return out;
}

/** dW[v, :] = (dWPrev[v, :] +) Σ_{r: ids[r] = v} dOut[r, :], summed in order of r.  dOut: (R, E), dW: (V, E) */
export function embeddingBackward(dOut: ArrayLike<number>, ids: ArrayLike<number>, vocab: number, dim: number, dWPrev?: ArrayLike<number>): Float64Array {
  if (dOut.length !== ids.length * dim) throw new Error(`embeddingBackward: dOut has ${dOut.length} elements, expected ${ids.length}×${dim}.`);
  checkIds(ids, vocab, 'embeddingBackward');
  const sum = new Float64Array(vocab * dim);
  for (let r = 0; r < ids.length; r++) for (let e = 0; e < dim; e++) sum[ids[r] * dim + e] += dOut[r * dim + e];
  if (dWPrev) for (let i = 0; i < sum.length; i++) sum[i] += dWPrev[i];
  return sum;
}
