// Page side of the LSTM GPU tests: runs the cell kernels and the recorded model on WebGPU
// and returns what the GPU wrote, for the Node side to compare with the float64 reference.
// Also the timing helper for the 1-layer H=64 E=32 B=64 S=20 training step.
import { Gpu } from '../../../src/gpu/context.ts';
import { view, type View } from '../../../src/gpu/buffers.ts';
import { lstmCellBackward, lstmCellForward, lstmStepBackward, lstmStepForward } from '../../../src/ops/lstm.ts';
import { createLstmModel, type LstmOptions } from '../../../src/models/lstm.ts';
import { DEFAULT_CONFIG, type Config } from '../../../src/config/config.ts';
import type { Batch } from '../../../src/task/batch.ts';
import { seededUniform } from '../../../src/check/random.ts';
import { byName } from './by_name.ts';
import { lossAtNextStep } from './next_step_loss.ts';

export interface CellInputs {
  B: number;
  H: number;
  t: number;
  lengths: number[] | null;
  pre: number[]; // (B, 4H)
  hPrev: number[]; // (B, H)
  cPrev: number[]; // (B, H)
  dh: number[]; // (B, H) from later steps
  above: number[] | null; // (B, H)
  dc: number[]; // (B, H)
}

/**
 * The state both cell cases share, uploaded from x at offsets so views are exercised: gates,
 * h and c pairs [previous | current], dG with `dgBlocks` (B, 4H) blocks, dh | dc, above, mask.
 */
function cellState(gpu: Gpu, x: CellInputs, dgBlocks: number) {
  const n = x.B * x.H;
  const [gates, hs, cs] = [gpu.createBuffer('gates', 3 + 4 * n), gpu.createBuffer('h', 5 + 2 * n), gpu.createBuffer('c', 5 + 2 * n)];
  const [dG, dS, above, lengths] = [gpu.createBuffer('dG', 1 + dgBlocks * 4 * n), gpu.createBuffer('dS', 2 + 2 * n), gpu.createBuffer('above', n), gpu.createBuffer('lengths', x.B + 1)];
  gpu.upload(gates, Float32Array.from(x.pre), 3);
  gpu.upload(hs, Float32Array.from(x.hPrev), 5);
  gpu.upload(cs, Float32Array.from(x.cPrev), 5);
  gpu.upload(dS, Float32Array.from(x.dh), 2);
  gpu.upload(dS, Float32Array.from(x.dc), 2 + n);
  if (x.above) gpu.upload(above, Float32Array.from(x.above));
  if (x.lengths) gpu.upload(lengths, Int32Array.from(x.lengths), 1);
  return {
    n, dG,
    mask: x.lengths ? { lengths: view(lengths, 1, x.B), t: x.t } : undefined,
    g: view(gates, 3, 4 * n), hPrev: view(hs, 5, n), hOut: view(hs, 5 + n, n), cPrev: view(cs, 5, n), cOut: view(cs, 5 + n, n),
    dGates: view(dG, 1, 4 * n), dh: view(dS, 2, n), dc: view(dS, 2 + n, n), above: x.above ? view(above) : undefined,
  };
}

/** What the cell tests compare: the forward's gates, h and c; the backward's dG, dh and dc. */
async function readCell(gpu: Gpu, views: Record<'gates' | 'h' | 'c' | 'dpre' | 'dhPass' | 'dcPrev', View>) {
  const out = {} as Record<keyof typeof views, number[]>;
  for (const [name, v] of Object.entries(views) as [keyof typeof views, View][]) out[name] = Array.from(await gpu.read(v));
  return out;
}

