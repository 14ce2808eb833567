// What the model test pages send back to Node: an arena's gradients and parameters split
// into named tensors (the layout's entries), as plain arrays.

export interface NamedSlots {
  entries: readonly { name: string; offset: number; length: number }[];
}

/** grads and params of one arena, tensor by tensor. */
export function byName(layout: NamedSlots, gradsAll: Float32Array, paramsAll: Float32Array) {
  const grads: Record<string, number[]> = {};
  const params: Record<string, number[]> = {};
  for (const e of layout.entries) {
    grads[e.name] = Array.from(gradsAll.subarray(e.offset, e.offset + e.length));
    params[e.name] = Array.from(paramsAll.subarray(e.offset, e.offset + e.length));
  }
  return { grads, params };
}
