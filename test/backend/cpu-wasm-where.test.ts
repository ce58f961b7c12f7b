/**
 * @file The WebAssembly float32 `where` kernel against an independent row-major oracle on odd shapes (1, 7, 63,
 * 65), broadcast condition and operands, transposed and reversed views, empty outputs, operands inside and outside
 * the kernels' memory, NaN/inf/-0 payloads (bits copied), and sizes large enough for the worker pool.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dt from '../../src/core/dtype.js';
import { rowMajorStrides } from '../../src/core/shape.js';
import { wasmRuntime } from '../../src/backend/cpu/wasm/runtime.js';
import { wasmLimits } from '../../src/backend/cpu/wasm/elementwise.js';
import { wasmWhereF32 } from '../../src/backend/cpu/wasm/where.js';
import type { CpuView } from '../../src/backend/cpu/view.js';
import { warmPool } from '../../src/backend/cpu/pool/pool.js';
import * as mx from '../../src/index.js';

wasmLimits.min = 0;
const rt = wasmRuntime()!;

before(async () => { warmPool(); await new Promise((r) => setTimeout(r, 300)); });

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
}

function f32(n: number, inWasm: boolean, seed: number): Float32Array {
  // allocate before taking the buffer: the allocation may grow the memory
  const ptr = inWasm ? rt.alloc(n * 4, true) : 0;
  const b = inWasm ? new Float32Array(rt.memory.buffer, ptr, n) : new Float32Array(n);
  const r = lcg(seed), special = [NaN, Infinity, -Infinity, -0];
  for (let i = 0; i < n; i++) b[i] = i % 17 === 3 ? special[i % 4]! : (r() - 0.5) * 8;
  return b;
}

function bytes(n: number, inWasm: boolean, seed: number): Uint8Array {
  const ptr = inWasm ? rt.alloc(Math.max(n, 1), true) : 0;
  const b = inWasm ? new Uint8Array(rt.memory.buffer, ptr, n) : new Uint8Array(n);
  const r = lcg(seed);
  for (let i = 0; i < n; i++) b[i] = r() < 0.5 ? 1 : 0;
  return b;
}

type Strided = { shape: number[]; strides?: number[]; offset?: number; span?: number };
function view(buf: Float32Array | Uint8Array, dtype: dt.Dtype, s: Strided): CpuView {
  const strides = s.strides ?? rowMajorStrides(s.shape);
  const contiguous = strides.every((x, i) => x === rowMajorStrides(s.shape)[i]);
  return { buf, storage: null as never, dtype, shape: s.shape, strides, offset: s.offset ?? 0, contiguous };
}
const spanOf = (s: Strided): number => s.span ?? s.shape.reduce((a, b) => a * b, 1);

function broadcastTo(v: CpuView, shape: number[]): CpuView {
  const off = shape.length - v.shape.length;
  const strides = shape.map((_, i) => (i < off || v.shape[i - off] === 1 ? 0 : v.strides[i - off]!));
  return { ...v, shape, strides, contiguous: false };
}

function offsets(v: CpuView): number[] {
  const out: number[] = [], nd = v.shape.length;
  const rec = (d: number, o: number): void => {
    if (d === nd) { out.push(o); return; }
    for (let i = 0; i < v.shape[d]!; i++) rec(d + 1, o + i * v.strides[d]!);
  };
  rec(0, v.offset);
  return out;
}

const T = (r: number, c: number): Strided => ({ shape: [r, c], strides: [1, r], span: r * c });
const R = (r: number, c: number): Strided => ({ shape: [r, c], strides: [-c, 1], offset: (r - 1) * c, span: r * c });
const D = (...shape: number[]): Strided => ({ shape });
// [name, out shape, cond, x, y]
const CASES: [string, number[], Strided, Strided, Strided][] = [
  ['1', [1], D(1), D(1), D(1)],
  ['7', [7], D(7), D(7), D(7)],
  ['63', [63], D(63), D(63), D(63)],
  ['65', [65], D(65), D(65), D(65)],
  ['63x65, cond row broadcast', [63, 65], D(65), D(63, 65), D(63, 65)],
  ['65x63, scalar x, column y', [65, 63], D(65, 63), D(1), D(65, 1)],
  ['transposed x, reversed y, transposed cond', [63, 65], T(63, 65), T(63, 65), R(63, 65)],
  ['empty', [0, 7], D(0, 7), D(0, 7), D(7)],
  ['pool-sized', [3, 1 << 18], D(3, 1 << 18), D(1 << 18), D(3, 1 << 18)],
];

for (const [name, shape, cs, xs, ys] of CASES) {
  for (const inWasm of [true, false]) {
    test(`wasm where_f32 ${name} (${inWasm ? 'in' : 'out of'} wasm memory)`, () => {
      const c = broadcastTo(view(bytes(spanOf(cs), inWasm, 1), dt.bool, cs), shape);
      const x = broadcastTo(view(f32(spanOf(xs), inWasm, 2), dt.float32, xs), shape);
      const y = broadcastTo(view(f32(spanOf(ys), !inWasm, 3), dt.float32, ys), shape);
      const n = shape.reduce((a, b) => a * b, 1);
      const po = rt.alloc(Math.max(n, 1) * 4);
      const o = view(new Float32Array(rt.memory.buffer, po, n), dt.float32, { shape });
      assert.ok(wasmWhereF32(c, x, y, o));
      const oc = offsets(c), ox = offsets(x), oy = offsets(y);
      const cb = c.buf as Uint8Array, xb = new Uint32Array(x.buf.buffer, x.buf.byteOffset, x.buf.length);
      const yb = new Uint32Array(y.buf.buffer, y.buf.byteOffset, y.buf.length);
      const got = new Uint32Array(o.buf.buffer, o.buf.byteOffset, n);
      for (let i = 0; i < n; i++) {
        const want = cb[oc[i]!] ? xb[ox[i]!]! : yb[oy[i]!]!;
        if (got[i] !== want) assert.fail(`element ${i}: ${got[i]} != ${want}`);
      }
    });
  }
}

test('mx.where on large float32 arrays goes through the kernel', async () => {
  const a = mx.arange(20000).astype(mx.float32);
  const r = (await mx.where(mx.greater(a, 2500), a, mx.negative(a)).tolist()) as number[];
  for (let i = 0; i < 20000; i++) assert.equal(r[i], i > 2500 ? i : -i);
});