/** Forward then backward of one cell step, state rows at offsets so views are exercised. */
export async function cellStep(x: CellInputs) {
  const gpu = await Gpu.create();
  try {
    const { B, H } = x;
    const { mask, g, hPrev, hOut, cPrev, cOut, dGates, dh, dc, above } = cellState(gpu, x, 1);
    gpu.run([
      lstmCellForward(gpu, { B, H, gates: g, hPrev, hOut, cPrev, cOut, mask }),
      lstmCellBackward(gpu, { B, H, gates: g, cPrev, cCur: cOut, dGates, dh, dc, above, mask }),
    ]);
    return await readCell(gpu, { gates: g, h: hOut, c: cOut, dpre: dGates, dhPass: dh, dcPrev: dc });
  } finally {
    gpu.destroy();
  }
}

export interface StepInputs extends CellInputs {
  whh: number[]; // (4H, H)
  bhh: number[]; // (4H)
  nextDG: number[] | null; // (B, 4H) dG of step t+1
  nextW: number[]; // (4H, H) W_hh of step t+1's layer
}

/** The fused steps: forward (recurrent matmul + cell), then backward (next step's dG·W_hh + cell backward). */
export async function fusedStep(x: StepInputs) {
  const gpu = await Gpu.create();
  try {
    const { B, H } = x;
    const G = 4 * H;
    const { n, mask, g, hPrev, hOut, cPrev, cOut, dGates, dh, dc, above, dG } = cellState(gpu, x, 2);
    const params = gpu.createBuffer('params', 7 + 2 * G * H + G);
    gpu.upload(params, Float32Array.from(x.whh), 7);
    gpu.upload(params, Float32Array.from(x.bhh), 7 + G * H);
    gpu.upload(params, Float32Array.from(x.nextW), 7 + G * H + G);
    if (x.nextDG) gpu.upload(dG, Float32Array.from(x.nextDG), 1 + 4 * n);
    gpu.run([
      lstmStepForward(gpu, { B, H, wHh: view(params, 7, G * H), bHh: view(params, 7 + G * H, G), gates: g, hPrev, hOut, cPrev, cOut, mask }),
      lstmStepBackward(gpu, {
        B,
        H,
        gates: g,
        cPrev,
        cCur: cOut,
        dGates,
        dh,
        dc,
        above,
        next: x.nextDG ? { dGates: view(dG, 1 + 4 * n, 4 * n), wHh: view(params, 7 + G * H + G, G * H) } : undefined,
        mask,
      }),
    ]);
    return await readCell(gpu, { gates: g, h: hOut, c: cOut, dpre: dGates, dhPass: dh, dcPrev: dc });
  } finally {
    gpu.destroy();
  }
}

export type PlainBatch = Omit<Batch, 'src' | 'srcLengths' | 'tgt' | 'tgtLengths' | 'decIn'> & {
  src: number[];
  srcLengths: number[];
  tgt: number[];
  tgtLengths: number[];
  decIn: number[];
};

export function toBatch(p: PlainBatch): Batch {
  return {
    ...p,
    src: Int32Array.from(p.src),
    srcLengths: Int32Array.from(p.srcLengths),
    tgt: Int32Array.from(p.tgt),
    tgtLengths: Int32Array.from(p.tgtLengths),
    decIn: Int32Array.from(p.decIn),
  };
}

/**
 * Builds the model from `overrides`, runs trainStep `repeats` times on the batch and
 * decodeStep once; returns the loss, every named gradient and parameter, the decoded
 * tokens, and whether repeated steps were bitwise equal.
 */
