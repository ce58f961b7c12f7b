/**
 * @file `mx.fft`: discrete Fourier transforms (complex, real-input and real-output, 1-d, 2-d and n-d), sample
 * frequencies and spectrum shifts. Inputs are cast as MLX does (complex64, or float32 for real-input transforms);
 * outputs are complex64, or float32 for `irfft*`. `norm` is `"backward"` (default), `"ortho"` or `"forward"`.
 */
import { MxArray, bind, type ArrayLike } from '../array.js';
import * as dt from '../dtype.js';
import { toStream, type Stream, type StreamOpt } from '../device.js';
import { array } from '../construct.js';
import { optArgs } from './args.js';
import { cast, toArr } from './matmul.js';
import { roll } from './layout-join.js';
import '../primitives/fft.js';

/** Normalisation of a transform pair. */
export type FFTNorm = 'backward' | 'ortho' | 'forward';

/** Options of the 1-d transforms. */
export interface FFTOpts extends StreamOpt { n?: number | null; axis?: number; norm?: FFTNorm }
/** Options of the 2-d and n-d transforms. */
export interface FFTNOpts extends StreamOpt { s?: readonly number[] | null; axes?: readonly number[] | null; norm?: FFTNorm }

type N1 = number | null | undefined;
type NN = readonly number[] | null | undefined;
/** Positional `n, axis, norm`, any prefix of them, then optionally an options object. */
type Args1 = [opts?: FFTOpts] | [n: N1, opts?: FFTOpts] | [n: N1, axis: number | undefined, opts?: FFTOpts]
  | [n: N1, axis: number | undefined, norm: FFTNorm | undefined, opts?: StreamOpt];
/** Positional `s, axes, norm`, any prefix of them, then optionally an options object. */
type ArgsN = [opts?: FFTNOpts] | [s: NN, opts?: FFTNOpts] | [s: NN, axes: NN, opts?: FFTNOpts]
  | [s: NN, axes: NN, norm: FFTNorm | undefined, opts?: StreamOpt];

function fftImpl(
  op: string, a: ArrayLike, s: readonly number[] | undefined, axes: readonly number[], real: boolean, inverse: boolean,
  norm: FFTNorm | undefined, stream: Stream,
): MxArray {
  const x = toArr(a, op, stream);
  if (x.ndim < 1) throw new Error(`[${op}] Requires array with at least one dimension.`);
  if (norm !== undefined && norm !== 'backward' && norm !== 'ortho' && norm !== 'forward') {
    throw new Error(`[${op}] Invalid norm. Expected one of {'backward', 'ortho', 'forward'}.`);
  }
  const ax = axes.map((v) => {
    const r = v < 0 ? v + x.ndim : v;
    if (!Number.isInteger(v) || r < 0 || r >= x.ndim) {
      throw new RangeError(`[${op}] Invalid axis ${v} received for array with ${x.ndim} dimensions.`);
    }
    return r;
  });
  if (new Set(ax).size !== ax.length) throw new Error(`[${op}] Duplicated axis received [${axes.join(', ')}].`);
  if (ax.length === 0) return x;
  let n: number[];
  if (s) {
    if (s.length !== ax.length) throw new Error(`[${op}] Shape and axes have different sizes (${s.length} and ${ax.length}).`);
    n = [...s];
  } else {
    n = ax.map((d) => x.shape[d]!);
    if (real && inverse) n[n.length - 1] = (n[n.length - 1]! - 1) * 2;
  }
  if (n.some((v) => !Number.isInteger(v) || v <= 0)) throw new Error(`[${op}] Invalid FFT output size requested [${n.join(', ')}].`);
  const total = n.reduce((p, q) => p * q, 1);
  const mode = norm ?? 'backward';
  const scale = mode === 'backward' ? 1 : mode === 'ortho' ? (inverse ? Math.sqrt(total) : 1 / Math.sqrt(total)) : inverse ? total : 1 / total;
  const inType = real && !inverse ? dt.float32 : dt.complex64;
  return bind('fft', [cast(x, inType, stream)], { axes: ax, n, inverse, real, scale }, stream);
}

function one(op: string, a: ArrayLike, rest: Args1, real: boolean, inverse: boolean): MxArray {
  const o = optArgs<FFTOpts>(['n', 'axis', 'norm'], rest, op);
  const stream = toStream(o.stream, op);
  return fftImpl(op, a, o.n === undefined || o.n === null ? undefined : [o.n], [o.axis ?? -1], real, inverse, o.norm, stream);
}

