/**
 * @file `einsum` and `einsumPath`. The subscripts are parsed into integer labels (letters by char code, ellipsis
 * axes by their distance from the right), operands are first reduced on their own (diagonals, labels used nowhere
 * else), then contracted pairwise in a greedy order, each step one `contract` node.
 */
import type { MxArray, ArrayLike } from '../array.js';
import * as dt from '../dtype.js';
import { promoteTypes, type Dtype } from '../dtype.js';
import { toStream, type Stream, type StreamOpt } from '../device.js';
import { isOptions } from './args.js';
import { contract, fmt, sumDtype, toArr } from './matmul.js';

// ellipsis axis r (0 = rightmost) gets label ELL + r, above every char code used for letters
const ELL = 1000;

interface Parsed { inputs: number[][]; output: number[]; sizes: Map<number, number> }

function labelsOf(term: string, op: string): { before: number[]; after: number[]; ellipsis: boolean } {
  const before: number[] = [], after: number[] = [];
  let ellipsis = false;
  for (let i = 0; i < term.length; i++) {
    const c = term[i]!;
    if (c === '.') {
      if (term.slice(i, i + 3) !== '...') throw new Error(`[${op}] Subscripts must be letters, but got '${c}'.`);
      if (ellipsis) throw new Error(`[${op}] Only one ellipsis per subscript is allowed but found more in '${term}'.`);
      ellipsis = true;
      i += 2;
      continue;
    }
    if (!/[a-zA-Z]/.test(c)) throw new Error(`[${op}] Subscripts must be letters, but got '${c}'.`);
    (ellipsis ? after : before).push(c.charCodeAt(0));
  }
  return { before, after, ellipsis };
}

function parse(subscripts: string, ops: readonly MxArray[], op: string): Parsed {
  if (ops.length === 0) throw new Error(`[${op}] At least one operand is required.`);
  const spec = subscripts.replace(/\s+/g, '');
  const arrow = spec.indexOf('->');
  const lhs = arrow < 0 ? spec : spec.slice(0, arrow);
  const terms = lhs.split(',');
  if (terms.length !== ops.length) {
    throw new Error(`[${op}] Number of operands, ${ops.length}, does not match number of input subscripts, ${terms.length}.`);
  }
  let maxEll = 0;
  const inputs = terms.map((term, i) => {
    const { before, after, ellipsis } = labelsOf(term, op);
    const nd = ops[i]!.ndim;
    let ell: number[] = [];
    if (ellipsis) {
      const n = nd - before.length - after.length;
      if (n < 0) {
        throw new Error(`[${op}] Operand ${i} with shape ${fmt(ops[i]!.shape)} has insufficient dimensions for subscript ` +
          `'${term}'. The ellipsis requires at least ${before.length + after.length} dimensions but the operand has ${nd} dimensions.`);
      }
      maxEll = Math.max(maxEll, n);
      ell = Array.from({ length: n }, (_, r) => ELL + n - 1 - r);
    }
    const labels = [...before, ...ell, ...after];
    if (labels.length !== nd) {
      throw new Error(`[${op}] Invalid number of subscripts ${labels.length} for input ${i} with ${nd} dimensions.`);
    }
    return labels;
  });
  const ellOut = Array.from({ length: maxEll }, (_, r) => ELL + maxEll - 1 - r);
  let output: number[];
  if (arrow >= 0) {
    const { before, after, ellipsis } = labelsOf(spec.slice(arrow + 2), op);
    output = [...before, ...(ellipsis ? ellOut : []), ...after];
    if (new Set(output).size !== output.length) throw new Error(`[${op}] Repeat indices not allowed in output.`);
  } else {
    // implicit output: ellipsis axes, then the letters used exactly once, alphabetically
    const count = new Map<number, number>();
    for (const t of inputs) for (const l of t) if (l < ELL) count.set(l, (count.get(l) ?? 0) + 1);
    output = [...ellOut, ...[...count].filter(([, c]) => c === 1).map(([l]) => l).sort((x, y) => x - y)];
  }
  const sizes = new Map<number, number>();
  inputs.forEach((labels, i) => {
    const shape = ops[i]!.shape;
    const local = new Map<number, number>();
    labels.forEach((l, j) => {
      const d = shape[j]!, seen = local.get(l);
      if (seen !== undefined && seen !== d) {
        throw new Error(`[${op}] Dimensions of repeated subscripts do not have the same size (${seen} != ${d}).`);
      }
      local.set(l, d);
      const cur = sizes.get(l);
      if (cur !== undefined && cur !== 1 && d !== 1 && cur !== d) {
        throw new Error(`[${op}] Cannot broadcast dimension ${j} of input ${i} with shape ${fmt(shape)} to size ${cur}.`);
      }
      sizes.set(l, cur === undefined || cur === 1 ? d : cur);
    });
  });
  for (const l of output) {
    if (!sizes.has(l)) throw new Error(`[${op}] Output subscript '${String.fromCharCode(l)}' does not appear in any input.`);
  }
  return { inputs, output, sizes };
}

const sizeOfLabels = (ls: Iterable<number>, sizes: Map<number, number>): number => {
  let n = 1;
  for (const l of ls) n *= sizes.get(l)!;
  return n;
};

/** Labels of the pair's result: those still needed by another operand or the output, in first-seen order. */
function keptLabels(x: number[], y: number[], others: number[][], output: number[]): number[] {
  const need = new Set(output);
  for (const o of others) for (const l of o) need.add(l);
  return [...new Set([...x, ...y])].filter((l) => need.has(l));
}

