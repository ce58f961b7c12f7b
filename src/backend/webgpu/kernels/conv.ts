/**
 * @file GPU kernel of the `conv` primitive as an implicit GEMM: per group, rows are the output positions of every
 * image (N x O...), columns the group's output channels, and the reduction runs over kernel taps x input channels
 * (channels fastest, so neighbouring invocations read neighbouring input words). The A tile is gathered straight
 * from the strided input with bounds checks for padding, cropping and the holes of a dilated input; the B tile
 * from the strided weights, flipped when asked. Spatial ranks 1-2 are right-aligned into three dimensions of
 * extent 1. f32 accumulation; float16/bfloat16 are read through their loaders and narrowed once at the end.
 */
import * as dt from '../../../core/dtype.js';
import type { Dtype } from '../../../core/dtype.js';
import type { Node } from '../../../core/array.js';
import { sizeOf } from '../../../core/shape.js';
import type { ConvParams } from '../../../core/primitives/conv.js';
import type { GpuArg, WebGpuBackend } from '../backend.js';
import { PRELUDE, computeType, loader } from '../wgsl.js';
import type { GpuKernel } from './kernel.js';
import { directConv, encodeDirect } from './conv-direct.js';
import { narrow } from './elementwise.js';
import { Params, WG, cachedSource, kFastSlots, pickTile, splitK, tileDecls, tileLoop, tileStore, type Tile } from './conv-tile.js';
import { sumPartials } from './matmul-splitk.js';

const D3 = [0, 1, 2];
const FIELDS = [
  'R', 'cog', 'KC', 'cig', 'tm', 'tn', 'total', 'chunk', 'wgs', 'Mo', 'O0', 'O1', 'O2', 'K0', 'K1', 'K2', 'cout', 'flip',
  ...D3.flatMap((d) => [`st${d}`, `lo${d}`, `kd${d}`, `id${d}`, `D${d}`, `xs${d}`, `ws${d}`]),
  'xoff', 'xsN', 'xsC', 'woff', 'wsO', 'wsC',
];
// cap on the partial sums of a split reduction (floats)
const SPLIT_FLOATS = 1 << 24;
// far below any window start, so a row past the output fails every bounds check
const INVALID_ROW = -(1 << 30);