function many(op: string, a: ArrayLike, rest: ArgsN, real: boolean, inverse: boolean, two: boolean): MxArray {
  const o = optArgs<FFTNOpts>(['s', 'axes', 'norm'], rest, op);
  const stream = toStream(o.stream, op);
  const s = o.s ?? undefined;
  let axes = o.axes ?? undefined;
  if (axes === undefined) {
    if (two) axes = [-2, -1];
    else if (s !== undefined) throw new Error(`[${op}] \`axes\` should not be \`None\` if \`s\` is not \`None\`.`);
    else {
      const nd = a instanceof MxArray ? a.ndim : 0;
      axes = Array.from({ length: nd }, (_, i) => i);
      if (nd === 0) throw new Error(`[${op}] Requires array with at least one dimension.`);
    }
  }
  return fftImpl(op, a, s, axes, real, inverse, o.norm, stream);
}

/**
 * One-dimensional DFT along `axis` (default -1), with the input cut or zero-padded to `n`.
 *
 * @example
 * ```ts
 * mx.fft.fft(mx.array([1, 0, 0, 0])); // [1, 1, 1, 1] as complex64
 * ```
 */
export function fft(a: ArrayLike, ...rest: Args1): MxArray { return one('fft', a, rest, false, false); }

/**
 * Inverse of `fft` (scaled by 1/n with the default norm).
 *
 * @example
 * ```ts
 * mx.fft.ifft(mx.fft.fft(x)); // x, as complex64
 * ```
 */
export function ifft(a: ArrayLike, ...rest: Args1): MxArray { return one('ifft', a, rest, false, true); }

/**
 * DFT of a real signal: the `n/2 + 1` non-negative frequency bins along `axis`.
 *
 * @example
 * ```ts
 * mx.fft.rfft(mx.ones([8])).shape; // [5]
 * ```
 */
export function rfft(a: ArrayLike, ...rest: Args1): MxArray { return one('rfft', a, rest, true, false); }

/**
 * Inverse of `rfft`: a float32 signal of length `n` (default `2 * (a.shape[axis] - 1)`).
 *
 * @example
 * ```ts
 * mx.fft.irfft(mx.fft.rfft(x), x.shape[0]); // x
 * ```
 */
export function irfft(a: ArrayLike, ...rest: Args1): MxArray { return one('irfft', a, rest, true, true); }

/**
 * Two-dimensional DFT over `axes` (default the last two), sizes `s`.
 *
 * @example
 * ```ts
 * mx.fft.fft2(mx.ones([4, 4])).shape; // [4, 4]
 * ```
 */
export function fft2(a: ArrayLike, ...rest: ArgsN): MxArray { return many('fft2', a, rest, false, false, true); }

/**
 * Inverse of `fft2`.
 *
 * @example
 * ```ts
 * mx.fft.ifft2(mx.fft.fft2(x)); // x, as complex64
 * ```
 */
export function ifft2(a: ArrayLike, ...rest: ArgsN): MxArray { return many('ifft2', a, rest, false, true, true); }

/**
 * Real-input two-dimensional DFT: the last of `axes` keeps `n/2 + 1` bins.
 *
 * @example
 * ```ts
 * mx.fft.rfft2(mx.ones([4, 6])).shape; // [4, 4]
 * ```
 */
export function rfft2(a: ArrayLike, ...rest: ArgsN): MxArray { return many('rfft2', a, rest, true, false, true); }

/**
 * Inverse of `rfft2`, a float32 array.
 *
 * @example
 * ```ts
 * mx.fft.irfft2(mx.fft.rfft2(x), [4, 6]); // x
 * ```
 */
export function irfft2(a: ArrayLike, ...rest: ArgsN): MxArray { return many('irfft2', a, rest, true, true, true); }

/**
 * n-dimensional DFT over `axes` (all axes by default; `s` requires `axes`).
 *
 * @example
 * ```ts
 * mx.fft.fftn(mx.ones([2, 3, 4])).shape; // [2, 3, 4]
 * ```
 */
export function fftn(a: ArrayLike, ...rest: ArgsN): MxArray { return many('fftn', a, rest, false, false, false); }

/**
 * Inverse of `fftn`.
 *
 * @example
 * ```ts
 * mx.fft.ifftn(mx.fft.fftn(x)); // x, as complex64
 * ```
 */
export function ifftn(a: ArrayLike, ...rest: ArgsN): MxArray { return many('ifftn', a, rest, false, true, false); }

/**
 * Real-input n-dimensional DFT: the last transformed axis keeps `n/2 + 1` bins.
 *
 * @example
 * ```ts
 * mx.fft.rfftn(mx.ones([2, 3, 4])).shape; // [2, 3, 3]
 * ```
 */
export function rfftn(a: ArrayLike, ...rest: ArgsN): MxArray { return many('rfftn', a, rest, true, false, false); }

