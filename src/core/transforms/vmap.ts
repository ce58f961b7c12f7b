/**
 * @file `vmap`: traces the function once on per-example slices, then replays the traced graph with each
 * primitive's batching rule, so the whole batch runs as one set of ops (no loop over examples).
 */
import { MxArray } from '../array.js';
import { take } from '../ops/indexing.js';
import { moveaxis, expandDims, broadcastTo } from '../ops/layout.js';
import { trace, nodesBetween, ruleOf } from './graph.js';
import { treeFlattenWith } from '../tree.js';
import { normAxis } from '../shape.js';

/** Per-argument axes: a number, null (not mapped), or a tree matching the argument. */
export type AxisSpec = number | null | readonly AxisSpec[] | { readonly [k: string]: AxisSpec };

type Fn = (...args: any[]) => unknown;

/** Flattens `spec` against the leaves of `tree`: a single number/null applies to every leaf. */
function axesFor(spec: AxisSpec | undefined, tree: unknown, n: number, what: string): (number | null)[] {
  if (spec === undefined) return new Array(n).fill(0);
  if (spec === null || typeof spec === 'number') return new Array(n).fill(spec);
  const [axes] = treeFlattenWith(spec, (x) => x === null || typeof x === 'number');
  if (axes.length !== n) throw new Error(`[vmap] The ${what} axes do not match the structure of the ${what}s.`);
  void tree;
  return axes as (number | null)[];
}

/**
 * Vectorises `fn` over a batch axis of its inputs: `inAxes` says which axis of each argument is mapped (null =
 * broadcast the argument), `outAxes` where the batch axis goes in each output.
 *
 * @example
 * ```ts
 * const rowDot = mx.vmap((a, b) => mx.sum(mx.multiply(a, b)));
 * rowDot(x, y); // shape [batch]
 * mx.vmap(f, [0, null]); // map the first argument only
 * ```
 */
export function vmap(fn: Fn, inAxes: AxisSpec = 0, outAxes: AxisSpec = 0): (...args: any[]) => any {
  return (...args: any[]) => {
    const specs: AxisSpec[] = Array.isArray(inAxes) ? (inAxes as AxisSpec[]) : args.map(() => inAxes);
    if (specs.length !== args.length) {
      throw new Error(`[vmap] Got ${specs.length} in_axes for ${args.length} arguments.`);
    }
    let size = -1;
    const placeholders: MxArray[] = [];
    const batched = new Map<MxArray, [MxArray, number | null]>();
    const callArgs = args.map((arg, ai) => {
      const [leaves, rebuild] = treeFlattenWith(arg);
      const axes = axesFor(specs[ai], arg, leaves.length, 'input');
      return rebuild((leaves as MxArray[]).map((x, li) => {
        const ax0 = axes[li]!;
        if (ax0 === null) return x;
        const ax = normAxis(ax0, x.ndim, 'vmap');
        const n = x.shape[ax]!;
        if (size === -1) size = n;
        else if (n !== size) {
          throw new Error(`[vmap] Inconsistent sizes along mapped axes: found ${size} and ${n} (argument ${ai}, axis ${ax0}).`);
        }
        const ph = take(x, 0, ax);
        placeholders.push(ph);
        batched.set(ph, [x, ax]);
        return ph;
      }));
    });
    if (size === -1) throw new Error('[vmap] At least one argument must be mapped (in_axes are all null).');
    const out = trace(() => fn(...callArgs));
    const [outs, rebuildOut] = treeFlattenWith(out);
    const { order } = nodesBetween(placeholders, outs as MxArray[]);
    for (const node of order) {
      const ins = node.inputs.map((x) => batched.get(x) ?? [x, null] as [MxArray, number | null]);
      const [res, resAxes] = ruleOf(node, 'vmap', 'vmap')(ins.map((p) => p[0]), ins.map((p) => p[1]), node.params as never, node.stream);
      node.outputs.forEach((o, i) => batched.set(o, [res[i]!, resAxes[i]!]));
    }
    const oAxes = axesFor(outAxes, out, outs.length, 'output');
    return rebuildOut((outs as MxArray[]).map((o, i) => {
      const want = oAxes[i]!;
      const b = batched.get(o);
      if (want === null) {
        if (b && b[1] !== null) throw new Error('[vmap] An output with out_axes=null depends on a mapped input.');
        return b ? b[0] : o;
      }
      if (b && b[1] !== null) return moveaxis(b[0], b[1], normAxis(want, b[0].ndim, 'vmap'));
      // an output that does not depend on the mapped inputs is broadcast along the batch axis
      const base = b ? b[0] : o;
      const ax = normAxis(want, base.ndim + 1, 'vmap');
      const shape = [...base.shape];
      shape.splice(ax, 0, size);
      return broadcastTo(expandDims(base, ax), shape);
    }));
  };
}
