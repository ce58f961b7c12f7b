/**
 * @file Shared helpers of the I/O tests: run the Python fixture writer (test/helpers/io-write.py) and reader
 * (io-read.py), compare loaded arrays with their exact expected values, make and clean temp dirs.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const helpers = path.resolve(here, '../../../test/helpers');

type Enc = number | string | boolean | [Enc, Enc];
/** An array as the Python helpers describe it. */
export interface Desc { dtype: string; shape: number[]; values: Enc[]; }
/** One fixture file. */
export interface Fixture {
  file: string;
  format: string;
  arrays: Record<string, Desc>;
  metadata?: Record<string, string | Desc | { strings: string[] }>;
  dequant?: Record<string, { shape: number[]; values: number[]; type?: string }>;
}

/** A fresh temp dir; remove it with `rmTemp`. */
export function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'mlx-ts-io-'));
}
export function rmTemp(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Writes every Python fixture into `dir` and returns the manifest. */
export function writeFixtures(dir: string): Fixture[] {
  const out = execFileSync('python3', [path.join(helpers, 'io-write.py'), dir], { maxBuffer: 1 << 28 });
  return JSON.parse(out.toString()) as Fixture[];
}

/** A file as read back by NumPy / the Python readers. */
export interface PyRead { arrays: Record<string, Desc>; metadata?: Record<string, unknown>; checks?: Record<string, unknown>; error?: string; }

/** Reads our files with Python. */
export function pyRead(files: { file: string; format: string }[]): PyRead[] {
  const out = execFileSync('python3', [path.join(helpers, 'io-read.py')], { input: JSON.stringify(files), maxBuffer: 1 << 28 });
  return JSON.parse(out.toString()) as PyRead[];
}

function decode(v: Enc): number | bigint | boolean | [number, number] {
  if (Array.isArray(v)) return [decode(v[0]) as number, decode(v[1]) as number];
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  if (v === '-0') return -0;
  if (typeof v === 'string') return BigInt(v);
  return v;
}

function flatten(x: unknown): unknown[] {
  return Array.isArray(x) ? x.flatMap(flatten) : [x];
}

/** Asserts dtype, shape and exactly equal values (NaN equals NaN; signed zeros must match). */
export async function assertExact(a: mx.MxArray, d: Desc, msg: string): Promise<void> {
  assert.equal(a.dtype.name, d.dtype, `${msg}: dtype`);
  assert.deepEqual([...a.shape], d.shape, `${msg}: shape`);
  const got = flatten(await a.tolist());
  assert.equal(got.length, d.values.length, `${msg}: size`);
  for (let i = 0; i < got.length; i++) {
    const e = decode(d.values[i]!), g = got[i];
    if (typeof e === 'bigint') assert.equal(BigInt(g as number | bigint), e, `${msg}[${i}]`);
    else if (Array.isArray(e)) {
      const c = g as mx.Complex;
      assert.ok(Object.is(c.re, e[0]) && Object.is(c.im, e[1]), `${msg}[${i}]: got ${c.re}+${c.im}i, expected ${e[0]}+${e[1]}i`);
    } else if (typeof e === 'number') assert.ok(Object.is(g, e), `${msg}[${i}]: got ${g}, expected ${e}`);
    else assert.equal(g, e, `${msg}[${i}]`);
  }
}

/** The dequantized values of an MLX affine triple (weight uint32, scales, biases), group size 32. */
export async function dequantizeAffine(w: mx.MxArray, s: mx.MxArray, b: mx.MxArray, bits: number): Promise<number[]> {
  const words = flatten(await w.tolist()) as number[];
  const scales = flatten(await s.tolist()) as number[], biases = flatten(await b.tolist()) as number[];
  const per = 32 / bits, mask = 2 ** bits - 1;
  const out: number[] = [];
  for (let k = 0; k < words.length * per; k++) {
    const q = Math.floor(words[Math.floor(k / per)]! / 2 ** ((k % per) * bits)) & mask;
    out.push(scales[k >> 5]! * q + biases[k >> 5]!);
  }
  return out;
}

/** Asserts that `fn` rejects with an Error whose message matches `re` (and is not a RangeError of a huge alloc). */
export async function rejects(fn: () => Promise<unknown>, re: RegExp, msg?: string): Promise<void> {
  await assert.rejects(fn, (e: unknown) => {
    assert.ok(e instanceof Error, `${msg}: not an Error: ${String(e)}`);
    assert.ok(!(e instanceof RangeError), `${msg}: RangeError ${e.message}`);
    assert.match(e.message, re, msg);
    return true;
  }, msg);
}
