/**
 * @file .safetensors: files from a hand-written Python writer read by us (all 14 dtypes, metadata, any data order),
 * sharded checkpoints, ours read by a hand-written Python reader (alignment, order, padding), round trips, and
 * malformed headers (huge or lying lengths, bad offsets, overlaps, unknown dtypes).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import * as mx from '../../src/index.js';
import { tempDir, rmTemp, writeFixtures, pyRead, assertExact, rejects } from './io-util.js';

const dir = tempDir();
after(() => rmTemp(dir));
const fixtures = writeFixtures(dir);

test('reads Python-written safetensors: 14 dtypes, 0-d and empty tensors, metadata, reversed data order', async () => {
  for (const f of fixtures.filter((x) => x.format === 'safetensors')) {
    const [arrays, meta] = await mx.load(path.join(dir, f.file), { returnMetadata: true }) as [Record<string, mx.MxArray>, mx.LoadMetadata];
    assert.deepEqual(meta, f.metadata, f.file);
    assert.deepEqual(Object.keys(arrays).sort(), Object.keys(f.arrays).sort());
    for (const [k, d] of Object.entries(f.arrays)) await assertExact(arrays[k]!, d, `${f.file}:${k}`);
    const plain = await mx.load(path.join(dir, f.file)) as Record<string, mx.MxArray>;
    assert.ok(!Array.isArray(plain) && plain.t_bf16 instanceof mx.MxArray);
    const [a2, m2] = await mx.loadSafetensors(new Uint8Array(readFileSync(path.join(dir, f.file))));
    assert.deepEqual(m2, f.metadata);
    await assertExact(a2.t_bf16!, f.arrays.t_bf16!, 'from bytes');
  }
});

test('sharded checkpoints load through the index (directory or index path)', async () => {
  const f = fixtures.find((x) => x.format === 'sharded')!;
  for (const p of [path.join(dir, 'sharded'), path.join(dir, 'sharded', 'model.safetensors.index.json')]) {
    const [arrays, meta] = await mx.loadSafetensorsIndex(p);
    assert.deepEqual(meta, f.metadata);
    assert.deepEqual(Object.keys(arrays).sort(), Object.keys(f.arrays).sort());
    for (const [k, d] of Object.entries(f.arrays)) await assertExact(arrays[k]!, d, k);
  }
  // a single-file directory
  const one = path.join(dir, 'single');
  mkdirSync(one);
  await mx.saveSafetensors(path.join(one, 'model'), { x: mx.array([1, 2]) });
  assert.deepEqual(await (await mx.loadSafetensorsIndex(one))[0].x!.tolist(), [1, 2]);
  // an index naming a tensor its shard lacks
  const bad = path.join(dir, 'sharded', 'bad.index.json');
  writeFileSync(bad, JSON.stringify({ weight_map: { nope: 'model-00001-of-00002.safetensors' } }));
  await rejects(() => mx.loadSafetensorsIndex(bad), /lacks tensor "nope"/);
  writeFileSync(bad, '{"weight_map": 3}');
  await rejects(() => mx.loadSafetensorsIndex(bad), /no "weight_map" object/);
  await rejects(() => mx.loadSafetensorsIndex(dir), /holds neither/);
});

const ALL = [mx.bool, mx.uint8, mx.uint16, mx.uint32, mx.uint64, mx.int8, mx.int16, mx.int32, mx.int64,
  mx.float16, mx.float32, mx.float64, mx.bfloat16, mx.complex64];

function sample(d: mx.Dtype, i: number): mx.MxArray {
  if (d === mx.uint64) return mx.array([0n, 2n ** 64n - 1n, 12345678901234567n], mx.uint64);
  if (d === mx.int64) return mx.array([-(2n ** 63n), 7n, 2n ** 63n - 1n], mx.int64);
  if (d === mx.bool) return mx.array([[true, false, true]]);
  if (d === mx.complex64) return mx.array([1.5, -0.25, 3], mx.float32).astype(mx.complex64);
  return mx.array([[i + 0.5, -i - 1, 100], [0, 1, 2]], mx.float32).astype(d);
}

test('our files read by an independent Python reader: values, HF layout (sorted, aligned, padded), metadata', async () => {
  const arrays: Record<string, mx.MxArray> = {};
  ALL.forEach((d, i) => { arrays[`w.${d.name}`] = sample(d, i); });
  arrays.scalar = mx.array(3.5, mx.float32);
  arrays.empty = mx.array([], mx.float16);
  await mx.saveSafetensors(path.join(dir, 'ours'), arrays, { format: 'mlx', ünï: 'çødé' });
  const r = pyRead([{ file: path.join(dir, 'ours.safetensors'), format: 'safetensors' }])[0]!;
  assert.equal(r.error, undefined, r.error);
  assert.deepEqual(r.metadata, { format: 'mlx', ünï: 'çødé' });
  for (const [k, a] of Object.entries(arrays)) await assertExact(a, r.arrays[k]!, k);
  const c = r.checks!;
  assert.equal(c.header_len_mod8, 0);
  assert.equal(c.contiguous, true);
  assert.equal(c.aligned, true);
  assert.equal(c.ends_at_eof, true);
  // larger elements first, then by name
  const order = c.data_order as string[];
  const size = (n: string): number => arrays[n]!.dtype.size;
  for (let i = 1; i < order.length; i++) {
    const a = order[i - 1]!, b = order[i]!;
    assert.ok(size(a) > size(b) || (size(a) === size(b) && a < b), `${a} before ${b}`);
  }
  // and back through our reader
  const [back, meta] = await mx.loadSafetensors(path.join(dir, 'ours.safetensors'));
  assert.deepEqual(meta, { format: 'mlx', ünï: 'çødé' });
  for (const [k, a] of Object.entries(arrays)) {
    assert.equal(back[k]!.dtype, a.dtype);
    assert.deepEqual(await back[k]!.tolist(), await a.tolist(), k);
  }
  await rejects(() => mx.saveSafetensors(path.join(dir, 'x'), { a: arrays.scalar! }, { n: 3 as never }), /Metadata value of "n" must be a string/);
  await rejects(() => mx.saveSafetensors(path.join(dir, 'x'), { __metadata__: arrays.scalar! }), /cannot name a tensor/);
});

test('loading is lazy and reads only the evaluated tensor', async () => {
  const f = path.join(dir, 'lazy.safetensors');
  await mx.saveSafetensors(f, { a: mx.array(new Float32Array(1000).fill(1)), b: mx.array(new Float32Array(5000).fill(2)) });
  const before = mx.getActiveMemory();
  const w = await mx.load(f) as Record<string, mx.MxArray>;
  assert.equal(mx.getActiveMemory(), before);
  await mx.eval(w.a);
  assert.equal(mx.getActiveMemory() - before, 4000);
  assert.equal(w.b!.isEvaluated, false);
  mx.dispose(w);
  assert.equal(mx.getActiveMemory(), before);
});

function build(header: string | object, data = new Uint8Array(0), lenOverride?: bigint): Uint8Array {
  const h = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, lenOverride ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

test('malformed safetensors fail with clear errors and bounded memory', async () => {
  const d16 = new Uint8Array(16);
  const t = (dtype: string, shape: number[], offs: unknown[]): object => ({ dtype, shape, data_offsets: offs });
  const cases: [Uint8Array, RegExp][] = [
    [new Uint8Array(5), /too short for the header length/],
    [build('{}', d16, 2n ** 60n), /header claims 1152921504606846976 bytes but only \d+ follow/],
    [build('{}', d16, 1000n), /header claims 1000 bytes but only 18 follow/],
    [build('{"a": ', d16), /not valid JSON/],
    [build('[1, 2]', d16), /not a JSON object/],
    [build({ a: t('F32', [2], [0, 8]) }, new Uint8Array(4)), /ends at byte 8 of the data but the file holds 4/],
    [build({ a: t('F32', [2], [-8, 0]) }, d16), /invalid data_offsets \[-8, 0\]/],
    [build({ a: t('F32', [2], [8, 0]) }, d16), /invalid data_offsets/],
    [build({ a: t('F32', [2], [0, 12]) }, d16), /needs 8 bytes but data_offsets span 12/],
    [build({ a: t('F32', [2], [0, 8]), b: t('F32', [2], [4, 12]) }, d16), /"a" and "b" overlap/],
    [build({ a: t('F8_E4M3', [2], [0, 2]) }, d16), /unsupported dtype "F8_E4M3"/],
    [build({ a: t('F32', [2, -1], [0, 8]) }, d16), /invalid shape/],
    [build({ a: t('F32', [2], [0]) }, d16), /invalid data_offsets/],
    [build({ a: t('F32', [2 ** 40, 2 ** 40], [0, 8]) }, d16), /needs|ends at/],
    [build({ a: t('F32', [2], [0, 2 ** 62]) }, d16), /invalid data_offsets|ends at byte/],
    [build({ __metadata__: { a: 1 } }, d16), /__metadata__ value of "a" is not a string/],
    [build({ a: 5 }, d16), /entry "a" is not an object/],
  ];
  for (const [b, re] of cases) await rejects(() => mx.load(b, 'safetensors'), re, re.source);
  // an overly large header that does fit in the file is refused by the size cap, not parsed
  await rejects(() => mx.load(build('{}', d16, 200_000_000n), 'safetensors'), /header claims 200000000 bytes/);
});
