/**
 * @file Matmul-family primitives. `matmul` and `addmm` keep NumPy's matmul shape rules (1-d promotion, broadcast
 * batch dims) so a GPU backend can implement them as plain batched GEMMs; `contract` is the general labelled
 * contraction (einsum of one or two operands) that tensordot, inner, outer, kron, vecdot and einsum are built on.
 */
import type { Dtype } from '../dtype.js';
import { definePrimitives, single } from '../primitive.js';
import { broadcastShapes } from '../shape.js';
import { matmulRules, addmmRules, contractRules } from '../transforms/rules-matmul.js';

declare module '../primitive.js' {
  interface PrimitiveParams {
    /** `a @ b` with NumPy rules; both inputs have the output's (inexact) dtype and at least one dimension. */
    matmul: Record<string, never>;
    /** `alpha * (a @ b) + beta * c`, inputs `[c, a, b]`; `c` broadcasts to the matmul's output shape. */
    addmm: { alpha: number; beta: number };
    /**
     * A labelled contraction of one or two operands: `out[out] = sum over the other labels of a[a] * b[b]`.
     * Repeated labels in one operand read its diagonal; size-1 axes broadcast. The dense result, with axes in
     * `out` order, is then reshaped to `shape` (same size). `conjA` conjugates a complex `a` (vecdot).
     */
    contract: { a: number[]; b: number[] | null; out: number[]; shape: number[]; dtype: Dtype; conjA: boolean };
  }
}

/** Output shape of NumPy's matmul for two shapes of at least one dimension (validated by the op). */
export function matmulShape(a: readonly number[], b: readonly number[]): number[] {
  const batch = broadcastShapes([a.slice(0, -2), b.slice(0, -2)], 'matmul');
  if (a.length > 1) batch.push(a[a.length - 2]!);
  if (b.length > 1) batch.push(b[b.length - 1]!);
  return batch;
}

definePrimitives({
  matmul: { outputs: ([a, b]) => single(matmulShape(a!.shape, b!.shape), a!.dtype), ...matmulRules },
  addmm: { outputs: ([, a, b]) => single(matmulShape(a!.shape, b!.shape), a!.dtype), ...addmmRules },
  contract: { outputs: (_, p) => single(p.shape, p.dtype), ...contractRules },
});
