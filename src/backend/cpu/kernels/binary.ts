/**
 * @file CPU kernels of the binary family. Both inputs share one dtype (the op promoted them) and broadcast through
 * zero strides. Contiguous same-shape and array-scalar float cases run the op's literal fast loops; everything
 * else goes through the strided loop with the op's scalar function for the storage class.
 */
import * as dt from '../../../core/dtype.js';
import type { MxArray } from '../../../core/array.js';
import { ARITH_BINARY, BOOL_BINARY, type SimpleBinaryName } from '../../../core/primitives/binary.js';
import type { CpuKernel, CpuKernelTable } from '../kernel.js';
import type { CpuView } from '../view.js';
import type { CpuBackend } from '../index.js';
import { stridedLoop, storageClass, asF } from './elementwise-loop.js';
import { BINARY_DEFS, type BinaryDef, type NumFn2 } from './binary-defs.js';
import { numReader, numEncoder } from './unary.js';
import { remBig, remInt, remFloat } from './elementwise-math.js';
import { closeKernels } from './binary-close.js';
import { wasmBinaryKernel } from '../wasm/elementwise.js';

function dense(x: CpuView, shape: readonly number[]): boolean {
  if (!x.contiguous || x.shape.length !== shape.length) return false;
  for (let i = 0; i < shape.length; i++) if (x.shape[i] !== shape[i]) return false;
  return true;
}

/** The fast loops, when they apply; returns whether they ran. */
function tryFast(def: BinaryDef, a: CpuView, b: CpuView, o: CpuView): boolean {
  const f = def.fast;
  if (!f) return false;
  const d = a.dtype;
  const ok = d === dt.float32 || d === dt.float64 || (def.fastInts && (storageClass(d) === 'num' || (def.pred && d === dt.bool)));
  if (!ok) return false;
  const n = o.buf.length;
  const ab = asF(a.buf), bb = asF(b.buf), ob = asF(o.buf);
  const shape = o.shape;
  if (dense(a, shape)) {
    if (dense(b, shape)) { f.vv(ab, a.offset, bb, b.offset, ob, n); return true; }
    if (b.buf.length > 0 && sizeIs1(b)) { f.vs(ab, a.offset, bb[b.offset]!, ob, n); return true; }
  } else if (dense(b, shape) && sizeIs1(a)) {
    f.sv(ab[a.offset]!, bb, b.offset, ob, n);
    return true;
  }
  return false;
}

function sizeIs1(x: CpuView): boolean {
  for (const s of x.shape) if (s !== 1) return false;
  return true;
}

function numFn(def: BinaryDef, d: dt.Dtype): NumFn2 {
  if (d === dt.bool && def.bool) return def.bool;
  if (dt.isInteger(d)) {
    if (def.intFor) return def.intFor(d);
    if (def.int) return def.int;
  }
  if (def.floatFor && dt.isFloating(d)) return def.floatFor(d);
  return def.num!;
}

function loopNum(f: NumFn2, a: CpuView, b: CpuView, o: CpuView, pred: boolean): void {
  const ab = asF(a.buf), bb = asF(b.buf), ob = asF(o.buf);
  const sc = storageClass(a.dtype);
  const direct = sc === 'num' || sc === 'bool';
  const rd = numReader(a.dtype), enc = numEncoder(o.dtype, pred);
  stridedLoop([a, b], o.shape, (n, offs, steps, io) => {
    let i = offs[0]!, j = offs[1]!;
    const si = steps[0]!, sj = steps[1]!;
    if (direct && !enc) for (let k = 0; k < n; k++, i += si, j += sj) ob[io + k] = f(ab[i]!, bb[j]!);
    else if (direct) for (let k = 0; k < n; k++, i += si, j += sj) ob[io + k] = enc!(f(ab[i]!, bb[j]!));
    else if (!enc) for (let k = 0; k < n; k++, i += si, j += sj) ob[io + k] = f(rd(ab, i), rd(bb, j));
    else for (let k = 0; k < n; k++, i += si, j += sj) ob[io + k] = enc(f(rd(ab, i), rd(bb, j)));
  });
}