function shader(x: Dtype, w: Dtype, t: Tile, dilated: boolean, P: Params): string {
  const p = (n: string): string => P.at(n);
  // whether padded/dilated position q of dimension d lands on an input element
  const inside = (d: number): string => dilated
    ? `(q${d} >= 0 && q${d} % ${p(`id${d}`)} == 0 && q${d} / ${p(`id${d}`)} < ${p(`D${d}`)})`
    : `(u32(q${d}) < u32(${p(`D${d}`)}))`;
  const idx = (d: number): string => (dilated ? `(q${d} / ${p(`id${d}`)})` : `q${d}`);
  const stageA = kFastSlots(t, t.TM, (m) => `let m = ${m};
      let q0 = r0[m] + dk0; let q1 = r1[m] + dk1; let q2 = r2[m] + dk2;
      var v = 0.0;
      if (kval && ${inside(0)} && ${inside(1)} && ${inside(2)}) {
        v = ldx(rb[m] + ${idx(0)} * ${p('xs0')} + ${idx(1)} * ${p('xs1')} + ${idx(2)} * ${p('xs2')} + xk);
      }
      As[kc * ${t.TM} + m] = v;`);
  const stageB = kFastSlots(t, t.TN, (n) => `let n = ${n};
      let c = ct * ${t.TN} + n;
      var v = 0.0;
      if (kval && c < ${p('cog')}) { v = ldw(wk + (grp * ${p('cog')} + c) * ${p('wsO')}); }
      Bs[kc * ${t.TN} + n] = v;`);
  // the invocation's reduction column is fixed (tid % TK): decode its tap once per stage, for A and B
  const stage = `let kc = tid % ${t.TK};
    let k = k0 + kc;
    let kval = k < kEnd;
    let ci = k % ${p('cig')};
    let tap = k / ${p('cig')};
    let t2 = tap % ${p('K2')}; let t1 = (tap / ${p('K2')}) % ${p('K1')}; let t0 = tap / (${p('K2')} * ${p('K1')});
    let dk0 = t0 * ${p('kd0')}; let dk1 = t1 * ${p('kd1')}; let dk2 = t2 * ${p('kd2')};
    let xk = ci * ${p('xsC')};
    var f0 = t0; var f1 = t1; var f2 = t2;
    if (${p('flip')} != 0) { f0 = ${p('K0')} - 1 - t0; f1 = ${p('K1')} - 1 - t1; f2 = ${p('K2')} - 1 - t2; }
    let wk = ${p('woff')} + f0 * ${p('ws0')} + f1 * ${p('ws1')} + f2 * ${p('ws2')} + ci * ${p('wsC')};
    ${stageA}
    ${stageB}`;
  const store = tileStore(t, (i, j) => `{ let r = rt * ${t.TM} + ty + ${i * t.TY}; let c = ct * ${t.TN} + tx + ${j * t.TX};
    if (valid && r < ${p('R')} && c < ${p('cog')}) { out[obase + r * ${p('cout')} + grp * ${p('cog')} + c] = bitcast<u32>(acc_${i}_${j}); } }`);
  return `${PRELUDE}
@group(0) @binding(0) var<storage, read> in0: array<u32>;
@group(0) @binding(1) var<storage, read> in1: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(0) @binding(3) var<storage, read> prm: array<i32>;
${loader('ldx', 'in0', x)}
${loader('ldw', 'in1', w)}
${tileDecls(t)}
var<workgroup> rb: array<i32, ${t.TM}>;
var<workgroup> r0: array<i32, ${t.TM}>;
var<workgroup> r1: array<i32, ${t.TM}>;
var<workgroup> r2: array<i32, ${t.TM}>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let tid = i32(lid);
  let tx = tid % ${t.TX}; let ty = tid / ${t.TX};
  let gid = i32(wid.x + wid.y * nwg.x);
  let valid = gid < ${p('total')};
  // workgroups of one reduction slice are consecutive; slice s writes the s-th partial result
  let slice = gid / ${p('wgs')};
  let kBeg = slice * ${p('chunk')};
  let kEnd = min(${p('KC')}, kBeg + ${p('chunk')});
  let obase = slice * ${p('R')} * ${p('cout')};
  let per = ${p('tm')} * ${p('tn')};
  let grp = (gid % ${p('wgs')}) / per;
  let rt = (gid % per) / ${p('tn')};
  let ct = gid % ${p('tn')};
  // where each output row's window starts, computed once per workgroup
  for (var m = tid; m < ${t.TM}; m += ${WG}) {
    let r = rt * ${t.TM} + m;
    if (valid && r < ${p('R')}) {
      let n = r / ${p('Mo')}; let pos = r % ${p('Mo')};
      let o2 = pos % ${p('O2')}; let o1 = (pos / ${p('O2')}) % ${p('O1')}; let o0 = pos / (${p('O2')} * ${p('O1')});
      rb[m] = ${p('xoff')} + n * ${p('xsN')} + grp * ${p('cig')} * ${p('xsC')};
      r0[m] = o0 * ${p('st0')} - ${p('lo0')}; r1[m] = o1 * ${p('st1')} - ${p('lo1')}; r2[m] = o2 * ${p('st2')} - ${p('lo2')};
    } else {
      rb[m] = 0; r0[m] = ${INVALID_ROW}; r1[m] = ${INVALID_ROW}; r2[m] = ${INVALID_ROW};
    }
  }
  workgroupBarrier();
  ${tileLoop(t, stage, 'kBeg', 'kEnd')}
  ${store}
}`;
}

/** Right-aligns per-dimension values into three slots, `fill` in front. */
const right3 = (v: readonly number[], fill: number): number[] => [...new Array<number>(3 - v.length).fill(fill), ...v];

