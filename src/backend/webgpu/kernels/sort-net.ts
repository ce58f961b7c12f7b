/**
 * @file The GPU sorting network shared by the sort family: a bitonic sort of (key, index) pairs, one row of the
 * result per lane of the input. Each lane is padded to a power of two `P` (pads: key 0xffffffff and an index past
 * the lane, so they sort last even after NaNs). Comparing pairs lexicographically makes every element distinct, so
 * the network's result is the stable order, identical to the CPU's stable sort for equal keys.
 *
 * Tiles of `TILE` elements are sorted in workgroup memory in one dispatch (several short lanes per tile: the
 * "flip" form of the network sorts every aligned block ascending, so lanes never mix). Longer lanes continue with
 * one global dispatch per merge distance >= TILE and a workgroup-memory pass for the distances below it.
 */
import * as dt from '../../../core/dtype.js';
import type { Dtype } from '../../../core/dtype.js';
import { sizeOf } from '../../../core/shape.js';
import type { ArrayData } from '../../backend.js';
import type { PooledBuffer } from '../allocator.js';
import type { GpuArg, WebGpuBackend } from '../backend.js';
import { PRELUDE, PACKED_WG, lanes as perWord, loader, packedMain } from '../wgsl.js';
import { collapse } from './elementwise.js';

/** Elements sorted in workgroup memory per tile (keys + indices: 16 KiB, the WebGPU default limit). */
export const TILE = 2048;
const WG = 256;
/** The sort declines lanes whose padded pair buffers would pass the guaranteed 128 MiB binding size. */
export const MAX_PADDED = (128 * 1024 * 1024) / 4;

/** Lanes of a strided view along `axis` (null: the row-major flattened array as one lane). */
export interface Lanes {
  rows: number;
  n: number;
  rowShape: number[];
  rowStrides: number[];
  laneShape: number[];
  laneStrides: number[];
  offset: number;
}

/** The lane geometry of `x`: rows in row-major order of the other dimensions, adjacent contiguous dims merged. */
export function lanesOf(x: Pick<GpuArg, 'shape' | 'strides' | 'offset'>, axis: number | null): Lanes {
  const dims = x.shape.map((_, d) => d);
  const laneAxes = axis === null ? dims : [axis];
  const rowAxes = axis === null ? [] : dims.filter((d) => d !== axis);
  const [rowShape, [rowStrides]] = collapse(rowAxes.map((d) => x.shape[d]!), [rowAxes.map((d) => x.strides[d]!)]);
  const [laneShape, [laneStrides]] = collapse(laneAxes.map((d) => x.shape[d]!), [laneAxes.map((d) => x.strides[d]!)]);
  const n = laneAxes.reduce((a, d) => a * x.shape[d]!, 1);
  const rows = rowAxes.reduce((a, d) => a * x.shape[d]!, 1);
  return { rows, n, rowShape, rowStrides: rowStrides!, laneShape, laneStrides: laneStrides!, offset: x.offset };
}

/**
 * WGSL `fn NAME(r: i32, j: i32) -> i32`: the element offset of position j of lane r, reading its geometry from
 * `prm[at...]`; returns the function and the parameters to append there.
 */
export function laneOffsetFn(name: string, l: Lanes, at: number): { wgsl: string; prm: number[] } {
  const prm = [l.offset, ...l.rowShape, ...l.rowStrides, ...l.laneShape, ...l.laneStrides];
  const nr = l.rowShape.length, nl = l.laneShape.length;
  const dec = (v: string, sh: number, st: number, nd: number): string[] => {
    const out: string[] = [];
    for (let d = nd - 1; d >= 0; d--) {
      out.push(`{ let i = ${d ? `${v} % prm[${sh + d}]` : v};${d ? ` ${v} = ${v} / prm[${sh + d}];` : ''} o += i * prm[${st + d}]; }`);
    }
    return out;
  };
  const body = [
    `var o = prm[${at}];`, 'var q = r;', ...dec('q', at + 1, at + 1 + nr, nr),
    'var p = j;', ...dec('p', at + 1 + 2 * nr, at + 1 + 2 * nr + nl, nl),
  ];
  return { wgsl: `fn ${name}(r: i32, j: i32) -> i32 {\n  ${body.join('\n  ')}\n  return o;\n}`, prm };
}

/** The unsigned dtype of a dtype's width, whose loader yields the element's raw bits. */
export function rawDtype(d: Dtype): Dtype {
  return d.size === 1 ? dt.uint8 : d.size === 2 ? dt.uint16 : dt.uint32;
}

/**
 * WGSL expression: the order-preserving u32 key of raw bits `h` of dtype `d`. Floats: NaN (either sign) is the
 * largest key, negatives have every bit flipped, others the sign bit set; with `zeroEqual` -0 takes +0's key
 * (the CPU's argsort compares -0 == 0 and keeps index order, its value sort puts -0 first). Signed integers flip
 * the sign bit of their width. Pure bit math, so subnormals are never flushed.
 */
