// Kernel checks of the GPU check: every matmul kernel that fits (register-blocked, quad,
// tiled, generic) at sizes that divide no tile, exact on small integers; every op of the
// check kit (src/check/cases/: LSTM cell, step and sequence, cross-entropy, optimizers,
// embedding, reductions, activations, the recurrent update, reversal, layer norm, dropout,
// positions, the attention softmax and row copy) at larger sizes than the GPU tests'; the
// other kernels run inside the whole-model checks (models.ts).
import type { Gpu } from '../gpu/context.ts';
import { view, type View } from '../gpu/buffers.ts';
import { kernelsFor, matmulWithKernel, planMatmul } from '../ops/matmul.ts';
import { TILED_KERNEL, tiledFits } from '../ops/matmul_tiled.ts';
import { matmulForward } from '../reference/matmul.ts';
import { compare, EXACT, F32_TOL, type CheckResult } from '../check/compare.ts';
import { integersF32, uniformF32 } from '../check/random.ts';
import { checkOp, dimsOf } from '../check/case.ts';
import { OP_KIT } from '../check/cases/index.ts';

/** Deterministic values: small integers (exact products) or uniform in [-1, 1). */
const values = (n: number, seed: number, integers: boolean) => (integers ? integersF32(n, seed, -4, 5) : uniformF32(n, seed));

function upload(gpu: Gpu, label: string, data: Float32Array, pad: number): View {
  const buffer = gpu.createBuffer(label, data.length + 2 * pad);
  gpu.upload(buffer, data, pad);
  return view(buffer, pad, data.length);
}

const LAYOUTS = [['NN', false, false], ['NT', false, true], ['TN', true, false]] as const;
/** Shapes crossing every tile (16x8 blocks, 32-wide quads, 64x64 tiles, K slices of 16), and aligned ones for the vec4 kernels. */
const SHAPES: [number, number, number][] = [[37, 35, 19], [65, 67, 33], [68, 132, 36], [128, 64, 20]];

/** Every matmul kernel that can run each case on this device, plus the tiled one where the limits allow it. */
export async function checkMatmulKernels(gpu: Gpu): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const [layout, transA, transB] of LAYOUTS) {
    for (const [M, N, K] of SHAPES) {
      // Offsets of 4 keep the vec4 kernels in play; bias and tanh on the non-integer case.
      for (const integers of [true, false]) {
        const a = upload(gpu, 'check-a', values(M * K, M + K, integers), 4);
        const b = upload(gpu, 'check-b', values(K * N, N + 7, integers), 4);
        const bias = upload(gpu, 'check-bias', values(N, 3, integers), 4);
        const c = upload(gpu, 'check-c', new Float32Array(M * N), 4);
        const args = { a, b, c, M, N, K, transA, transB, bias, activation: integers ? ('none' as const) : ('tanh' as const), label: `check ${layout}` };
        const want = matmulForward(a2h(values(M * K, M + K, integers)), a2h(values(K * N, N + 7, integers)), new Float64Array(M * N), { ...args, bias: values(N, 3, integers) });
        const plan = planMatmul(args);
        const kernels = [...kernelsFor(plan, gpu), ...(tiledFits(gpu) ? [TILED_KERNEL] : [])];
        for (const kernel of kernels) {
          gpu.run(matmulWithKernel(gpu, plan, kernel));
          const got = await gpu.read(c);
          const name = `matmul ${kernel.name} ${layout} ${M}x${N}x${K}${integers ? ' integers' : ' bias+tanh'}`;
          out.push(compare(name, got, want, integers ? EXACT : F32_TOL));
        }
        for (const v of [a, b, bias, c]) gpu.destroyBuffer(v.buffer);
      }
    }
  }
  return out;
}

const a2h = (x: Float32Array): number[] => Array.from(x);

/** Sizes that divide no workgroup, larger than the tests' (a handful of 64-wide groups per op). */
export const KIT_SIZES = { B: 9, H: 67, E: 33, V: 131, T: 7 };

/** Every op of the check kit (src/check/cases/) at KIT_SIZES. */
export async function checkKitOps(gpu: Gpu): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const entry of OP_KIT) out.push(...(await checkOp(gpu, entry, dimsOf(KIT_SIZES))));
  return out;
}
