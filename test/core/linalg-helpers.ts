/**
 * @file Test inputs for the linalg tests: deterministic well-conditioned, symmetric positive-definite and
 * triangular matrices, built in float64 in JS and stored in the requested dtype.
 */
import * as mx from '../../src/index.js';
import { randValues } from '../helpers/numpy.js';
import { fromValues, packValues } from '../../src/core/construct.js';

const sz = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

// fromValues keeps zero-size shapes such as (0, 3, 3) that nested lists cannot express
function toArray(vals: number[], shape: number[], dtype: mx.Dtype): mx.MxArray {
  return fromValues(packValues(vals, dtype), dtype, shape);
}

/** Random entries in [-1, 1) with `shift` added on the diagonal of every (square part of a) trailing matrix. */
export function randMatrix(shape: number[], dtype: mx.Dtype, seed: number, shift = 0): mx.MxArray {
  const m = shape[shape.length - 2]!, n = shape[shape.length - 1]!;
  const v = randValues(sz(shape), seed, -1, 1);
  for (let b = 0; b < sz(shape) / (m * n); b++) for (let i = 0; i < Math.min(m, n); i++) v[b * m * n + i * n + i]! += shift;
  return toArray(v, shape, dtype);
}

/** Well-conditioned square matrices: random entries plus n on the diagonal (diagonally dominant). */
export function wellConditioned(shape: number[], dtype: mx.Dtype, seed: number): mx.MxArray {
  return randMatrix(shape, dtype, seed, shape[shape.length - 1]!);
}

/** Symmetric positive-definite matrices B Bᵀ + n I. */
export function spd(shape: number[], dtype: mx.Dtype, seed: number): mx.MxArray {
  const n = shape[shape.length - 1]!;
  const b = randValues(sz(shape), seed, -1, 1);
  const out = new Array<number>(sz(shape)).fill(0);
  for (let t = 0; t < sz(shape) / (n * n); t++) {
    const o = t * n * n;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = i === j ? n : 0;
        for (let k = 0; k < n; k++) s += b[o + i * n + k]! * b[o + j * n + k]!;
        out[o + i * n + j] = s;
      }
    }
  }
  return toArray(out, shape, dtype);
}

/** Random symmetric matrices (indefinite in general). */
export function symmetric(shape: number[], dtype: mx.Dtype, seed: number): mx.MxArray {
  const n = shape[shape.length - 1]!;
  const v = randValues(sz(shape), seed, -2, 2);
  for (let t = 0; t < sz(shape) / (n * n); t++) {
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) v[t * n * n + j * n + i] = v[t * n * n + i * n + j]!;
  }
  return toArray(v, shape, dtype);
}

/** Random entries in [-3, 3) (integers in [-30, 30] for integer dtypes), any shape including zero-size ones. */
export function randArray(shape: number[], dtype: mx.Dtype, seed: number): mx.MxArray {
  let v = randValues(sz(shape), seed, -3, 3);
  if (mx.isInteger(dtype)) v = v.map((x) => Math.round(x * 10));
  return toArray(v, shape, dtype);
}