export function keyExpr(h: string, d: Dtype, zeroEqual: boolean): string {
  const w = d.size * 8, sign = 2 ** (w - 1), full = w === 32 ? 0xffffffff : 2 ** w - 1;
  const hex = (x: number): string => `0x${x.toString(16)}u`;
  if (d.name === 'float32' || d.name === 'float16' || d.name === 'bfloat16') {
    const inf = d.name === 'float32' ? 0x7f800000 : d.name === 'float16' ? 0x7c00 : 0x7f80;
    const abs = sign - 1;
    const z = zeroEqual ? `select(${h}, 0u, (${h} & ${hex(abs)}) == 0u)` : h;
    return `select(select(${z} | ${hex(sign)}, ~${z} & ${hex(full)}, (${z} & ${hex(sign)}) != 0u), 0xffffffffu, (${h} & ${hex(abs)}) > ${hex(inf)})`;
  }
  if (d.name === 'int32' || d.name === 'int16' || d.name === 'int8') return `(${h} ^ ${hex(sign)})`;
  return h;
}

const HEAD = `@group(0) @binding(0) var<storage, read_write> keys: array<u32>;
@group(0) @binding(1) var<storage, read_write> idx: array<u32>;
@group(0) @binding(2) var<storage, read> prm: array<i32>;`;

const SHARED = `var<workgroup> sk: array<u32, ${TILE}>;
var<workgroup> si: array<u32, ${TILE}>;
// orders positions a < b of the tile: the smaller (key, index) pair first
fn cx(a: u32, b: u32) {
  let ka = sk[a]; let kb = sk[b]; let ia = si[a]; let ib = si[b];
  if (kb < ka || (kb == ka && ib < ia)) { sk[a] = kb; sk[b] = ka; si[a] = ib; si[b] = ia; }
}
fn half_clean(lid: u32, j: u32) {
  for (var t = lid; t < ${TILE / 2}u; t += ${WG}u) { let i = (t / j) * 2u * j + t % j; cx(i, i + j); }
  workgroupBarrier();
}`;

const ENTRY = `@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let tile = wid.x + wid.y * nwg.x;
  let live = tile < u32(prm[0]) / ${TILE}u;
  let base = tile * ${TILE}u;`;

/**
 * Tile sort: loads each tile's pairs from `key_at(r, j)` (prm: [total, rows, n, P, ...]) and sorts every aligned
 * block of up to `top` elements.
 */
function tileSortShader(top: number, helpers: string, nSrc: number): string {
  const srcs = Array.from({ length: nSrc }, (_, i) => `@group(0) @binding(${3 + i}) var<storage, read> src${i}: array<u32>;`);
  return `${HEAD}
${srcs.join('\n')}
${SHARED}
${helpers}
${ENTRY}
  let rows = u32(prm[1]); let n = u32(prm[2]); let P = u32(prm[3]);
  for (var l = lid; l < ${TILE}u; l += ${WG}u) {
    let g = base + l; let r = g / P; let j = g % P;
    var k = 0xffffffffu;
    if (live && r < rows && j < n) { k = key_at(i32(r), i32(j)); }
    sk[l] = k; si[l] = j;
  }
  workgroupBarrier();
  for (var k = 2u; k <= ${top}u; k = k << 1u) {
    let h = k >> 1u;
    for (var t = lid; t < ${TILE / 2}u; t += ${WG}u) { let b = (t / h) * k; let o = t % h; cx(b + o, b + k - 1u - o); }
    workgroupBarrier();
    for (var j = k >> 2u; j > 0u; j = j >> 1u) { half_clean(lid, j); }
  }
  if (live) { for (var l = lid; l < ${TILE}u; l += ${WG}u) { keys[base + l] = sk[l]; idx[base + l] = si[l]; } }
}`;
}

/** The merge distances below TILE of a stage, in workgroup memory. */
const TILE_MERGE = `${HEAD}
${SHARED}
${ENTRY}
  if (live) { for (var l = lid; l < ${TILE}u; l += ${WG}u) { sk[l] = keys[base + l]; si[l] = idx[base + l]; } }
  workgroupBarrier();
  for (var j = ${TILE / 2}u; j > 0u; j = j >> 1u) { half_clean(lid, j); }
  if (live) { for (var l = lid; l < ${TILE}u; l += ${WG}u) { keys[base + l] = sk[l]; idx[base + l] = si[l]; } }
}`;

/** One global step: prm [pairs, k, j]; j == 0 is the flip step of block size k, else the half-cleaner at j. */
const GLOBAL_STEP = `${HEAD}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = (wid.x + wid.y * nwg.x) * ${WG}u + lid;
  if (t >= u32(prm[0])) { return; }
  let k = u32(prm[1]); let j = u32(prm[2]);
  var a: u32; var b: u32;
  if (j == 0u) { let h = k >> 1u; let s = (t / h) * k; let o = t % h; a = s + o; b = s + k - 1u - o; }
  else { a = (t / j) * 2u * j + t % j; b = a + j; }
  let ka = keys[a]; let kb = keys[b]; let ia = idx[a]; let ib = idx[b];
  if (kb < ka || (kb == ka && ib < ia)) { keys[a] = kb; keys[b] = ka; idx[a] = ib; idx[b] = ia; }
}`;