/**
 * Inverse of `rfftn`, a float32 array.
 *
 * @example
 * ```ts
 * mx.fft.irfftn(mx.fft.rfftn(x), [2, 3, 4], [0, 1, 2]); // x
 * ```
 */
export function irfftn(a: ArrayLike, ...rest: ArgsN): MxArray { return many('irfftn', a, rest, true, true, false); }

function freqArgs(op: string, n: number, rest: [number?, StreamOpt?] | [StreamOpt & { d?: number }]): { d: number; stream?: StreamOpt['stream'] } {
  const o = optArgs<StreamOpt & { d?: number }>(['d'], rest, op);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`[${op}] \`n\` must be greater than 0, got ${n}.`);
  const d = o.d ?? 1;
  if (d === 0) throw new Error(`[${op}] \`d\` must be non-zero.`);
  return { d, stream: o.stream };
}

/**
 * Sample frequencies of an `n`-point DFT with sample spacing `d`: `[0, 1, ..., -1] / (n d)`, float32.
 *
 * @example
 * ```ts
 * mx.fft.fftfreq(4); // [0, 0.25, -0.5, -0.25]
 * ```
 */
export function fftfreq(n: number, ...rest: [d?: number, opts?: StreamOpt] | [opts: StreamOpt & { d?: number }]): MxArray {
  const { d, stream } = freqArgs('fftfreq', n, rest);
  const scale = Math.fround(1 / (n * d));
  const v = new Float32Array(n);
  const pos = Math.floor((n + 1) / 2);
  for (let i = 0; i < n; i++) v[i] = (i < pos ? i : i - n) * scale;
  return array(v, dt.float32, { stream });
}

/**
 * Non-negative sample frequencies of an `n`-point real DFT: `[0, 1, ..., n/2] / (n d)`, float32.
 *
 * @example
 * ```ts
 * mx.fft.rfftfreq(4); // [0, 0.25, 0.5]
 * ```
 */
export function rfftfreq(n: number, ...rest: [d?: number, opts?: StreamOpt] | [opts: StreamOpt & { d?: number }]): MxArray {
  const { d, stream } = freqArgs('rfftfreq', n, rest);
  const scale = Math.fround(1 / (n * d));
  const v = new Float32Array(Math.floor(n / 2) + 1);
  for (let i = 0; i < v.length; i++) v[i] = i * scale;
  return array(v, dt.float32, { stream });
}

function shiftImpl(op: string, a: ArrayLike, axes: number | readonly number[] | null | undefined, inverse: boolean, stream: Stream): MxArray {
  const x = toArr(a, op, stream);
  const list = axes === undefined || axes === null ? Array.from({ length: x.ndim }, (_, i) => i) : typeof axes === 'number' ? [axes] : [...axes];
  if (list.length === 0) return x;
  const shifts = list.map((v) => {
    const r = v < 0 ? v + x.ndim : v;
    if (!Number.isInteger(v) || r < 0 || r >= x.ndim) throw new RangeError(`[${op}] Invalid axis ${v} for array with ${x.ndim} dimensions.`);
    const sh = Math.floor(x.shape[r]! / 2);
    return inverse ? -sh : sh;
  });
  return roll(x, shifts, list, { stream });
}

/**
 * Moves the zero-frequency bin to the centre (a roll by `floor(n/2)` along each of `axes`, default all).
 *
 * @example
 * ```ts
 * mx.fft.fftshift(mx.fft.fftfreq(4)); // [-0.5, -0.25, 0, 0.25]
 * ```
 */
export function fftshift(a: ArrayLike, ...rest: [axes?: number | readonly number[] | null, opts?: StreamOpt] | [opts: StreamOpt & { axes?: number | readonly number[] | null }]): MxArray {
  const o = optArgs<StreamOpt & { axes?: number | readonly number[] | null }>(['axes'], rest, 'fftshift');
  return shiftImpl('fftshift', a, o.axes, false, toStream(o.stream, 'fftshift'));
}

/**
 * Inverse of `fftshift` (differs from it for odd lengths).
 *
 * @example
 * ```ts
 * mx.fft.ifftshift(mx.fft.fftshift(x)); // x
 * ```
 */
export function ifftshift(a: ArrayLike, ...rest: [axes?: number | readonly number[] | null, opts?: StreamOpt] | [opts: StreamOpt & { axes?: number | readonly number[] | null }]): MxArray {
  const o = optArgs<StreamOpt & { axes?: number | readonly number[] | null }>(['axes'], rest, 'ifftshift');
  return shiftImpl('ifftshift', a, o.axes, true, toStream(o.stream, 'ifftshift'));
}
