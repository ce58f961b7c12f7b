/**
 * @file Test helpers of the indexing tests.
 */
import * as mx from '../../src/index.js';
import { testArray } from '../helpers/numpy.js';

/**
 * `testArray` for any shape: `mx.array` cannot express empty dims below the first, so an empty array is cut out of
 * a non-empty one (a basic-index view, itself checked against NumPy by the shape and values asserted).
 */
export function arr(shape: number[], dtype: mx.Dtype, seed = 1, lo = -3, hi = 3): mx.MxArray {
  if (!shape.includes(0)) return testArray(shape, dtype, seed, lo, hi);
  const a = testArray(shape.map((d) => d || 1), dtype, seed, lo, hi);
  return a.index(...shape.map((d) => (d ? mx.sl() : mx.sl(0, 0))));
}

