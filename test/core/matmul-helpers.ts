/**
 * @file Shared helpers of the matmul/einsum tests: operands of any dtype (complex ones with non-zero imaginary
 * parts) and result tolerances that grow with the contraction length.
 */
import * as mx from '../../src/index.js';
import { testArray, type NpArg, type NpCase } from '../helpers/numpy.js';

/** A deterministic operand of `dtype`; complex64 gets independent real and imaginary parts. */
export function operand(shape: number[], dtype: mx.Dtype, seed: number): mx.MxArray {
  // the nested-list constructor cannot express an empty shape with later axes
  if (shape.includes(0)) return mx.zeros(shape, dtype);
  if (dtype !== mx.complex64) return testArray(shape, dtype, seed);
  const pairs = testArray([...shape, 2], mx.float32, seed);
  return mx.reshape(mx.view(pairs, mx.complex64), shape);
}

/** Tolerances for a result summed over `k` products of values in [-3, 3]. */
export function sumTol(dtype: mx.Dtype, k: number): { rtol: number; atol: number } {
  const terms = Math.max(1, k);
  switch (dtype.name) {
    case 'float16': return { rtol: 4e-3, atol: 4e-3 * terms };
    case 'bfloat16': return { rtol: 2e-2, atol: 2e-2 * terms };
    case 'float64': return { rtol: 1e-12, atol: 1e-12 * terms };
    case 'float32': case 'complex64': return { rtol: 1e-5, atol: 4e-6 * terms };
    default: return { rtol: 0, atol: 0 };
  }
}

/** A NumPy case computing `expr` over the arguments in double precision, rounded to `dtype` at the end. */
export function exactCase(expr: string, dtype: mx.Dtype, args: NpArg[]): NpCase {
  const wide = dtype === mx.complex64 ? 'np.complex128' : mx.isInexact(dtype) ? 'np.float64' : null;
  const back = dtype === mx.bfloat16 ? 'np.float32' : dtype === mx.bool ? 'np.bool_' : `np.${dtype.name}`;
  const names = 'abcdefgh'.slice(0, args.length).split('');
  const widen = wide ? names.map((n) => `${n} = ${n}.astype(${wide})\n`).join('') : '';
  return { code: `${widen}result = np.asarray(${expr}).astype(${back})`, args };
}
