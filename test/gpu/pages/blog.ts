// Page side of the `blog` GPU tests: the masked recurrent update at odd sizes and offsets,
// and the whole recorded model (trainStep, decodeStep) on a tiny batch. Returns what the
// GPU wrote; the Node side compares it with the float64 reference.
import { Gpu } from '../../../src/gpu/context.ts';
import { view } from '../../../src/gpu/buffers.ts';
import { recurrentBackward, recurrentForward } from '../../../src/ops/recurrent.ts';
import { DEFAULT_CONFIG, type Config } from '../../../src/config/config.ts';
import { createBlogModel } from '../../../src/models/blog.ts';
import type { GpuModel } from '../../../src/models/model.ts';
import { makeBatch } from '../../../src/task/batch.ts';

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


// ------------------------------------------------------------------ the whole model

export interface BlogRunResult {
  /** Initial parameters, by name (the reference starts from the same float32 values). */
  params: Record<string, number[]>;
  /** Per trainStep run: the loss and every named gradient. */
  runs: { loss: number; grads: Record<string, number[]> }[];
  /** Per decodeStep run: (L, B) tokens. */
  decoded: number[][];
  trainDispatches: number;
  decodeDispatches: number;
  submits: number;
  /** Wall-clock milliseconds of the last trainStep and decodeStep (submit to readback). */
  trainMs: number;
  decodeMs: number;
}

/**
 * Builds the blog model for `overrides`, then for each batch spec runs trainStep (reading
 * the loss and every gradient) and decodeStep (reading the tokens). Batches come from the
 * task's own generator, so the Node side rebuilds them identically.
 */
export async function runBlog(overrides: Partial<Config>, batches: { seed: number; start: number }[]): Promise<BlogRunResult> {
  const gpu = await device();
  let model: GpuModel | undefined;
  try {
    const config: Config = { ...DEFAULT_CONFIG, model: 'blog', ...overrides };
    model = createBlogModel(gpu, config);
    const all = await gpu.read(view(model.params));
    const params: Record<string, number[]> = {};
    for (const e of model.layout.entries) params[e.name] = Array.from(all.subarray(e.offset, e.offset + e.length));
    const runs: BlogRunResult['runs'] = [];
    const decoded: number[][] = [];
    const submits0 = gpu.stats.submits;
    let trainMs = 0;
    let decodeMs = 0;
    for (const spec of batches) {
      model.setBatch(makeBatch(config, 'train', spec.seed, spec.start, config.batch_size));
      let t0 = performance.now();
      gpu.run(model.trainStep);
      const loss = (await gpu.read(model.loss))[0];
      trainMs = performance.now() - t0;
      const g = await gpu.read(view(model.grads));
      const grads: Record<string, number[]> = {};
      for (const e of model.layout.entries) grads[e.name] = Array.from(g.subarray(e.offset, e.offset + e.length));
      runs.push({ loss, grads });
      t0 = performance.now();
      gpu.run(model.decodeStep);
      decoded.push(Array.from(await gpu.readI32(model.decoded)));
      decodeMs = performance.now() - t0;
    }
    return { params, runs, decoded, trainDispatches: model.trainStep.length, decodeDispatches: model.decodeStep.length, submits: gpu.stats.submits - submits0, trainMs, decodeMs };
  } finally {
    model?.destroy();
    gpu.check();
  }
}
