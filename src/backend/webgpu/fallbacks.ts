/**
 * @file Which primitives run on the GPU and which fall back to their CPU kernel: the one place to look, kept
 * honest by test/backend/webgpu-fallbacks.test.ts (every registered primitive must appear here, and 'gpu' must
 * match the kernel table).
 *
 * 'gpu' means a WGSL kernel exists; it may still decline a node it does not handle (64-bit and complex dtypes,
 * softmax over other than the last axis, reduce modes var/std/median/countNonzero, integer divide/power, ...), and
 * that node then falls back like a 'cpu-fallback' one. A fallback is visible, not silent: the scheduler reads the
 * node's GPU inputs back, runs the CPU kernel, and uploads the outputs; `mx.deviceInfo(mx.gpu).stats.fallbacks`
 * counts them.
 */

/** Where a primitive runs when its stream is on the GPU. */
export type GpuPlacement = 'gpu' | 'cpu-fallback';

/** Placement of every primitive on `mx.gpu`. */
export const GPU_PLACEMENT: Record<string, GpuPlacement> = {
  abs: 'gpu', add: 'gpu', arccos: 'gpu', arccosh: 'gpu', arcsin: 'gpu', arcsinh: 'gpu', arctan: 'gpu',
  arctan2: 'gpu', arctanh: 'gpu', astype: 'gpu', bitwiseAnd: 'gpu', bitwiseInvert: 'gpu', bitwiseOr: 'gpu',
  bitwiseXor: 'gpu', ceil: 'gpu', conj: 'gpu', cos: 'gpu', cosh: 'gpu', divide: 'gpu', equal: 'gpu', exp: 'gpu',
  expm1: 'gpu', floor: 'gpu', floorDivide: 'gpu', greater: 'gpu', greaterEqual: 'gpu', isfinite: 'gpu', isinf: 'gpu',
  isnan: 'gpu', isneginf: 'gpu', isposinf: 'gpu', less: 'gpu', lessEqual: 'gpu', log: 'gpu', log10: 'gpu',
  log1p: 'gpu', log2: 'gpu', logaddexp: 'gpu', logicalAnd: 'gpu', logicalNot: 'gpu', logicalOr: 'gpu', matmul: 'gpu',
  maximum: 'gpu', minimum: 'gpu', multiply: 'gpu', negative: 'gpu', notEqual: 'gpu', power: 'gpu', real: 'gpu',
  reciprocal: 'gpu', reduce: 'gpu', remainder: 'gpu', rsqrt: 'gpu', sigmoid: 'gpu', sign: 'gpu', sin: 'gpu',
  sinh: 'gpu', softmax: 'gpu', sqrt: 'gpu', square: 'gpu', stopGradient: 'gpu', subtract: 'gpu', tan: 'gpu',
  tanh: 'gpu', trunc: 'gpu', where: 'gpu',
  // no GPU kernel yet: read back, CPU kernel, upload
  addmm: 'cpu-fallback', allclose: 'cpu-fallback', arange: 'cpu-fallback', argReduce: 'cpu-fallback',
  argpartition: 'cpu-fallback', argsort: 'cpu-fallback', arrayEqual: 'cpu-fallback', asStrided: 'cpu-fallback',
  broadcastTo: 'cpu-fallback', cholesky: 'cpu-fallback', compilePlaceholder: 'cpu-fallback',
  concatenate: 'cpu-fallback', contiguous: 'cpu-fallback', contract: 'cpu-fallback', conv: 'cpu-fallback',
  custom: 'cpu-fallback', depends: 'cpu-fallback', det: 'cpu-fallback', diagMatrix: 'cpu-fallback',
  diagonal: 'cpu-fallback', divmod: 'cpu-fallback', dynamicSlice: 'cpu-fallback', dynamicSliceUpdate: 'cpu-fallback',
  eig: 'cpu-fallback', eigh: 'cpu-fallback', erf: 'cpu-fallback', erfinv: 'cpu-fallback', fft: 'cpu-fallback',
  flip: 'cpu-fallback', full: 'cpu-fallback', fusedElementwise: 'cpu-fallback', gather: 'cpu-fallback',
  gatherAxis: 'cpu-fallback', gatherFlat: 'cpu-fallback', imag: 'cpu-fallback', indexView: 'cpu-fallback',
  inverse: 'cpu-fallback', isclose: 'cpu-fallback', leftShift: 'cpu-fallback', linalgCross: 'cpu-fallback',
  linalgNorm: 'cpu-fallback', load: 'cpu-fallback', loadQuantized: 'cpu-fallback', logsumexp: 'cpu-fallback',
  lu: 'cpu-fallback', luf: 'cpu-fallback', maskScatter: 'cpu-fallback', nanToNum: 'cpu-fallback',
  pad: 'cpu-fallback', partition: 'cpu-fallback', pinv: 'cpu-fallback', qrf: 'cpu-fallback',
  randomBernoulli: 'cpu-fallback', randomBits: 'cpu-fallback', randomCategorical: 'cpu-fallback',
  randomGumbel: 'cpu-fallback', randomInt: 'cpu-fallback', randomLaplace: 'cpu-fallback',
  randomNormal: 'cpu-fallback', randomPermutation: 'cpu-fallback', randomTruncNormal: 'cpu-fallback',
  randomUniform: 'cpu-fallback', reshape: 'cpu-fallback', rightShift: 'cpu-fallback', round: 'cpu-fallback',
  scan: 'cpu-fallback', scatter: 'cpu-fallback', scatterAxis: 'cpu-fallback', scatterFlat: 'cpu-fallback',
  searchsorted: 'cpu-fallback', slogdet: 'cpu-fallback', solve: 'cpu-fallback', sort: 'cpu-fallback',
  split: 'cpu-fallback', svd: 'cpu-fallback', topk: 'cpu-fallback', trace: 'cpu-fallback', transpose: 'cpu-fallback',
  tri: 'cpu-fallback', triMask: 'cpu-fallback', view: 'cpu-fallback', windowFn: 'cpu-fallback',
};
