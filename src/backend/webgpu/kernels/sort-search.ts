/**
 * @file The GPU `searchsorted` kernel: one binary search per value in the strided 1-D sorted sequence. Both sides
 * are mapped to order-preserving u32 keys of a common type (f32 bits for floats, NaN largest and -0 equal to +0, as
 * the CPU's numeric comparisons), so `left` is "key(a) < key(x)" and `right` is "key(a) <= key(x)". Mixed dtypes
 * are handled when the common type holds both exactly (a float with an integer of at most 16 bits, a signed with
 * an unsigned of at most 16 bits); other mixes (int32 vs float32, int32 vs uint32) and 64-bit dtypes decline.
 */
import * as dt from '../../../core/dtype.js';
import type { Dtype } from '../../../core/dtype.js';
import type { PrimitiveParams } from '../../../core/primitive.js';
import { PRELUDE, PACKED_WG, computeType, convert, loader, packedMain, type ComputeType } from '../wgsl.js';
import type { GpuKernel } from './kernel.js';
import { collapse } from './elementwise.js';
import { keyExpr } from './sort-net.js';

type Common = 'f32' | 'i32' | 'u32';

const ct = (d: Dtype): Common | null => {
  const t = computeType(d);
  return t === null ? null : t === 'bool' ? 'u32' : t;
};

/** The comparison type that holds both dtypes exactly, or null. */
function common(a: Dtype, b: Dtype): Common | null {
  const ta = ct(a), tb = ct(b);
  if (ta === null || tb === null) return null;
  if (ta === tb) return ta;
  if (ta === 'f32') return b.size <= 2 ? 'f32' : null;
  if (tb === 'f32') return a.size <= 2 ? 'f32' : null;
  const unsigned = ta === 'u32' ? a : b;
  return unsigned.size <= 2 ? 'i32' : null;
}

/** WGSL: the order key of compute value `v` (of `from`, bool for bool dtypes) in comparison type `c`. */
function keyOf(v: string, from: ComputeType, c: Common): string {
  const x = convert(v, from, c);
  if (c === 'f32') return keyExpr(`bitcast<u32>(${x})`, dt.float32, true);
  if (c === 'i32') return `(bitcast<u32>(${x}) ^ 0x80000000u)`;
  return x;
}

const searchsorted: GpuKernel = {
  ok: (node) => common(node.inputs[0]!.dtype, node.inputs[1]!.dtype) !== null,
  run: (node, be) => {
    const p = node.params as PrimitiveParams['searchsorted'];
    const s = be.arg(node.inputs[0]!), v = be.arg(node.inputs[1]!), out = node.outputs[0]!;
    const res = be.output(dt.uint32, out.shape);
    if (out.size === 0) return [res.data];
    const c = common(s.dtype, v.dtype)!;
    const [vSh, [vSt]] = collapse(v.shape, [v.strides]);
    const nd = vSh.length;
    const dec: string[] = [];
    for (let d = nd - 1; d >= 0; d--) {
      dec.push(`{ let i = ${d ? `rem % prm[${5 + d}]` : 'rem'};${d ? ` rem = rem / prm[${5 + d}];` : ''} vo += i * prm[${5 + nd + d}]; }`);
    }
    const cmp = p.side === 'right' ? '<=' : '<';
    const code = `${PRELUDE}
@group(0) @binding(0) var<storage, read> in0: array<u32>;
@group(0) @binding(1) var<storage, read> in1: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(0) @binding(3) var<storage, read> prm: array<i32>;
${loader('ld0', 'in0', s.dtype)}
${loader('ld1', 'in1', v.dtype)}
${packedMain(dt.uint32, `var rem = e; var vo = prm[4];
    ${dec.join('\n    ')}
    let kx = ${keyOf('ld1(vo)', computeType(v.dtype)!, c)};
    var lo = 0; var hi = prm[1];
    while (lo < hi) {
      let mid = (lo + hi) / 2;
      if (${keyOf('ld0(prm[2] + mid * prm[3])', computeType(s.dtype)!, c)} ${cmp} kx) { lo = mid + 1; } else { hi = mid; }
    }
    let v = u32(lo);`)}`;
    const prm = [out.size, s.shape[0]!, s.offset, s.strides[0] ?? 0, v.offset, ...vSh, ...vSt!];
    be.dispatch(code, [s.buf, v.buf, res.arg.buf, be.params(prm)], Math.ceil(out.size / PACKED_WG));
    return [res.data];
  },
};

/** The searchsorted GPU kernel. */
export const searchKernels: Record<string, GpuKernel> = { searchsorted };
