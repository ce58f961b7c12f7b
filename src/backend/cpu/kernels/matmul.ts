/**
 * @file CPU kernels of the matmul family. `matmul` and `addmm` are expressed as labelled contractions (batch
 * labels right-aligned, M, K, N) and all three run through the driver of matmul-contract.ts.
 */
import type { CpuKernelTable } from '../kernel.js';
import type { CpuView } from '../view.js';
import { runContract, type Operand } from './matmul-contract.js';

const M = -1, K = -2, N = -3;

/** Labels of NumPy's matmul: batch dims 0.. (right-aligned), then M/K for a and K/N for b; 1-d operands drop M/N. */
function matmulLabels(a: CpuView, b: CpuView): { la: Operand; lb: Operand; out: number[] } {
  const na = a.shape.length, nb = b.shape.length;
  const ba = Math.max(0, na - 2), bb = Math.max(0, nb - 2), nbatch = Math.max(ba, bb);
  const batch = (n: number): number[] => Array.from({ length: n }, (_, i) => nbatch - n + i);
  const labA = na === 1 ? [K] : [...batch(ba), M, K];
  const labB = nb === 1 ? [K] : [...batch(bb), K, N];
  const out = batch(nbatch);
  if (na > 1) out.push(M);
  if (nb > 1) out.push(N);
  return { la: { view: a, labels: labA }, lb: { view: b, labels: labB }, out };
}

/** CPU kernels of `matmul`, `addmm` and `contract`. */
export const matmulKernels: CpuKernelTable<'matmul' | 'addmm' | 'contract'> = {
  matmul([a, b], _p, [out], be) {
    const { la, lb, out: lo } = matmulLabels(a!, b!);
    return [runContract(be, out!.dtype, out!.shape, la, lb, lo)];
  },
  addmm([c, a, b], p, [out], be) {
    const { la, lb, out: lo } = matmulLabels(a!, b!);
    return [runContract(be, out!.dtype, out!.shape, la, lb, lo, false, { c: c!, alpha: p.alpha, beta: p.beta })];
  },
  contract(inputs, p, [out], be) {
    const a: Operand = { view: inputs[0]!, labels: p.a };
    const b: Operand | null = p.b ? { view: inputs[1]!, labels: p.b } : null;
    return [runContract(be, p.dtype, out!.shape, a, b, p.out, p.conjA)];
  },
};
