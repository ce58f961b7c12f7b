/**
 * @file Keyless random draws inside `mx.compile` (`mx.random.state` as implicit state), on the CPU and on the GPU.
 * The oracle is the explicit-key sequence MLX's global key follows: `[keep, use] = split(key)`, sample with `use`,
 * continue from `keep`, starting at `mx.random.key(seed)`; it uses only keyed samplers and `split`, which
 * test/core/random.test.ts checks against MLX's numbers.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';

type Draw = (key?: mx.MxArray) => mx.MxArray;

/** [name, draw(key)]: called without a key, the sampler draws from mx.random.state. */
const SAMPLERS: [string, Draw][] = [
  ['uniform', (key) => mx.random.uniform(-2, 3, [5], mx.float32, { key })],
  ['normal', (key) => mx.random.normal([2, 3], mx.float32, { key })],
  ['bernoulli', (key) => mx.random.bernoulli(0.3, [7], { key })],
  ['randint', (key) => mx.random.randint(0, 1000, [6], { key })],
];

/** The first `n` draws of `draw` from the global key after `seed(s)`, with explicit keys. */
async function oracle(s: number, n: number, draws: Draw[]): Promise<unknown[]> {
  let k = mx.random.key(s);
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const keys = mx.random.split(k);
    k = keys.index(0);
    out.push(await draws[i % draws.length]!(keys.index(1)).tolist());
  }
  return out;
}

const withState = { inputs: [mx.random.state], outputs: [mx.random.state] };

for (const device of ['cpu', 'gpu'] as const) {
  describe(`keyless draws under mx.compile on the ${device}`, () => {
    let ok = true;
    const fallbacks = (): number => (device === 'gpu' ? mx.deviceInfo(mx.gpu).stats?.fallbacks ?? 0 : 0);
    before(async () => {
      if (device === 'gpu') {
        ok = await mx.initGpu({ allowSoftware: true, quiet: true });
        if (ok) mx.setDefaultDevice(mx.gpu);
      }
    });
    after(() => { if (device === 'gpu') { mx.setDefaultDevice(mx.cpu); mx.shutdown(); } });

    for (const [name, draw] of SAMPLERS) {
      test(`${name}: with mx.random.state passed, every call draws the next numbers of the eager sequence`, async (t) => {
        if (!ok) { t.skip('no GPU adapter'); return; }
        const want = await oracle(11, 4, [draw]);
        // the oracle itself must give distinct draws, or equality below would not show that the key advanced
        assert.notDeepEqual(want[0], want[1]);
        mx.random.seed(11);
        const eager: unknown[] = [];
        for (let i = 0; i < 4; i++) eager.push(await draw().tolist());
        assert.deepEqual(eager, want, 'eager keyless sequence');

        const f = mx.compile(() => draw(), withState);
        mx.random.seed(11);
        const f0 = fallbacks();
        const got: unknown[] = [];
        for (let i = 0; i < 4; i++) got.push(await f().tolist());
        assert.deepEqual(got, want, 'compiled sequence');
        assert.equal(fallbacks(), f0, 'no CPU fallback');
        // seed resets the key the compiled function reads
        mx.random.seed(11);
        assert.deepEqual(await f().tolist(), want[0]);
      });
    }

    test('without mx.random.state passed, the traced key is a constant: every call returns the same numbers (MLX)', async (t) => {
      if (!ok) { t.skip('no GPU adapter'); return; }
      const draw = SAMPLERS[0]![1];
      const want = await oracle(4, 2, [draw]);
      mx.random.seed(4);
      const g = mx.compile(() => draw());
      const a = await g().tolist(), b = await g().tolist(), c = await g().tolist();
      assert.deepEqual(a, want[0]);
      assert.deepEqual(b, a);
      assert.deepEqual(c, a);
      // the trace split the global key once, as the eager draw would have
      assert.deepEqual(await draw().tolist(), want[1]);
    });

    test('a compiled function drawing twice per call, interleaved with eager draws before and after', async (t) => {
      if (!ok) { t.skip('no GPU adapter'); return; }
      const [u, n] = [SAMPLERS[0]![1], SAMPLERS[1]![1]];
      const want = await oracle(21, 8, [u, n]);
      const f = mx.compile(() => [u(), n()], withState);
      mx.random.seed(21);
      const got: unknown[] = [await u().tolist(), await n().tolist()];
      for (let i = 0; i < 2; i++) {
        const [a, b] = f() as mx.MxArray[];
        got.push(await a!.tolist(), await b!.tolist());
      }
      // eager draws continue from the key the compiled call wrote back (an array now, split on the device)
      got.push(await u().tolist(), await n().tolist());
      assert.deepEqual(got, want);
    });

    test('the key survives the mx.tidy scope of a compiled call; assigning state[0] continues from that key', async (t) => {
      if (!ok) { t.skip('no GPU adapter'); return; }
      const draw = SAMPLERS[3]![1];
      const want = await oracle(9, 3, [draw]);
      const f = mx.compile(() => draw(), withState);
      mx.random.seed(9);
      const got: unknown[] = [];
      for (let i = 0; i < 3; i++) got.push(await mx.tidy(async () => (await f().tolist())));
      assert.deepEqual(got, want);

      const from7 = await oracle(7, 2, [draw]);
      mx.random.state[0] = mx.random.key(7);
      assert.deepEqual(await f().tolist(), from7[0]);
      assert.deepEqual(await draw().tolist(), from7[1]);
      assert.equal(mx.random.state.length, 1);
      assert.throws(() => { mx.random.state[0] = mx.array([1, 2], mx.int32); }, /uint32 key of shape \(2\)/);
    });
  });
}

describe('mx.random.state across devices', () => {
  let ok = true;
  before(async () => { ok = await mx.initGpu({ allowSoftware: true, quiet: true }); });
  after(() => { mx.setDefaultDevice(mx.cpu); mx.shutdown(); });

  test('the key a compiled call wrote back on one device feeds draws and compiled calls on the other', async (t) => {
    if (!ok) { t.skip('no GPU adapter'); return; }
    const draw = SAMPLERS[0]![1];
    const want = await oracle(1, 5, [draw]);
    const f = mx.compile(() => draw(), withState);
    mx.random.seed(1);
    const got: unknown[] = [await f().tolist()];
    mx.setDefaultDevice(mx.gpu);
    got.push(await f().tolist());
    got.push(await mx.random.uniform(-2, 3, [5], mx.float32, { stream: mx.cpu }).tolist());
    got.push(await f().tolist());
    mx.setDefaultDevice(mx.cpu);
    got.push(await f().tolist());
    assert.deepEqual(got, want);
  });
});
