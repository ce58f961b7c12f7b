/**
 * @file GPU `scan` (cumsum, cumprod, cummax, cummin, logcumsumexp; forward or reverse, inclusive or exclusive)
 * along one axis or over the row-major flattened array, for every dtype of 32 bits or fewer.
 *
 * Two launch shapes, both with strided inputs read through index math (no dense copy first):
 * - one workgroup per row (the usual case: the scan axis is the output's innermost one, or there are few rows):
 *   the row is walked in chunks of `WG * K` elements; each invocation folds its K consecutive elements, the
 *   workgroup scans those partial folds in shared memory, and a running carry joins the chunks, so rows of any
 *   length work with one launch.
 * - one invocation per row, scanning serially (the scan axis is not innermost and there are many rows): adjacent
 *   invocations then touch adjacent elements.
 * Results are computed in 32 bits (f32 for every float dtype, wrapping i32/u32 for integers as the CPU kernel's
 * int32 accumulator wraps, u32 0/1 for bool); narrower outputs go through a 32-bit temporary and one elementwise
 * narrowing pass, so no two workgroups ever write the same word.
 */
import * as dt from '../../../core/dtype.js';
import type { Dtype } from '../../../core/dtype.js';
import { iinfo } from '../../../core/dtype.js';
import type { PrimitiveParams } from '../../../core/primitive.js';
import type { ScanMode } from '../../../core/primitives/cumulative.js';
import { rowMajorStrides, sizeOf } from '../../../core/shape.js';
import type { ArrayData } from '../../backend.js';
import type { GpuArg, WebGpuBackend } from '../backend.js';
import { PRELUDE, computeType, convert, loader, storeBits, type ComputeType } from '../wgsl.js';
import type { GpuKernel } from './kernel.js';
import { collapse, narrow } from './elementwise.js';

/** Workgroup size of the one-invocation-per-row shader, and the largest of the workgroup-per-row one. */
const WG = 256;
/** Elements one invocation folds per chunk in the workgroup-per-row shader. */
const K = 4;
/** Rows from which a non-innermost (or very short) scan axis is scanned one row per invocation. */
const SERIAL_ROWS = 1024;
/** Row length up to which a scan over many rows is serial whatever the layout. */
const SHORT_ROW = 16;

/** Workgroup size of the workgroup-per-row shader: short rows get small groups (32, a warp/subgroup or two). */
const rowGroup = (n: number): number => Math.min(WG, Math.max(32, 2 ** Math.ceil(Math.log2(Math.ceil(n / K)))));

/** The 32-bit dtype the scan accumulates and first stores in. */
function accDtype(out: Dtype): Dtype {
  const t = computeType(out);
  return t === 'f32' ? dt.float32 : t === 'i32' ? dt.int32 : dt.uint32;
}

/** WGSL integer literal of compute type `t` (i32 literals below -2^31 + 1 need a bitcast). */
const intLit = (v: number, t: ComputeType): string =>
  t === 'u32' ? `${v >>> 0}u` : v === -2147483648 ? 'bitcast<i32>(0x80000000u)' : `i32(${v})`;

/**
 * The fold's identity in the accumulator, which is also the first element of an exclusive scan: it must be the
 * value the CPU kernel starts from (the output dtype's integer limits for max/min, -0 for float sums so that a
 * lone -0 stays -0).
 */
function identity(mode: ScanMode, out: Dtype, t: ComputeType): string {
  const isBool = out === dt.bool;
  switch (mode) {
    case 'sum': return t === 'f32' ? 'bitcast<f32>(0x80000000u)' : intLit(0, t);
    case 'prod': return t === 'f32' ? '1.0' : intLit(1, t);
    case 'logaddexp': return '-f_inf()';
    case 'max': return t === 'f32' ? '-f_inf()' : intLit(isBool ? 0 : Number(iinfo(out).min), t);
    case 'min': return t === 'f32' ? 'f_inf()' : intLit(isBool ? 1 : Number(iinfo(out).max), t);
  }
}

