/**
 * @file The GPU `fft` kernel, following the CPU kernel's plan: the input view is copied (truncated or zero-padded)
 * into a dense complex64 work array, each axis is transformed line by line, and the scaled result is written out.
 * Lines of power-of-two length run Stockham passes: radix-2, all in workgroup memory, when the line fits
 * (<= SHARED_MAX), else global radix-4 passes (plus one radix-2 pass for an odd power); other lengths use a direct DFT when short and Bluestein's
 * chirp-z (a power-of-two circular convolution) when long. A real forward transform runs the complex one on the
 * real input and keeps the first n/2 + 1 bins; a complex-to-real one transforms the other axes, widens the last
 * axis to n with the Hermitian mirror and keeps the real part. Twiddles/chirps are float64 host tables rounded to
 * float32. Everything computes in float32 (the CPU computes in float64 and rounds once), so results agree with
 * the CPU to float32 FFT accuracy, not bit for bit.
 */
import * as dt from '../../../core/dtype.js';
import type { PrimitiveParams } from '../../../core/primitive.js';
import { rowMajorStrides, sizeOf } from '../../../core/shape.js';
import type { PooledBuffer } from '../allocator.js';
import type { WebGpuBackend } from '../backend.js';
import { fft1d } from '../../cpu/kernels/fft-plan.js';
import type { GpuKernel } from './kernel.js';
import { f32Bits } from './creation-gen.js';
import {
  CHIRP_IN, CHIRP_MUL, CHIRP_OUT, DIRECT_DFT, HERMITIAN, SHARED_MAX, STOCKHAM_PASS, WG,
  loadShader, radix4Pass, sharedShader, storeShader,
} from './fft-wgsl.js';

/** The radix-4 pass's WGSL, forward and inverse (generated once, not per launch). */
const RADIX4 = [radix4Pass(false), radix4Pass(true)];

/** Longest non-power-of-two line done as a direct O(L^2) DFT; longer ones go through Bluestein. */
const DIRECT_MAX = 64;
/** Every work buffer must fit one storage binding; the WebGPU default limit is the safe bound without the device. */
const MAX_BYTES = 128 * 1024 * 1024;

const isPow2 = (n: number): boolean => (n & (n - 1)) === 0;
const pow2AtLeast = (n: number): number => { let m = 1; while (m < n) m *= 2; return m; };
const groups = (n: number): number => Math.ceil(n / WG);

/** Host tables (float32 bits of interleaved complex values) by length and direction, kept for reuse. */
const tables = new Map<string, Int32Array>();
const MAX_TABLES = 32;

/** The cached table `key`, else `make()`'s float64 parts rounded once to float32. */
function table(key: string, make: () => [Float64Array, Float64Array]): Int32Array {
  let t = tables.get(key);
  if (!t) {
    const [re, im] = make();
    const f = new Float32Array(2 * re.length);
    for (let k = 0; k < re.length; k++) { f[2 * k] = re[k]!; f[2 * k + 1] = im[k]!; }
    t = new Int32Array(f.buffer);
    if (tables.size >= MAX_TABLES) tables.delete(tables.keys().next().value!);
    tables.set(key, t);
  }
  return t;
}

/** Uploads a table through the i32 parameter path (a typed array is a valid source for it). */
const upload = (be: WebGpuBackend, t: Int32Array): PooledBuffer => be.params(t as unknown as number[]);

/** exp(sign * 2 pi i t / n) for t < count, the angle reduced exactly from the integer t. */
function twiddles(be: WebGpuBackend, n: number, count: number, inverse: boolean): PooledBuffer {
  return upload(be, table(`tw ${n} ${count} ${inverse}`, () => {
    const re = new Float64Array(count), im = new Float64Array(count), sg = inverse ? 1 : -1;
    for (let t = 0; t < count; t++) { const a = (sg * 2 * Math.PI * t) / n; re[t] = Math.cos(a); im[t] = Math.sin(a); }
    return [re, im];
  }));
}

/** Dense complex work array: its buffer and shape. */
interface Work { buf: PooledBuffer; shape: number[] }