/** Encodes one convolution of dense or strided `x`/`w` into the dense float32 array `dst` (shape of `y`). */
export function encodeConv(be: WebGpuBackend, x: GpuArg, w: GpuArg, dst: GpuArg, prm: ConvParams): void {
  const nd = x.shape.length - 2, ys = dst.shape;
  const N = x.shape[0]!, cin = x.shape[nd + 1]!, cout = w.shape[0]!, G = prm.groups, cig = cin / G, cog = cout / G;
  const O = right3(ys.slice(1, nd + 1), 1), K = right3(w.shape.slice(1, nd + 1), 1);
  const Mo = O[0]! * O[1]! * O[2]!, R = N * Mo, KC = K[0]! * K[1]! * K[2]! * cig;
  if (R === 0 || cout === 0) return;
  const vals: Record<string, number> = {
    R, cog, KC, cig, Mo, O0: O[0]!, O1: O[1]!, O2: O[2]!, K0: K[0]!, K1: K[1]!, K2: K[2]!, cout, flip: prm.flip ? 1 : 0,
    xoff: x.offset, xsN: x.strides[0]!, xsC: x.strides[nd + 1]!, woff: w.offset, wsO: w.strides[0]!, wsC: w.strides[nd + 1]!,
  };
  const st = right3(prm.stride, 1), lo = right3(prm.padLo, 0), kd = right3(prm.kernelDilation, 1);
  const id = right3(prm.inputDilation, 1), D = right3(x.shape.slice(1, nd + 1), 1);
  const xs = right3(x.strides.slice(1, nd + 1), 0), ws = right3(w.strides.slice(1, nd + 1), 0);
  for (const d of D3) {
    Object.assign(vals, { [`st${d}`]: st[d], [`lo${d}`]: lo[d], [`kd${d}`]: kd[d], [`id${d}`]: id[d], [`D${d}`]: D[d], [`xs${d}`]: xs[d], [`ws${d}`]: ws[d] });
  }
  if (directConv(cog)) { encodeDirect(be, x, w, dst, vals); return; }
  const t = pickTile(R, cog);
  const tm = Math.ceil(R / t.TM), tn = Math.ceil(cog / t.TN), wgs = G * tm * tn;
  const outSize = R * cout;
  const { slices, chunk } = splitK(wgs, KC, t.TK, outSize, Math.min(SPLIT_FLOATS, be.maxBinding / 4));
  const total = wgs * slices;
  Object.assign(vals, { tm, tn, total, chunk, wgs });
  const P = new Params(FIELDS);
  for (const [k, v] of Object.entries(vals)) P.set(k, v);
  const dilated = id.some((v) => v !== 1);
  const code = cachedSource(`conv:${x.dtype.name}:${w.dtype.name}:${t.TM}x${t.TN}:${dilated}`, () => shader(x.dtype, w.dtype, t, dilated, P));
  if (slices === 1) { be.dispatch(code, [x.buf, w.buf, dst.buf, be.params(P.values)], total); return; }
  const part = be.temp(slices * outSize * 4);
  be.dispatch(code, [x.buf, w.buf, part, be.params(P.values)], total);
  sumPartials(be, part, slices, outSize, dst.buf);
}

const convKernel: GpuKernel = {
  ok: (node: Node) => node.inputs.every((a) => computeType(a.dtype) === 'f32'),
  run: (node, be) => {
    const x = be.arg(node.inputs[0]!), w = be.arg(node.inputs[1]!), y = node.outputs[0]!;
    const direct = y.dtype === dt.float32;
    const o = direct ? be.output(y.dtype, y.shape) : null;
    const dst: GpuArg = o ? o.arg : be.tempArg(dt.float32, y.shape);
    if (sizeOf(y.shape) > 0) encodeConv(be, x, w, dst, node.params as ConvParams);
    return [o ? o.data : narrow(be, dst, y.dtype)];
  },
};

/** The conv GPU kernel, by primitive name. */
export const convKernels: Record<string, GpuKernel> = { conv: convKernel };
