/**
 * @file Test helper: evaluates NumPy expressions in one python3 process per batch (test/helpers/np_oracle.py), and
 * compares mlx-ts arrays with the results. NumPy is the independent oracle of the op tests.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// the .py file is not compiled: find it next to the .ts source
const script = path.resolve(here, '../../../test/helpers/np_oracle.py');

type Enc = number | string | boolean | [Enc, Enc];
/** An argument as sent to NumPy. */
export interface NpArg { dtype?: string; shape?: number[]; values?: Enc[]; scalar?: Enc; }
/** A NumPy result. */
export interface NpResult { dtype?: string; shape?: number[]; values?: Enc[]; list?: NpResult[]; error?: string; }
/** One expression over arguments bound to a, b, c, ... (or `code` that sets `result`). */
export interface NpCase { expr?: string; code?: string; args: NpArg[]; }

function encNum(v: number | bigint | boolean): Enc {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (Object.is(v, -0)) return '-0';
  return v;
}

export function decNum(v: Enc): number {
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  if (v === '-0') return -0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v as number;
}

/** Encodes an evaluated array (its exact stored values) as a NumPy argument. */
export async function npArg(a: mx.MxArray | number | boolean): Promise<NpArg> {
  if (!(a instanceof mx.MxArray)) return { scalar: encNum(a) };
  const flat = flatten(await a.tolist());
  return {
    dtype: a.dtype.name, shape: [...a.shape],
    values: flat.map((v) => (typeof v === 'object' && v !== null && 're' in v ? [encNum(v.re), encNum(v.im)] : encNum(v as number))),
  };
}

function flatten(x: unknown): (number | boolean | bigint | mx.Complex)[] {
  if (Array.isArray(x)) return x.flatMap(flatten);
  return [x as number];
}

/** Runs a batch of cases in one python3 process. */
export function numpy(cases: NpCase[]): NpResult[] {
  const out = execFileSync('python3', [script], { input: JSON.stringify(cases), maxBuffer: 1 << 28 });
  return JSON.parse(out.toString()) as NpResult[];
}

/** Tolerances by dtype, loose enough for half precision and transcendental functions. */
export function tolFor(dtype: mx.Dtype): { rtol: number; atol: number } {
  switch (dtype.name) {
    case 'float16': return { rtol: 2e-3, atol: 2e-3 };
    case 'bfloat16': return { rtol: 1.6e-2, atol: 1.6e-2 };
    case 'float32': case 'complex64': return { rtol: 2e-5, atol: 1e-6 };
    case 'float64': return { rtol: 1e-12, atol: 1e-14 };
    default: return { rtol: 0, atol: 0 };
  }
}

/** Maps MLX dtype names to the NumPy dtype the oracle reports for the same type. */
const NP_NAME: Record<string, string> = { bfloat16: 'float32' };

export interface CloseOpts {
  rtol?: number; atol?: number;
  /** Skip the dtype check (when NumPy's promotion differs from MLX's on purpose). */
  ignoreDtype?: boolean;
  /** Also require the sign of zeros to match. */
  signedZeros?: boolean;
  msg?: string;
}

/** Asserts that an mlx-ts array matches a NumPy result: shape, dtype, and values within tolerance (NaN == NaN). */
export async function assertClose(actual: mx.MxArray, expected: NpResult, opts: CloseOpts = {}): Promise<void> {
  const msg = opts.msg ?? '';
  if (expected.error) assert.fail(`${msg}: numpy raised ${expected.error}`);
  assert.deepEqual([...actual.shape], expected.shape, `${msg}: shape`);
  if (!opts.ignoreDtype) {
    assert.equal(NP_NAME[actual.dtype.name] ?? actual.dtype.name, expected.dtype, `${msg}: dtype`);
  }
  const tol = tolFor(actual.dtype);
  const rtol = opts.rtol ?? tol.rtol, atol = opts.atol ?? tol.atol;
  const got = flatten(await actual.tolist());
  const exp = expected.values!;
  assert.equal(got.length, exp.length, `${msg}: size`);
  for (let i = 0; i < exp.length; i++) {
    const e = exp[i]!, g = got[i]!;
    if (Array.isArray(e)) {
      const c = g as mx.Complex;
      closeNum(c.re, decNum(e[0]), rtol, atol, `${msg}: [${i}].re`, opts.signedZeros);
      closeNum(c.im, decNum(e[1]), rtol, atol, `${msg}: [${i}].im`, opts.signedZeros);
    } else {
      closeNum(typeof g === 'boolean' ? +g : Number(g), decNum(e), rtol, atol, `${msg}: [${i}]`, opts.signedZeros);
    }
  }
}

function closeNum(g: number, e: number, rtol: number, atol: number, msg: string, signedZeros?: boolean): void {
  if (Number.isNaN(e)) { assert.ok(Number.isNaN(g), `${msg}: expected NaN, got ${g}`); return; }
  if (!Number.isFinite(e)) { assert.equal(g, e, `${msg}: expected ${e}, got ${g}`); return; }
  if (signedZeros && e === 0) assert.ok(Object.is(g, e), `${msg}: expected ${Object.is(e, -0) ? '-0' : '0'}, got ${g}`);
  assert.ok(Math.abs(g - e) <= atol + rtol * Math.abs(e), `${msg}: expected ${e}, got ${g}`);
}

/** Deterministic pseudo-random numbers in [lo, hi) (a small LCG, so tests need no seed plumbing). */
export function randValues(n: number, seed = 1, lo = -3, hi = 3): number[] {
  let s = seed >>> 0 || 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(lo + ((s >>> 8) / 16777216) * (hi - lo));
  }
  return out;
}

/** A test array of a shape and dtype with deterministic values (integers for integer dtypes). */
export function testArray(shape: number[], dtype: mx.Dtype, seed = 1, lo = -3, hi = 3): mx.MxArray {
  const n = shape.reduce((a, b) => a * b, 1);
  let v = randValues(n, seed, lo, hi);
  if (dtype === mx.bool) v = v.map((x) => (x > 0 ? 1 : 0));
  else if (mx.isInteger(dtype)) v = v.map((x) => Math.round(mx.isUnsigned(dtype) ? Math.abs(x) * 10 : x * 10));
  const flat: (number | boolean)[] = dtype === mx.bool ? v.map((x) => x > 0) : v;
  return mx.array(nestFlat(flat, shape) as mx.NestedData, dtype);
}

/** Nests a flat list into lists of the given shape. */
export function nestFlat<T>(flat: readonly T[], shape: readonly number[], d = 0, off = { i: 0 }): T | unknown[] {
  if (d === shape.length) return flat[off.i++]!;
  const out: unknown[] = [];
  for (let k = 0; k < shape[d]!; k++) out.push(nestFlat(flat, shape, d + 1, off));
  return out;
}

/** Special float values every elementwise op is run on. */
export const EDGE_FLOATS = [NaN, Infinity, -Infinity, -0, 0, 1, -1, 0.5, -2.5, 1e-30, 3.4e38, 65504, 7];

/** The devices the backend tests run on: the CPU, and the GPU where a backend is available. */
export function testDevices(): mx.Device[] {
  return [mx.cpu, ...(mx.isAvailable(mx.gpu) ? [mx.gpu] : [])];
}
