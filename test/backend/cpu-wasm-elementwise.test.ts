/**
 * @file The WebAssembly float32 binary, reduction and softmax kernels against their TypeScript references (the
 * float64-then-float32 formulas for binary ops, `reduceF32Ref`, `softmaxF32Ref`) on odd shapes (1, 7, 63, 65),
 * broadcast, transposed and reversed views, empty lanes, NaN/inf, operands in and out of the kernels' memory, and
 * sizes large enough for the worker pool.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dt from '../../src/core/dtype.js';
import { rowMajorStrides } from '../../src/core/shape.js';
import { wasmRuntime } from '../../src/backend/cpu/wasm/runtime.js';
import { wasmBinaryF32, wasmUnaryF32, wasmReduceF32, wasmSoftmaxF32, wasmArgReduceF32, wasmLimits } from '../../src/backend/cpu/wasm/elementwise.js';
import { reduceF32Ref, softmaxF32Ref } from '../../src/backend/cpu/kernels/reduce-f32.js';
import { lanePlan } from '../../src/backend/cpu/kernels/reduce-plan.js';
import type { CpuView } from '../../src/backend/cpu/view.js';
import { warmPool } from '../../src/backend/cpu/pool/pool.js';

wasmLimits.min = 0;
const rt = wasmRuntime()!;

// start the workers and give them time to come up, so the large cases really split
before(async () => { warmPool(); await new Promise((r) => setTimeout(r, 300)); assert.ok(warmPool() >= 0); });

function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; out[i] = (s / 2 ** 32 - 0.5) * 8; }
  return out;
}

/** A float32 array of n elements, inside the kernels' memory or on the JS heap. */
function buffer(n: number, inWasm: boolean): Float32Array {
  if (!inWasm) return new Float32Array(n);
  // allocate first: the allocation may grow the memory, and only the grown buffer covers the new bytes
  const ptr = rt.alloc(n * 4, true);
  return new Float32Array(rt.memory.buffer, ptr, n);
}

function view(buf: Float32Array, shape: number[], strides = rowMajorStrides(shape), offset = 0): CpuView {
  const contiguous = strides.every((s, i) => s === rowMajorStrides(shape)[i]);
  return { buf, storage: null as never, dtype: dt.float32, shape, strides, offset, contiguous };
}

/** Element offsets of a view in row-major order. */
function offsets(v: CpuView): number[] {
  const out: number[] = [], nd = v.shape.length;
  const rec = (d: number, o: number): void => {
    if (d === nd) { out.push(o); return; }
    for (let i = 0; i < v.shape[d]!; i++) rec(d + 1, o + i * v.strides[d]!);
  };
  rec(0, v.offset);
  return out;
}

function broadcastTo(v: CpuView, shape: number[]): CpuView {
  const off = shape.length - v.shape.length;
  const strides = shape.map((_, i) => (i < off || v.shape[i - off] === 1 ? 0 : v.strides[i - off]!));
  return { ...v, shape, strides, contiguous: false };
}

type Make = (inWasm: boolean, seed: number) => CpuView;
const dense = (shape: number[]): Make => (w, seed) => {
  const n = shape.reduce((a, b) => a * b, 1);
  const b = buffer(n, w);
  b.set(rand(n, seed));
  return view(b, shape);
};
// a (c, r) array seen as its (r, c) transpose
const transposed = (r: number, c: number): Make => (w, seed) => { const v = dense([c, r])(w, seed); return view(v.buf as Float32Array, [r, c], [1, r]); };
// rows reversed: offset at the last row, negative row stride
const reversed = (r: number, c: number): Make => (w, seed) => { const v = dense([r, c])(w, seed); return view(v.buf as Float32Array, [r, c], [-c, 1], (r - 1) * c); };

const OPS: [string, (x: number, y: number) => number][] = [
  ['add', (x, y) => x + y], ['subtract', (x, y) => x - y], ['multiply', (x, y) => x * y], ['divide', (x, y) => x / y],
];
const CASES: [string, number[], Make, Make][] = [
  ['1', [1], dense([1]), dense([1])],
  ['7', [7], dense([7]), dense([7])],
  ['63x65 + 65 (broadcast row)', [63, 65], dense([63, 65]), dense([65])],
  ['65x1 + 1x63 (outer)', [65, 63], dense([65, 1]), dense([1, 63])],
  ['transposed + reversed', [63, 65], transposed(63, 65), reversed(63, 65)],
  ['scalar * 7x9', [7, 9], dense([1]), dense([7, 9])],
  ['empty', [0, 5], dense([0, 5]), dense([5])],
  ['300k dense (pool)', [300001], dense([300001]), dense([300001])],
];

