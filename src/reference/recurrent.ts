// Float64 CPU reference of the masked recurrent update (shaders/recurrent.wgsl), the step
// of the `blog` encoder (seed class Seq_1):
//   forward:  h_out[b] = t < length[b] ? tanh(x[b] + g[b]) : h_prev[b]
//   backward: from dh = dL/dh_out and the forward output h_out,
//             dpre[b]   = t < length[b] ? dh[b] · (1 − h_out[b]²) : 0   (= dL/dx = dL/dg)
//             dcarry[b] = t < length[b] ? 0 : dh[b]                      (the h_prev pass-through)
// The backward needs only h_out: where the mask is set, h_out is the tanh output.
// Letters: B batch, H hidden. x, g, h_prev, h_out, dh, dpre, dcarry: (B, H); length: (B).

/** h_out (B, H). */
export function recurrentUpdateForward(
  x: ArrayLike<number>,
  g: ArrayLike<number>,
  hPrev: ArrayLike<number>,
  lengths: ArrayLike<number>,
  t: number,
  B: number,
  H: number,
): Float64Array {
  const out = new Float64Array(B * H);
  for (let b = 0; b < B; b++) {
    const live = t < lengths[b];
    for (let j = 0; j < H; j++) {
      const i = b * H + j;
      out[i] = live ? Math.tanh(x[i] + g[i]) : hPrev[i];
    }
  }
  return out;
}

/** dpre (B, H): gradient of the tanh input (of x and of g); dcarry (B, H): gradient of h_prev through the mask. */
export function recurrentUpdateBackward(
  dh: ArrayLike<number>,
  hOut: ArrayLike<number>,
  lengths: ArrayLike<number>,
  t: number,
  B: number,
  H: number,
): { dpre: Float64Array; dcarry: Float64Array } {
  const dpre = new Float64Array(B * H);
  const dcarry = new Float64Array(B * H);
  for (let b = 0; b < B; b++) {
    const live = t < lengths[b];
    for (let j = 0; j < H; j++) {
      const i = b * H + j;
      if (live) dpre[i] = dh[i] * (1 - hOut[i] * hOut[i]);
      else dcarry[i] = dh[i];
    }
  }
  return { dpre, dcarry };
}
