/**
 * @file Drivers of the WebAssembly elementwise, reduction and softmax kernels on float32 views. Each returns
 * false (having done nothing) when it does not apply, and the caller runs its TypeScript loop instead. They need
 * the output inside the kernels' memory (the CPU backend allocates large float32 buffers there); inputs are read
 * in place when they live there too, and staged (one copy) otherwise.
 */
import { wasmRuntime, type WasmRuntime } from './runtime.js';
import { stage, unstage, type Staged } from './stage.js';
import { parallelFor } from '../pool/pool.js';
import { stridedLoop } from '../kernels/elementwise-loop.js';
import type { CpuView } from '../view.js';
import type { LanePlan } from '../kernels/reduce-plan.js';

/** Ops of `binary_f32`; all four round exactly like the float64-then-float32 TypeScript loops. */
const BINARY_OPS: Record<string, number> = { add: 0, subtract: 1, multiply: 2, divide: 3 };
// below this many elements a JS loop is as fast as the call; above POOL_MIN elements the pool splits the work
/** Size thresholds (elements): tests lower `min` to reach the kernels on tiny shapes. */
export const wasmLimits = { min: 1024 };
const POOL_MIN = 1 << 17;
const CHUNK = 1 << 16;

function run(rt: WasmRuntime, fn: string, n: number, args: (per: number) => number[]): void {
  if (n >= POOL_MIN && rt.shared) {
    const per = CHUNK;
    parallelFor(fn, Math.ceil(n / per), args(per));
  } else {
    rt.fns[fn]!(0, ...args(Math.max(n, 1)));
  }
}

/** The view as the staged operand sees it: element 0 at the staged address. */
function stagedView(v: CpuView, s: Staged): CpuView {
  const dense = s.strides.every((x, i) => x === v.strides[i]);
  return { ...v, offset: 0, strides: s.strides, contiguous: dense ? v.contiguous : true };
}

/**
 * `o = a op b` (op: add, subtract, multiply, divide) over float32 views broadcasting to `o` (dense, fresh).
 * @example if (!wasmBinaryF32('add', a, b, o)) runTypeScriptLoop();
 */
export function wasmBinaryF32(op: string, a: CpuView, b: CpuView, o: CpuView): boolean {
  const code = BINARY_OPS[op];
  const rt = wasmRuntime();
  const n = o.buf.length;
  if (code === undefined || !rt || n < wasmLimits.min || !rt.owns(o.buf)) return false;
  const sa = stage(rt, a.buf as Float32Array, a.offset, a.shape, a.strides);
  const sb = stage(rt, b.buf as Float32Array, b.offset, b.shape, b.strides);
  try {
    const ob = o.buf.byteOffset;
    stridedLoop([stagedView(a, sa), stagedView(b, sb)], o.shape, (len, offs, steps, io) => {
      const pa = sa.addr + offs[0]! * 4, pb = sb.addr + offs[1]! * 4, po = ob + io * 4;
      run(rt, 'binary_f32', len, (per) => [code, pa, steps[0]!, pb, steps[1]!, po, len, per]);
    });
  } finally {
    unstage(rt, sb); unstage(rt, sa);
  }
  return true;
}

/** The float32 input of a lane reduction at a byte address: in place, or the whole buffer copied once. */
function stageBuffer(rt: WasmRuntime, b: Float32Array, used: number): Staged | null {
  if (rt.owns(b)) return { addr: b.byteOffset, strides: [], tmp: 0 };
  if (b.length > 2 * used + 1024) return null;
  return stage(rt, b, 0, [b.length], [1]);
}

/**
 * sum / mean / max / min of every lane of `plan` over float32 `b` into float32 `out` (float64 accumulation for
 * sums, NaN wins for max and min, as in the TypeScript loops).
 */