for (const [name, shape, ma, mb] of CASES) {
  for (const inWasm of [true, false]) {
    test(`binary ${name}, inputs ${inWasm ? 'in' : 'outside'} wasm memory`, () => {
      const a = ma(inWasm, 1), b = mb(inWasm, 2);
      const A = broadcastTo(a, shape), B = broadcastTo(b, shape);
      const oa = offsets(A), ob = offsets(B);
      for (const [op, f] of OPS) {
        const n = oa.length;
        const o = view(buffer(n, true), shape);
        assert.ok(wasmBinaryF32(op, a, b, o));
        for (let k = 0; k < n; k++) {
          const want = Math.fround(f(a.buf[oa[k]!] as number, b.buf[ob[k]!] as number));
          const got = o.buf[k] as number;
          if (!Object.is(got, want) && !(got === want)) assert.fail(`${op} [${k}]: ${got} vs ${want}`);
        }
      }
    });
  }
}

test('binary: an output outside the kernels\' memory is declined', () => {
  const a = dense([8])(true, 1);
  assert.equal(wasmBinaryF32('add', a, a, view(new Float32Array(8), [8])), false);
});

interface RedCase { name: string; make: Make; axes: number[]; poke?: (b: Float32Array) => void }
const RED: RedCase[] = [
  { name: '1', make: dense([1]), axes: [0] },
  { name: '7', make: dense([7]), axes: [0] },
  { name: '63x65 last axis', make: dense([63, 65]), axes: [1] },
  { name: '63x65 first axis (strided lanes)', make: dense([63, 65]), axes: [0] },
  { name: '65x63 transposed, all', make: transposed(65, 63), axes: [0, 1] },
  { name: 'reversed rows, last axis', make: reversed(7, 65), axes: [1] },
  { name: 'empty lanes', make: dense([3, 0]), axes: [1] },
  { name: 'NaN and inf', make: dense([4, 65]), axes: [1], poke: (b) => { b[3] = NaN; b[70] = Infinity; b[140] = -Infinity; } },
  { name: '1<<18 (pool)', make: dense([1 << 18]), axes: [0] },
];

for (const c of RED) {
  for (const inWasm of [true, false]) {
    test(`reduce ${c.name}, input ${inWasm ? 'in' : 'outside'} wasm memory`, () => {
      const x = c.make(inWasm, 3);
      c.poke?.(x.buf as Float32Array);
      const plan = lanePlan(x.shape, c.axes, [x.strides], [x.offset]);
      for (const mode of ['sum', 'mean', 'max', 'min']) {
        const want = new Float32Array(plan.lanes), got = new Float32Array(plan.lanes);
        reduceF32Ref(mode, x.buf as Float32Array, plan, want);
        assert.ok(wasmReduceF32(mode, x.buf as Float32Array, plan, got));
        for (let l = 0; l < plan.lanes; l++) {
          const g = got[l]!, w = want[l]!;
          if (!(Object.is(g, w) || Math.abs(g - w) <= 1e-6 * Math.max(1, Math.abs(w)))) assert.fail(`${mode} lane ${l}: ${g} vs ${w}`);
        }
      }
    });
  }
}

const SOFT: { name: string; shape: number[]; poke?: (b: Float32Array) => void }[] = [
  { name: '1x1', shape: [1, 1] },
  { name: '7x7', shape: [7, 7] },
  { name: '63x65', shape: [63, 65] },
  { name: '65x63 with -inf, inf and NaN lanes', shape: [65, 63], poke: (b) => { b[0] = -Infinity; b[63] = Infinity; b[130] = NaN; b[200] = 100; } },
  { name: '300x1000 (pool)', shape: [300, 1000] },
];

