/**
 * @file The WGSL of each step of an mx.compile fused chain, with the same per-op expressions the unfused
 * elementwise kernels use (elementwise-defs.ts). A step whose dtype is narrower than its compute type (float16,
 * bfloat16, 8/16-bit integers) is rounded through its storage bits, as the unfused kernels round when they store
 * it. Shared by the plain fused kernel (fused.ts) and the one with a reduction epilogue (fused-reduce.ts).
 */
import type { Dtype } from '../../../core/dtype.js';
import type { FusedParams } from '../../../core/primitives/compiled.js';
import { computeType, convert, type ComputeType } from '../wgsl.js';
import { BINARY_WGSL, UNARY_WGSL } from './elementwise-defs.js';
import { erfWgsl, erfinvWgsl, f32Lit } from './misc-math.js';

/** Float ops defined outside the shared table (misc.ts), taking and returning f32. */
const FLOAT_EXTRA: Record<string, (x: string) => string> = { erf: erfWgsl, erfinv: erfinvWgsl };

/** WGSL of a literal in the compute type of its dtype. */
function literal(v: number, t: ComputeType): string {
  switch (t) {
    case 'f32': return f32Lit(v);
    case 'i32': return `i32(${Math.trunc(v) | 0})`;
    case 'u32': return `${Math.trunc(v) >>> 0}u`;
    default: return v !== 0 ? 'true' : 'false';
  }
}

/** `v` (in the compute type of `d`) rounded to what storing it as `d` and loading it back gives. */
function roundTo(v: string, d: Dtype): string {
  switch (d.name) {
    case 'float16': return `unpack2x16float(pack2x16float(vec2f(${v}, 0.0))).x`;
    case 'bfloat16': return `bitcast<f32>(bf16_bits(${v}) << 16u)`;
    case 'int16': return `(bitcast<i32>(bitcast<u32>(${v}) << 16u) >> 16u)`;
    case 'int8': return `(bitcast<i32>(bitcast<u32>(${v}) << 24u) >> 24u)`;
    case 'uint16': return `(${v} & 0xffffu)`;
    case 'uint8': return `(${v} & 0xffu)`;
    default: return v;
  }
}

/**
 * The WGSL expression of each step of a chain (in its result's compute type; inputs are `x<j>`, earlier steps
 * `v<k>`), or null when some step has none.
 *
 * @example
 * ```ts
 * const body = chainSteps(p)!.map((e, k) => `let v${k} = ${e};`);
 * ```
 */
export function chainSteps(p: FusedParams): string[] | null {
  const dtypeOf = (a: number): Dtype => (a < 0 ? p.lits[-1 - a]!.dtype : a < p.nIn ? p.inDtypes[a]! : p.ops[a - p.nIn]!.dtype);
  const ref = (a: number): string => {
    if (a < 0) { const l = p.lits[-1 - a]!; return literal(l.value, computeType(l.dtype)!); }
    return a < p.nIn ? `x${a}` : `v${a - p.nIn}`;
  };
  const out: string[] = [];
  for (const op of p.ops) {
    const to = computeType(op.dtype);
    const ts = op.args.map((a) => computeType(dtypeOf(a)));
    if (!to || ts.some((t) => !t)) return null;
    const args = op.args.map(ref);
    const ti = ts[0]!;
    let e: string | null;
    if (op.prim === 'astype') {
      e = convert(args[0]!, ti, to);
    } else if (op.prim === 'where') {
      e = `select(${convert(args[2]!, ts[2]!, to)}, ${convert(args[1]!, ts[1]!, to)}, ${convert(args[0]!, ti, 'bool')})`;
    } else if (op.args.length === 1 && FLOAT_EXTRA[op.prim]) {
      e = to === 'f32' ? FLOAT_EXTRA[op.prim]!(convert(args[0]!, ti, 'f32')) : null;
    } else if (op.args.length === 1 && UNARY_WGSL[op.prim]) {
      // as the unary kernels: predicates (bool results) compute in the input's type, the rest in the output's
      const t = to === 'bool' ? ti : to;
      const r = UNARY_WGSL[op.prim]!(convert(args[0]!, ti, t), t);
      e = r === null ? null : convert(r, to === 'bool' ? 'bool' : t, to);
    } else if (op.args.length === 2 && BINARY_WGSL[op.prim]) {
      // both operands in the first one's type (a literal may carry another dtype), comparisons give bool
      const r = BINARY_WGSL[op.prim]!(args[0]!, convert(args[1]!, ts[1]!, ti), ti);
      e = r === null ? null : convert(r, to === 'bool' ? 'bool' : ti, to);
    } else {
      e = null;
    }
    if (e === null) return null;
    out.push(roundTo(e, op.dtype));
  }
  return out;
}
