/**
 * @file The GPU `scatterAxis` kernel (`putAlongAxis`, `a.at` along an axis). Output-centric, so no atomics: each
 * output element starts from the input and walks the K update positions of its row along the axis in order,
 * combining every update whose (wrapped, clamped) index hits it. That is the CPU kernel's row-major order, so
 * duplicate indices accumulate identically (`set`: the last one wins). float16/bfloat16 are rounded after every
 * step as the CPU's typed-array stores do; narrow integers wrap at the end, which is the same modulo 2^n.
 * Declines `div` and non-`set` bool modes other than the and/or ones (rare; the CPU kernel runs them).
 */
import type { ScatterMode } from '../../../core/primitives/indexing.js';
import type { Dtype } from '../../../core/dtype.js';
import { computeType, convert, type ComputeType } from '../wgsl.js';
import type { GpuArg } from '../backend.js';
import type { GpuKernel } from './kernel.js';
import { allGpu, dot, gatherLaunch, toI32 } from './layout-shader.js';

/** WGSL combining accumulator `a` with update `b` (both in compute type `t`), or null when declined. */
function combine(mode: ScatterMode, t: ComputeType): string | null {
  if (t === 'bool') {
    if (mode === 'set') return 'b';
    if (mode === 'add' || mode === 'max') return '(a || b)';
    if (mode === 'mul' || mode === 'min') return '(a && b)';
    return null;
  }
  switch (mode) {
    case 'set': return 'b';
    case 'add': return '(a + b)';
    case 'sub': return '(a - b)';
    case 'mul': return '(a * b)';
    // NaN wins, as the CPU's nanMax/nanMin: take b when it is larger or NaN
    case 'max': return t === 'f32' ? 'select(a, b, b > a || is_nan(b))' : 'max(a, b)';
    case 'min': return t === 'f32' ? 'select(a, b, b < a || is_nan(b))' : 'min(a, b)';
    default: return null;
  }
}

/** WGSL rounding an f32 to the storage precision of a half dtype (identity otherwise). */
function roundTo(v: string, d: Dtype): string {
  if (d.name === 'float16') return `unpack2x16float(pack2x16float(vec2f(${v}, 0.0))).x`;
  if (d.name === 'bfloat16') return `bitcast<f32>(bf16_bits(${v}) << 16u)`;
  return v;
}

/** Right-aligned broadcast strides of a view against `shape`, dropping leading dims beyond its rank. */
function bcast(a: GpuArg, shape: readonly number[]): number[] {
  let sh = a.shape, st = a.strides;
  while (sh.length > shape.length) { sh = sh.slice(1); st = st.slice(1); }
  const k = shape.length - sh.length;
  return shape.map((_, d) => (d < k || sh[d - k] === 1 ? 0 : st[d - k]!));
}

export const scatterAxis: GpuKernel = {
  ok: (node) => {
    const [x] = node.inputs, p = node.params as { axis: number; shape: readonly number[]; mode: ScatterMode };
    if (!allGpu(node.inputs) || node.inputs[2]!.dtype !== x!.dtype) return false;
    if (combine(p.mode, computeType(x!.dtype)!) === null) return false;
    return p.shape.length === x!.shape.length && p.shape.every((n, d) => d === p.axis || n === x!.shape[d]);
  },
  run: (node, be) => {
    const [x, i, u] = node.inputs, out = node.outputs[0]!;
    const p = node.params as { axis: number; shape: readonly number[]; mode: ScatterMode };
    const a = be.arg(x!), g = be.arg(i!), ua = be.arg(u!), nd = out.shape.length, ax = p.axis;
    const t = computeType(x!.dtype)!;
    const K = p.shape[ax]!, n = x!.shape[ax]!;
    // index and update strides over p.shape; with idx[ax] replaced by the walk position
    const ist = bcast(g, p.shape), ust = bcast(ua, p.shape);
    const extra = [a.offset, n, K, g.offset, ist[ax] ?? 0, ua.offset, ust[ax] ?? 0, ...a.strides];
    const is0 = ist.map((s, d) => (d === ax ? 0 : s)), us0 = ust.map((s, d) => (d === ax ? 0 : s));
    extra.push(...is0, ...us0);
    const f = combine(p.mode, t)!;
    return [gatherLaunch(be, [a, g, ua], out.dtype, out.shape, extra, (P) => {
      const A = P + 7;
      return [
        `var acc = ld0(prm[${P}] + ${dot(nd, A)});`,
        `let io = prm[${P + 3}] + ${dot(nd, A + nd)}; let uo = prm[${P + 5}] + ${dot(nd, A + 2 * nd)};`,
        `if (prm[${P + 1}] > 0) { for (var q = 0; q < prm[${P + 2}]; q++) {`,
        `  let j = clampIdx(${toI32(`ld1(io + q * prm[${P + 4}])`, g.dtype)}, prm[${P + 1}]);`,
        `  if (j == idx[${ax}]) { let a = acc; let b = ld2(uo + q * prm[${P + 6}]); acc = ${t === 'f32' ? roundTo(f, x!.dtype) : f}; }`,
        '} }',
        `v = ${convert('acc', t, computeType(out.dtype)!)};`,
      ].join('\n    ');
    })];
  },
};