const workBuf = (be: WebGpuBackend, n: number): PooledBuffer => be.temp(Math.max(8, 8 * n));

/**
 * Power-of-two transform of `count` lines (length n, stride inner) of `src`; returns the buffer with the result.
 * Lines that fit run every radix-2 pass in workgroup memory; longer ones run global radix-4 passes (a final
 * radix-2 pass when log2 n is odd).
 */
function pow2Lines(be: WebGpuBackend, src: PooledBuffer, n: number, inner: number, count: number, inverse: boolean): PooledBuffer {
  const dst = be.temp(src.size);
  if (n <= SHARED_MAX) {
    be.dispatch(sharedShader(n), [src, dst, twiddles(be, n, n / 2, inverse), be.params([count, inner])], count);
    return dst;
  }
  const tw = twiddles(be, n, n, inverse);
  let a = src, b = dst, s = 1;
  for (; n / s >= 4; s *= 4) {
    be.dispatch(RADIX4[inverse ? 1 : 0]!, [a, b, tw, be.params([count * n / 4, n / 4, inner, n, s])], groups(count * n / 4));
    [a, b] = [b, a];
  }
  if (n / s === 2) {
    be.dispatch(STOCKHAM_PASS, [a, b, tw, be.params([count * n / 2, n / 2, inner, n, s])], groups(count * n / 2));
    [a, b] = [b, a];
  }
  return a;
}

/** Bluestein's chirp-z transform of `count` lines of any length n through power-of-two transforms of length m. */
function bluestein(be: WebGpuBackend, src: PooledBuffer, n: number, inner: number, count: number, inverse: boolean): PooledBuffer {
  const m = pow2AtLeast(2 * n - 1), sg = inverse ? 1 : -1;
  const chirpOf = (): [Float64Array, Float64Array] => {
    const cr = new Float64Array(n), ci = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      // k^2 mod 2n keeps the angle exact and small
      const a = (sg * Math.PI * ((k * k) % (2 * n))) / n;
      cr[k] = Math.cos(a); ci[k] = Math.sin(a);
    }
    return [cr, ci];
  };
  const chirp = upload(be, table(`chirp ${n} ${inverse}`, chirpOf));
  const kern = upload(be, table(`kern ${n} ${inverse}`, () => {
    // the transformed conjugate chirp, circularly extended, with the inverse transform's 1/m folded in
    const [cr, ci] = chirpOf();
    const br = new Float64Array(m), bi = new Float64Array(m);
    br[0] = 1;
    for (let k = 1; k < n; k++) { br[k] = br[m - k] = cr[k]!; bi[k] = bi[m - k] = -ci[k]!; }
    fft1d(br, bi, m, false);
    for (let k = 0; k < m; k++) { br[k] = br[k]! / m; bi[k] = bi[k]! / m; }
    return [br, bi];
  }));
  const pad = workBuf(be, count * m);
  be.dispatch(CHIRP_IN, [src, pad, chirp, be.params([count * m, m, n, inner])], groups(count * m));
  const f = pow2Lines(be, pad, m, 1, count, false);
  be.dispatch(CHIRP_MUL, [f, kern, be.params([count * m, m])], groups(count * m));
  const c = pow2Lines(be, f, m, 1, count, true);
  const dst = be.temp(src.size);
  be.dispatch(CHIRP_OUT, [c, dst, chirp, be.params([count * n, m, n, inner])], groups(count * n));
  return dst;
}

/** Transforms every line of `w` along `axis`. */
function transformAxis(be: WebGpuBackend, w: Work, axis: number, inverse: boolean): Work {
  const n = w.shape[axis]!;
  if (n <= 1 || sizeOf(w.shape) === 0) return w;
  const inner = rowMajorStrides(w.shape)[axis]!, count = sizeOf(w.shape) / n;
  let buf: PooledBuffer;
  if (isPow2(n)) buf = pow2Lines(be, w.buf, n, inner, count, inverse);
  else if (n <= DIRECT_MAX) {
    buf = be.temp(w.buf.size);
    be.dispatch(DIRECT_DFT, [w.buf, buf, twiddles(be, n, n, inverse), be.params([count * n, n, inner])], groups(count * n));
  } else buf = bluestein(be, w.buf, n, inner, count, inverse);
  return { buf, shape: w.shape };
}