/** Greedy pairwise order: at each step the pair with the smallest result, ties broken by flop count. */
function greedyPath(inputs: number[][], output: number[], sizes: Map<number, number>): { path: number[][]; cost: number } {
  const terms = inputs.map((t) => [...t]);
  const path: number[][] = [];
  let cost = 0;
  if (terms.length === 1) return { path: [[0]], cost: sizeOfLabels(new Set(terms[0]), sizes) };
  while (terms.length > 1) {
    let best: [number, number, number, number] | null = null;
    for (let i = 0; i < terms.length; i++) {
      for (let j = i + 1; j < terms.length; j++) {
        const others = terms.filter((_, k) => k !== i && k !== j);
        const kept = keptLabels(terms[i]!, terms[j]!, others, output);
        const res = sizeOfLabels(kept, sizes), flops = sizeOfLabels(new Set([...terms[i]!, ...terms[j]!]), sizes);
        if (!best || res < best[2] || (res === best[2] && flops < best[3])) best = [i, j, res, flops];
      }
    }
    const [i, j, , flops] = best!;
    const others = terms.filter((_, k) => k !== i && k !== j);
    const kept = terms.length === 2 ? output : keptLabels(terms[i]!, terms[j]!, others, output);
    path.push([i, j]);
    cost += flops;
    terms.splice(j, 1);
    terms.splice(i, 1);
    terms.push(kept);
  }
  return { path, cost };
}

function splitArgs(rest: readonly unknown[]): { ops: ArrayLike[]; opts: StreamOpt } {
  const last = rest[rest.length - 1];
  if (rest.length > 0 && isOptions(last)) return { ops: rest.slice(0, -1) as ArrayLike[], opts: last as StreamOpt };
  return { ops: rest as ArrayLike[], opts: {} };
}

/**
 * Einstein summation: `einsum('ij,jk->ik', a, b)` is a matmul. Supports implicit output (labels used once, sorted),
 * `...` for broadcast axes, repeated labels in one operand (diagonals, traces) and any number of operands,
 * contracted pairwise in a greedy order (see `einsumPath`). A trailing `{stream}` object is accepted.
 *
 * @example
 * ```ts
 * mx.einsum('ii->', mx.eye(3)); // 3 (the trace)
 * mx.einsum('bij,bjk->bik', x, y); // batched matmul
 * ```
 */
export function einsum(subscripts: string, ...operands: (ArrayLike | StreamOpt)[]): MxArray {
  const { ops, opts } = splitArgs(operands);
  const s = toStream(opts.stream, 'einsum');
  const arrs = ops.map((x) => toArr(x, 'einsum', s));
  const { inputs, output, sizes } = parse(subscripts, arrs, 'einsum');
  let t: Dtype = arrs.reduce<Dtype>((acc, x) => promoteTypes(acc, x.dtype), arrs[0]!.dtype);
  const all = new Set(inputs.flat());
  const sums = [...all].some((l) => !output.includes(l));
  if (sums && !dt.isInexact(t)) t = sumDtype(t);
  // reduce each operand alone first: diagonals and labels nothing else uses
  let terms = inputs.map((labels, i) => {
    const others = inputs.filter((_, k) => k !== i);
    const need = new Set(output);
    for (const o of others) for (const l of o) need.add(l);
    const kept = [...new Set(labels)].filter((l) => need.has(l));
    const x = arrs[i]!;
    if (inputs.length > 1 && kept.length === labels.length) return { x, labels };
    const target = inputs.length === 1 ? output : kept;
    const shape = target.map((l) => x.shape[labels.indexOf(l)]!);
    return { x: contract(s, t, shape, x, labels, null, null, target), labels: target };
  });
  if (terms.length === 1) return terms[0]!.x;
  const { path } = greedyPath(terms.map((q) => q.labels), output, sizes);
  for (const [i, j] of path) {
    const p = terms[i!]!, q = terms[j!]!;
    const rest = terms.filter((_, k) => k !== i && k !== j);
    const kept = rest.length === 0 ? output : keptLabels(p.labels, q.labels, rest.map((r) => r.labels), output);
    const shape = kept.map((l) => sizes.get(l)!);
    rest.push({ x: contract(s, t, shape, p.x, p.labels, q.x, q.labels, kept), labels: kept });
    terms = rest;
  }
  return terms[0]!.x;
}

/**
 * The pairwise contraction order `einsum` uses, and a short report. Each step names two positions in the current
 * operand list; both are removed and their result is appended.
 *
 * @example
 * ```ts
 * const [path, info] = mx.einsumPath('ij,jk,kl->il', a, b, c); // path like [[0, 1], [0, 1]]
 * ```
 */
export function einsumPath(subscripts: string, ...operands: ArrayLike[]): [number[][], string] {
  const s = toStream(undefined, 'einsum_path');
  const arrs = operands.map((x) => toArr(x, 'einsum_path', s));
  const { inputs, output, sizes } = parse(subscripts, arrs, 'einsum_path');
  const all = new Set(inputs.flat());
  const naive = sizeOfLabels(all, sizes) * Math.max(1, inputs.length - 1);
  let path: number[][], cost: number;
  if (inputs.length <= 2) {
    path = [inputs.map((_, i) => i)];
    cost = naive;
  } else ({ path, cost } = greedyPath(inputs, output, sizes));
  const info = `  Complete contraction:  ${subscripts}\n` +
    `         Naive scaling:  ${all.size}\n` +
    `      Naive FLOP count:  ${naive}\n` +
    `  Optimized FLOP count:  ${cost}\n`;
  return [path, info];
}
