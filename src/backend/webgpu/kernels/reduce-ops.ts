/**
 * @file Pieces shared by the GPU reductions: the folds of each `reduce` mode in WGSL (identity, combine, the 32-bit
 * type results are accumulated in) and a generator of "segment reduce" functions that fold a value across the
 * consecutive invocations of a workgroup that work on one row (with subgroup operations when the device has them,
 * else through workgroup memory).
 */
import * as dt from '../../../core/dtype.js';
import type { Dtype } from '../../../core/dtype.js';
import type { WebGpuBackend } from '../backend.js';
import { computeType, type ComputeType } from '../wgsl.js';
import { reduceTuning } from './reduce-tuning.js';

/** The `reduce` modes with GPU kernels. */
export type Mode = 'sum' | 'prod' | 'max' | 'min' | 'all' | 'any' | 'mean';
export const MODES = new Set<string>(['sum', 'prod', 'max', 'min', 'all', 'any', 'mean']);

/** The 32-bit dtype a result is accumulated and first stored in. */
export function accDtype(mode: Mode, out: Dtype): Dtype {
  if (mode === 'all' || mode === 'any' || out === dt.bool) return dt.uint32;
  const t = computeType(out);
  return t === 'f32' ? dt.float32 : t === 'i32' ? dt.int32 : dt.uint32;
}

/** WGSL of the fold's identity in compute type `t`. */
export function identity(mode: Mode, t: ComputeType): string {
  switch (mode) {
    case 'sum': case 'mean': case 'any': return `${t}(0)`;
    case 'prod': case 'all': return `${t}(1)`;
    case 'max': return t === 'f32' ? '-f_inf()' : t === 'i32' ? 'bitcast<i32>(0x80000000u)' : '0u';
    case 'min': return t === 'f32' ? 'f_inf()' : t === 'i32' ? '0x7fffffff' : '0xffffffffu';
  }
}

/** WGSL folding `a` and `b`; float max/min let a NaN win, as the CPU kernels do. */
export function combine(mode: Mode, t: ComputeType, a: string, b: string): string {
  switch (mode) {
    case 'sum': case 'mean': return `${a} + ${b}`;
    case 'prod': return `${a} * ${b}`;
    case 'all': return `${a} & ${b}`;
    case 'any': return `${a} | ${b}`;
    case 'max': return t === 'f32' ? `select(${b}, ${a}, ${a} > ${b} || is_nan(${a}))` : `max(${a}, ${b})`;
    case 'min': return t === 'f32' ? `select(${b}, ${a}, ${a} < ${b} || is_nan(${a}))` : `min(${a}, ${b})`;
  }
}

/** WGSL converting a loaded value (input compute type `ti`) to the accumulator of `mode` in type `t`. */
export function toAcc(mode: Mode, v: string, ti: ComputeType, t: ComputeType): string {
  if (mode === 'all' || mode === 'any') return `select(0u, 1u, ${ti === 'bool' ? v : ti === 'f32' ? `(${v} != 0.0)` : `(${v} != ${ti}(0))`})`;
  if (ti === t) return v;
  if (ti === 'bool') return `select(${t}(0), ${t}(1), ${v})`;
  if (ti === 'f32' && t === 'u32') return `bitcast<u32>(i32(${v}))`;
  if (ti === 'i32' && t === 'u32') return `bitcast<u32>(${v})`;
  if (ti === 'u32' && t === 'i32') return `bitcast<i32>(${v})`;
  return `${t}(${v})`;
}

/** Whether generated kernels may use subgroup operations on this device (and the tuning allows it). */
export function useSubgroups(be: WebGpuBackend): boolean {
  return reduceTuning().subgroups && be.device.features.has('subgroups');
}

/** The `enable` line and the extra entry-point builtins a shader needs for subgroups. */
export function sgHeader(sg: boolean): { enable: string; builtins: string; args: string } {
  return sg
    ? { enable: 'enable subgroups;', builtins: ', @builtin(subgroup_size) sgs: u32', args: ', sgs' }
    : { enable: '', builtins: '', args: '' };
}