/** WGSL `fn comb(a, b)`: the fold step, associative (NaN absorbs in float max/min, as the CPU's running max). */
function combine(mode: ScanMode, t: ComputeType): string {
  let body: string;
  switch (mode) {
    case 'sum': body = 'return a + b;'; break;
    case 'prod': body = 'return a * b;'; break;
    case 'max': case 'min': {
      const op = mode === 'max' ? '>' : '<';
      body = t === 'f32'
        ? `if (is_nan(a) || is_nan(b)) { return select(a, b, is_nan(b)); }\n  return select(a, b, b ${op} a);`
        : `return ${mode}(a, b);`;
      break;
    }
    case 'logaddexp':
      body = `if (is_nan(a) || is_nan(b)) { return f_nan(); }
  if (a == b) { return a + 0.69314718055994531; }
  let x = exp(-abs(a - b));
  return max(a, b) + select(log(1.0 + x), x - 0.5 * x * x + x * x * x / 3.0, x < 1e-3);`;
      break;
  }
  return `fn comb(a: ${t}, b: ${t}) -> ${t} {\n  ${body}\n}`;
}

/** WGSL lines adding the strided offsets of flat index `v` (decoded over `n` dims) to each accumulator. */
function decode(v: string, n: number, shapeAt: number, strideAt: readonly number[], accs: readonly string[]): string {
  const out: string[] = [];
  for (let d = n - 1; d >= 0; d--) {
    const i = d ? `${v} % prm[${shapeAt + d}]` : v;
    const adds = accs.map((a, k) => ` ${a} += i * prm[${strideAt[k]! + d}];`).join('');
    out.push(`{ let i = ${i};${d ? ` ${v} = ${v} / prm[${shapeAt + d}];` : ''}${adds} }`);
  }
  return out.join('\n  ');
}

interface Geometry {
  rows: number;
  n: number;
  /** [rows, n, inOffset, outStep, keptShape[nk], keptIn[nk], keptOut[nk], scanShape[ns], scanIn[ns]] */
  meta: number[];
  nk: number;
  ns: number;
}

/** Rows, row length and the parameter block of a scan of `x` along `axis` into a dense output. */
function geometry(x: GpuArg, axis: number | null, outShape: readonly number[]): Geometry {
  const nd = x.shape.length;
  const scanDims = axis === null ? x.shape.map((_, d) => d) : [axis];
  const kept = x.shape.map((_, d) => d).filter((d) => !scanDims.includes(d));
  const outStrides = rowMajorStrides(outShape);
  const [kSh, [kIn, kOut]] = collapse(kept.map((d) => x.shape[d]!), [kept.map((d) => x.strides[d]!), kept.map((d) => outStrides[d]!)]);
  const [sSh, [sIn]] = collapse(scanDims.map((d) => x.shape[d]!), [scanDims.map((d) => x.strides[d]!)]);
  const n = sizeOf(scanDims.map((d) => x.shape[d]!));
  const outStep = axis === null || nd === 0 ? 1 : outStrides[axis]!;
  const meta = [sizeOf(kept.map((d) => x.shape[d]!)), n, x.offset, outStep, ...kSh, ...kIn!, ...kOut!, ...sSh, ...sIn!];
  return { rows: meta[0]!, n, meta, nk: kSh.length, ns: sSh.length };
}

/** The parts both shaders share: bindings, loader, fold, and `load(j)`/`put(j, v)` at logical position j. */
function common(inp: Dtype, acc: Dtype, mode: ScanMode, reverse: boolean, g: Geometry): string {
  const t = computeType(acc)!;
  const ks = 4, kin = ks + g.nk, kout = kin + g.nk, ss = kout + g.nk, sin = ss + g.ns;
  const pos = reverse ? '(prm[1] - 1 - j)' : 'j';
  return `${PRELUDE}
@group(0) @binding(0) var<storage, read> in0: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<storage, read> prm: array<i32>;
${loader('ld0', 'in0', inp)}
${combine(mode, t)}
var<private> inBase: i32;
var<private> outBase: i32;
fn setRow(row: i32) {
  var r = row;
  inBase = prm[2];
  outBase = 0;
  ${decode('r', g.nk, ks, [kin, kout], ['inBase', 'outBase'])}
}
fn load(j: i32) -> ${t} {
  var p = ${pos};
  var off = inBase;
  ${decode('p', g.ns, ss, [sin], ['off'])}
  return ${convert('ld0(off)', computeType(inp)!, t)};
}
fn put(j: i32, v: ${t}) { out[outBase + ${pos} * prm[3]] = ${storeBits('v', acc)}; }
`;
}

