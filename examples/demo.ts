/**
 * @file A short tour of mlx-ts (`npm run demo`): lazy arrays, dtypes, broadcasting, reductions, indexing, linear
 * algebra, FFT, explicit-key random numbers, memory scopes and file formats. Every printed value is computed here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as mx from '../src/index.js';

const show = async (label: string, a: mx.MxArray): Promise<void> => {
  const v = await a.tolist();
  console.log(`${label.padEnd(34)} ${a.dtype.name.padEnd(8)} [${a.shape.join(', ')}] ${JSON.stringify(v, (_k, x) => (typeof x === 'number' ? (Number.isFinite(x) ? +x.toFixed(4) : String(x)) : x))}`);
};

console.log('mlx-ts demo — device:', mx.defaultDevice().toString());

// lazy graph: nothing is computed until a value is read
const a = mx.array([[1, 2, 3], [4, 5, 6]], mx.float32);
const b = mx.arange(3).astype(mx.float32);
const c = a.mul(2).add(b); // broadcasting [2,3] with [3]
await show('a * 2 + arange(3)', c);
await show('sum over axis 0', mx.sum(c, 0));
await show('mean, keepdims', mx.mean(c, { axis: 1, keepdims: true }));
await show('softmax(c, -1)', mx.softmax(c, -1));
await show('a @ a.T', mx.matmul(a, a.T));
await show("a.index('::-1, 1:')", a.index('::-1, 1:'));
await show('a.at([0, 0]).add(10)', mx.zeros([3]).at(mx.array([0, 0])).add(10));

// dtypes and weak scalars
const h = mx.array([0.1, 1000.5, 65519], mx.float16);
await show('float16 values', h);
await show('float16 * 2 stays float16', h.mul(2));
await show('int32 / 2 gives float32', mx.divide(mx.array([3, 4]), 2));

// linear algebra and FFT
const m = mx.array([[4, 1], [1, 3]], mx.float32);
await show('linalg.inv', mx.linalg.inv(m));
const [w] = mx.linalg.eigh(m);
await show('linalg.eigh eigenvalues', w!);
await show('|fft.rfft([1, 0, -1, 0])|', mx.abs(mx.fft.rfft(mx.array([1, 0, -1, 0], mx.float32))));

// random numbers: explicit keys, reproducible
const key = mx.random.key(42);
const [k1, k2] = mx.random.split(key);
await show('random.uniform (key k1)', mx.random.uniform(0, 1, [3], mx.float32, { key: k1 }));
await show('random.normal (key k2)', mx.random.normal([3], mx.float32, { key: k2 }));

// deterministic memory
const before = mx.getActiveMemory();
const kept = mx.tidy(() => mx.sum(mx.exp(mx.ones([256, 256]).mul(0.01))));
console.log(`tidy kept one result: ${(await kept.item()).toFixed(2)}; bytes held beyond it: ${mx.getActiveMemory() - before - kept.nbytes}`);

// file formats
const dir = mkdtempSync(join(tmpdir(), 'mlx-ts-demo-'));
try {
  const file = join(dir, 'weights.safetensors');
  await mx.saveSafetensors(file, { w: m, b: b.astype(mx.bfloat16) }, { format: 'mlx' });
  const loaded = (await mx.load(file)) as Record<string, mx.MxArray>;
  await show('safetensors round trip: w', loaded.w!);
  await show('safetensors round trip: b (bf16)', loaded.b!);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
