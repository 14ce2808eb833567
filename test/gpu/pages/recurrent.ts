// Page side of the masked recurrent update's GPU test (the blog encoder's h = mask ? h' : h):
// forward and backward at odd sizes and offsets, in and out of place. Returns what the GPU
// wrote; the Node side compares it with the float64 reference.
import { Gpu } from '../../../src/gpu/context.ts';
import { view } from '../../../src/gpu/buffers.ts';
import { recurrentBackward, recurrentForward } from '../../../src/ops/recurrent.ts';

export interface RecurrentCase {
  B: number;
  H: number;
  t: number;
  lengths: number[];
  x: number[];
  g: number[];
  hPrev: number[];
  /** dL/dh_out for the backward. */
  dh: number[];
  /** Run the forward and the backward in place (hOut = hPrev, dcarry = dh). */
  inPlace: boolean;
}

const PAD = 3; // odd element offsets for every view

// One device per page: pipelines compile once (slow on the software adapter) and are
// reused by every call; each call destroys what it created.
let shared: Promise<Gpu> | null = null;
function device(): Promise<Gpu> {
  shared ??= Gpu.create();
  return shared;
}

/** Packs arrays into one host array at odd offsets; returns it and each array's offset. */
function pack(arrays: number[][], fillValue = NaN): { host: Float32Array; offsets: number[] } {
  const offsets: number[] = [];
  let n = PAD;
  for (const a of arrays) {
    offsets.push(n);
    n += a.length + PAD;
  }
  const host = new Float32Array(n).fill(fillValue);
  arrays.forEach((a, i) => host.set(a, offsets[i]));
  return { host, offsets };
}

export async function runRecurrent(c: RecurrentCase) {
  const gpu = await device();
  const created: GPUBuffer[] = [];
  const createBuffer = (label: string, n: number) => {
    const b = gpu.createBuffer(label, n);
    created.push(b);
    return b;
  };
  try {
    const n = c.B * c.H;
    const ins = pack([c.x, c.g]);
    const inputs = createBuffer('recurrent-inputs', ins.host.length);
    gpu.upload(inputs, ins.host);
    const lengths = createBuffer('lengths', c.B + PAD);
    gpu.upload(lengths, Int32Array.from(c.lengths), PAD);
    const lenView = view(lengths, PAD, c.B);
    // state: hPrev then hOut (or one slot in place); grads: dh then dcarry (or in place)
    const st = pack(c.inPlace ? [c.hPrev] : [c.hPrev, new Array(n).fill(NaN)]);
    const state = createBuffer('state', st.host.length);
    gpu.upload(state, st.host);
    const hPrev = view(state, st.offsets[0], n);
    const hOut = c.inPlace ? hPrev : view(state, st.offsets[1], n);
    const gr = pack(c.inPlace ? [c.dh] : [c.dh, new Array(n).fill(NaN)]);
    const grads = createBuffer('dstate', gr.host.length);
    gpu.upload(grads, gr.host);
    const dh = view(grads, gr.offsets[0], n);
    const dcarry = c.inPlace ? dh : view(grads, gr.offsets[1], n);
    const dpreBuf = createBuffer('dpre', n + 2 * PAD);
    gpu.upload(dpreBuf, new Float32Array(n + 2 * PAD).fill(NaN));
    const dpre = view(dpreBuf, PAD, n);
    const x = view(inputs, ins.offsets[0], n);
    const g = view(inputs, ins.offsets[1], n);
    gpu.run([
      recurrentForward(gpu, { x, g, hPrev, hOut, lengths: lenView, t: c.t, B: c.B, H: c.H }),
      recurrentBackward(gpu, { h: hOut, dh, dcarry, dpre, lengths: lenView, t: c.t, B: c.B, H: c.H }),
    ]);
    const whole = await gpu.read(view(dpreBuf));
    return {
      hOut: Array.from(await gpu.read(hOut)),
      dcarry: Array.from(await gpu.read(dcarry)),
      dpre: Array.from(await gpu.read(dpre)),
      // the padding around dpre stays untouched
      dpreGuard: [...Array.from(whole.subarray(0, PAD)), ...Array.from(whole.subarray(PAD + n))].map(String),
    };
  } finally {
    for (const b of created) gpu.destroyBuffer(b);
  }
}