const pow2 = (n: number): number => { let p = 1; while (p < n) p *= 2; return p; };

/** Padded lane length and total pair count of `rows` lanes of `n`. */
export function padded(rows: number, n: number): { P: number; total: number } {
  const P = pow2(Math.max(1, n));
  const total = P <= TILE ? Math.ceil((rows * P) / TILE) * TILE : rows * P;
  return { P, total };
}

/** Where a key comes from: WGSL defining `fn key_at(r: i32, j: i32) -> u32` (prm from index 4), its buffers. */
export interface KeySource { helpers: string; buffers: PooledBuffer[]; prm: number[] }

/**
 * Sorts `rows` lanes of `n` keys; returns the index buffer (lane r's sorted positions at r * P + j, j < n) and P.
 * Callers keep rows * n > 0.
 */
export function sortPairs(be: WebGpuBackend, rows: number, n: number, src: KeySource): { idx: PooledBuffer; P: number } {
  const { P, total } = padded(rows, n);
  const keys = be.temp(total * 4), idx = be.temp(total * 4);
  const tiles = total / TILE;
  const code = tileSortShader(Math.min(P, TILE), src.helpers, src.buffers.length);
  be.dispatch(code, [keys, idx, be.params([total, rows, n, P, ...src.prm]), ...src.buffers], tiles);
  const pairs = total / 2, groups = Math.ceil(pairs / WG);
  for (let k = 2 * TILE; k <= P; k *= 2) {
    be.dispatch(GLOBAL_STEP, [keys, idx, be.params([pairs, k, 0])], groups);
    for (let j = k / 4; j >= TILE; j /= 2) be.dispatch(GLOBAL_STEP, [keys, idx, be.params([pairs, k, j])], groups);
    be.dispatch(TILE_MERGE, [keys, idx, be.params([total])], tiles);
  }
  return { idx, P };
}

/** The CPU's NaN bits when it stores a sorted NaN in a half dtype (it converts through a JS number). */
const HALF_NAN: Record<string, [number, number]> = { float16: [0x7c00, 0x7e00], bfloat16: [0x7f80, 0x7fc0] };

/** Keys read from the strided input: the order-preserving key of each element's raw bits. */
export function inputKeys(x: GpuArg, l: Lanes, zeroEqual: boolean): KeySource {
  const off = laneOffsetFn('src_off', l, 4);
  const helpers = `${loader('raw0', 'src0', rawDtype(x.dtype))}
${off.wgsl}
fn key_at(r: i32, j: i32) -> u32 { let h = raw0(src_off(r, j)); return ${keyExpr('h', x.dtype, zeroEqual)}; }`;
  return { helpers, buffers: [x.buf], prm: off.prm };
}

/**
 * Writes the dense output `out` (lanes of `outLane` along the axis with `inner` elements after it): position j of
 * lane r takes sorted slot `r * rowStride + base + j` of `idx`; `values` copies that input element's bits (else the
 * index itself, as uint32).
 */
export function gatherOut(
  be: WebGpuBackend, x: GpuArg, l: Lanes, idx: PooledBuffer, out: { dtype: Dtype; shape: readonly number[] },
  o: { outLane: number; inner: number; rowStride: number; base: number; values: boolean },
): ArrayData {
  const res = be.output(out.dtype, out.shape);
  const count = sizeOf(out.shape);
  if (count === 0) return res.data;
  const raw = o.values ? rawDtype(x.dtype) : dt.uint32;
  const off = laneOffsetFn('src_off', l, 5);
  const nan = HALF_NAN[x.dtype.name];
  // the phony read keeps binding 0 in the pipeline's layout when only indices are written
  const val = !o.values ? '_ = arrayLength(&src0); let v = u32(s);'
    : nan ? `var v = raw0(src_off(r, s)); if ((v & 0x7fffu) > ${nan[0]}u) { v = ${nan[1]}u; }`
      : 'let v = raw0(src_off(r, s));';
  const code = `${PRELUDE}
@group(0) @binding(0) var<storage, read> src0: array<u32>;
@group(0) @binding(1) var<storage, read> sidx: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(0) @binding(3) var<storage, read> prm: array<i32>;
${loader('raw0', 'src0', rawDtype(x.dtype))}
${off.wgsl}
${packedMain(raw, `let lane = prm[1] * prm[2]; let outer = e / lane; let rem = e % lane;
    let j = rem / prm[2]; let r = outer * prm[2] + rem % prm[2];
    let s = i32(sidx[u32(r * prm[3] + prm[4] + j)]);
    ${val}`)}`;
  const prm = [count, o.outLane, o.inner, o.rowStride, o.base, ...off.prm];
  const words = Math.ceil(count / perWord(raw));
  be.dispatch(code, [x.buf, idx, res.arg.buf, be.params(prm)], Math.ceil(words / PACKED_WG));
  return res.data;
}
