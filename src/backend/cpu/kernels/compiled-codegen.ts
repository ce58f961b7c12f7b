/**
 * @file Code generation for fused elementwise chains on the CPU. A chain becomes one JS function (built with
 * `new Function`) that reads each input once per element, computes every step as a local, and writes the chain's
 * outputs: one pass over memory instead of one per op. Each step calls the op's own scalar definition
 * (unary-defs.ts, binary-defs.ts), so the fused result is the unfused one exactly; float32 steps are rounded with
 * `Math.fround` as the unfused kernels round when they store each intermediate.
 */
import * as dt from '../../../core/dtype.js';
import type { Dtype } from '../../../core/dtype.js';
import type { FusedParams } from '../../../core/primitives/compiled.js';
import type { TypedArray } from '../../backend.js';
import { UNARY_DEFS } from './unary-defs.js';
import { BINARY_DEFS, type NumFn2 } from './binary-defs.js';

/**
 * Computes `n` output elements at `io..io+n`; input j starts at `offs[j]` and moves by `steps[j]` (the row
 * contract of `stridedLoop`). `B` are the input buffers, `O` the output buffers.
 */
export type FusedRow = (B: TypedArray[], O: TypedArray[], n: number, offs: Float64Array, steps: Float64Array, io: number) => void;

// Operators are spelled inline (same results as the defs' `num`, no call); everything else calls the def.
const INFIX: Record<string, string> = { add: '+', subtract: '-', multiply: '*', divide: '/' };

function lit(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (Object.is(v, -0)) return '(-0)';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '(-Infinity)';
  return `(${String(v)})`;
}

const cache = new Map<string, FusedRow>();

/**
 * The generated row function of a fused chain (cached by the chain's key).
 *
 * @example
 * ```ts
 * stridedLoop(xs, shape, (n, offs, steps, io) => fusedRow(p)(B, O, n, offs, steps, io));
 * ```
 */
export function fusedRow(p: FusedParams): FusedRow {
  let f = cache.get(p.key);
  if (!f) {
    f = generate(p);
    cache.set(p.key, f);
  }
  return f;
}

function generate(p: FusedParams): FusedRow {
  const fns: ((...a: number[]) => number)[] = [];
  const dtypeOf = (a: number): Dtype => (a < 0 ? p.lits[-1 - a]!.dtype : a < p.nIn ? p.inDtypes[a]! : p.ops[a - p.nIn]!.dtype);
  const ref = (a: number): string => (a < 0 ? lit(p.lits[-1 - a]!.value) : a < p.nIn ? `x${a}` : `v${a - p.nIn}`);
  const body: string[] = [];
  p.ops.forEach((op, k) => {
    const args = op.args.map(ref);
    const d = op.args.length ? dtypeOf(op.args[0]!) : op.dtype;
    let e: string;
    const call = (fn: (...a: number[]) => number): string => { fns.push(fn); return `F${fns.length - 1}(${args.join(', ')})`; };
    if (op.prim === 'astype') {
      e = op.dtype === dt.bool ? `(${args[0]} !== 0 ? 1 : 0)` : args[0]!;
    } else if (op.prim === 'where') {
      e = `(${args[0]} !== 0 ? ${args[1]} : ${args[2]})`;
    } else if (op.prim === 'stopGradient') {
      e = args[0]!;
    } else if (op.args.length === 1) {
      const def = UNARY_DEFS[op.prim];
      const fn = def && ((d === dt.bool && def.bool) || def.num);
      if (!fn) throw new Error(`[compile] Cannot fuse ${op.prim} on ${d.name}.`);
      e = call(fn);
    } else {
      const def = BINARY_DEFS[op.prim];
      if (!def) throw new Error(`[compile] Cannot fuse ${op.prim}.`);
      const infix = INFIX[op.prim];
      if (infix && dt.isFloating(d)) e = `(${args[0]} ${infix} ${args[1]})`;
      else {
        const fn: NumFn2 | undefined = dt.isFloating(d) && def.floatFor ? def.floatFor(d) : (d === dt.bool && def.bool) || def.num;
        if (!fn) throw new Error(`[compile] Cannot fuse ${op.prim} on ${d.name}.`);
        e = call(fn as (...a: number[]) => number);
      }
    }
    // where and stopGradient pass values through; a cast rounds only when it changes the type
    const round = op.dtype === dt.float32 && (op.prim === 'astype' ? d !== dt.float32 : op.prim !== 'where' && op.prim !== 'stopGradient');
    if (round) e = `Math.fround(${e})`;
    body.push(`const v${k} = ${e};`);
  });
  const m = p.nIn, nOut = p.outs.length;
  const idx = (j: number): string => `i${j}`;
  const loads = (contig: boolean): string => Array.from({ length: m }, (_, j) => `const x${j} = b${j}[${contig ? `${idx(j)} + k` : idx(j)}];`).join(' ');
  const stores = p.outs.map((o, j) => `o${j}[io + k] = v${o};`).join(' ');
  const advance = Array.from({ length: m }, (_, j) => `${idx(j)} += s${j};`).join(' ');
  const src = [
    ...fns.map((_, i) => `const F${i} = FNS[${i}];`),
    'return function fusedRow(B, O, n, offs, steps, io) {',
    ...Array.from({ length: m }, (_, j) => `const b${j} = B[${j}]; let i${j} = offs[${j}]; const s${j} = steps[${j}];`),
    ...Array.from({ length: nOut }, (_, j) => `const o${j} = O[${j}];`),
    `if (${Array.from({ length: m }, (_, j) => `s${j} === 1`).join(' && ') || 'true'}) {`,
    `  for (let k = 0; k < n; k++) { ${loads(true)} ${body.join(' ')} ${stores} }`,
    '} else {',
    `  for (let k = 0; k < n; k++) { ${loads(false)} ${body.join(' ')} ${stores} ${advance} }`,
    '}',
    '};',
  ].join('\n');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('FNS', src)(fns) as FusedRow;
}
