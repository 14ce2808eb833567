// Page side of the sequence-kernel tests: one layer's forward over all steps, then its
// backward through time, each one dispatch; tensors sit at odd offsets so views are exercised.
import { Gpu } from '../../../src/gpu/context.ts';
import { view, type View } from '../../../src/gpu/buffers.ts';
import { lstmSequenceBackward, lstmSequenceForward, sequenceMaxHidden } from '../../../src/ops/lstm_sequence.ts';

export interface SequenceInputs {
  B: number;
  H: number;
  steps: number;
  /** (B) per-row lengths (the encoder's mask), or null for none. */
  lengths: number[] | null;
  /** Steps the kernels run; later steps hold every row. */
  live: number;
  gx: number[]; // (steps, B, 4H)
  whh: number[]; // (4H, H)
  bhh: number[]; // (4H)
  h0: number[]; // (B, H)
  c0: number[]; // (B, H)
  above: number[] | null; // (steps, B, H)
  dh: number[]; // (B, H)
  dc: number[]; // (B, H)
  /** The backward starts from zero dh, dc (dS holds dh, dc all the same, to be ignored). */
  zeroIn?: boolean;
}

function buffers(gpu: Gpu, x: SequenceInputs) {
  const { B, H, steps } = x;
  const n = B * H;
  const G = 4 * H;
  const mk = (label: string, pad: number, len: number, data?: number[] | Int32Array) => {
    const b = gpu.createBuffer(label, pad + len + 3);
    if (data) gpu.upload(b, data instanceof Int32Array ? data : Float32Array.from(data), pad);
    return view(b, pad, len);
  };
  const lens = mk('lengths', 1, B + 1, Int32Array.from([...(x.lengths ?? new Array(B).fill(steps)), x.live]));
  const w = mk('params', 7, G * H + G, [...x.whh, ...x.bhh]);
  const hs = mk('h', 5, (1 + steps) * n, [...x.h0, ...new Array(steps * n).fill(0)]);
  const cs = mk('c', 2, (1 + steps) * n, [...x.c0, ...new Array(steps * n).fill(0)]);
  return {
    lengths: x.lengths ? sub(lens, 0, B) : undefined,
    live: sub(lens, B, 1),
    wHh: sub(w, 0, G * H),
    bHh: sub(w, G * H, G),
    gates: mk('gates', 3, steps * B * G, x.gx),
    h: hs,
    c: cs,
    above: x.above ? mk('above', 4, steps * n, x.above) : undefined,
    // dG starts non-zero: the kernel must overwrite every row, held ones with zeros.
    dGates: mk('dG', 1, steps * B * G, new Array(steps * B * G).fill(7)),
    dS: mk('dS', 2, 2 * n, [...x.dh, ...x.dc]),
  };
}

const sub = (v: View, offset: number, length: number): View => ({ buffer: v.buffer, offset: v.offset + offset, length });

/** Forward, then backward through time; twice, to check both runs are bitwise equal. */
export async function sequenceRun(x: SequenceInputs) {
  const gpu = await Gpu.create();
  try {
    const { B, H, steps } = x;
    const n = B * H;
    const runOnce = async () => {
      const v = buffers(gpu, x);
      const common = { B, H, steps, lengths: v.lengths, live: v.live, wHh: v.wHh };
      gpu.run([
        lstmSequenceForward(gpu, { ...common, bHh: v.bHh, gates: v.gates, h: v.h, c: v.c }),
        lstmSequenceBackward(gpu, { ...common, gates: v.gates, c: v.c, above: v.above, dGates: v.dGates, dh: sub(v.dS, 0, n), dc: sub(v.dS, n, n), zeroIn: x.zeroIn }),
      ]);
      const read = async (w: View) => Array.from(await gpu.read(w));
      return { gates: await read(v.gates), h: await read(v.h), c: await read(v.c), dGates: await read(v.dGates), dh0: await read(sub(v.dS, 0, n)), dc0: await read(sub(v.dS, n, n)) };
    };
    const first = await runOnce();
    const second = await runOnce();
    const same = Object.keys(first).every((k) => {
      const [a, b] = [first[k as keyof typeof first], second[k as keyof typeof first]];
      return a.every((v, i) => Object.is(v, b[i]));
    });
    gpu.check();
    return { ...first, bitwiseRepeat: same };
  } finally {
    gpu.destroy();
  }
}

/** The largest H the kernels accept here, and the sentence a larger one gets. */
export async function sequenceLimits() {
  const gpu = await Gpu.create();
  try {
    const max = sequenceMaxHidden(gpu.device.limits);
    const H = max + 1;
    const b = view(gpu.createBuffer('x', 4 * H * H + 4 * H + 4));
    let error = '';
    try {
      lstmSequenceForward(gpu, { B: 1, H, steps: 1, live: { ...b, length: 1 }, wHh: { ...b, length: 4 * H * H }, bHh: { ...b, length: 4 * H }, gates: { ...b, length: 4 * H }, h: { ...b, length: 2 * H }, c: { ...b, length: 2 * H } });
    } catch (e) {
      error = (e as Error).message;
    }
    return { max, error };
  } finally {
    gpu.destroy();
  }
}
