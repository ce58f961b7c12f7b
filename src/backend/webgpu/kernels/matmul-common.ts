/**
 * @file What every matmul kernel shares: the problem as two strided matrix views plus broadcast batch dimensions,
 * the parameter block they read (`prm`), and the WGSL that turns a batch index into the two operands' offsets.
 */
import type { Node } from '../../../core/array.js';
import { broadcastShapes, sizeOf } from '../../../core/shape.js';
import type { GpuArg, WebGpuBackend } from '../backend.js';

/** Matrix view of an operand: rows, cols and their strides, plus its batch dims and strides. */
export interface MatView {
  rows: number;
  cols: number;
  sr: number;
  sc: number;
  bShape: number[];
  bStr: number[];
}

/** A matmul `y = a @ b` as strided views: A is M x K, B is K x N, batch dims broadcast (strides 0 where size 1). */
export interface MatProblem {
  a: GpuArg;
  b: GpuArg;
  M: number;
  N: number;
  K: number;
  /** Row and column strides of A (sam, sak) and B (sbk, sbn), in elements. */
  sam: number;
  sak: number;
  sbk: number;
  sbn: number;
  batch: number[];
  aBatchStrides: number[];
  bBatchStrides: number[];
  /** Number of matrices in the output (product of `batch`). */
  nbatch: number;
}

/** The matrix view of one operand (1-D: a row for `a`, a column for `b`, as NumPy's matmul). */
export function matView(x: GpuArg, isA: boolean): MatView {
  const n = x.shape.length;
  if (n === 1) {
    return isA
      ? { rows: 1, cols: x.shape[0]!, sr: 0, sc: x.strides[0]!, bShape: [], bStr: [] }
      : { rows: x.shape[0]!, cols: 1, sr: x.strides[0]!, sc: 0, bShape: [], bStr: [] };
  }
  return {
    rows: x.shape[n - 2]!, cols: x.shape[n - 1]!, sr: x.strides[n - 2]!, sc: x.strides[n - 1]!,
    bShape: x.shape.slice(0, -2), bStr: x.strides.slice(0, -2),
  };
}

/** The problem of a matmul node (its inputs as GPU arguments, uploading CPU-resident ones). */
export function matProblem(node: Node, be: WebGpuBackend): MatProblem {
  const a = be.arg(node.inputs[0]!), b = be.arg(node.inputs[1]!);
  const A = matView(a, true), B = matView(b, false);
  const batch = broadcastShapes([A.bShape, B.bShape]);
  const bstr = (v: MatView): number[] => {
    const k = batch.length - v.bShape.length;
    return batch.map((_, d) => (d < k || v.bShape[d - k] === 1 ? 0 : v.bStr[d - k]!));
  };
  // a size-1 dimension's stride is arbitrary (views may carry anything there); 0 keeps alignment checks honest
  const s = (n: number, st: number): number => (n === 1 ? 0 : st);
  return {
    a, b, M: A.rows, N: B.cols, K: A.cols,
    sam: s(A.rows, A.sr), sak: s(A.cols, A.sc), sbk: s(B.rows, B.sr), sbn: s(B.cols, B.sc),
    batch, aBatchStrides: bstr(A), bBatchStrides: bstr(B), nbatch: sizeOf(batch),
  };
}

/** Index in `prm` where the batch description starts (after M N K sam sak sbk sbn aoff boff). */
export const BATCH_AT = 9;

/**
 * The parameter block: [M, N, K, sam, sak, sbk, sbn, aoff, boff, batchShape[nb], aBatchStrides[nb],
 * bBatchStrides[nb], ...extra].
 */
export function metaOf(p: MatProblem, extra: readonly number[] = []): number[] {
  return [p.M, p.N, p.K, p.sam, p.sak, p.sbk, p.sbn, p.a.offset, p.b.offset, ...p.batch, ...p.aBatchStrides,
    ...p.bBatchStrides, ...extra];
}

/** Index in `prm` of the first extra value for `nb` batch dims. */
export const extraAt = (nb: number): number => BATCH_AT + 3 * nb;

/**
 * WGSL statements adding batch `bvar`'s offsets to `ao` and `bo` (both `var i32` in scope), for `nb` batch dims
 * laid out as `metaOf` does.
 */
export function batchOffsets(nb: number, bvar: string): string {
  const bs = BATCH_AT, as_ = BATCH_AT + nb, bst = BATCH_AT + 2 * nb;
  const out: string[] = [`var rem = ${bvar};`];
  for (let d = nb - 1; d >= 0; d--) {
    out.push(`{ let i = ${d ? `rem % prm[${bs + d}]` : 'rem'};${d ? ` rem = rem / prm[${bs + d}];` : ''} ao += i * prm[${as_ + d}]; bo += i * prm[${bst + d}]; }`);
  }
  return out.join('\n  ');
}

/** Whether every value is a multiple of `q`. */
export const allMultiples = (q: number, ...xs: readonly number[]): boolean => xs.every((x) => x % q === 0);