/**
 * WGSL of `fn NAME(v: T, lid: u32[, sgs: u32]) -> T`: folds `v` over each run of `tpr` consecutive invocations of
 * a workgroup of `wg` (both powers of two) and returns the run's result to all of them. It contains barriers, so
 * every invocation must call it (uniform control flow). With subgroups, runs that fit a subgroup fold by
 * butterfly shuffles; longer runs fold each subgroup, then the subgroups' results through workgroup memory (this
 * assumes subgroups are consecutive invocation indices, as on every Vulkan driver we know of).
 * `sum` selects subgroupAdd for the whole-subgroup step; other folds shuffle (NaN handling stays ours).
 */
export function segReduceFn(name: string, t: string, comb: (a: string, b: string) => string, wg: number, tpr: number,
  sg: boolean, sum = false): string {
  const sh = `${name}_sh`;
  if (!sg) {
    return `var<workgroup> ${sh}: array<${t}, ${wg}>;
fn ${name}(v: ${t}, lid: u32) -> ${t} {
  ${sh}[lid] = v;
  workgroupBarrier();
  for (var s = ${tpr >> 1}u; s > 0u; s = s >> 1u) {
    if ((lid & ${tpr - 1}u) < s) { ${sh}[lid] = ${comb(`${sh}[lid]`, `${sh}[lid + s]`)}; }
    workgroupBarrier();
  }
  let r = ${sh}[lid & ${~(tpr - 1) >>> 0}u];
  workgroupBarrier();
  return r;
}`;
  }
  return `var<workgroup> ${sh}: array<${t}, ${wg}>;
fn ${name}(v: ${t}, lid: u32, sgs: u32) -> ${t} {
  if (${tpr}u <= sgs) {
    var r = v;
    for (var m = ${tpr >> 1}u; m > 0u; m = m >> 1u) { r = ${comb('r', 'subgroupShuffleXor(r, m)')}; }
    return r;
  }
  var p = v;
  ${sum ? 'p = subgroupAdd(p);' : `for (var m = sgs / 2u; m > 0u; m = m >> 1u) { p = ${comb('p', 'subgroupShuffleXor(p, m)')}; }`}
  if ((lid & (sgs - 1u)) == 0u) { ${sh}[lid / sgs] = p; }
  workgroupBarrier();
  let per = ${tpr}u / sgs;
  let first = (lid / ${tpr}u) * per;
  var r: ${t};
  if (per <= sgs) {
    // each run of \`per\` lanes loads the run's subgroup results and folds them by shuffles
    r = ${sh}[first + (lid & (per - 1u))];
    for (var m = per >> 1u; m > 0u; m = m >> 1u) { r = ${comb('r', 'subgroupShuffleXor(r, m)')}; }
  } else {
    r = ${sh}[first];
    for (var k = 1u; k < per; k++) { r = ${comb('r', `${sh}[first + k]`)}; }
  }
  workgroupBarrier();
  return r;
}`;
}

/** The call of a function made by `segReduceFn`. */
export function segCall(name: string, v: string, sg: boolean): string {
  return `${name}(${v}, lid${sg ? ', sgs' : ''})`;
}

/**
 * WGSL of `fn row_base(row: i32) -> i32`: the element offset of row `row` whose kept (outer) dims, row-major,
 * have their shape at prm[shapeAt..] and strides at prm[shapeAt + nk..], plus prm[offAt].
 */
export function rowBaseFn(nk: number, shapeAt: number, offAt: number): string {
  const lines: string[] = [];
  for (let d = nk - 1; d >= 0; d--) {
    lines.push(`{ let i = ${d ? `rem % prm[${shapeAt + d}]` : 'rem'};${d ? ` rem = rem / prm[${shapeAt + d}];` : ''} b += i * prm[${shapeAt + nk + d}]; }`);
  }
  return `fn row_base(row: i32) -> i32 {
  var rem = row;
  var b = prm[${offAt}];
  ${lines.join('\n  ')}
  return b;
}`;
}

/**
 * Caches a shader generator by its arguments (dtypes by name): a launch then costs a map lookup instead of
 * rebuilding kilobytes of WGSL, which matters when the host, not the GPU, bounds a stream of small launches.
 */
export function memoShader<A extends unknown[]>(gen: (...a: A) => string): (...a: A) => string {
  const cache = new Map<string, string>();
  return (...a: A): string => {
    const key = a.map((v) => (typeof v === 'object' && v !== null && 'name' in v ? (v as { name: string }).name : String(v))).join('|');
    let code = cache.get(key);
    if (code === undefined) { code = gen(...a); cache.set(key, code); }
    return code;
  };
}
