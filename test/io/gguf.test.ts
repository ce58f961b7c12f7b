/**
 * @file GGUF: files from a hand-written Python writer read by us (metadata of every value type, unquantized tensors,
 * Q4_0/Q4_1/Q8_0 from NumPy block encoders and Q4_K/Q5_0/Q5_1/Q8_1/Q5_K/Q6_K random blocks, compared after
 * dequantization with NumPy references), ours read by a Python reader, round trips, malformed files.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as mx from '../../src/index.js';
import { tempDir, rmTemp, writeFixtures, pyRead, assertExact, rejects, dequantizeAffine, type Desc } from './io-util.js';

const dir = tempDir();
after(() => rmTemp(dir));
const fixtures = writeFixtures(dir);
const main = fixtures.find((f) => f.file === 'py.gguf')!;

async function checkMeta(meta: Record<string, mx.GgufValue>, exp: NonNullable<typeof main.metadata>): Promise<void> {
  for (const [k, e] of Object.entries(exp)) {
    const v = meta[k];
    if (typeof e === 'string') assert.equal(v, e, k);
    else if ('strings' in e) assert.deepEqual(v, e.strings, k);
    else await assertExact(v as mx.MxArray, e as Desc, k);
  }
}

test('reads metadata of every value type (scalars as 0-d arrays, float64 as float32 as in MLX, string lists)', async () => {
  const [, meta] = await mx.load(path.join(dir, 'py.gguf'), { returnMetadata: true }) as [unknown, Record<string, mx.GgufValue>];
  assert.deepEqual(Object.keys(meta).sort(), Object.keys(main.metadata!).sort());
  await checkMeta(meta, main.metadata!);
  const al = fixtures.find((f) => f.file === 'py_align64.gguf')!;
  const [arrays, m2] = await mx.loadGguf(path.join(dir, al.file));
  await checkMeta(m2, al.metadata!);
  for (const [k, d] of Object.entries(al.arrays)) await assertExact(arrays[k]!, d, `align64 ${k}`);
});

test('unquantized tensors keep their dtype (F32/F16/BF16/I8/I16/I32/I64/F64) with MLX (reversed) shapes', async () => {
  const arrays = await mx.load(new Uint8Array(readFileSync(path.join(dir, 'py.gguf'))), 'gguf') as Record<string, mx.MxArray>;
  for (const [k, d] of Object.entries(main.arrays)) await assertExact(arrays[k]!, d, k);
});

test('Q4_0, Q4_1, Q8_0 and Q4_K load as MLX affine (weight uint32, .scales, .biases; group 32)', async () => {
  const arrays = await mx.load(path.join(dir, 'py.gguf')) as Record<string, mx.MxArray>;
  const affine: [string, string, number][] = [['q40.weight', 'q40', 4], ['q41.weight', 'q41', 4], ['q80.weight', 'q80', 8],
    ['plain_q', 'plain_q', 4], ['q4k.weight', 'q4k', 4]];
  for (const [name, prefix, bits] of affine) {
    const exp = main.dequant![name]!;
    const w = arrays[name]!, s = arrays[`${prefix}.scales`]!, b = arrays[`${prefix}.biases`]!;
    assert.ok(w && s && b, name);
    assert.equal(w.dtype, mx.uint32);
    assert.equal(s.dtype, mx.float16);
    assert.equal(b.dtype, mx.float16);
    const [rows, cols] = exp.shape as [number, number];
    assert.deepEqual([...w.shape], [rows, (cols * bits) / 32], name);
    assert.deepEqual([...s.shape], [rows, cols / 32], name);
    assert.deepEqual([...b.shape], [rows, cols / 32], name);
    const got = await dequantizeAffine(w, s, b, bits);
    const maxAbs = Math.max(...exp.values.map(Math.abs));
    // Q4_0/Q4_1/Q8_0 are exact up to the float16 bias; Q4_K rounds d*scale to float16 as MLX does
    const tol = name.startsWith('q4k') ? 4e-3 * maxAbs : 1e-3 * maxAbs;
    for (let i = 0; i < got.length; i++) {
      assert.ok(Math.abs(got[i]! - exp.values[i]!) <= tol, `${name}[${i}]: ${got[i]} vs ${exp.values[i]}`);
    }
  }
});

test('Q5_0, Q5_1, Q8_1, Q5_K and Q6_K are dequantized to float16', async () => {
  const arrays = await mx.load(path.join(dir, 'py.gguf')) as Record<string, mx.MxArray>;
  for (const name of ['q50', 'q51', 'q81', 'q5k', 'q6k']) {
    const exp = main.dequant![name]!;
    const a = arrays[name]!;
    assert.equal(a.dtype, mx.float16, name);
    assert.deepEqual([...a.shape], exp.shape, name);
    const got = (await a.tolist() as number[][]).flat();
    for (let i = 0; i < got.length; i++) {
      const e = exp.values[i]!;
      assert.ok(Math.abs(got[i]! - e) <= 1e-3 * Math.abs(e) + 1e-6, `${name}[${i}]: ${got[i]} vs ${e}`);
    }
  }
});

test('saveGguf: read by an independent Python reader, and round trips with metadata', async () => {
  const arrays: Record<string, mx.MxArray> = {
    'a.f32': mx.array([[1.5, -2, 3], [4, 5, 6]], mx.float32), 'a.f16': mx.array([0.5, -0], mx.float16),
    'a.bf16': mx.array([1, -3.5], mx.bfloat16), 'a.i8': mx.array([-128, 127], mx.int8),
    'a.i16': mx.array([[-3], [4]], mx.int16), 'a.i32': mx.array([2 ** 31 - 1], mx.int32),
    'a.i64': mx.array([-(2n ** 63n), 5n], mx.int64), 'a.f64': mx.array([Math.PI], mx.float64),
    'a.s': mx.array(7, mx.float32),
  };
  const meta: Record<string, mx.GgufValue> = {
    'general.name': 'tiny', 'tok.list': ['a', 'ß', ''], 'n.u32': mx.array(3, mx.uint32), 'n.i64': mx.array(-5n, mx.int64),
    'n.b': mx.array(true), 'n.f': mx.array([0.5, 2], mx.float32), 'n.u8s': mx.array([1, 255], mx.uint8),
  };
  await mx.saveGguf(path.join(dir, 'ours'), arrays, meta);
  const r = pyRead([{ file: path.join(dir, 'ours.gguf'), format: 'gguf' }])[0]!;
  assert.equal(r.error, undefined, r.error);
  assert.equal(r.checks!.version, 3);
  assert.equal(r.checks!.offsets_aligned, true);
  for (const [k, a] of Object.entries(arrays)) await assertExact(a, r.arrays[k]!, k);
  assert.equal(r.metadata!['general.name'], 'tiny');
  assert.deepEqual(r.metadata!['tok.list'], { strings: ['a', 'ß', ''] });
  for (const k of ['n.u32', 'n.i64', 'n.b', 'n.f', 'n.u8s']) await assertExact(meta[k] as mx.MxArray, r.metadata![k] as Desc, k);
  const [back, bm] = await mx.loadGguf(path.join(dir, 'ours.gguf'));
  for (const [k, a] of Object.entries(arrays)) {
    assert.equal(back[k]!.dtype, a.dtype, k);
    assert.deepEqual(await back[k]!.tolist(), await a.tolist(), k);
  }
  assert.deepEqual(bm['tok.list'], ['a', 'ß', '']);
  assert.equal(await (bm['n.u32'] as mx.MxArray).item(), 3);
  await rejects(() => mx.saveGguf(path.join(dir, 'x'), { a: mx.array([1], mx.uint32) }), /dtype uint32 of "a" cannot be saved/);
  await rejects(() => mx.saveGguf(path.join(dir, 'x'), {}, { m: mx.array([1], mx.float16) }), /dtype float16, which GGUF cannot store/);
  await rejects(() => mx.saveGguf(path.join(dir, 'x'), {}, { m: mx.array([[1]], mx.int32) }), /only 0-d or 1-D/);
  await rejects(() => mx.saveGguf(path.join(dir, 'x'), {}, { m: 3 as never }), /must be a string, a string list or an array/);
});

/** A tiny GGUF v3 file: one F32 tensor of 4 values, optionally patched. */
function tiny(opts: { type?: number; dims?: bigint[]; offset?: bigint; nt?: bigint; nkv?: bigint; version?: number; kv?: Uint8Array } = {}): Uint8Array {
  const parts: number[] = [];
  const u32 = (v: number): void => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v, true); parts.push(...b); };
  const u64 = (v: bigint): void => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, v, true); parts.push(...b); };
  const str = (s: string): void => { const b = new TextEncoder().encode(s); u64(BigInt(b.length)); parts.push(...b); };
  parts.push(0x47, 0x47, 0x55, 0x46);
  u32(opts.version ?? 3);
  u64(opts.nt ?? 1n);
  u64(opts.nkv ?? (opts.kv ? 1n : 0n));
  if (opts.kv) parts.push(...opts.kv);
  str('t');
  const dims = opts.dims ?? [4n];
  u32(dims.length);
  for (const d of dims) u64(d);
  u32(opts.type ?? 0);
  u64(opts.offset ?? 0n);
  while (parts.length % 32) parts.push(0);
  for (let i = 0; i < 16; i++) parts.push(0);
  return new Uint8Array(parts);
}

