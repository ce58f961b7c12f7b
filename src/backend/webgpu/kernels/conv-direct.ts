/**
 * @file Output-centric convolution for groups with very few channels (depthwise convolutions and their input
 * gradients): one invocation per output element sums its window directly. With one or two output channels per
 * group the implicit GEMM has nothing to reuse across columns, and its per-group row tiles read the channels-last
 * input one word per 4*C_in bytes; here neighbouring invocations take neighbouring channels, so reads coalesce.
 */
import type { Dtype } from '../../../core/dtype.js';
import type { GpuArg, WebGpuBackend } from '../backend.js';
import { PRELUDE, loader } from '../wgsl.js';
import { Params, cachedSource } from './conv-tile.js';
import { sumPartials } from './matmul-splitk.js';

const WG = 128;
const D3 = [0, 1, 2];

/** Parameter slots: the tiled kernel's geometry names (see conv.ts), plus the element count. */
export const DIRECT_FIELDS = [
  'n', 'slices', 'chunk', 'cout', 'cig', 'cog', 'O0', 'O1', 'O2', 'K0', 'K1', 'K2', 'flip', 'xoff', 'xsN', 'xsC', 'woff', 'wsO', 'wsC',
  ...D3.flatMap((d) => [`st${d}`, `lo${d}`, `kd${d}`, `id${d}`, `D${d}`, `xs${d}`, `ws${d}`]),
];

/** Whether the direct kernel suits a group shape: one or two output channels per group. */
export const directConv = (cog: number): boolean => cog <= 2;

// a split reduction aims at this many invocations, each summing at least MIN_TAPS window taps
const TARGET_INVOCATIONS = 1 << 17, MIN_TAPS = 8;

function shader(x: Dtype, w: Dtype, dilated: boolean, split: boolean, P: Params): string {
  const p = (n: string): string => P.at(n);
  const tapAt = (d: number): string => `let q${d} = r${d} + t${d} * ${p(`kd${d}`)};
    ${dilated
    ? `if (q${d} < 0 || q${d} % ${p(`id${d}`)} != 0 || q${d} / ${p(`id${d}`)} >= ${p(`D${d}`)}) { continue; }`
    : `if (u32(q${d}) >= u32(${p(`D${d}`)})) { continue; }`}
    let xo${d} = ${d ? `xo${d - 1}` : 'xb'} + ${dilated ? `(q${d} / ${p(`id${d}`)})` : `q${d}`} * ${p(`xs${d}`)};
    let wo${d} = ${d ? `wo${d - 1}` : 'wb'} + select(t${d}, ${p(`K${d}`)} - 1 - t${d}, ${p('flip')} != 0) * ${p(`ws${d}`)};`;
  const loopOver = (d: number, inner: string): string => `for (var t${d} = 0; t${d} < ${p(`K${d}`)}; t${d}++) {
    ${tapAt(d)}
    ${inner}
  }`;
  const body = `for (var ci = 0; ci < ${p('cig')}; ci++) { acc += ldx(xo2 + ci * ${p('xsC')}) * ldw(wo2 + ci * ${p('wsC')}); }`;
  // a split reduction walks its slice of the flattened window (weight gradients: a long window, few outputs)
  const taps = split
    ? `let tb = slice * ${p('chunk')};
  let te = min(${p('K0')} * ${p('K1')} * ${p('K2')}, tb + ${p('chunk')});
  for (var tap = tb; tap < te; tap++) {
    let t2 = tap % ${p('K2')}; let t1 = (tap / ${p('K2')}) % ${p('K1')}; let t0 = tap / (${p('K2')} * ${p('K1')});
    ${tapAt(0)}
    ${tapAt(1)}
    ${tapAt(2)}
    ${body}
  }`
    : loopOver(0, loopOver(1, loopOver(2, body)));
  return `${PRELUDE}
@group(0) @binding(0) var<storage, read> in0: array<u32>;
@group(0) @binding(1) var<storage, read> in1: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(0) @binding(3) var<storage, read> prm: array<i32>;
${loader('ldx', 'in0', x)}
${loader('ldw', 'in1', w)}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = i32((wid.x + wid.y * nwg.x) * ${WG}u + lid);
  let slice = i / ${p('n')};
  if (slice >= ${p('slices')}) { return; }
  let e = i % ${p('n')};
  let co = e % ${p('cout')};
  var pos = e / ${p('cout')};
  let o2 = pos % ${p('O2')}; pos = pos / ${p('O2')};
  let o1 = pos % ${p('O1')}; pos = pos / ${p('O1')};
  let o0 = pos % ${p('O0')}; let nb = pos / ${p('O0')};
  let r0 = o0 * ${p('st0')} - ${p('lo0')}; let r1 = o1 * ${p('st1')} - ${p('lo1')}; let r2 = o2 * ${p('st2')} - ${p('lo2')};
  let xb = ${p('xoff')} + nb * ${p('xsN')} + (co / ${p('cog')}) * ${p('cig')} * ${p('xsC')};
  let wb = ${p('woff')} + co * ${p('wsO')};
  var acc = 0.0;
  ${taps}
  out[i] = bitcast<u32>(acc);
}`;
}

/**
 * Encodes the direct convolution into the dense float32 `dst`; `vals` holds the geometry (DIRECT_FIELDS but
 * `n`, `slices`, `chunk`). Few outputs over a long window split the window into slices summed afterwards in a
 * fixed order.
 */
export function encodeDirect(be: WebGpuBackend, x: GpuArg, w: GpuArg, dst: GpuArg, vals: Record<string, number>): void {
  const n = dst.shape.reduce((a, b) => a * b, 1), kvol = vals['K0']! * vals['K1']! * vals['K2']!;
  let slices = Math.max(1, Math.min(Math.ceil(TARGET_INVOCATIONS / n), Math.floor(kvol / MIN_TAPS)));
  slices = Math.min(slices, Math.max(1, Math.floor(Math.min(1 << 24, be.maxBinding / 4) / n)));
  const chunk = Math.ceil(kvol / slices);
  slices = Math.max(1, Math.ceil(kvol / chunk));
  const P = new Params(DIRECT_FIELDS);
  for (const f of DIRECT_FIELDS) P.set(f, f === 'n' ? n : f === 'slices' ? slices : f === 'chunk' ? chunk : vals[f]!);
  const dilated = D3.some((d) => vals[`id${d}`] !== 1), split = slices > 1;
  const code = cachedSource(`convDirect:${x.dtype.name}:${w.dtype.name}:${dilated}:${split}`, () => shader(x.dtype, w.dtype, dilated, split, P));
  const groups = Math.ceil((n * slices) / WG);
  if (!split) { be.dispatch(code, [x.buf, w.buf, dst.buf, be.params(P.values)], groups); return; }
  const part = be.temp(slices * n * 4);
  be.dispatch(code, [x.buf, w.buf, part, be.params(P.values)], groups);
  sumPartials(be, part, slices, n, dst.buf);
}
