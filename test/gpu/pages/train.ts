// Page side of the training tests: drives TrainingSession on WebGPU (learning a tiny task,
// checkpoint round trips, determinism, the blog model) and returns plain data to Node.
import { validateConfig } from '../../../src/config/index.ts';
import { Gpu } from '../../../src/gpu/context.ts';
import { view } from '../../../src/gpu/buffers.ts';
import { decodeCheckpoint, encodeCheckpoint } from '../../../src/io/checkpoint.ts';
import { makeBatch } from '../../../src/task/index.ts';
import { TrainingSession } from '../../../src/train/session.ts';
import { decodeBatch } from '../../../src/train/decode.ts';

// One device for every session of the test file: pipelines compile once (on SwiftShader a
// fresh device spends tens of seconds compiling them again).
let shared: Gpu | null = null;
async function gpu(): Promise<Gpu> {
  shared ??= await Gpu.create();
  return shared;
}
const open = async (config: Record<string, unknown>, checkpoint?: Parameters<typeof TrainingSession.create>[1]) =>
  TrainingSession.create(validateConfig(config), checkpoint, await gpu());

/** Seconds to open (and, on first use, compile) a session of `config`. */
export async function warmUp(config: Record<string, unknown>) {
  const t0 = performance.now();
  const s = await open(config);
  s.destroy();
  return (performance.now() - t0) / 1000;
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

export interface LearnPoint {
  step: number;
  loss: number;
  geomean: number;
  exact_match: number;
  seconds: number;
}

/**
 * Trains `config` in chunks of `chunk` steps, evaluating after each, until GeoMean reaches
 * `target` or `maxSteps` is done. Returns the curve (seconds since the session opened,
 * evaluation time included).
 */
export async function learn(config: Record<string, unknown>, chunk: number, maxSteps: number, target: number) {
  const t0 = performance.now();
  const session = await open(config);
  try {
    const curve: LearnPoint[] = [];
    while (session.step < maxSteps) {
      const r = await session.train(Math.min(chunk, maxSteps - session.step), { logEvery: chunk });
      const s = await session.evaluate();
      curve.push({ step: session.step, loss: r.loss, geomean: s.geomean, exact_match: s.exact_match, seconds: (performance.now() - t0) / 1000 });
      if (s.geomean >= target) break;
    }
    return curve;
  } finally {
    session.destroy();
  }
}

/** Loss, every gradient (bits) and greedy decodings of a session on fixed batches, without updating it. */
async function probe(session: TrainingSession, seed: number) {
  const { gpu, model, config } = session;
  const B = config.batch_size;
  const batch = makeBatch(config, 'eval', seed, 0, B);
  model.setBatch(batch);
  gpu.run(model.trainStep);
  const loss = bits(await gpu.read(model.loss))[0];
  const grads = bits(await gpu.read(view(model.grads, 0, model.layout.size)));
  const decoded = await decodeBatch(gpu, model, makeBatch(config, 'eval', seed + 1, 0, B));
  return { loss, grads, decoded };
}

/**
 * Trains `steps`, writes a checkpoint (safetensors bytes), loads it into a fresh session,
 * and compares: parameters and Adam moments, loss and gradients on a batch, decodings,
 * and the next `more` training steps of both sessions.
 */
export async function checkpointRoundTrip(config: Record<string, unknown>, steps: number, more: number) {
  const a = await open(config);
  let b: TrainingSession | null = null;
  try {
    await a.train(steps);
    a.round = 1;
    const bytes = encodeCheckpoint(await a.checkpoint());
    const loaded = decodeCheckpoint(bytes);
    b = await open(loaded.config as unknown as Record<string, unknown>, loaded);
    const ca = await a.checkpoint();
    const cb = await b.checkpoint();
    const same = (x: Map<string, { data: Float32Array }>, y: Map<string, { data: Float32Array }>) =>
      x.size === y.size && [...x].every(([k, t]) => bits(t.data).join() === bits(y.get(k)!.data).join());
    const pa = await probe(a, 123);
    const pb = await probe(b, 123);
    // Both continue training from the same point.
    const ra = await a.train(more);
    const rb = await b.train(more);
    const fa = await a.checkpoint();
    const fb = await b.checkpoint();
    return {
      bytes: bytes.length,
      step: [ca.step, cb.step],
      round: [ca.round, cb.round],
      tensorsEqual: same(ca.tensors, cb.tensors),
      optimizerEqual: same(ca.optimizer, cb.optimizer),
      optimizerTensors: ca.optimizer.size,
      a: pa,
      b: pb,
      continued: { lossA: ra.loss, lossB: rb.loss, tensorsEqual: same(fa.tensors, fb.tensors), optimizerEqual: same(fa.optimizer, fb.optimizer) },
    };
  } finally {
    a.destroy();
    b?.destroy();
  }
}

/** Parameters and Adam moments (bits) after `steps` steps from scratch, plus the loss curve. */
export async function trainedBits(config: Record<string, unknown>, steps: number, logEvery: number) {
  const session = await open(config);
  try {
    const losses: number[] = [];
    const gradNorms: number[] = [];
    await session.train(steps, {
      logEvery,
      onProgress: (p) => {
        losses.push(p.loss);
        gradNorms.push(p.grad_norm);
      },
    });
    const c = await session.checkpoint();
    const flat = (m: Map<string, { data: Float32Array }>) => [...m].flatMap(([, t]) => bits(t.data));
    return { step: session.step, losses, gradNorms, params: flat(c.tensors), moments: flat(c.optimizer) };
  } finally {
    session.destroy();
  }
}