function kvBytes(build: (p: { u32: (v: number) => void; u64: (v: bigint) => void; raw: (s: string) => void }) => void): Uint8Array {
  const parts: number[] = [];
  const p = {
    u32: (v: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v, true); parts.push(...b); },
    u64: (v: bigint) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, v, true); parts.push(...b); },
    raw: (s: string) => { parts.push(...new TextEncoder().encode(s)); },
  };
  build(p);
  return new Uint8Array(parts);
}

test('malformed GGUF files fail with clear errors', async () => {
  // the well-formed base file, as v3 and v2 (same layout)
  assert.deepEqual(await ((await mx.load(tiny(), 'gguf')) as Record<string, mx.MxArray>).t!.tolist(), [0, 0, 0, 0]);
  assert.deepEqual(await ((await mx.load(tiny({ version: 2 }), 'gguf')) as Record<string, mx.MxArray>).t!.tolist(), [0, 0, 0, 0]);
  const key = (p: { u64: (v: bigint) => void; raw: (s: string) => void }): void => { p.u64(1n); p.raw('k'); };
  const cases: [Uint8Array, RegExp][] = [
    [new Uint8Array(10), /too short/],
    [(() => { const b = tiny(); b[0] = 0x48; return b; })(), /wrong magic/],
    [tiny({ version: 1 }), /unsupported version 1/],
    [tiny({ version: 0x03000000 }), /big-endian GGUF files are not supported/],
    [tiny().subarray(0, 40), /truncated/],
    [tiny({ nt: 2n ** 40n }), /claims 1099511627776 tensors/],
    [tiny({ dims: [2n ** 62n] }), /far beyond the file size|needs bytes|truncated/],
    [tiny({ dims: [8n] }), /needs bytes \[\d+, \d+\) but the file has \d+ \(truncated\)/],
    [tiny({ offset: 2n ** 50n }), /needs bytes/],
    [tiny({ type: 16 }), /GGML type IQ2_XXS \(16\), which is not supported/],
    [tiny({ type: 99 }), /GGML type unknown type 99/],
    [tiny({ type: 2, dims: [16n] }), /row length 16 that is not a multiple of 32/],
    [tiny({ dims: [1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n] }), /claims 9 dimensions/],
    [tiny({ kv: kvBytes((p) => { key(p); p.u32(8); p.u64(2n ** 60n); }) }), /is 1152921504606846976, far beyond the file size/],
    [tiny({ kv: kvBytes((p) => { key(p); p.u32(9); p.u32(8); p.u64(2n ** 50n); }) }), /claims 1125899906842624 strings/],
    [tiny({ kv: kvBytes((p) => { key(p); p.u32(9); p.u32(5); p.u64(2n ** 50n); }) }), /truncated/],
    [tiny({ kv: kvBytes((p) => { key(p); p.u32(9); p.u32(9); p.u64(1n); }) }), /array of arrays/],
    [tiny({ kv: kvBytes((p) => { key(p); p.u32(77); }) }), /unknown value type 77/],
    [tiny({ kv: kvBytes((p) => { p.u64(17n); p.raw('general.alignment'); p.u32(4); p.u32(12); }) }), /alignment 12/],
  ];
  for (const [b, re] of cases) await rejects(() => mx.load(b, 'gguf'), re, re.source);
  // two tensors overlapping in the data section
  const two = new Uint8Array(200);
  const parts = tiny({ nt: 2n });
  const infoStart = 24, info = parts.subarray(infoStart, infoStart + 8 + 1 + 4 + 8 + 4 + 8);
  two.set(parts.subarray(0, infoStart));
  two.set(info, infoStart);
  const second = info.slice(); second[8] = 0x75; second.set([8, 0, 0, 0, 0, 0, 0, 0], 8 + 1 + 4 + 8 + 4);
  two.set(second, infoStart + info.length);
  await rejects(() => mx.load(two, 'gguf'), /"t" and "u" overlap/);
});