export async function modelRun(overrides: Partial<Config>, plain: PlainBatch, repeats = 2, options: LstmOptions = {}, step = 0) {
  const gpu = await Gpu.create();
  try {
    const config: Config = { ...DEFAULT_CONFIG, ...overrides };
    const model = createLstmModel(gpu, config, options);
    model.setBatch(toBatch(plain));
    model.setStep?.(step); // the dropout masks' step (models with dropout)
    const submitsBefore = gpu.stats.submits;
    gpu.run(model.trainStep);
    const submitsPerStep = gpu.stats.submits - submitsBefore;
    const loss = (await gpu.read(model.loss))[0];
    const gradsAll = await gpu.read(view(model.grads));
    const paramsAll = await gpu.read(view(model.params));
    let bitwiseRepeat = true;
    for (let r = 1; r < repeats; r++) {
      gpu.run(model.trainStep);
      const again = await gpu.read(view(model.grads));
      const loss2 = (await gpu.read(model.loss))[0];
      if (!Object.is(loss, loss2) || again.some((v, i) => !Object.is(v, gradsAll[i]))) bitwiseRepeat = false;
    }
    const otherStepLoss = await lossAtNextStep(gpu, model, step);
    gpu.run(model.decodeStep);
    const decoded = Array.from(await gpu.readI32(model.decoded));
    // trainStep after decodeStep (which shares scratch rows) must still give the same gradients.
    gpu.run(model.trainStep);
    const afterDecode = await gpu.read(view(model.grads));
    const stableAfterDecode = afterDecode.every((v, i) => Object.is(v, gradsAll[i]));
    const { grads, params } = byName(model.layout, gradsAll, paramsAll);
    gpu.check();
    const out = { loss, otherStepLoss, grads, params, decoded, bitwiseRepeat, stableAfterDecode, submitsPerStep, counts: model.counts, dims: model.dims };
    model.destroy();
    return out;
  } finally {
    gpu.destroy();
  }
}

/**
 * Median wall time of trainStep (submit -> onSubmittedWorkDone) after warm-up, default
 * the 1-layer H=64 E=32 B=64 S=20 model on a batch of random tokens (every length S).
 */
export async function timeTrainStep(overrides: Partial<Config> = {}, runs = 10, warmup = 2, options: LstmOptions = {}, profile = false) {
  const gpu = await Gpu.create();
  try {
    const config: Config = { ...DEFAULT_CONFIG, layers: 1, hidden_size: 64, embedding_size: 32, batch_size: 64, max_length: 20, ...overrides };
    const model = createLstmModel(gpu, config, options);
    const { B, S, T, V } = model.dims;
    const u = seededUniform(12345, 0, 2 ** 24);
    const rnd = () => Math.floor(u());
    const lengths = Int32Array.from({ length: B }, () => 1 + (rnd() % S));
    const src = new Int32Array(S * B);
    const tgt = new Int32Array(T * B);
    const decIn = new Int32Array(T * B);
    const tgtLengths = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < lengths[b]; t++) src[t * B + b] = 1 + (rnd() % (V - 2));
      const m = rnd() % (lengths[b] + 1);
      for (let t = 0; t < m; t++) tgt[t * B + b] = 1 + (rnd() % (V - 2));
      tgt[m * B + b] = V - 1;
      tgtLengths[b] = m + 1;
      decIn[b] = V - 1;
      for (let t = 1; t <= m; t++) decIn[t * B + b] = tgt[(t - 1) * B + b];
    }
    model.setBatch({ B, S, T, src, srcLengths: lengths, tgt, tgtLengths, decIn, inputs: [], targets: [] });
    const times: number[] = [];
    for (let r = 0; r < warmup + runs; r++) {
      const t0 = performance.now();
      gpu.run(model.trainStep);
      await gpu.device.queue.onSubmittedWorkDone();
      if (r >= warmup) times.push(performance.now() - t0);
    }
    const loss = (await gpu.read(model.loss))[0];
    let decodeMs = 0;
    {
      const t0 = performance.now();
      gpu.run(model.decodeStep);
      await gpu.device.queue.onSubmittedWorkDone();
      decodeMs = performance.now() - t0;
    }
    gpu.check();
    times.sort((a, b) => a - b);
    const perKernel = profile ? summarise(await gpu.profile(model.trainStep)) : null;
    model.destroy();
    return { medianMs: times[Math.floor(times.length / 2)], minMs: times[0], maxMs: times[times.length - 1], loss, decodeMs, counts: model.counts, profile: perKernel };
  } finally {
    gpu.destroy();
  }
}

