/**
 * @file WebAssembly float16/bfloat16 conversions against the TypeScript bit conversions of core/half.ts: every
 * 16-bit pattern one way, random float32 bit patterns plus rounding edges the other, on lengths 0, 1, 7, 63, 65
 * and one large enough for the worker pool, with buffers inside and outside the kernels' memory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { halfToFloat, floatToHalf, floatToBf16 } from '../../src/core/half.js';
import { wasmF32ToHalf, wasmHalfToF32 } from '../../src/backend/cpu/wasm/convert.js';
import { residentArray } from '../../src/backend/cpu/wasm/runtime.js';

const bf16ToFloat = (h: number): number => new Float32Array(new Uint32Array([h << 16]).buffer)[0]!;

function f32Samples(n: number): Float32Array {
  const u = new Uint32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; u[i] = s; }
  const f = new Float32Array(u.buffer);
  // rounding edges: halfway cases, the float16 overflow threshold, subnormal boundaries, specials
  const edges = [0, -0, 1, -1, 65504, 65519.99, 65520, 65536, 1e-8, 5.960464477539063e-8, 2.9802322387695312e-8,
    6.103515625e-5, 6.097555160522461e-5, 1 + 2 ** -11, 1 + 3 * 2 ** -11, Infinity, -Infinity, NaN, 3.4e38, -1e-45,
    1 + 2 ** -8, 1 + 3 * 2 ** -8];
  f.set(edges.slice(0, Math.min(n, edges.length)));
  return f;
}

const sameBits = (a: number, b: number): boolean => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

for (const kind of ['float16', 'bfloat16'] as const) {
  const toHalf = kind === 'float16' ? floatToHalf : floatToBf16;
  const toFloat = kind === 'float16' ? halfToFloat : bf16ToFloat;
  for (const n of [0, 1, 7, 63, 65, 65536, 300001]) {
    for (const inWasm of [true, false]) {
      test(`${kind} conversions, n = ${n}, ${inWasm ? 'in' : 'outside'} wasm memory`, () => {
        const h16 = (inWasm ? residentArray(kind, n) : null) as Uint16Array | null ?? new Uint16Array(n);
        for (let i = 0; i < n; i++) h16[i] = i & 0xffff;
        const f = (inWasm ? residentArray('float32', n) : null) as Float32Array | null ?? new Float32Array(n);
        assert.ok(wasmHalfToF32(kind, h16, 0, f, 0, n));
        for (let i = 0; i < n; i++) if (!sameBits(f[i]!, toFloat(h16[i]!))) assert.fail(`${kind} bits ${h16[i]}: ${f[i]} vs ${toFloat(h16[i]!)}`);
        const src = f32Samples(n);
        const out = new Uint16Array(n + 2);
        assert.ok(wasmF32ToHalf(kind, src, 0, out, 1, n));
        assert.equal(out[0], 0);
        assert.equal(out[n + 1], 0);
        for (let i = 0; i < n; i++) if (out[i + 1] !== toHalf(src[i]!)) assert.fail(`${kind}(${src[i]}): ${out[i + 1]} vs ${toHalf(src[i]!)}`);
      });
    }
  }
}