/** Work shape of a node: transform lengths on the axes, n/2 + 1 on the last one of a complex-to-real transform. */
function workShape(shape: readonly number[], p: PrimitiveParams['fft']): number[] {
  const w = [...shape];
  p.axes.forEach((ax, i) => { w[ax] = p.n[i]!; });
  if (p.real && p.inverse) w[p.axes[p.axes.length - 1]!] = Math.floor(p.n[p.n.length - 1]! / 2) + 1;
  return w;
}

/** Largest complex element count any work buffer of the node needs (Bluestein pads lines to m). */
function peakElements(shape: readonly number[], p: PrimitiveParams['fft']): number {
  const w = workShape(shape, p), total = Math.max(sizeOf(w), sizeOf(fftOutShape(w, p)));
  let peak = total;
  p.axes.forEach((_, i) => {
    const n = p.n[i]!;
    if (n > DIRECT_MAX && !isPow2(n)) peak = Math.max(peak, (total / Math.max(n, 1)) * pow2AtLeast(2 * n - 1));
  });
  return peak;
}

function fftOutShape(w: readonly number[], p: PrimitiveParams['fft']): number[] {
  const o = [...w];
  p.axes.forEach((ax, i) => { o[ax] = p.n[i]!; });
  return o;
}

export const fftKernel: GpuKernel = {
  ok: (node) => {
    const x = node.inputs[0]!, p = node.params as PrimitiveParams['fft'];
    const okIn = p.real && !p.inverse ? x.dtype === dt.float32 : x.dtype === dt.complex64;
    return okIn && 8 * peakElements(x.shape, p) <= MAX_BYTES;
  },
  run: (node, be) => {
    const x = node.inputs[0]!, y = node.outputs[0]!, p = node.params as PrimitiveParams['fft'];
    const o = be.output(y.dtype, y.shape);
    if (y.size === 0) return [o.data];
    const a = be.arg(x), nd = x.ndim;
    const wShape = workShape(x.shape, p);
    const copy = wShape.map((d, i) => Math.min(d, x.shape[i]!));
    let w: Work = { buf: workBuf(be, sizeOf(wShape)), shape: wShape };
    const total = sizeOf(wShape);
    // an empty input is all padding; its buffer may be smaller than one complex binding element
    const src = x.size === 0 ? workBuf(be, 1) : a.buf;
    be.dispatch(loadShader(nd, p.real && !p.inverse),
      [src, w.buf, be.params([total, a.offset, ...wShape, ...copy, ...a.strides])], groups(total));
    let scale = p.scale;
    if (p.inverse) for (const v of p.n) scale /= v;
    const last = p.axes[p.axes.length - 1]!;
    if (p.real && p.inverse) {
      for (const ax of p.axes) if (ax !== last) w = transformAxis(be, w, ax, true);
      w = widen(be, w, last, p.n[p.n.length - 1]!);
      w = transformAxis(be, w, last, true);
    } else {
      for (const ax of p.axes) w = transformAxis(be, w, ax, p.inverse);
    }
    const ws = rowMajorStrides(w.shape), on = y.size;
    be.dispatch(storeShader(y.ndim, p.real && p.inverse), [w.buf, o.arg.buf, be.params([on, f32Bits(scale), ...y.shape, ...ws])], groups(on));
    return [o.data];
  },
};

/** The Hermitian widening of `axis` from h = n/2 + 1 to n values (complex-to-real). */
function widen(be: WebGpuBackend, w: Work, axis: number, n: number): Work {
  const full = [...w.shape];
  full[axis] = n;
  const total = sizeOf(full);
  const dst = workBuf(be, total);
  const inner = rowMajorStrides(full)[axis]!;
  if (total > 0) be.dispatch(HERMITIAN, [w.buf, dst, be.params([total, n, w.shape[axis]!, inner])], groups(total));
  return { buf: dst, shape: full };
}

/** FFT GPU kernels, by primitive name. */
export const fftKernels: Record<string, GpuKernel> = { fft: fftKernel };