export function wasmReduceF32(mode: string, b: Float32Array, p: LanePlan, out: Float32Array): boolean {
  const m = mode === 'sum' || mode === 'mean' ? 0 : mode === 'max' ? 1 : mode === 'min' ? 2 : -1;
  const rt = wasmRuntime();
  const total = p.lanes * p.laneSize;
  if (m < 0 || !rt || total < wasmLimits.min) return false;
  const sb = stageBuffer(rt, b, total);
  if (!sb) return false;
  const parts = Math.max(1, Math.ceil(p.n / CHUNK));
  const dst = rt.alloc(8 * parts);
  try {
    const outer = p.outer[0]!, rows = p.rows[0]!, n = p.n, st = p.step[0]!;
    const scale = mode === 'mean' ? 1 / p.laneSize : 1;
    for (let l = 0; l < p.lanes; l++) {
      let acc = m === 0 ? 0 : m === 1 ? -Infinity : Infinity;
      for (let r = 0; r < rows.length && n > 0; r++) {
        const addr = sb.addr + (outer[l]! + rows[r]!) * 4;
        const big = n >= POOL_MIN && st === 1 && rt.shared;
        const chunks = big ? parts : 1;
        if (m === 2) {
          if (big) parallelFor('reduce_min_f32', chunks, [addr, n, st, CHUNK, dst]);
          else rt.fns.reduce_min_f32!(0, addr, n, st, n, dst);
        } else if (big) parallelFor('reduce_f32', chunks, [m, addr, n, st, CHUNK, dst]);
        else rt.fns.reduce_f32!(0, m, addr, n, st, n, dst);
        const f64 = new Float64Array(rt.memory.buffer, dst, chunks);
        for (let c = 0; c < chunks; c++) {
          const v = f64[c]!;
          if (m === 0) acc += v;
          else if ((m === 1 ? v > acc : v < acc) || v !== v) acc = v;
        }
        if (acc !== acc) break;
      }
      out[l] = mode === 'mean' && p.laneSize === 0 ? NaN : acc * scale;
    }
  } finally {
    rt.free(dst);
    unstage(rt, sb);
  }
  return true;
}

/** softmax over dense float32 lanes of `b` into dense lanes of `out` (which must live in the kernels' memory). */
export function wasmSoftmaxF32(b: Float32Array, p: LanePlan, out: Float32Array): boolean {
  const rt = wasmRuntime();
  const total = p.lanes * p.n;
  if (!rt || total < wasmLimits.min || !rt.owns(out) || p.lanes === 0) return false;
  const sb = stageBuffer(rt, b, total);
  if (!sb) return false;
  try {
    const ib = p.outer[0]!, ob = p.outer[1]!, L = p.lanes, n = p.n;
    const lds = L > 1 ? ib[1]! - ib[0]! : 0, ldo = L > 1 ? ob[1]! - ob[0]! : 0;
    let uniform = true;
    for (let l = 1; l < L && uniform; l++) uniform = ib[l]! - ib[0]! === l * lds && ob[l]! - ob[0]! === l * ldo;
    const src0 = sb.addr + ib[0]! * 4, out0 = out.byteOffset + ob[0]! * 4;
    if (uniform) {
      const per = Math.max(1, Math.ceil(CHUNK / Math.max(n, 1)));
      if (total >= POOL_MIN && rt.shared) parallelFor('softmax_f32', Math.ceil(L / per), [src0, out0, n, L, lds * 4, ldo * 4, per]);
      else rt.fns.softmax_f32!(0, src0, out0, n, L, lds * 4, ldo * 4, L);
    } else {
      for (let l = 0; l < L; l++) rt.fns.softmax_f32!(0, sb.addr + ib[l]! * 4, out.byteOffset + ob[l]! * 4, n, 1, 0, 0, 1);
    }
  } finally {
    unstage(rt, sb);
  }
  return true;
}

/** logsumexp over dense float32 lanes of `b` into `out` (one float32 per lane; `out` may live anywhere). */
export function wasmLogsumexpF32(b: Float32Array, p: LanePlan, out: Float32Array): boolean {
  const rt = wasmRuntime();
  const total = p.lanes * p.n, L = p.lanes;
  if (!rt || total < wasmLimits.min || L === 0) return false;
  const sb = stageBuffer(rt, b, total);
  if (!sb) return false;
  const dst = rt.alloc(16 * L);
  try {
    const ib = p.outer[0]!, n = p.n;
    const lds = L > 1 ? ib[1]! - ib[0]! : 0;
    let uniform = true;
    for (let l = 1; l < L && uniform; l++) uniform = ib[l]! - ib[0]! === l * lds;
    if (uniform) {
      const src0 = sb.addr + ib[0]! * 4, per = Math.max(1, Math.ceil(CHUNK / Math.max(n, 1)));
      if (total >= POOL_MIN && rt.shared) parallelFor('logsumexp_f32', Math.ceil(L / per), [src0, dst, n, L, lds * 4, per]);
      else rt.fns.logsumexp_f32!(0, src0, dst, n, L, lds * 4, L);
    } else {
      for (let l = 0; l < L; l++) rt.fns.logsumexp_f32!(0, sb.addr + ib[l]! * 4, dst + l * 16, n, 1, 0, 1);
    }
    // the kernel leaves (max, sum of e^(x - max)) per lane; a NaN or infinite max is the result itself
    const ms = new Float64Array(rt.memory.buffer, dst, 2 * L);
    for (let l = 0; l < L; l++) {
      const m = ms[2 * l]!;
      out[l] = m !== m || m === Infinity || m === -Infinity ? m : m + Math.log(ms[2 * l + 1]!);
    }
  } finally {
    rt.free(dst);
    unstage(rt, sb);
  }
  return true;
}

