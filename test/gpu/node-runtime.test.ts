// The GPU tests' key kernels under the Node runtime (Dawn for Node, no browser): the same
// page modules the Chrome tests call, here imported into this process, against the
// float64 references; each case runs twice and must be bitwise stable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNodeRuntime } from '../../src/runtimes/node/runtime.ts';
import type { GpuRuntime } from '../../src/runtimes/runtime.ts';
import { activationForward } from '../../src/reference/activation.ts';
import { embeddingBackward, embeddingForward } from '../../src/reference/embedding.ts';
import { crossEntropyBackward, crossEntropyForward } from '../../src/reference/cross_entropy.ts';
import { expectClose, expectExact, randomArray } from '../helpers/close.ts';
import { OP_KIT } from '../../src/check/cases/index.ts';
import { failure, type CheckResult } from '../../src/check/compare.ts';
import { KIT_SIZES } from '../../src/gpucheck/kernels.ts';
import type { CrossEntropyCase, EmbeddingCase, Outputs } from './pages/kernels.ts';

let rt: GpuRuntime;

beforeAll(async () => {
  rt = await openNodeRuntime('software');
});
afterAll(async () => {
  await rt?.close();
});

const f32 = (xs: number[]) => Array.from(Float32Array.from(xs));

describe('Node runtime (Dawn for Node, software adapter)', () => {
  it('reports the SwiftShader adapter', async () => {
    const info = await rt.call<{ architecture: string; isFallbackAdapter: boolean }>('/test/gpu/pages/smoke.ts', 'adapterInfo');
    expect(rt.kind).toBe('node');
    expect(rt.version).toMatch(/^Dawn for Node \(webgpu \d/);
    expect(JSON.stringify(info)).toMatch(/swiftshader/i);
  });

  // The matmul kit entries run every kernel that fits, tiled included, at shapes that divide no tile.
  it("every op of the check kit at the GPU check's sizes", async () => {
    for (const entry of OP_KIT) {
      const results = await rt.call<CheckResult[]>('/test/gpu/pages/op_kit.ts', 'runKitOp', entry.op, [KIT_SIZES]);
      expect(results.length, entry.op).toBeGreaterThanOrEqual(2);
      for (const r of results) expect(failure(r), failure(r) ?? '').toBeNull();
    }
  });

  it('activation, embedding and cross-entropy kernels match the reference', async () => {
    const x = f32(randomArray(67, 2, -4, 4));
    const [[act]] = await rt.call<Outputs[][]>('/test/gpu/pages/kernels.ts', 'activations', [{ act: 'tanh', x, dy: f32(randomArray(67, 3)), dxPrev: f32(randomArray(67, 4)) }]);
    expectClose('tanh y', act.y.data, activationForward('tanh', x));

    const emb: EmbeddingCase = { vocab: 7, dim: 5, ids: [3, 0, 6, 3, 1, 2], weight: f32(randomArray(35, 5)), dOut: f32(randomArray(30, 6)), dWPrev: f32(randomArray(35, 7)) };
    const [[e]] = await rt.call<Outputs[][]>('/test/gpu/pages/kernels.ts', 'embeddings', [emb]);
    expectExact('embedding out', e.out.data, embeddingForward(emb.weight, emb.ids, emb.vocab, emb.dim));
    expectClose('embedding dW', e.dW.data, embeddingBackward(emb.dOut, emb.ids, emb.vocab, emb.dim));

    const ce: CrossEntropyCase = { rows: 7, vocab: 11, targets: [3, 0, 10, 1, 0, 5, 5], logits: f32(randomArray(77, 80, -3, 3)) };
    const [[c]] = await rt.call<Outputs[][]>('/test/gpu/pages/kernels.ts', 'crossEntropies', [ce]);
    const ref = crossEntropyForward(ce.logits, ce.targets, ce.rows, ce.vocab);
    expectClose('cross-entropy loss', c.loss.data, [ref.loss], { atol: 1e-5, rtol: 1e-5 });
    expectClose('cross-entropy dLogits', c.dLogits.data, crossEntropyBackward(ce.logits, ce.targets, ce.rows, ce.vocab));
  });
});
