/**
 * @file The scheduler's walk and bookkeeping on the CPU backend (several targets, shared and disjoint subgraphs,
 * multi-output nodes, long chains), the finalizer safety net for disposed intermediates that outlive an evaluation,
 * abandoning long unevaluated graphs, and the weak-scalar promotion of binary ops for every dtype. Oracles: plain
 * JS arithmetic and MLX's written promotion rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import * as mx from '../../src/index.js';

mx.setDefaultDevice(mx.cpu);

test('eval of several targets: disjoint chains, shared subgraphs, evaluated targets, multi-output nodes', async () => {
  const x = mx.array([1, 2, 3], mx.float32);
  const rows: [string, () => mx.MxArray[], number[][]][] = [
    ['two disjoint chains', () => {
      let a = x, b = mx.array([10, 20, 30], mx.float32);
      for (let i = 0; i < 5; i++) { a = mx.add(a, 1); b = mx.multiply(b, 2); }
      return [a, b];
    }, [[6, 7, 8], [320, 640, 960]]],
    ['three targets sharing a diamond', () => {
      const s = mx.add(x, 1), l = mx.multiply(s, 2), r = mx.subtract(s, 1), top = mx.add(l, r);
      return [top, l, r];
    }, [[5, 8, 11], [4, 6, 8], [1, 2, 3]]],
    ['a target listed twice and an evaluated one', () => {
      const a = mx.add(x, 5);
      return [a, x, a, mx.negative(a)];
    }, [[6, 7, 8], [1, 2, 3], [6, 7, 8], [-6, -7, -8]]],
    ['second target inside the first one\'s graph', () => {
      const a = mx.add(x, 1), b = mx.add(a, 1), c = mx.add(b, 1);
      return [c, a];
    }, [[4, 5, 6], [2, 3, 4]]],
    ['divmod outputs as separate targets after another root', () => {
      const other = mx.add(mx.array([0.5]), 0.25);
      const [q, r] = mx.divmod(mx.add(x, 4), 2);
      return [other, r!, q!];
    }, [[0.75], [1, 0, 1], [2, 3, 3]]],
  ];
  for (const [label, make, want] of rows) {
    const outs = make();
    await mx.eval(...outs);
    for (let i = 0; i < outs.length; i++) {
      assert.ok(outs[i]!.isEvaluated, `${label}: output ${i} evaluated`);
      assert.deepEqual(await outs[i]!.tolist(), want[i], `${label}: output ${i}`);
    }
  }
});

test('chains below and past the pending-depth limit, evaluated as one target and as many', async () => {
  for (const n of [1, 3000, 9000]) {
    const x = mx.array([0, 1], mx.float32);
    const y = mx.tidy(() => { let y = x; for (let i = 0; i < n; i++) y = mx.add(y, 1); return y; });
    await mx.eval(y);
    assert.deepEqual(await y.tolist(), [n, n + 1], `chain of ${n}`);
    // every tenth link kept as a target of its own
    const kept: mx.MxArray[] = [];
    let z = x;
    for (let i = 0; i < Math.min(n, 3000); i++) { z = mx.subtract(z, 1); if (i % 10 === 9) kept.push(z); }
    await mx.eval(kept.reverse(), z);
    for (let k = 0; k < kept.length; k++) {
      const steps = 10 * (kept.length - k);
      assert.deepEqual(await kept[k]!.tolist(), [-steps, 1 - steps]);
    }
    mx.dispose([x, y, z, kept]);
  }
});

/** `gc()` without the command-line flag (the test runner starts plain processes). */
function gcFn(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

async function settle(gc: () => void, done: () => boolean): Promise<void> {
  for (let i = 0; i < 50 && !done(); i++) {
    gc();
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('a disposed intermediate that still holds data after an evaluation is freed once its readers are unreachable', async () => {
  const gc = gcFn();
  const n = 1 << 20; // 4 MB: far above any other array of this test file
  // earlier tests' garbage goes first, so that its release cannot hide a leak below
  for (let i = 0; i < 5; i++) { gc(); await new Promise((r) => setTimeout(r, 5)); }
  const base = mx.getActiveMemory();
  await (async () => {
    const x = mx.zeros([n], mx.int32); // int32: not in the WASM kernels' memory, which has a safety net of its own
    // t is disposed by the scope and read by u (evaluated) and v (left pending): t keeps its data after the eval
    const [u, v] = mx.tidy(() => { const t = mx.add(x, 1); return [mx.multiply(t, 2), mx.subtract(t, 3)]; });
    x.dispose();
    await mx.eval(u);
    assert.equal(await mx.sum(u).item(), 2 * n);
    u.dispose();
    // t's data, and nothing else of this size, is still live; v is dropped undisposed
    assert.ok(mx.getActiveMemory() - base >= 4 * n, 'intermediate alive while a reader is pending');
    void v;
  })();
  await settle(gc, () => mx.getActiveMemory() - base < n);
  assert.ok(mx.getActiveMemory() - base < n, `${mx.getActiveMemory() - base} bytes still held`);
});

test('disposing the end of a long unevaluated chain releases its inputs, with no deep recursion', () => {
  const base = mx.getActiveMemory();
  const y = mx.tidy(() => {
    const x = mx.array(new Float32Array(1 << 16)); // materialised; disposed by the scope, kept by the chain
    let y = x;
    for (let i = 0; i < 4000; i++) y = mx.add(y, mx.array(1, mx.float32));
    return y;
  });
  assert.ok(mx.getActiveMemory() - base >= 4 << 16);
  y.dispose();
  assert.equal(mx.getActiveMemory(), base);
});

// MLX's weak-scalar rule, written out: an integral number keeps the array's dtype (bool becomes int32), a
// fractional one (or NaN/Infinity) keeps inexact dtypes and turns the rest into float32; booleans keep the dtype.
const INT_SCALAR: Record<string, string> = {
  bool: 'int32', uint8: 'uint8', uint16: 'uint16', uint32: 'uint32', uint64: 'uint64', int8: 'int8', int16: 'int16',
  int32: 'int32', int64: 'int64', float16: 'float16', bfloat16: 'bfloat16', float32: 'float32', float64: 'float64',
  complex64: 'complex64',
};
const FLOAT_SCALAR: Record<string, string> = {
  ...Object.fromEntries(Object.keys(INT_SCALAR).map((k) => [k, 'float32'])),
  float16: 'float16', bfloat16: 'bfloat16', float32: 'float32', float64: 'float64', complex64: 'complex64',
};

test('binary ops with a JS number or boolean: result dtype for every array dtype, scalar on either side', () => {
  const scalars: [number | boolean, 'int' | 'float' | 'same'][] = [
    [3, 'int'], [-0, 'int'], [2.5, 'float'], [NaN, 'float'], [Infinity, 'float'], [true, 'same'],
  ];
  for (const name of Object.keys(INT_SCALAR)) {
    const a = mx.zeros([2], name as mx.DtypeName);
    for (const [s, kind] of scalars) {
      const want = kind === 'int' ? INT_SCALAR[name] : kind === 'float' ? FLOAT_SCALAR[name] : name;
      assert.equal(mx.add(a, s).dtype.name, want, `${name} + ${String(s)}`);
      assert.equal(mx.multiply(s, a).dtype.name, want, `${String(s)} * ${name}`);
      assert.equal(mx.equal(a, s).dtype.name, 'bool', `${name} == ${String(s)}`);
    }
  }
});

test('binary ops on arrays: same-shape and same-dtype shortcuts keep checks and promotion', async () => {
  const f = mx.array([[1, 2, 3], [4, 5, 6]], mx.float32), g = mx.array([[1, 1, 1], [2, 2, 2]], mx.float32);
  assert.deepEqual(await mx.add(f, g).tolist(), [[2, 3, 4], [6, 7, 8]]);
  assert.deepEqual(await mx.add(f, f).tolist(), [[2, 4, 6], [8, 10, 12]]);
  assert.deepEqual(mx.add(f, mx.array([1, 2, 3], mx.float32)).shape, [2, 3]);
  assert.deepEqual(mx.add(mx.array(1, mx.float32), f).shape, [2, 3]);
  assert.deepEqual(mx.add(mx.ones([2, 1]), mx.ones([1, 3])).shape, [2, 3]);
  assert.throws(() => mx.add(f, mx.ones([3, 2])), /\[add\] Shapes \(2,3\) and \(3,2\) cannot be broadcast/);
  assert.equal(mx.add(f, mx.ones([2, 3], mx.int32)).dtype, mx.float32);
  assert.equal(mx.add(mx.ones([2], mx.int8), mx.ones([2], mx.uint8)).dtype, mx.int16);
  assert.equal(mx.add(mx.ones([2], mx.float16), mx.ones([2], mx.bfloat16)).dtype, mx.float32);
  // the output shape is a fresh array, not one of the inputs'
  const h = mx.add(f, g);
  assert.notEqual(h.shape, f.shape);
  assert.notEqual(h.shape, g.shape);
  f.dispose();
  assert.throws(() => mx.add(f, 1), /disposed/);
  assert.throws(() => mx.add(g, f), /disposed/);
});