/** Total GPU ms per kind of dispatch (label with time indices stripped). */
function summarise(profile: { label: string; ns: number }[] | null) {
  if (!profile) return null;
  const by = new Map<string, number>();
  for (const p of profile) {
    const key = p.label.replace(/\.t\d+\./, '.t*.');
    by.set(key, (by.get(key) ?? 0) + p.ns / 1e6);
  }
  return Object.fromEntries([...by.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Math.round(v * 100) / 100]));
}

/**
 * Side-by-side wall times (min of `reps`, ms) of the recurrent pieces at B=64 H=64 over
 * `steps` steps: per-step hproj matmuls, one batched matmul of the same FLOPs, per-step
 * cells, and per-step dh matmuls. For choosing how to fuse; not part of the tests' checks.
 */
export async function benchRecurrent(B = 64, H = 64, steps = 41, reps = 5) {
  const { matmul } = await import('../../../src/ops/matmul.ts');
  const gpu = await Gpu.create();
  try {
    const G = 4 * H;
    const hs = gpu.createBuffer('h', (steps + 1) * B * H);
    const cs = gpu.createBuffer('c', (steps + 1) * B * H);
    const gs = gpu.createBuffer('g', steps * B * G);
    const dgs = gpu.createBuffer('dg', steps * B * G);
    const w = gpu.createBuffer('w', G * H + G);
    const ds = gpu.createBuffer('ds', 2 * B * H);
    gpu.upload(w, Float32Array.from({ length: G * H + G }, (_, i) => ((i * 7919) % 101) / 1000 - 0.05));
    const row = (b: GPUBuffer, r: number, n: number) => view(b, r * n, n);
    const wHh = view(w, 0, G * H);
    const bHh = view(w, G * H, G);
    const dh = view(ds, 0, B * H);
    const dc = view(ds, B * H, B * H);
    const variants: Record<string, ReturnType<typeof matmul>[]> = {
      batched: [matmul(gpu, { a: view(hs, 0, steps * B * H), b: wHh, bias: bHh, c: view(gs), M: steps * B, N: G, K: H, transB: true, accumulate: true })],
      hproj: [],
      cell: [],
      fusedForward: [],
      dh: [],
      cellBackward: [],
      fusedBackward: [],
    };
    for (let t = 0; t < steps; t++) {
      const cell = { B, H, gates: row(gs, t, B * G), hPrev: row(hs, t, B * H), hOut: row(hs, t + 1, B * H), cPrev: row(cs, t, B * H), cOut: row(cs, t + 1, B * H) };
      variants.hproj.push(matmul(gpu, { a: row(hs, t, B * H), b: wHh, bias: bHh, c: row(gs, t, B * G), M: B, N: G, K: H, transB: true, accumulate: true }));
      variants.cell.push(lstmCellForward(gpu, cell));
      variants.fusedForward.push(lstmStepForward(gpu, { ...cell, wHh, bHh }));
      variants.dh.push(matmul(gpu, { a: row(dgs, t, B * G), b: wHh, c: dh, M: B, N: H, K: G, accumulate: true }));
      const back = { B, H, gates: row(gs, t, B * G), cPrev: row(cs, t, B * H), cCur: row(cs, t + 1, B * H), dGates: row(dgs, t, B * G), dh, dc };
      variants.cellBackward.push(lstmCellBackward(gpu, back));
      const next = t + 1 < steps ? { dGates: row(dgs, t + 1, B * G), wHh } : undefined;
      variants.fusedBackward.push(lstmStepBackward(gpu, { ...back, next }));
    }
    const out: Record<string, number> = {};
    for (let r = 0; r < reps + 1; r++) {
      for (const [name, ds] of Object.entries(variants)) {
        const t0 = performance.now();
        gpu.run(ds);
        await gpu.device.queue.onSubmittedWorkDone();
        const ms = performance.now() - t0;
        if (r > 0) out[name] = Math.min(out[name] ?? Infinity, ms);
      }
    }
    gpu.check();
    return out;
  } finally {
    gpu.destroy();
  }
}