function loopBig(f: (x: bigint, y: bigint) => bigint | number, a: CpuView, b: CpuView, o: CpuView): void {
  const ab = a.buf as BigInt64Array, bb = b.buf as BigInt64Array;
  const ob = o.buf as unknown as (bigint | number)[];
  const od = o.dtype;
  const wrap = od === dt.int64 ? (v: bigint | number) => BigInt.asIntN(64, v as bigint)
    : od === dt.uint64 ? (v: bigint | number) => BigInt.asUintN(64, v as bigint) : (v: bigint | number) => v;
  stridedLoop([a, b], o.shape, (n, offs, steps, io) => {
    let i = offs[0]!, j = offs[1]!;
    const si = steps[0]!, sj = steps[1]!;
    for (let k = 0; k < n; k++, i += si, j += sj) ob[io + k] = wrap(f(ab[i]!, bb[j]!));
  });
}

function loopComplex(def: BinaryDef, a: CpuView, b: CpuView, o: CpuView): void {
  const ab = a.buf as Float32Array, bb = b.buf as Float32Array;
  const t = new Float64Array(2);
  const c = def.cplx, p = def.cplxPred;
  const ob = o.buf as Float32Array | Uint8Array;
  stridedLoop([a, b], o.shape, (n, offs, steps, io) => {
    let i = 2 * offs[0]!, j = 2 * offs[1]!;
    const si = 2 * steps[0]!, sj = 2 * steps[1]!;
    for (let k = 0; k < n; k++, i += si, j += sj) {
      if (p) ob[io + k] = p(ab[i]!, ab[i + 1]!, bb[j]!, bb[j + 1]!);
      else {
        c!(ab[i]!, ab[i + 1]!, bb[j]!, bb[j + 1]!, t);
        ob[2 * (io + k)] = t[0]!; ob[2 * (io + k) + 1] = t[1]!;
      }
    }
  });
}

/** Runs a binary op definition on two same-dtype views into a fresh output. */
export function runBinary(def: BinaryDef, a: CpuView, b: CpuView, out: MxArray, be: CpuBackend): CpuView {
  const o = be.alloc(out.dtype, out.shape);
  if (o.buf.length === 0) return o;
  const sc = storageClass(a.dtype);
  if (sc === 'cplx') loopComplex(def, a, b, o);
  else if (sc === 'big') loopBig(def.big!, a, b, o);
  else if (!tryFast(def, a, b, o)) loopNum(numFn(def, a.dtype), a, b, o, !!def.pred);
  return o;
}

function binaryKernel(name: SimpleBinaryName): CpuKernel<SimpleBinaryName> {
  const def = BINARY_DEFS[name]!;
  // float32 add/subtract/multiply/divide run on the WASM SIMD kernel when it applies; this file is the reference
  return ([a, b], _p, [out], be) => [wasmBinaryKernel(name, a!, b!, out!, be) ?? runBinary(def, a!, b!, out!, be)];
}

const table: Record<string, CpuKernel<never>> = {};
for (const n of [...ARITH_BINARY, ...BOOL_BINARY] as const) table[n] = binaryKernel(n);

table.divmod = (([a, b], _p, [q, r], be) => {
  const qd = BINARY_DEFS.floorDivide!;
  const rd: BinaryDef = { num: remFloat, int: remInt, bool: remInt, big: remBig };
  return [runBinary(qd, a!, b!, q!, be), runBinary(rd, a!, b!, r!, be)];
}) as CpuKernel<'divmod'>;

Object.assign(table, closeKernels);

export const binaryKernels = table as unknown as CpuKernelTable<SimpleBinaryName | 'divmod' | 'isclose' | 'allclose' | 'arrayEqual'>;
