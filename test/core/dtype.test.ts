/**
 * @file Type promotion against NumPy where MLX agrees with it, and against MLX's stated rules where it does not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as mx from '../../src/index.js';

const NP = [mx.bool, mx.uint8, mx.uint16, mx.uint32, mx.uint64, mx.int8, mx.int16, mx.int32, mx.int64, mx.float16, mx.float32, mx.float64];

test('promoteTypes follows NumPy within a kind and MLX across kinds', () => {
  const names = NP.map((d) => (d === mx.bool ? 'bool' : d.name));
  const table = JSON.parse(execFileSync('python3', ['-c',
    `import json,numpy as np; n=${JSON.stringify(names)}; print(json.dumps([[np.promote_types(a,b).name for b in n] for a in n]))`,
  ]).toString()) as string[][];
  for (let i = 0; i < NP.length; i++) {
    for (let j = 0; j < NP.length; j++) {
      const a = NP[i]!, b = NP[j]!;
      const got = mx.promoteTypes(a, b);
      const intA = mx.isInteger(a) || a === mx.bool, intB = mx.isInteger(b) || b === mx.bool;
      if (intA !== intB) {
        // MLX (as JAX): an integer with a float gives the float type, never a wider float
        assert.equal(got, intA ? b : a, `${a.name}+${b.name}`);
      } else if ((a === mx.uint64 && mx.isSignedInt(b)) || (b === mx.uint64 && mx.isSignedInt(a))) {
        // MLX: uint64 with a signed integer gives float32 (NumPy: float64)
        assert.equal(got, mx.float32, `${a.name}+${b.name}`);
      } else {
        assert.equal(got.name, table[i]![j] === 'bool' ? 'bool' : table[i]![j], `${a.name}+${b.name}`);
      }
    }
  }
  assert.equal(mx.promoteTypes(mx.float16, mx.bfloat16), mx.float32);
  assert.equal(mx.promoteTypes(mx.bfloat16, mx.int32), mx.bfloat16);
  assert.equal(mx.promoteTypes(mx.float64, mx.complex64), mx.complex64);
});

test('JS numbers are weak scalars', () => {
  const f16 = mx.array([1], mx.float16), i8 = mx.array([1], mx.int8), b = mx.array([true]);
  assert.equal(mx.resultType(f16, 2.5), mx.float16);
  assert.equal(mx.resultType(i8, 3), mx.int8);
  assert.equal(mx.resultType(i8, 3.5), mx.float32);
  assert.equal(mx.resultType(b, 1), mx.int32);
  assert.equal(mx.resultType(b, true), mx.bool);
  assert.equal(mx.resultType(2, 3), mx.int32);
  assert.equal(mx.resultType(2, 0.5), mx.float32);
});

test('dtype helpers', () => {
  assert.equal(mx.toDtype('float16'), mx.float16);
  assert.throws(() => mx.toDtype('float8' as never), /Unknown dtype "float8"/);
  assert.ok(mx.issubdtype(mx.int8, 'integer'));
  assert.ok(mx.issubdtype(mx.bfloat16, 'floating'));
  assert.ok(!mx.issubdtype(mx.uint8, 'signedinteger'));
  assert.ok(mx.issubdtype('floating', 'inexact'));
  assert.equal(mx.finfo(mx.float16).max, 65504);
  assert.equal(mx.iinfo(mx.int8).min, -128);
  assert.equal(mx.iinfo(mx.uint64).max, 2n ** 64n - 1n);
  assert.throws(() => mx.finfo(mx.int32), /not inexact/);
});

test('canCast and isdtype', () => {
  assert.ok(mx.canCast(mx.int8, mx.int32));
  assert.ok(!mx.canCast(mx.float32, mx.int32));
  assert.ok(!mx.canCast(mx.int64, mx.uint64));
  assert.ok(mx.isdtype(mx.float16, 'real floating'));
  assert.ok(mx.isdtype(mx.int8, ['bool', 'integral']));
  assert.ok(!mx.isdtype(mx.bool, 'numeric'));
  assert.throws(() => mx.isdtype(mx.int8, 'float' as never), /Unknown kind/);
});
