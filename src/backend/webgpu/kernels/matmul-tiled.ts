/**
 * @file Register-blocked tiled matmul, generated from {BM, BN, BK, TM, TN, vec4, group}: a workgroup of
 * (BM/TM)*(BN/TN) threads computes a BM x BN output tile, each thread TM x TN outputs held in vec4 registers. A
 * and B tiles are staged k-major in workgroup memory as vec4s, so a thread reads its rows and columns with TM/4 +
 * TN/4 vector loads per k; a thread's vec4 rows/columns are interleaved with its neighbours' (stride BM/TM vec4s)
 * so a subgroup's shared-memory reads and global stores are contiguous.
 *
 * Global loads are vec4 where the operand is contiguous along the loaded dimension and everything is aligned (f32
 * only), scalar through the dtype's loader otherwise (transposed views, float16/bfloat16). Edge tiles are zero
 * filled. Split-K runs the same shader with a K range per split writing partial tiles that a second dispatch sums.
 */
import * as dt from '../../../core/dtype.js';
import type { Dtype } from '../../../core/dtype.js';
import type { GpuArg, WebGpuBackend } from '../backend.js';
import { PRELUDE, loader } from '../wgsl.js';
import type { TiledParams } from '../tuning.js';
import { allMultiples, batchOffsets, extraAt, metaOf, type MatProblem } from './matmul-common.js';

/** How an operand's tile is read from global memory. */
type Mode = 'vec-inner' | 'vec-outer' | 'scalar-inner' | 'scalar-outer';
// "inner" is K (contiguous along K), "outer" is M for A and N for B.

/** Whether the parameters make a valid kernel on a device with these limits. */
export function tiledValid(p: TiledParams, maxInvocations: number, maxShared: number): boolean {
  const nt = (p.bm / p.tm) * (p.bn / p.tn);
  return p.tm % 4 === 0 && p.tn % 4 === 0 && p.bm % p.tm === 0 && p.bn % p.tn === 0 && p.bk % 4 === 0
    && p.bk >= 4 && p.bk <= 64 && nt >= 1 && nt <= maxInvocations && (p.bm + p.bn) * p.bk * 4 <= maxShared;
}

function modeOf(vec: boolean, d: Dtype, inner: number, outer: number, innerLen: number, outerLen: number,
  off: number, bstr: readonly number[]): Mode {
  // an empty operand's buffer may be shorter than one vec4 (a binding error), so it stays scalar
  if (vec && d === dt.float32 && innerLen > 0 && outerLen > 0) {
    if (inner === 1 && allMultiples(4, innerLen, outer, off, ...bstr)) return 'vec-inner';
    if (outer === 1 && allMultiples(4, outerLen, inner, off, ...bstr)) return 'vec-outer';
  }
  return Math.abs(inner) <= Math.abs(outer) ? 'scalar-inner' : 'scalar-outer';
}

/**
 * WGSL moving one operand's tile into `sh` (array<vec4f>, k-major: element (k, x) at [k * X4 + x / 4][x % 4]) in two
 * steps, so the global loads of the next tile can be in flight while the current one is multiplied: `fetch` reads
 * this thread's share of the tile starting at K index `kf` into registers `R0, R1, ...`, `store` writes them to
 * workgroup memory. `X` is the tile's outer size, `ext` the outer extent (M or N), `x0` the tile's first outer
 * index, `so`/`sk` the outer and K strides.
 */