/** One workgroup per row: chunked workgroup scan with a running carry. */
function wgShader(inp: Dtype, acc: Dtype, out: Dtype, p: PrimitiveParams['scan'], g: Geometry): string {
  const t = computeType(acc)!, id = identity(p.mode, out, t), WG = rowGroup(g.n);
  const put = p.inclusive ? 'put(j, v);' : 'if (j + 1 < n) { put(j + 1, v); }';
  return `${common(inp, acc, p.mode, p.reverse, g)}
var<workgroup> sh: array<${t}, ${WG}>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = i32(wid.x + wid.y * nwg.x);
  if (row >= prm[0]) { return; }
  let n = prm[1];
  setRow(row);
  ${p.inclusive ? '' : `if (lid == 0u && n > 0) { put(0, ${id}); }`}
  var carry = ${id};
  let chunks = (n + ${WG * K - 1}) / ${WG * K};
  for (var c = 0; c < chunks; c++) {
    let j0 = c * ${WG * K} + i32(lid) * ${K};
    var loc: array<${t}, ${K}>;
    var a = ${id};
    for (var i = 0; i < ${K}; i++) {
      if (j0 + i < n) { a = comb(a, load(j0 + i)); }
      loc[i] = a;
    }
    sh[lid] = a;
    workgroupBarrier();
    for (var s = 1u; s < ${WG}u; s = s << 1u) {
      var prev = ${id};
      if (lid >= s) { prev = sh[lid - s]; }
      workgroupBarrier();
      if (lid >= s) { sh[lid] = comb(prev, sh[lid]); }
      workgroupBarrier();
    }
    var pre = carry;
    if (lid > 0u) { pre = comb(carry, sh[lid - 1u]); }
    for (var i = 0; i < ${K}; i++) {
      let j = j0 + i;
      if (j < n) { let v = comb(pre, loc[i]); ${put} }
    }
    carry = comb(carry, sh[${WG - 1}]);
    workgroupBarrier();
  }
}`;
}

/** One invocation per row, scanning it serially. */
function serialShader(inp: Dtype, acc: Dtype, out: Dtype, p: PrimitiveParams['scan'], g: Geometry): string {
  const t = computeType(acc)!, id = identity(p.mode, out, t);
  const step = p.inclusive ? 'a = comb(a, load(j)); put(j, a);' : 'put(j, a); a = comb(a, load(j));';
  return `${common(inp, acc, p.mode, p.reverse, g)}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = i32((wid.x + wid.y * nwg.x) * ${WG}u + lid);
  if (row >= prm[0]) { return; }
  setRow(row);
  var a = ${id};
  for (var j = 0; j < prm[1]; j++) { ${step} }
}`;
}

const scanKernel: GpuKernel = {
  ok: (node) => {
    const p = node.params as PrimitiveParams['scan'];
    const ti = computeType(node.inputs[0]!.dtype), to = computeType(node.outputs[0]!.dtype);
    return ti !== null && to !== null && (p.mode !== 'logaddexp' || to === 'f32');
  },
  run: (node, be) => {
    const p = node.params as PrimitiveParams['scan'];
    const xa = node.inputs[0]!, y = node.outputs[0]!;
    const acc = accDtype(y.dtype);
    const direct = acc === y.dtype;
    const o = direct ? be.output(y.dtype, y.shape) : null;
    if (y.size === 0) return [o ? o.data : be.output(y.dtype, y.shape).data];
    const dst: GpuArg = o ? o.arg : be.tempArg(acc, y.shape);
    const x = be.arg(xa);
    const g = geometry(x, p.axis, y.shape);
    const serial = g.rows >= SERIAL_ROWS && (g.meta[3]! > 1 || g.n <= SHORT_ROW);
    const code = serial ? serialShader(xa.dtype, acc, y.dtype, p, g) : wgShader(xa.dtype, acc, y.dtype, p, g);
    be.dispatch(code, [x.buf, dst.buf, be.params(g.meta)], serial ? Math.ceil(g.rows / WG) : g.rows);
    const data: ArrayData = o ? o.data : narrow(be, dst, y.dtype);
    return [data];
  },
};

/** The scan GPU kernel, by primitive name. */
export const scanKernels: Record<string, GpuKernel> = { scan: scanKernel };
