/**
 * @file Test helpers for the transforms: gradients against central finite differences (float64, CPU), jvp/vjp
 * consistency (<J t, w> = <t, J^T w>), and vmap against a loop over the mapped axis. Independent oracles: the
 * finite differences only evaluate the function itself.
 */
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { randValues } from './numpy.js';

type Fn = (...xs: mx.MxArray[]) => mx.MxArray | mx.MxArray[];

const outs = (y: mx.MxArray | mx.MxArray[]): mx.MxArray[] => (Array.isArray(y) ? y : [y]);

async function flat(a: mx.MxArray): Promise<number[]> {
  return Array.from(await a.astype(mx.float64).data<Float64Array>());
}

function rand(shape: readonly number[], seed: number): mx.MxArray {
  const n = shape.reduce((p, q) => p * q, 1);
  return mx.array(new Float64Array(randValues(n, seed, -1, 1)), mx.float64).reshape([...shape]);
}

/** <f(x), w> summed over every output, as a float64 scalar. */
function project(f: Fn, ws: mx.MxArray[]) {
  return (...xs: mx.MxArray[]): mx.MxArray => {
    const ys = outs(f(...xs));
    let total: mx.MxArray | null = null;
    ys.forEach((y, i) => {
      const t = mx.sum(mx.multiply(y.astype(mx.float64), ws[i]!));
      total = total ? mx.add(total, t) : t;
    });
    return total!;
  };
}

export interface GradCheckOpts { eps?: number; rtol?: number; atol?: number; argnums?: number[]; }

/**
 * Checks the vjp of `f` at float64 `args` against central differences of <f(x), w> for a random w, for each
 * argument in `argnums` (default all).
 */
export async function checkGrad(f: Fn, args: mx.MxArray[], opts: GradCheckOpts = {}): Promise<void> {
  const eps = opts.eps ?? 1e-6, rtol = opts.rtol ?? 1e-5, atol = opts.atol ?? 1e-7;
  const ys = outs(f(...args));
  const ws = ys.map((y, i) => rand(y.shape, 100 + i));
  const L = project(f, ws);
  const nums = opts.argnums ?? args.map((_, i) => i);
  const [, vjps] = mx.vjp((...xs) => outs(f(...xs)), args, ys.map((y, i) => ws[i]!.astype(y.dtype)));
  for (const k of nums) {
    const x = args[k]!;
    const base = await flat(x);
    const analytic = await flat(vjps[k]!);
    for (let i = 0; i < base.length; i++) {
      const at = (d: number): mx.MxArray => {
        const v = Float64Array.from(base);
        v[i] = v[i]! + d;
        const xi = mx.array(v, mx.float64).reshape([...x.shape]).astype(x.dtype);
        const xs = args.map((a, j) => (j === k ? xi : a));
        return L(...xs);
      };
      const num = ((await at(eps).item<number>()) - (await at(-eps).item<number>())) / (2 * eps);
      const got = analytic[i]!;
      assert.ok(Math.abs(num - got) <= atol + rtol * Math.abs(num),
        `gradient of argument ${k} at element ${i}: finite differences ${num}, vjp ${got}`);
    }
  }
}

/** Checks <jvp(f)(t), w> == <t, vjp(f)(w)> for random t and w. */
export async function checkJvpVjp(f: Fn, args: mx.MxArray[], rtol = 1e-9): Promise<void> {
  const ys = outs(f(...args));
  const ws = ys.map((y, i) => rand(y.shape, 200 + i).astype(y.dtype));
  const ts = args.map((a, i) => rand(a.shape, 300 + i).astype(a.dtype));
  const [, jv] = mx.jvp((...xs) => outs(f(...xs)), args, ts);
  const [, vj] = mx.vjp((...xs) => outs(f(...xs)), args, ws);
  let lhs = 0, rhs = 0;
  for (let i = 0; i < ys.length; i++) {
    const a = await flat(jv[i]!), b = await flat(ws[i]!);
    for (let j = 0; j < a.length; j++) lhs += a[j]! * b[j]!;
  }
  for (let i = 0; i < args.length; i++) {
    const a = await flat(ts[i]!), b = await flat(vj[i]!);
    for (let j = 0; j < a.length; j++) rhs += a[j]! * b[j]!;
  }
  assert.ok(Math.abs(lhs - rhs) <= rtol * Math.max(1, Math.abs(lhs)), `jvp/vjp mismatch: <Jt,w>=${lhs}, <t,J^T w>=${rhs}`);
}

/** Checks vmap(f, inAxes)(...args) against stacking f over slices of the mapped axis. */
export async function checkVmap(f: Fn, args: mx.MxArray[], inAxes: (number | null)[] = args.map(() => 0), rtol = 1e-6): Promise<void> {
  const n = args.find((_, i) => inAxes[i] !== null)!.shape[inAxes.find((a) => a !== null)!]!;
  const got = outs(mx.vmap((...xs: mx.MxArray[]) => f(...xs), inAxes)(...args));
  const per: mx.MxArray[][] = [];
  for (let b = 0; b < n; b++) {
    const xs = args.map((a, i) => (inAxes[i] === null ? a : mx.take(a, b, inAxes[i]!)));
    per.push(outs(f(...xs)));
  }
  for (let k = 0; k < got.length; k++) {
    const want = mx.stack(per.map((p) => p[k]!), 0);
    assert.deepEqual([...got[k]!.shape], [...want.shape], `vmap output ${k} shape`);
    assert.equal(got[k]!.dtype, want.dtype, `vmap output ${k} dtype`);
    const a = await flat(got[k]!), b = await flat(want);
    for (let j = 0; j < a.length; j++) {
      const ok = (Number.isNaN(a[j]!) && Number.isNaN(b[j]!)) || a[j] === b[j] || Math.abs(a[j]! - b[j]!) <= rtol * Math.max(1, Math.abs(b[j]!));
      assert.ok(ok, `vmap output ${k} element ${j}: vmap ${a[j]}, loop ${b[j]}`);
    }
  }
}

/** A float64 test input with values in [lo, hi). */
export function f64(shape: number[], seed = 1, lo = -1, hi = 1): mx.MxArray {
  const n = shape.reduce((p, q) => p * q, 1);
  return mx.array(new Float64Array(randValues(n, seed, lo, hi)), mx.float64).reshape(shape);
}

/**
 * Second-order checks of `f` at `x`: the gradient of x -> d/dx sum(w * f(x)) (fixed w) against finite differences,
 * and vmap of that first derivative against a loop.
 */
export async function checkSecondOrder(f: (x: mx.MxArray) => mx.MxArray, x: mx.MxArray, name: string): Promise<void> {
  const y = f(x);
  const w = mx.reshape(mx.linspace(-1, 1.3, y.size, mx.float64), [...y.shape]).astype(y.dtype);
  const d = mx.grad((a: mx.MxArray) => mx.sum(mx.multiply(f(a), w))) as (a: mx.MxArray) => mx.MxArray;
  await assert.doesNotReject(checkGrad(d, [x], { rtol: 1e-4, atol: 1e-6 }), `${name} (second derivative)`);
  const xb = mx.stack([x, mx.multiply(x, 1.5)], 0);
  await assert.doesNotReject(checkVmap(d, [xb], [0]), `${name} (vmap of grad)`);
}
