/**
 * @file Bad input on mx.gpu gives the same clear errors as on mx.cpu: each row is a call that must throw; it is run
 * with `{ stream: mx.cpu }` and `{ stream: mx.gpu }` and both messages must match each other and name the op.
 * Out-of-range indices (defined in MLX as wrap-then-clamp, not an error) must give the CPU's values on the GPU.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { testDevices } from '../helpers/numpy.js';
import { useTestDevices } from '../helpers/devices.js';

await useTestDevices();

type S = { stream: mx.Device };
const a34 = (): mx.MxArray => mx.reshape(mx.arange(12, mx.float32), [3, 4]);
const i32 = (v: number[]): mx.MxArray => mx.array(v, mx.int32);

/** [op named in the message, a call that must throw on either stream]. */
const BAD: [string, (s: S) => unknown][] = [
  ['add', (s) => mx.add(mx.zeros([3]), mx.zeros([4]), s)],
  ['matmul', (s) => mx.matmul(mx.zeros([2, 3]), mx.zeros([4, 2]), s)],
  ['sum', (s) => mx.sum(a34(), 2, s)],
  ['argmax', (s) => mx.argmax(a34(), { axis: -3, ...s })],
  ['softmax', (s) => mx.softmax(a34(), 5, s)],
  ['reshape', (s) => mx.reshape(a34(), [5, 2], s)],
  ['transpose', (s) => mx.transpose(a34(), [0, 0], s)],
  ['broadcastTo', (s) => mx.broadcastTo(a34(), [2, 4], s)],
  ['concatenate', (s) => mx.concatenate([mx.zeros([2, 3]), mx.zeros([2, 4])], 0, s)],
  ['take', (s) => mx.take(a34(), mx.array([0.5, 1]), 0, s)],
  ['take', (s) => mx.take(a34(), i32([0]), 2, s)],
  ['takeAlongAxis', (s) => mx.takeAlongAxis(a34(), i32([0, 1]), 1, s)],
  ['pad', (s) => mx.pad(a34(), [[-1, 0]], s)],
  ['flip', (s) => mx.flip(a34(), 4, s)],
  ['cumsum', (s) => mx.cumsum(a34(), 2, s)],
  ['sort', (s) => mx.sort(a34(), 3, s)],
  ['topk', (s) => mx.topk(a34(), 9, s)],
  ['where', (s) => mx.where(mx.zeros([2], mx.bool), mx.zeros([3]), mx.zeros([4]), s)],
  ['zeros', (s) => mx.zeros([-1], s)],
  ['arange', (s) => mx.arange(0, 3, 0, s)],
  ['eye', (s) => mx.eye(-2, s)],
  ['bits', (s) => mx.random.bits([2], 3, { key: mx.random.key(0), ...s })],
  ['conv1d', (s) => mx.conv1d(mx.zeros([1, 5, 2]), mx.zeros([3, 3, 4]), s)],
  ['fft', (s) => mx.fft.fft(mx.zeros([4]), 0, s)],
  ['einsum', (s) => mx.einsum('ij,jk->ik', mx.zeros([2, 3]), mx.zeros([4, 5]), s)],
  ['bitwiseAnd', (s) => mx.bitwiseAnd(mx.zeros([2]), mx.zeros([2]), s)],
];

/** The message a call throws, or a failure when it does not throw. */
function messageOf(f: () => unknown, label: string): string {
  try { f(); } catch (e) { return (e as Error).message; }
  return assert.fail(`${label}: did not throw`);
}

for (const device of testDevices()) {
  if (device.type !== 'gpu') continue;
  test('bad input throws the CPU\'s error, naming the op, on gpu', () => {
    for (const [op, f] of BAD) {
      const cpuMsg = messageOf(() => f({ stream: mx.cpu }), `${op} on cpu`);
      assert.ok(cpuMsg.startsWith(`[${op}]`), `${op}: the CPU error names the op: ${cpuMsg}`);
      assert.equal(messageOf(() => f({ stream: device }), `${op} on gpu`), cpuMsg, op);
    }
  });

  test('out-of-range gather and slice indices give the CPU\'s values on gpu', async () => {
    const idx = i32([3, -4, 7, -9, 100]);
    const cases: [string, (s: S) => mx.MxArray][] = [
      ['take axis 0', (s) => mx.take(a34(), idx, 0, s)],
      ['take flat', (s) => mx.take(a34(), i32([12, -13, 40]), s)],
      ['takeAlongAxis', (s) => mx.takeAlongAxis(a34(), mx.array([[4, -5, 9], [0, 1, 2], [-7, 3, 8]], mx.int32), 1, s)],
      ['index past the end', (s) => a34().index('1:9, -9:2', s)],
      ['slice', (s) => mx.slice(a34(), i32([5, -6]), [0, 1], [2, 2], s)],
    ];
    const before = mx.deviceInfo(mx.gpu).stats?.dispatches ?? 0;
    for (const [name, f] of cases) {
      const c = f({ stream: mx.cpu }), g = f({ stream: device });
      assert.deepEqual(await g.tolist(), await c.tolist(), name);
    }
    assert.ok((mx.deviceInfo(mx.gpu).stats?.dispatches ?? 0) > before, 'the gathers ran on the GPU');
  });
}