for (const c of SOFT) {
  test(`softmax ${c.name} against the TypeScript reference`, () => {
    const x = dense(c.shape)(true, 4);
    c.poke?.(x.buf as Float32Array);
    const nd = c.shape.length;
    const plan = lanePlan(x.shape, [nd - 1], [x.strides, rowMajorStrides(x.shape)], [x.offset, 0]);
    const n = x.buf.length;
    const want = new Float32Array(n), got = buffer(n, true);
    softmaxF32Ref(x.buf as Float32Array, plan, want);
    assert.ok(wasmSoftmaxF32(x.buf as Float32Array, plan, got));
    for (let k = 0; k < n; k++) {
      const g = got[k]!, w = want[k]!;
      if (!(Object.is(g, w) || Math.abs(g - w) <= 2e-6 * Math.abs(w) + 1e-30)) assert.fail(`[${k}]: ${g} vs ${w}`);
    }
  });
}

const UNARY: [string, (x: number) => number, number][] = [
  ['negative', (x) => -x, 0], ['abs', Math.abs, 0], ['square', (x) => x * x, 0], ['sqrt', Math.sqrt, 0],
  ['reciprocal', (x) => 1 / x, 0], ['exp', Math.exp, 2], ['sigmoid', (x) => 1 / (1 + Math.exp(-x)), 3],
];
const UCASES: [string, number[], Make][] = [
  ['1', [1], dense([1])], ['7', [7], dense([7])], ['63x65', [63, 65], dense([63, 65])],
  ['transposed 65x63', [65, 63], transposed(65, 63)], ['reversed 7x65', [7, 65], reversed(7, 65)],
  ['empty', [0, 3], dense([0, 3])], ['300k (pool)', [300001], dense([300001])],
];

for (const [name, shape, mk] of UCASES) {
  test(`unary ${name} against float64 Math rounded to float32 (exact ops bit for bit, exp/sigmoid within 3 ulp)`, () => {
    const x = mk(false, 9);
    const xb = x.buf as Float32Array;
    if (xb.length > 5) { xb[0] = NaN; xb[1] = Infinity; xb[2] = -Infinity; xb[3] = -0; xb[4] = 90; xb[5] = -95; }
    const ox = offsets(x);
    for (const [op, f, ulps] of UNARY) {
      const o = view(buffer(ox.length, true), shape);
      assert.ok(wasmUnaryF32(op, x, o));
      for (let k = 0; k < ox.length; k++) {
        const want = Math.fround(f(xb[ox[k]!]!)), got = o.buf[k] as number;
        const ulp = Math.abs(want) * 2 ** -23 + 1e-45;
        if (!(Object.is(got, want) || (ulps > 0 && Math.abs(got - want) <= ulps * ulp))) assert.fail(`${op}(${xb[ox[k]!]}): ${got} vs ${want}`);
      }
    }
  });
}

const ARG: RedCase[] = [
  { name: '1', make: dense([1]), axes: [0] },
  { name: '7 with ties', make: dense([7]), axes: [0], poke: (b) => { b[2] = 9; b[5] = 9; b[1] = -9; b[6] = -9; } },
  { name: '63x65 last axis', make: dense([63, 65]), axes: [1] },
  { name: '63x65 first axis (strided lanes)', make: dense([63, 65]), axes: [0] },
  { name: 'reversed rows', make: reversed(65, 7), axes: [0] },
  { name: 'NaN, inf, signed zeros', make: dense([4, 65]), axes: [1], poke: (b) => { b[9] = NaN; b[3] = NaN; b[70] = Infinity; b[140] = -Infinity; for (let i = 195; i < 260; i++) b[i] = i % 2 ? 0 : -0; } },
];

for (const c of ARG) {
  test(`argmax/argmin ${c.name} against a first-occurrence, first-NaN loop`, () => {
    const x = c.make(false, 5);
    c.poke?.(x.buf as Float32Array);
    const plan = lanePlan(x.shape, c.axes, [x.strides], [x.offset]);
    for (const isMax of [true, false]) {
      const got = new Uint32Array(plan.lanes);
      assert.ok(wasmArgReduceF32(isMax, x.buf as Float32Array, plan, got));
      for (let l = 0; l < plan.lanes; l++) {
        let best = NaN, at = -1;
        for (let k = 0; k < plan.n; k++) {
          const v = x.buf[plan.outer[0]![l]! + plan.rows[0]![0]! + k * plan.step[0]!] as number;
          if (v !== v) { at = k; break; }
          if (at < 0 || (isMax ? v > best : v < best)) { best = v; at = k; }
        }
        assert.equal(got[l], at, `${isMax ? 'argmax' : 'argmin'} lane ${l}`);
      }
    }
  });
}
