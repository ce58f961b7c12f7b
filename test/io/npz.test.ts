/**
 * @file .npz: archives written by np.savez / np.savez_compressed read by us; ours read by NumPy and Python's
 * zipfile (CRC check); zip64; CRC and structure corruption.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as mx from '../../src/index.js';
import { npzChunks } from '../../src/io/npz.js';
import { npyHeaderBytes } from '../../src/io/npy.js';
import { loadZlib } from '../../src/io/node.js';
import { concatBytes } from '../../src/io/source.js';
import { tempDir, rmTemp, writeFixtures, pyRead, assertExact, rejects } from './io-util.js';

const dir = tempDir();
after(() => rmTemp(dir));
const fixtures = writeFixtures(dir);

test('reads np.savez (stored, zip64 members), np.savez_compressed and positional arr_i names', async () => {
  for (const f of fixtures.filter((x) => x.format === 'npz')) {
    const got = await mx.load(path.join(dir, f.file)) as Record<string, mx.MxArray>;
    assert.deepEqual(Object.keys(got).sort(), Object.keys(f.arrays).sort(), f.file);
    for (const [k, d] of Object.entries(f.arrays)) await assertExact(got[k]!, d, `${f.file}:${k}`);
    // the same bytes in memory
    const mem = await mx.load(new Uint8Array(readFileSync(path.join(dir, f.file)))) as Record<string, mx.MxArray>;
    for (const [k, d] of Object.entries(f.arrays)) await assertExact(mem[k]!, d, `${f.file}:${k} from bytes`);
  }
});

test('savez / savezCompressed files read by NumPy and zipfile (dict, positional, mixed)', async () => {
  const w = mx.array([[1.5, -2], [3, 4]], mx.float32), i = mx.array([1n, -(2n ** 40n)], mx.int64);
  const c = mx.array([true, false, true]), h = mx.array([0.5, -0], mx.float16), z = mx.array([1, 2], mx.complex64);
  await mx.savez(path.join(dir, 'o1'), { w, i, c, h, z });
  await mx.savezCompressed(path.join(dir, 'o2.npz'), { w, i, c, h, z });
  await mx.savez(path.join(dir, 'o3.npz'), w, i, { named: c });
  const res = pyRead(['o1.npz', 'o2.npz', 'o3.npz'].map((f) => ({ file: path.join(dir, f), format: 'npz' })));
  for (const r of res) { assert.equal(r.error, undefined, r.error); assert.equal(r.checks!.crc_ok, true); }
  assert.deepEqual(res[0]!.checks!.methods, [0]);
  assert.deepEqual(res[1]!.checks!.methods, [8]);
  for (const r of res.slice(0, 2)) {
    for (const [k, a] of Object.entries({ w, i, c, h, z })) await assertExact(a, r.arrays[k]!, k);
  }
  assert.deepEqual(Object.keys(res[2]!.arrays).sort(), ['arr_0', 'arr_1', 'named']);
  await assertExact(w, res[2]!.arrays.arr_0!, 'arr_0');
  await assertExact(c, res[2]!.arrays.named!, 'named');
  // and back through our reader
  const back = await mx.load(path.join(dir, 'o2.npz')) as Record<string, mx.MxArray>;
  for (const [k, a] of Object.entries({ w, i, c, h, z })) assert.deepEqual(await back[k]!.tolist(), await a.tolist(), k);
  await rejects(() => mx.savez(path.join(dir, 'bad.npz'), w, { arr_0: i }), /arr_0/);
  await rejects(() => mx.savez(path.join(dir, 'bad.npz'), { w: 3 as never }), /\[savez\] "w" must be an MxArray/);
});

test('zip64 archives we write (forced) are read by Python and by us', async () => {
  await loadZlib('test');
  const a = mx.array([1, 2, 3], mx.int32);
  const members = [{ name: 'a.npy', chunks: [npyHeaderBytes(a.dtype, a.shape), await a.bytes()] }];
  for (const compress of [false, true]) {
    const f = path.join(dir, `z64_${compress}.npz`);
    writeFileSync(f, concatBytes(npzChunks(members, compress, true)));
    const r = pyRead([{ file: f, format: 'npz' }])[0]!;
    assert.equal(r.error, undefined, r.error);
    await assertExact(a, r.arrays.a!, 'python reads zip64');
    assert.deepEqual(await (await mx.load(f) as Record<string, mx.MxArray>).a!.tolist(), [1, 2, 3]);
  }
});

test('corrupt archives: CRC mismatch, truncation, bad directory, unsupported method', async () => {
  const sink = new mx.BytesSink();
  await mx.savez(sink, { a: mx.array([1, 2, 3, 4], mx.float32) });
  const good = sink.bytes();
  const csink = new mx.BytesSink();
  await mx.savezCompressed(csink, { a: mx.array(new Float32Array(64).fill(1)) });
  const cgood = csink.bytes();
  const dataAt = good.indexOf(0x80, 30 + 5 + 64); // first byte of 1.0f (00 00 80 3f) after the npy header
  assert.ok(dataAt > 0);

  // a flipped data byte in a stored member: header loads, evaluation fails the CRC check
  const flipped = good.slice(); flipped[dataAt] ^= 1;
  const arrs = await mx.load(flipped, 'npz') as Record<string, mx.MxArray>;
  await rejects(async () => arrs.a!.tolist(), /\[a\.npy\]: bad CRC-32/);
  // a flipped byte in a deflated member is caught at load
  const cflip = cgood.slice(); cflip[40] ^= 0x55;
  await rejects(() => mx.load(cflip, 'npz'), /corrupt deflate data|bad CRC-32|inflated to/);
  // wrong CRC in the directory of a deflated member
  const ccrc = cgood.slice(); const cd = lastIndexOfSig(ccrc, [0x50, 0x4b, 1, 2]); ccrc[cd + 16] ^= 1;
  await rejects(() => mx.load(ccrc, 'npz'), /bad CRC-32/);

  const cases: [Uint8Array, RegExp][] = [
    [good.subarray(0, 10), /too short for a zip/],
    [good.subarray(0, good.length - 30), /no end-of-central-directory/],
    [good.subarray(0, 60), /no end-of-central-directory|truncated/],
  ];
  // central directory offset beyond the file
  const badOff = good.slice(); const e = lastIndexOfSig(badOff, [0x50, 0x4b, 5, 6]);
  badOff[e + 16] = 0xf0; badOff[e + 17] = 0xff; badOff[e + 18] = 0xff; badOff[e + 19] = 0x7f;
  cases.push([badOff, /does not fit the file/]);
  // a member claiming a huge compressed size
  const huge = good.slice(); const c0 = lastIndexOfSig(huge, [0x50, 0x4b, 1, 2]);
  huge.set([0xfe, 0xff, 0xff, 0x7f], c0 + 20); huge.set([0xfe, 0xff, 0xff, 0x7f], c0 + 24);
  cases.push([huge, /past the end of the file|zip64|different sizes/]);
  // compression method 12 (bzip2)
  const bz = good.slice(); const c1 = lastIndexOfSig(bz, [0x50, 0x4b, 1, 2]); bz[c1 + 10] = 12;
  cases.push([bz, /compression method 12/]);
  // a member that is not an npy file
  const notNpy = good.slice(); const l0 = 30 + 5 + (notNpy[28]! | (notNpy[29]! << 8)); notNpy[l0] = 0;
  cases.push([notNpy, /\[a\.npy\]: invalid \.npy file: wrong magic/]);
  for (const [b, re] of cases) await rejects(() => mx.load(b, 'npz'), re, re.source);
});

function lastIndexOfSig(b: Uint8Array, sig: number[]): number {
  for (let i = b.length - 4; i >= 0; i--) if (sig.every((s, k) => b[i + k] === s)) return i;
  return -1;
}