function tileMove(o: { mode: Mode; sh: string; buf: string; ld: string; X: number; bk: number; nt: number;
  x0: string; ext: string; so: string; sk: string; base: string }): { decl: string; fetch: string; store: string } {
  const { mode, sh, buf, ld, X, bk, nt, x0, ext, so, sk, base } = o;
  const X4 = X / 4;
  const vec = mode.startsWith('vec');
  const units = vec ? (X * bk) / 4 : X * bk;
  const iters = Math.ceil(units / nt);
  const T = vec ? 'vec4f' : 'f32';
  // unit u -> (outer index xx, K index kk) of its first element
  const coords = mode === 'vec-inner' ? `let kk = i32(u % ${bk / 4}u) * 4; let xx = i32(u / ${bk / 4}u);`
    : mode === 'vec-outer' ? `let xx = i32(u % ${X4}u) * 4; let kk = i32(u / ${X4}u);`
      : mode === 'scalar-inner' ? `let xx = i32(u / ${bk}u); let kk = i32(u % ${bk}u);`
        : `let xx = i32(u % ${X}u); let kk = i32(u / ${X}u);`;
  const read = mode === 'vec-inner' ? `${buf}[(${base} + gx * ${so} + gk) / 4]`
    : mode === 'vec-outer' ? `${buf}[(${base} + gx + gk * ${sk}) / 4]`
      : `${ld}(${base} + gx * ${so} + gk * ${sk})`;
  const write = (r: string): string => mode === 'vec-inner'
    ? `for (var c = 0; c < 4; c++) { ${sh}[(kk + c) * ${X4} + xx / 4][xx % 4] = ${r}[c]; }`
    : mode === 'vec-outer' ? `${sh}[kk * ${X4} + xx / 4] = ${r};`
      : `${sh}[kk * ${X4} + xx / 4][xx % 4] = ${r};`;
  const decl: string[] = [], fetch: string[] = [], store: string[] = [];
  for (let l = 0; l < iters; l++) {
    const r = `${sh}r${l}`;
    const open = `{ let u = ${l * nt}u + tid;${(l + 1) * nt > units ? ` if (u < ${units}u) {` : ''} ${coords}`;
    const close = (l + 1) * nt > units ? '} }' : '}';
    decl.push(`var ${r} = ${T}(0.0);`);
    fetch.push(`${open} let gx = ${x0} + xx; let gk = kf + kk; ${r} = ${T}(0.0);
      if (gx < ${ext} && gk < kend) { ${r} = ${read}; } ${close}`);
    store.push(`${open} ${write(r)} ${close}`);
  }
  return { decl: decl.join(' '), fetch: fetch.join('\n    '), store: store.join('\n    ') };
}

function shader(p: TiledParams, a: Dtype, b: Dtype, am: Mode, bmode: Mode, vecOut: boolean, nb: number): string {
  const { bm, bn, bk, tm, tn } = p;
  const gx = bn / tn, gy = bm / tm, nt = gx * gy, TM4 = tm / 4, TN4 = tn / 4, G = Math.max(1, p.group ?? 1);
  const e = extraAt(nb); // prm[e] = total groups, prm[e + 1] = K per split
  const pre = p.prefetch !== false;
  const ta = tileMove({ mode: am, sh: 'As', buf: 'in0', ld: 'lda', X: bm, bk, nt, x0: 'm0', ext: 'M', so: 'sam', sk: 'sak', base: 'ao' });
  const tb = tileMove({ mode: bmode, sh: 'Bs', buf: 'in1', ld: 'ldb', X: bn, bk, nt, x0: 'n0', ext: 'N', so: 'sbn', sk: 'sbk', base: 'bo' });
  const inDecl = (i: number, mode: Mode, d: Dtype, ld: string): string => mode.startsWith('vec')
    ? `@group(0) @binding(${i}) var<storage, read> in${i}: array<vec4f>;`
    : `@group(0) @binding(${i}) var<storage, read> in${i}: array<u32>;\n${loader(ld, `in${i}`, d)}`;
  const lines: string[] = [];
  const accs: string[] = [];
  for (let i = 0; i < tm; i++) for (let j = 0; j < TN4; j++) accs.push(`var c${i}_${j} = vec4f(0.0);`);
  for (let kk = 0; kk < bk; kk++) {
    lines.push('{');
    for (let i = 0; i < TM4; i++) lines.push(`let a${i} = As[${kk * (bm / 4)}u + ry + ${i * gy}u];`);
    for (let j = 0; j < TN4; j++) lines.push(`let b${j} = Bs[${kk * (bn / 4)}u + cx + ${j * gx}u];`);
    for (let i = 0; i < tm; i++) {
      for (let j = 0; j < TN4; j++) lines.push(`c${i}_${j} = fma(vec4f(a${i >> 2}[${i & 3}]), b${j}, c${i}_${j});`);
    }
    lines.push('}');
  }
  const stores: string[] = [];
  for (let i = 0; i < tm; i++) {
    const row = `m0 + (i32(ry) + ${(i >> 2) * gy}) * 4 + ${i & 3}`;
    stores.push(`{ let r = ${row}; if (r < M) {`);
    for (let j = 0; j < TN4; j++) {
      const col = `n0 + (i32(cx) + ${j * gx}) * 4`;
      if (vecOut) stores.push(`  { let c = ${col}; if (c < N) { out[(obase + r * N + c) / 4] = c${i}_${j}; } }`);
      else {
        stores.push(`  { let c = ${col}; for (var q = 0; q < 4; q++) { if (c + q < N) { out[obase + r * N + c + q] = bitcast<u32>(c${i}_${j}[q]); } } }`);
      }
    }
    stores.push('} }');
  }
  return `${PRELUDE}
${inDecl(0, am, a, 'lda')}
${inDecl(1, bmode, b, 'ldb')}
@group(0) @binding(2) var<storage, read_write> out: array<${vecOut ? 'vec4f' : 'u32'}>;
@group(0) @binding(3) var<storage, read> prm: array<i32>;
var<workgroup> As: array<vec4f, ${(bm / 4) * bk}>;
var<workgroup> Bs: array<vec4f, ${(bn / 4) * bk}>;
@compute @workgroup_size(${nt})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) tid: u32) {
  let M = prm[0]; let N = prm[1]; let K = prm[2];
  let g = i32(wid.x + wid.y * nwg.x);
  if (g >= prm[${e}]) { return; }
  let tilesM = (M + ${bm - 1}) / ${bm}; let tilesN = (N + ${bn - 1}) / ${bn};
  let perBatch = tilesM * tilesN;
  let nbatch = prm[${e + 2}];
  let split = g / (perBatch * nbatch);
  let gb = g % (perBatch * nbatch);
  let batch = gb / perBatch;
  let t = gb % perBatch;
  // groups of ${G} tile rows walk their columns together, so concurrent workgroups share A and B tiles in cache
  let inGroup = ${G} * tilesN;
  let first = (t / inGroup) * ${G};
  let gsz = min(tilesM - first, ${G});
  let m0 = (first + (t % inGroup) % gsz) * ${bm};
  let n0 = ((t % inGroup) / gsz) * ${bn};
  let kbeg = split * prm[${e + 1}];
  let kend = min(K, kbeg + prm[${e + 1}]);
  var ao = prm[7]; var bo = prm[8];
  ${batchOffsets(nb, 'batch')}
  let obase = (split * nbatch + batch) * M * N;
  let sam = prm[3]; let sak = prm[4]; let sbk = prm[5]; let sbn = prm[6];
  let cx = tid % ${gx}u; let ry = tid / ${gx}u;
  ${accs.join('\n  ')}
  ${ta.decl}
  ${tb.decl}
  ${pre ? `{ let kf = kbeg;\n    ${ta.fetch}\n    ${tb.fetch}\n  }` : ''}
  for (var k0 = kbeg; k0 < kend; k0 += ${bk}) {
    ${pre ? '' : `{ let kf = k0;\n    ${ta.fetch}\n    ${tb.fetch}\n    }`}
    ${ta.store}
    ${tb.store}
    workgroupBarrier();
    ${pre ? `if (k0 + ${bk} < kend) { let kf = k0 + ${bk};\n    ${ta.fetch}\n    ${tb.fetch}\n    }` : ''}
    ${lines.join('\n    ')}
    workgroupBarrier();
  }
  ${stores.join('\n  ')}
}`;
}

/**
 * Encodes the tiled matmul of `p` into `dst` (dense f32, `splits` * nbatch * M * N elements: split s's partial
 * products at offset s * nbatch * M * N). `kChunk` is the K range of one split (a multiple of BK).
 */
export function tiledMatmul(be: WebGpuBackend, p: MatProblem, prm: TiledParams, dst: GpuArg, splits = 1, kChunk = p.K): void {
  const tilesM = Math.ceil(p.M / prm.bm), tilesN = Math.ceil(p.N / prm.bn);
  const groups = splits * p.nbatch * tilesM * tilesN;
  if (groups === 0) return;
  const am = modeOf(prm.vec4, p.a.dtype, p.sak, p.sam, p.K, p.M, p.a.offset, p.aBatchStrides);
  const bmode = modeOf(prm.vec4, p.b.dtype, p.sbk, p.sbn, p.K, p.N, p.b.offset, p.bBatchStrides);
  const vecOut = prm.vec4 && p.N % 4 === 0;
  const code = shader(prm, p.a.dtype, p.b.dtype, am, bmode, vecOut, p.batch.length);
  be.dispatch(code, [p.a.buf, p.b.buf, dst.buf, be.params(metaOf(p, [groups, Math.max(1, kChunk), p.nbatch]))], groups);
}
