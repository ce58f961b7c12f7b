/**
 * @file .npy: files written by NumPy (every dtype, v1/v2/v3, big-endian, Fortran order) read by us; files we write
 * read by NumPy; round trips of all 14 dtypes (bfloat16 as MLX's '<V2'); laziness; malformed files.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as mx from '../../src/index.js';
import { testArray } from '../helpers/numpy.js';
import { tempDir, rmTemp, writeFixtures, pyRead, assertExact, rejects } from './io-util.js';

const dir = tempDir();
after(() => rmTemp(dir));
const fixtures = writeFixtures(dir);

test('reads every .npy NumPy writes (dtypes, 0-d/empty shapes, v1-v3, big-endian, Fortran order)', async () => {
  const npy = fixtures.filter((f) => f.format === 'npy');
  assert.ok(npy.length > 60);
  for (const f of npy) {
    const a = await mx.load(path.join(dir, f.file)) as mx.MxArray;
    assert.ok(a instanceof mx.MxArray, f.file);
    await assertExact(a, f.arrays['']!, f.file);
  }
});

test('a Fortran-order file becomes a column-major view that ops read correctly', async () => {
  const f = fixtures.find((x) => x.file === 'np_fortran_float32_3.npy')!;
  const a = await mx.load(path.join(dir, f.file)) as mx.MxArray;
  // astype reads through the strided view; values must come out in logical (row-major) order
  await assertExact(a.astype(mx.float32), f.arrays['']!, 'astype of fortran view');
  const bytes = readFileSync(path.join(dir, f.file));
  await assertExact(await mx.load(new Uint8Array(bytes)) as mx.MxArray, f.arrays['']!, 'from bytes');
});

const ALL = [mx.bool, mx.uint8, mx.uint16, mx.uint32, mx.uint64, mx.int8, mx.int16, mx.int32, mx.int64,
  mx.float16, mx.float32, mx.float64, mx.bfloat16, mx.complex64];

function sampleOf(d: mx.Dtype, shape: number[], seed: number): mx.MxArray {
  if (d === mx.complex64) return mx.array([1.5, -2, 0.25, 3e10, -0, 7], mx.float32).astype(mx.complex64);
  if (d === mx.uint64) return mx.array([0n, 1n, 2n ** 64n - 1n, 2n ** 53n + 1n], mx.uint64);
  if (d === mx.int64) return mx.array([-(2n ** 63n), 2n ** 63n - 1n, -1n, 2n ** 53n + 1n], mx.int64);
  return testArray(shape, d, seed, -100, 100);
}

test('our .npy files read back by NumPy, for every dtype NumPy has', async () => {
  const arrays = ALL.filter((d) => d !== mx.bfloat16).map((d, i) => sampleOf(d, [2, 3], i + 1));
  arrays.push(mx.array(2.5, mx.float32), mx.array([], mx.int16), mx.array([[true, false]]));
  const files = arrays.map((_, i) => path.join(dir, `ours_${i}`));
  for (let i = 0; i < arrays.length; i++) await mx.save(files[i]!, arrays[i]!); // '.npy' appended
  const res = pyRead(files.map((f) => ({ file: `${f}.npy`, format: 'npy' })));
  for (let i = 0; i < arrays.length; i++) {
    assert.equal(res[i]!.error, undefined, res[i]!.error);
    const exp = res[i]!.arrays['']!;
    // NumPy's view of our bytes must equal our own values
    await assertExact(arrays[i]!, exp, `numpy reads ${arrays[i]!.dtype.name}`);
  }
});

test('bfloat16 is written as <V2 (as MLX does) and read back as bfloat16', async () => {
  const a = mx.array([1, -2.5, Infinity, 3.140625], mx.bfloat16);
  const sink = new mx.BytesSink();
  await mx.save(sink, a);
  const bytes = sink.bytes();
  assert.match(new TextDecoder().decode(bytes.subarray(10, 60)), /'descr': '<V2'/);
  assert.equal((bytes.length - 8) % 64, 0); // 64-byte aligned header, then 4 x 2 bytes
  const b = await mx.load(bytes) as mx.MxArray;
  assert.equal(b.dtype, mx.bfloat16);
  assert.deepEqual(await b.tolist(), [1, -2.5, Infinity, 3.140625]);
  await mx.save(path.join(dir, 'bf'), a);
  const py = pyRead([{ file: path.join(dir, 'bf.npy'), format: 'npy' }]);
  await assertExact(a, py[0]!.arrays['']!, 'numpy view of <V2');
});

test('round trip of all 14 dtypes through a path and through bytes; non-contiguous input', async () => {
  for (const [i, d] of ALL.entries()) {
    const a = sampleOf(d, [3, 2], 10 + i);
    const f = path.join(dir, `rt_${d.name}.npy`);
    await mx.save(f, a);
    const b = await mx.load(f) as mx.MxArray;
    assert.equal(b.dtype, d);
    assert.deepEqual([...b.shape], [...a.shape]);
    assert.deepEqual(await b.tolist(), await a.tolist(), d.name);
    const sink = new mx.BytesSink();
    await mx.save(sink, a);
    assert.deepEqual(await (await mx.load(sink.bytes().buffer as ArrayBuffer, 'npy') as mx.MxArray).tolist(), await a.tolist());
  }
  // a Fortran view (loaded from NumPy) saved again is written row-major
  const f = fixtures.find((x) => x.file === 'np_fortran_int16_2.npy')!;
  const a = await mx.load(path.join(dir, f.file)) as mx.MxArray;
  await mx.save(path.join(dir, 'refortran.npy'), a);
  const py = pyRead([{ file: path.join(dir, 'refortran.npy'), format: 'npy' }]);
  assert.deepEqual(py[0]!.arrays['']!, f.arrays['']!);
});

test('load is lazy: nothing is read or allocated before evaluation', async () => {
  const f = path.join(dir, 'lazy.npy');
  await mx.save(f, mx.array(new Float32Array(1 << 16).fill(3)));
  const before = mx.getActiveMemory();
  const a = await mx.load(f) as mx.MxArray;
  assert.equal(a.isEvaluated, false);
  assert.equal(mx.getActiveMemory(), before);
  await mx.eval(a);
  assert.equal(mx.getActiveMemory() - before, 4 << 16);
  a.dispose();
});

test('options: format positional or in options; returnMetadata refused for npy; unknown extension', async () => {
  const f = path.join(dir, 'noext');
  writeFileSync(f, readFileSync(path.join(dir, 'np_v1.npy')));
  await rejects(() => mx.load(f), /Cannot infer the format/);
  assert.ok(await mx.load(f, 'npy') instanceof mx.MxArray);
  assert.ok(await mx.load(f, { format: 'npy' }) instanceof mx.MxArray);
  await rejects(() => mx.load(f, 'npy', true), /returnMetadata is only supported/);
  await rejects(() => mx.load(path.join(dir, 'missing.npy')), /\[load\] Failed to open/);
  await rejects(() => mx.save(f, 3 as never), /\[save\] arr must be an MxArray/);
});

test('malformed .npy files fail with a clear error', async () => {
  const good = new Uint8Array(readFileSync(path.join(dir, 'np_float32_3.npy')));
  const text = (b: Uint8Array): string => new TextDecoder('latin1').decode(b);
  const withHeader = (h: string): Uint8Array => {
    const hb = new TextEncoder().encode(h);
    const out = new Uint8Array(10 + hb.length + 8);
    out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, hb.length & 255, hb.length >> 8]);
    out.set(hb, 10);
    return out;
  };
  const cases: [Uint8Array, RegExp][] = [
    [good.subarray(0, 5), /too short/],
    [(() => { const b = good.slice(); b[1] = 0x41; return b; })(), /wrong magic/],
    [(() => { const b = good.slice(); b[6] = 9; return b; })(), /unsupported format version 9/],
    [good.subarray(0, 40), /header claims \d+ bytes but only \d+ follow/],
    [good.subarray(0, good.length - 3), /needs 96 data bytes but the file has 93/],
    [(() => { const b = good.slice(); b[8] = 0xff; b[9] = 0xff; return b; })(), /header claims 65535 bytes/],
    [withHeader("{'descr': '<U4', 'fortran_order': False, 'shape': (2,), }"), /unsupported dtype '<U4'/],
    [withHeader("{'descr': '<c16', 'fortran_order': False, 'shape': (), }"), /complex128 has no MLX dtype/],
    [withHeader("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }"), /structured dtypes/],
    [withHeader("{'descr': '<f4', 'shape': (2,), }"), /lacks 'fortran_order'/],
    [withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }"), /bad shape entry/],
    [withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }"), /too large|needs/],
    [withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }"), /needs .* data bytes/],
    [withHeader("{'descr': '<f4' 'fortran_order': False}"), /expected ',' or '}'/],
    [withHeader("{'descr: '<f4'}"), /expected ':'|expected/],
  ];
  assert.match(text(good.subarray(0, 80)), /'descr': '<f4'/);
  for (const [bytes, re] of cases) await rejects(() => mx.load(bytes, 'npy'), re, re.source);
});
