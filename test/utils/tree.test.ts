/**
 * @file mlx-ts/utils: flatten/unflatten with dotted paths, map, mapWithPath, reduce, merge.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { treeFlatten, treeUnflatten, treeMap, treeMapWithPath, treeReduce, treeMerge } from '../../src/utils/index.js';

test('treeFlatten / treeUnflatten round trip with lists and records', () => {
  const t = { a: [1, { b: 2 }], c: { d: 3 } };
  const flat = treeFlatten(t);
  assert.deepEqual(flat, [['a.0', 1], ['a.1.b', 2], ['c.d', 3]]);
  assert.deepEqual(treeUnflatten(flat), t);
  assert.deepEqual(treeUnflatten({ 'x.0': 5, 'x.1': 6, y: 7 }), { x: [5, 6], y: 7 });
  assert.deepEqual(treeFlatten(t, 'm'), [['m.a.0', 1], ['m.a.1.b', 2], ['m.c.d', 3]]);
});

test('treeMap, treeMapWithPath, treeReduce, treeMerge', () => {
  const t = { a: [1, 2], b: { c: 3 } };
  assert.deepEqual(treeMap((x: number, y: number) => x + y, t, { a: [10, 20], b: { c: 30 } }), { a: [11, 22], b: { c: 33 } });
  assert.deepEqual(treeMapWithPath((p, x: number) => `${p}=${x}`, t), { a: ['a.0=1', 'a.1=2'], b: { c: 'b.c=3' } });
  assert.deepEqual(treeMapWithPath((p, x: number, y: number) => x * y, t, [{ a: [2, 2], b: { c: 2 } }]), { a: [2, 4], b: { c: 6 } });
  assert.equal(treeReduce((acc: number, x: number) => acc + x, t, 0), 6);
  assert.equal(treeReduce((acc: number, x: number[] | number) => acc + (Array.isArray(x) ? x.length : 1), t, 0, (x) => Array.isArray(x) || typeof x === 'number'), 3);
  assert.deepEqual(treeMerge({ a: [1, {}], b: {} }, { a: [{}, 2], c: 3 }), { a: [1, 2], b: {}, c: 3 });
  assert.throws(() => treeMerge({ a: 1 }, { a: 2 }), /same place/);
});
