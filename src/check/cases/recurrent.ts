// The masked recurrent update of the blog encoder (shaders/recurrent.wgsl) at step t = T/2 of
// mixed lengths, so some rows run and some hold their state: forward and backward, out of
// place and in place, against src/reference/recurrent.ts.
import type { View } from '../../gpu/buffers.ts';
import type { Gpu } from '../../gpu/context.ts';
import type { Dispatch } from '../../gpu/program.ts';
import { recurrentBackward, recurrentForward } from '../../ops/recurrent.ts';
import * as recRef from '../../reference/recurrent.ts';
import { CaseBuffers, caseOf, type Expected, type OpCase, type OpDims } from '../case.ts';
import { mixedLengths, uniformF32 } from '../random.ts';

/** The two halves of a buffer that holds a pair of (B, H) tensors: [read | written]. */
const halves = (v: View, n: number): [View, View] => [{ ...v, length: n }, { ...v, offset: v.offset + n, length: n }];

export function recurrentCase(gpu: Gpu, d: OpDims): OpCase {
  const { B, H, T } = d;
  const n = B * H;
  const t = Math.floor(T / 2);
  const bufs = new CaseBuffers(gpu);
  const lengthsHost = mixedLengths(B, T);
  const [xHost, gHost, hPrevHost, dhHost] = [171, 172, 173, 174].map((seed) => uniformF32(n, seed, -2, 2));
  const hOutRef = f32(recRef.recurrentUpdateForward(xHost, gHost, hPrevHost, lengthsHost, t, B, H));
  // The backward reads its own input h (the forward's output rounded to float32), not the forward's.
  const back = recRef.recurrentUpdateBackward(dhHost, hOutRef, lengthsHost, t, B, H);
  const common = { lengths: bufs.input('lengths', lengthsHost), t, B, H };
  const [x, g, h] = [bufs.input('x', xHost), bufs.input('g', gHost), bufs.input('h_out_in', hOutRef)];
  const dispatches: Dispatch[] = [];
  const expected: Expected[] = [];
  // Out of place, the written halves start as other values: every element must be written.
  const stale = uniformF32(n, 175);
  for (const inPlace of [false, true]) {
    const where = inPlace ? 'in place' : 'out of place';
    const pair = (label: string, read: Float32Array) => (inPlace ? twice(bufs.input(`${where}.${label}`, read)) : halves(bufs.input(`${where}.${label}`, f32([...read, ...stale])), n));
    const [hPrev, hOut] = pair('state', hPrevHost);
    const [dh, dcarry] = pair('ds', dhHost);
    const dpre = bufs.output(`${where}.dpre`, n);
    dispatches.push(
      recurrentForward(gpu, { ...common, x, g, hPrev, hOut, label: `check.recurrent_forward ${where}` }),
      recurrentBackward(gpu, { ...common, h, dh, dcarry, dpre, label: `check.recurrent_backward ${where}` }),
    );
    expected.push({ name: `${where} h_out`, view: hOut, ref: hOutRef }, { name: `${where} dpre`, view: dpre, ref: back.dpre }, { name: `${where} dcarry`, view: dcarry, ref: back.dcarry });
  }
  return caseOf(bufs, { op: 'recurrent', shape: `B=${B} H=${H}`, dispatches, bytes: 4 * 2 * (7 * n + B), expected });
}

const twice = (v: View): [View, View] => [v, v];
const f32 = (x: ArrayLike<number>) => Float32Array.from(x);
