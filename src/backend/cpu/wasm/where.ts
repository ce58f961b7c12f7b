/**
 * @file Driver of the WebAssembly `where(cond, x, y)` kernel for float32 x and y with a bool condition (one byte
 * per element). Operands broadcast and may be strided; each is read in place when it lives in the kernels' memory
 * and copied in once otherwise. Returns null where it does not apply, and the TypeScript kernel runs instead.
 */
import { wasmRuntime, type WasmRuntime } from './runtime.js';
import { stage, unstage, type Staged } from './stage.js';
import { wasmLimits } from './elementwise.js';
import { parallelFor } from '../pool/pool.js';
import { stridedLoop } from '../kernels/elementwise-loop.js';
import type { CpuView } from '../view.js';

const POOL_MIN = 1 << 17;
const CHUNK = 1 << 16;

/** The bool condition's bytes in the kernels' memory: the span it touches, or a dense gather of a small slice. */
function stageBytes(rt: WasmRuntime, v: CpuView): Staged {
  const buf = v.buf as Uint8Array;
  if (rt.owns(buf)) return { addr: buf.byteOffset + v.offset, strides: [...v.strides], tmp: 0 };
  let lo = v.offset, hi = v.offset, n = 1;
  for (let d = 0; d < v.shape.length; d++) {
    const e = v.shape[d]!, s = v.strides[d]!;
    n *= e;
    if (e > 1) { if (s < 0) lo += (e - 1) * s; else hi += (e - 1) * s; }
  }
  if (n === 0) return { addr: 0, strides: [...v.strides], tmp: 0 };
  const span = hi - lo + 1;
  if (span <= 2 * n + 4096) {
    const ptr = rt.alloc(span);
    new Uint8Array(rt.memory.buffer, ptr, span).set(buf.subarray(lo, hi + 1));
    return { addr: ptr + (v.offset - lo), strides: [...v.strides], tmp: ptr };
  }
  // dense row-major gather
  const ptr = rt.alloc(n), dst = new Uint8Array(rt.memory.buffer, ptr, n);
  const dense = new Array<number>(v.shape.length);
  for (let d = v.shape.length - 1, acc = 1; d >= 0; d--) { dense[d] = acc; acc *= v.shape[d]!; }
  stridedLoop([v], v.shape, (len, offs, steps, io) => {
    for (let k = 0, i = offs[0]!; k < len; k++, i += steps[0]!) dst[io + k] = buf[i]!;
  });
  return { addr: ptr, strides: dense, tmp: ptr };
}

function stagedView(v: CpuView, s: Staged): CpuView {
  const dense = s.strides.every((x, i) => x === v.strides[i]);
  return { ...v, offset: 0, strides: s.strides, contiguous: dense ? v.contiguous : true };
}

/**
 * `o = c ? x : y` elementwise (c bool, x/y float32, all broadcasting to `o`, which is dense and in the kernels'
 * memory); false (nothing done) where it does not apply.
 */
export function wasmWhereF32(c: CpuView, x: CpuView, y: CpuView, o: CpuView): boolean {
  const rt = wasmRuntime();
  const n = o.buf.length;
  if (!rt || n < wasmLimits.min || !rt.owns(o.buf)) return false;
  const sc = stageBytes(rt, c);
  const sx = stage(rt, x.buf as Float32Array, x.offset, x.shape, x.strides);
  const sy = stage(rt, y.buf as Float32Array, y.offset, y.shape, y.strides);
  try {
    const ob = o.buf.byteOffset;
    stridedLoop([stagedView(c, sc), stagedView(x, sx), stagedView(y, sy)], o.shape, (len, offs, steps, io) => {
      const args = (per: number): number[] => [
        sc.addr + offs[0]!, steps[0]!, sx.addr + offs[1]! * 4, steps[1]!, sy.addr + offs[2]! * 4, steps[2]!, ob + io * 4, len, per,
      ];
      if (len >= POOL_MIN && rt.shared) parallelFor('where_f32', Math.ceil(len / CHUNK), args(CHUNK));
      else rt.fns.where_f32!(0, ...args(Math.max(len, 1)));
    });
  } finally {
    unstage(rt, sy); unstage(rt, sx); unstage(rt, sc);
  }
  return true;
}

/**
 * `where` on WebAssembly for float32 x/y and a bool condition, or null (the caller runs the TypeScript kernel).
 * @example return [wasmWhereKernel(c, x, y, out, be) ?? typeScriptWhere()];
 */
export function wasmWhereKernel(
  c: CpuView, x: CpuView, y: CpuView, out: { dtype: CpuView['dtype']; shape: readonly number[] },
  be: { alloc(d: CpuView['dtype'], s: readonly number[], zero?: boolean): CpuView; free(s: CpuView['storage']): void },
): CpuView | null {
  if (out.dtype.name !== 'float32' || x.dtype.name !== 'float32' || y.dtype.name !== 'float32' || c.dtype.name !== 'bool') return null;
  let n = 1;
  for (const d of out.shape) n *= d;
  if (n < wasmLimits.min || !wasmRuntime()) return null;
  // every element is written: a recycled buffer needs no clearing
  const o = be.alloc(out.dtype, out.shape, false);
  if (wasmWhereF32(c, x, y, o)) return o;
  be.free(o.storage);
  return null;
}
