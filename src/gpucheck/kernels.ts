// Kernel checks of the GPU check: every op of the check kit (src/check/cases/: the matmul
// family with every kernel that fits this device, register-blocked, quad, tiled and generic,
// at a training step's shapes and aligned variants of them, small integers exact; LSTM cell,
// step and sequence, cross-entropy, optimizers, embedding, reductions, activations, the
// recurrent update, reversal, layer norm, dropout, positions, the attention softmax and row
// copy, the beam-search selection step and state gathers, fill and copy) at larger sizes than
// the GPU tests'; the other kernels run inside the whole-model checks (models.ts).
import type { Gpu } from '../gpu/context.ts';
import type { CheckResult } from '../check/compare.ts';
import { checkOp, dimsOf } from '../check/case.ts';
import { OP_KIT } from '../check/cases/index.ts';

/** Sizes that divide no workgroup, block or tile, larger than the tests' (a handful of 64-wide groups per op). */
export const KIT_SIZES = { B: 9, H: 67, E: 33, V: 131, T: 7 };

/**
 * Sizes at which the matmul family's shapes fill every block, quad and 64x64 tile exactly
 * (R = B·T = 64, 4H = 64, E = 64, V = 128): no partial tile, where an off-by-one in a
 * kernel's edge handling shows that KIT_SIZES' ragged edges hide.
 */
export const WHOLE_TILE_SIZES = { B: 16, H: 16, E: 64, V: 128, T: 4 };

/** Every op of the check kit (src/check/cases/) at KIT_SIZES, and the matmul family also at WHOLE_TILE_SIZES. */
export async function checkKitOps(gpu: Gpu): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const entry of OP_KIT) out.push(...(await checkOp(gpu, entry, dimsOf(KIT_SIZES))));
  for (const entry of OP_KIT.filter((e) => e.op.startsWith('matmul'))) out.push(...(await checkOp(gpu, entry, dimsOf(WHOLE_TILE_SIZES))));
  return out;
}

/** The matmul kernels the checks ran: the kit's matmul outputs name theirs in brackets. */
export function matmulKernelsChecked(results: CheckResult[]): string[] {
  const names = results.map((r) => /^matmul\S* \(.*\[([^\]]+)\]/.exec(r.name)?.[1]).filter((k): k is string => k !== undefined);
  return [...new Set(names)];
}
