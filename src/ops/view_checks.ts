// Shape and aliasing checks shared by the kernel builders: each failure is one sentence
// naming the kernel, the tensor and what was expected.
import type { View } from '../gpu/buffers.ts';

export function checkCount(label: string, name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${label}: ${name} must be an integer >= ${min}, got ${value}.`);
}

/** `v` must hold exactly the product of `dims` elements; `shape` names them, e.g. '(M, N)'. */
export function checkShape(label: string, name: string, v: View, shape: string, dims: number[]): void {
  const need = dims.reduce((a, b) => a * b, 1);
  if (v.length !== need) {
    throw new RangeError(`${label}: ${name} is ${shape} = (${dims.join(', ')}) = ${need} elements, but its view has ${v.length}.`);
  }
}

/** A buffer written by a dispatch may not be bound a second time in it (WebGPU forbids the alias). */
export function checkWritableApart(label: string, written: [string, View][], others: [string, View][]): void {
  for (let i = 0; i < written.length; i++) {
    const [name, w] = written[i];
    const rest = [...written.slice(i + 1), ...others];
    for (const [otherName, o] of rest) {
      if (o.buffer === w.buffer) {
        throw new Error(`${label}: ${name} is written, so it must live in a different buffer from ${otherName} (both are in ${w.buffer.label || 'one buffer'}).`);
      }
    }
  }
}
