/**
 * @file Shape and layout primitives. Most of them describe a new view of the input's elements (reshape, transpose,
 * broadcast, split, flip, diagonal, asStrided) and cost no copy on the CPU; concatenate, pad, diag, view and
 * contiguous produce fresh data. Ops (ops/layout*.ts) have validated every param, so these rules only compute.
 */
import type { Dtype } from '../dtype.js';
import { definePrimitives, single } from '../primitive.js';
import { layoutRules as R } from '../transforms/rules-layout.js';

/** How `pad` fills the border. */
export type PadMode = 'constant' | 'edge' | 'reflect' | 'symmetric';

declare module '../primitive.js' {
  interface PrimitiveParams {
    /** Same elements in row-major order under a new shape of equal size (a view when strides allow). */
    reshape: { shape: readonly number[] };
    /** Permutes dimensions: output dim i is input dim `axes[i]`. */
    transpose: { axes: readonly number[] };
    /** Broadcasts to `shape` (NumPy rules; stride 0 on expanded dims). */
    broadcastTo: { shape: readonly number[] };
    /** One output per piece: input[..., starts[i] : starts[i] + sizes[i], ...] along `axis`. */
    split: { axis: number; starts: readonly number[]; sizes: readonly number[] };
    /** Reverses the listed (sorted, unique) axes. */
    flip: { axes: readonly number[] };
    /** The diagonal of dims `axis1`, `axis2`, moved last. */
    diagonal: { offset: number; axis1: number; axis2: number };
    /** A strided view of the row-major input: element offsets `offset + sum(i_k * strides[k])`. */
    asStrided: { shape: readonly number[]; strides: readonly number[]; offset: number };
    /** Joins same-dtype inputs along `axis`. */
    concatenate: { axis: number };
    /** Pads input 0 by `lo`/`hi` per dim; input 1 (0-d, same dtype) is the constant. */
    pad: { lo: readonly number[]; hi: readonly number[]; mode: PadMode };
    /** A square matrix with a 1-D input on diagonal `k`. */
    diagMatrix: { k: number };
    /** Reinterprets the bytes as another dtype (last dim scales with the size ratio). */
    view: { dtype: Dtype };
    /** A row-major copy when the input is not already row-major (and column-major when allowed). */
    contiguous: { allowColMajor: boolean };
  }
}

/** @internal Shape of `diagonal`: the other dims, then the diagonal's length (shared by the op and the kernel). */
export function diagonalShape(shape: readonly number[], p: { offset: number; axis1: number; axis2: number }): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) if (i !== p.axis1 && i !== p.axis2) out.push(shape[i]!);
  const n1 = shape[p.axis1]!, n2 = shape[p.axis2]!;
  const len = p.offset >= 0 ? Math.min(n1, n2 - p.offset) : Math.min(n1 + p.offset, n2);
  out.push(Math.max(0, len));
  return out;
}


definePrimitives({
  reshape: { outputs: ([x], p) => single(p.shape, x!.dtype), ...R.reshape },
  transpose: { outputs: ([x], p) => single(p.axes.map((a) => x!.shape[a]!), x!.dtype), ...R.transpose },
  broadcastTo: { outputs: ([x], p) => single(p.shape, x!.dtype), ...R.broadcastTo },
  split: {
    ...R.split,
    outputs: ([x], p) => p.sizes.map((n) => {
      const s = [...x!.shape];
      s[p.axis] = n;
      return { shape: s, dtype: x!.dtype };
    }),
  },
  flip: { outputs: ([x]) => single(x!.shape, x!.dtype), ...R.flip },
  diagonal: { outputs: ([x], p) => single(diagonalShape(x!.shape, p), x!.dtype), ...R.diagonal },
  asStrided: { outputs: ([x], p) => single(p.shape, x!.dtype), ...R.asStrided },
  concatenate: {
    ...R.concatenate,
    outputs: (xs, p) => {
      const s = [...xs[0]!.shape];
      s[p.axis] = xs.reduce((acc, x) => acc + x.shape[p.axis]!, 0);
      return single(s, xs[0]!.dtype);
    },
  },
  pad: { outputs: ([x], p) => single(x!.shape.map((d, i) => d + p.lo[i]! + p.hi[i]!), x!.dtype), ...R.pad },
  diagMatrix: {
    ...R.diagMatrix,
    outputs: ([x], p) => {
      const n = x!.shape[0]! + Math.abs(p.k);
      return single([n, n], x!.dtype);
    },
  },
  view: {
    ...R.view,
    outputs: ([x], p) => {
      const s = [...x!.shape];
      if (s.length > 0 && x!.dtype.size !== p.dtype.size) s[s.length - 1] = (s[s.length - 1]! * x!.dtype.size) / p.dtype.size;
      return single(s, p.dtype);
    },
  },
  contiguous: { outputs: ([x]) => single(x!.shape, x!.dtype), ...R.contiguous },
});
