/**
 * @file Shared helpers of the nn tests: the PyTorch fixtures and an allclose assertion.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as mx from '../../src/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The fixture directory (../shared/fixtures/nn from the repo root). */
export const FIXTURES = path.resolve(here, '../../../../shared/fixtures/nn');

let cache: Promise<Record<string, mx.MxArray>> | null = null;
/** The arrays of nn.npz, keyed `case/name`. */
export function fixtures(): Promise<Record<string, mx.MxArray>> {
  cache ??= mx.load(path.join(FIXTURES, 'nn.npz')) as Promise<Record<string, mx.MxArray>>;
  return cache;
}

/** Asserts |a - b| <= atol + rtol |b| elementwise, and equal shapes. */
export async function assertAllClose(a: mx.MxArray, b: mx.MxArray | unknown[] | number, atol = 1e-5, rtol = 1e-5, what = ''): Promise<void> {
  const bb = b instanceof mx.MxArray ? b : mx.array(b as number[], mx.float64);
  assert.deepEqual([...a.shape], [...bb.shape], `${what}: shape ${a.shape} vs ${bb.shape}`);
  const x = Array.from(await a.astype(mx.float64).data() as Float64Array);
  const y = Array.from(await bb.astype(mx.float64).data() as Float64Array);
  let worst = 0, at = -1;
  for (let i = 0; i < x.length; i++) {
    const err = Math.abs(x[i]! - y[i]!) - (atol + rtol * Math.abs(y[i]!));
    if (!(err <= 0) && (err > worst || Number.isNaN(err))) { worst = Number.isNaN(err) ? Infinity : err; at = i; }
  }
  assert.ok(at < 0, `${what}: element ${at}: ${x[at]} vs ${y[at]}`);
}