/**
 * The float32 binary kernel on WebAssembly, or null where it does not apply (other dtypes and ops, small outputs,
 * no runtime): the caller then runs the TypeScript kernel.
 * @example return [wasmBinaryKernel('add', a, b, out, be) ?? runBinary(def, a, b, out, be)];
 */
export function wasmBinaryKernel(
  op: string, a: CpuView, b: CpuView, out: { dtype: CpuView['dtype']; shape: readonly number[] },
  be: { alloc(d: CpuView['dtype'], s: readonly number[], zero?: boolean): CpuView; free(s: CpuView['storage']): void },
): CpuView | null {
  if (out.dtype.name !== 'float32' || a.dtype.name !== 'float32' || b.dtype.name !== 'float32' || !(op in BINARY_OPS)) return null;
  let n = 1;
  for (const d of out.shape) n *= d;
  if (n < wasmLimits.min || !wasmRuntime()) return null;
  // every element is written: no need to clear a recycled buffer
  const o = be.alloc(out.dtype, out.shape, false);
  if (wasmBinaryF32(op, a, b, o)) return o;
  // the output landed outside the kernels' memory (address space full): give it back, the TypeScript loop runs
  be.free(o.storage);
  return null;
}

/** Ops of `unary_f32`: the first five round exactly like the TypeScript loops, exp and sigmoid within 2 ulp. */
const UNARY_OPS: Record<string, number> = { negative: 0, abs: 1, square: 2, sqrt: 3, reciprocal: 4, exp: 5, sigmoid: 6 };

/** `o = op(x)` over a float32 view into a dense output `o` in the kernels' memory. */
export function wasmUnaryF32(op: string, x: CpuView, o: CpuView): boolean {
  const code = UNARY_OPS[op];
  const rt = wasmRuntime();
  const n = o.buf.length;
  if (code === undefined || !rt || n < wasmLimits.min || !rt.owns(o.buf)) return false;
  const sx = stage(rt, x.buf as Float32Array, x.offset, x.shape, x.strides);
  try {
    const ob = o.buf.byteOffset;
    stridedLoop([stagedView(x, sx)], o.shape, (len, offs, steps, io) => {
      const px = sx.addr + offs[0]! * 4, po = ob + io * 4;
      run(rt, 'unary_f32', len, (per) => [code, px, steps[0]!, po, len, per]);
    });
  } finally {
    unstage(rt, sx);
  }
  return true;
}

/**
 * The float32 unary kernel on WebAssembly, or null where it does not apply (the caller runs the TypeScript one).
 * @example return wasmUnaryKernel('exp', x, out, be) ?? runUnary(def, x, out, be);
 */
export function wasmUnaryKernel(
  op: string, x: CpuView, out: { dtype: CpuView['dtype']; shape: readonly number[] },
  be: { alloc(d: CpuView['dtype'], s: readonly number[], zero?: boolean): CpuView; free(s: CpuView['storage']): void },
): CpuView | null {
  // a pass-through unary (abs of an unsigned int, ...) never gets here: both dtypes must be float32
  if (out.dtype.name !== 'float32' || x.dtype.name !== 'float32' || !(op in UNARY_OPS)) return null;
  let n = 1;
  for (const d of out.shape) n *= d;
  if (n < wasmLimits.min || !wasmRuntime()) return null;
  const o = be.alloc(out.dtype, out.shape, false);
  if (wasmUnaryF32(op, x, o)) return o;
  be.free(o.storage);
  return null;
}

/**
 * argmax/argmin of every lane of a float32 input whose lanes are single strided runs, into uint32 `out`.
 * @example if (wasmArgReduceF32(true, buf, plan, out)) return [o];
 */
export function wasmArgReduceF32(isMax: boolean, b: Float32Array, p: LanePlan, out: Uint32Array): boolean {
  const rt = wasmRuntime();
  if (!rt || p.lanes * p.laneSize < wasmLimits.min || p.rows[0]!.length !== 1) return false;
  const sb = stageBuffer(rt, b, p.lanes * p.laneSize);
  if (!sb) return false;
  try {
    const outer = p.outer[0]!, r0 = p.rows[0]![0]!, n = p.n, st = p.step[0]!, f = rt.fns.argreduce_f32 as unknown as (...a: number[]) => number;
    for (let l = 0; l < p.lanes; l++) out[l] = f(isMax ? 1 : 0, sb.addr + (outer[l]! + r0) * 4, n, st);
  } finally {
    unstage(rt, sb);
  }
  return true;
}
