/**
 * @file Compiled training steps (`trainLoop({ compile: true })`, `nn.trainStep`): on the CPU and on the GPU, several
 * compiled steps of examples/charlm.ts's transformer give the losses and parameters of the same steps run eagerly
 * (the eager optimizers are tested against their formulas in test/optimizers), for AdamW, Adam and SGD with momentum
 * under learning-rate schedules; the step count and learning rate are inputs of the trace, not constants (checked
 * against closed-form updates of a linear loss); and lazy optimizer-state creation works under `mx.compile`.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import * as optim from '../../src/optimizers/index.js';
import { treeFlatten } from '../../src/utils/index.js';
import { compiledPlan } from '../../src/core/transforms/compile-plan.js';
import { CharTransformer, lmLoss } from '../../examples/charlm.js';

const V = 16, CTX = 16, DIMS = 32, BATCH = 2, STEPS = 4;

/**
 * [name, optimizer factory]: schedules that change the learning rate at every step. Adam's eps is 1e-4 (1e-3 with
 * bias correction, whose first steps are 10x steeper), not 1e-8: its update lr·m/(√v + eps) has slope up to lr/eps
 * in a near-zero gradient, so with 1e-8 a rounding difference between fused and unfused kernels (1e-9 in a
 * gradient) could move a parameter by 1e-3; with 1e-4 by 1e-7. Lion is left out: its sign(·) flips on rounding noise.
 */
const OPTIMIZERS: [string, () => optim.Optimizer][] = [
  ['AdamW, warm-up then cosine decay', () => new optim.AdamW(optim.joinSchedules([optim.linearSchedule(1e-3, 1e-2, 2), optim.cosineDecay(1e-2, 4, 1e-3)], [2]), [0.9, 0.99], 1e-4, 0.01)],
  ['Adam with bias correction, exponential decay', () => new optim.Adam(optim.exponentialDecay(1e-2, 0.7), [0.9, 0.999], 1e-3, true)],
  ['SGD with momentum, step decay', () => new optim.SGD(optim.stepDecay(0.1, 0.5, 2), 0.9, 1e-4)],
  ['MultiOptimizer (SGD for matrices, Adam for the rest)', () => new optim.MultiOptimizer([new optim.SGD(optim.linearSchedule(1e-2, 1e-1, 3), 0.5), new optim.Adam(1e-2, [0.9, 0.999], 1e-4)], [(_p, g) => g.ndim === 2])],
];

function floats(a: mx.MxArray): Promise<Float32Array> { return a.astype(mx.float32).data() as Promise<Float32Array>; }

/**
 * Asserts that compiled (`a`) and eager (`b`) agree elementwise to |a - b| <= 1e-5 (|b| + max |b|) + 1e-4 max |b - b0|
 * (`b0`: the values before training): relative to the element and the tensor's scale, plus a part relative to how far
 * training moved the tensor. The fused kernels of the compiled step round differently, and a gradient that is a sum
 * with cancellation (a layer-norm bias, say) carries that difference with a relative size well above 1e-5 into the
 * Adam update, lr·m/(√v + eps), which starts at zero for a tensor initialised to zeros.
 */
async function close(a: mx.MxArray, b: mx.MxArray, b0: Float32Array | undefined, what: string): Promise<void> {
  assert.deepEqual([...a.shape], [...b.shape], `${what}: shape`);
  const x = await floats(a), y = await floats(b);
  let scale = 0, moved = 0;
  for (let i = 0; i < y.length; i++) {
    scale = Math.max(scale, Math.abs(y[i]!));
    if (b0) moved = Math.max(moved, Math.abs(y[i]! - b0[i]!));
  }
  for (let i = 0; i < y.length; i++) {
    const tol = 1e-5 * (Math.abs(y[i]!) + scale) + 1e-4 * moved + 1e-30;
    assert.ok(Math.abs(x[i]! - y[i]!) <= tol, `${what}[${i}]: ${x[i]} vs ${y[i]} (tolerance ${tol})`);
  }
}

/** Trains a fresh model (seeded init, fixed random data) for STEPS steps; returns the losses, model and optimizer. */
type Trained = { losses: number[]; model: CharTransformer; opt: optim.Optimizer; init: Map<string, Float32Array> };
const flat = (t: unknown): [string, mx.MxArray][] => treeFlatten(t, '', (x) => x instanceof mx.MxArray) as [string, mx.MxArray][];

async function train(compile: boolean, make: () => optim.Optimizer, clip?: number): Promise<Trained> {
  mx.random.seed(5);
  const model = new CharTransformer(V, CTX, DIMS, 1, 4);
  const data = mx.random.randint(0, V, [STEPS, BATCH, CTX + 1], mx.int32);
  await mx.eval(data, model.parameters());
  const init = new Map<string, Float32Array>();
  for (const [k, v] of flat(model.parameters())) init.set(k, await floats(v));
  const opt = make();
  const r = await nn.trainLoop({
    model, optimizer: opt, steps: STEPS, compile, clipGradNorm: clip, progress: false, evalEvery: 1e9,
    lossFn: (w) => lmLoss(model, w), batches: (i) => [data.index(i)],
  });
  return { losses: r.trainLoss.map(([, l]) => l), model, opt, init };
}

async function sameTraining(make: () => optim.Optimizer, clip?: number): Promise<void> {
  const eager = await train(false, make, clip);
  const comp = await train(true, make, clip);
  comp.losses.forEach((l, i) => assert.ok(Math.abs(l - eager.losses[i]!) <= 1e-5 * Math.abs(eager.losses[i]!), `loss ${i}: ${l} vs ${eager.losses[i]}`));
  // the losses must move, or equal losses would not show that the updates happened
  assert.notEqual(eager.losses[0], eager.losses[STEPS - 1]);
  const pe = flat(eager.model.parameters()), pc = new Map(flat(comp.model.parameters()));
  assert.ok(pe.length > 10);
  for (const [k, v] of pe) await close(pc.get(k)!, v, eager.init.get(k), k);
  const se = flat(eager.opt.state), sc = new Map(flat(comp.opt.state));
  assert.equal(sc.size, se.length);
  for (const [k, v] of se) await close(sc.get(k)!, v, undefined, `state ${k}`);
  const stepOf = (o: optim.Optimizer): mx.MxArray => (o instanceof optim.MultiOptimizer ? o.optimizers[0]! : o).step;
  assert.equal(Number(await stepOf(comp.opt).item()), STEPS);
}

for (const device of ['cpu', 'gpu'] as const) {
  describe(`compiled training on the ${device}`, () => {
    let ok = true;
    before(async () => {
      if (device === 'gpu') {
        ok = await mx.initGpu({ allowSoftware: true, quiet: true });
        if (ok) mx.setDefaultDevice(mx.gpu);
      }
    });
    after(() => { if (device === 'gpu') { mx.setDefaultDevice(mx.cpu); mx.shutdown(); } });

    for (const [name, make] of OPTIMIZERS) {
      test(`${name}: compiled trainLoop steps equal eager ones (losses, parameters, optimizer state)`, async (t) => {
        if (!ok) { t.skip('no GPU adapter'); return; }
        await sameTraining(make);
      });
    }

    test('with gradient clipping: compiled equals eager, with fewer GPU launches and no CPU fallback', async (t) => {
      if (!ok) { t.skip('no GPU adapter'); return; }
      const stats = (): { dispatches: number; fallbacks: number } => (device === 'gpu' ? mx.deviceInfo(mx.gpu).stats as { dispatches: number; fallbacks: number } : { dispatches: 0, fallbacks: 0 });
      const make = OPTIMIZERS[0]![1];
      const s0 = stats();
      await train(false, make, 0.5);
      const s1 = stats();
      await train(true, make, 0.5);
      const s2 = stats();
      await sameTraining(make, 0.5);
      if (device === 'gpu') {
        // both run on the GPU alone (clipGradNorm adds its per-parameter norms in groups that fit the bindings)
        assert.equal(s1.fallbacks, s0.fallbacks, 'eager');
        assert.equal(s2.fallbacks, s1.fallbacks, 'compiled');
        // the compiled run includes its trace (the first step evaluates the graph's constants) and still launches less
        assert.ok(s2.dispatches - s1.dispatches < s1.dispatches - s0.dispatches, `compiled ${s2.dispatches - s1.dispatches} vs eager ${s1.dispatches - s0.dispatches} launches`);
      }
    });
  });
}

/** A parameter vector w and the loss sum(w·x): its gradient is x whatever w is, so updates have closed forms. */
class Lin extends nn.Module {
  w = mx.array([1, -2, 3], mx.float32);
  forward(x: mx.MxArray): mx.MxArray { return mx.sum(mx.multiply(this.w, x)); }
}
const X = [0.5, -1, 2];

test('a schedule is evaluated at every compiled call: SGD with exponential decay follows the closed form', async () => {
  const model = new Lin();
  const opt = new optim.SGD(optim.exponentialDecay(0.5, 0.5));
  let traces = 0;
  const step = nn.trainStep(model, (x) => { traces++; return model.forward(x); }, opt, { compile: true });
  const x = mx.array(X, mx.float32);
  for (let i = 0; i < 4; i++) await mx.eval(step(x), model.parameters(), opt.state);
  // w4 = w0 - x (0.5 + 0.25 + 0.125 + 0.0625)
  const expect = [1, -2, 3].map((w, i) => w - X[i]! * 0.9375);
  const got = await floats(model.w);
  expect.forEach((e, i) => assert.ok(Math.abs(got[i]! - e) < 1e-6, `w[${i}]: ${got[i]} vs ${e}`));
  assert.equal(traces, 1);
  assert.equal(Number(await opt.step.item()), 4);
  assert.ok(Math.abs((await opt.learningRate.item() as number) - 0.0625) < 1e-8);
});

test('a learning rate set between compiled calls takes effect without a new trace', async () => {
  const model = new Lin();
  const opt = new optim.SGD(0.5);
  let traces = 0;
  const step = nn.trainStep(model, (x) => { traces++; return model.forward(x); }, opt, { compile: true });
  const x = mx.array(X, mx.float32);
  await mx.eval(step(x), model.parameters(), opt.state);
  opt.learningRate = 0.125;
  await mx.eval(step(x), model.parameters(), opt.state);
  const got = await floats(model.w);
  [1, -2, 3].forEach((w, i) => assert.ok(Math.abs(got[i]! - (w - X[i]! * 0.625)) < 1e-6, `w[${i}]`));
  assert.equal(traces, 1);
});

test('the step count is not baked: compiled Adam with bias correction moves each weight by lr per step', async () => {
  // with a constant gradient g the bias-corrected m/√v is g/|g| at every step t; a step count frozen at 1 would
  // scale the moments by (1 - β^t)/(1 - β) instead
  const model = new Lin();
  const opt = new optim.Adam(0.1, [0.9, 0.999], 0, true);
  const step = nn.trainStep(model, (x) => model.forward(x), opt, { compile: true });
  const x = mx.array(X, mx.float32);
  for (let i = 0; i < 5; i++) await mx.eval(step(x), model.parameters(), opt.state);
  const got = await floats(model.w);
  [1, -2, 3].forEach((w, i) => assert.ok(Math.abs(got[i]! - (w - 0.5 * Math.sign(X[i]!))) < 1e-5, `w[${i}]: ${got[i]}`));
});

test('lazy optimizer state under mx.compile: the first call traces the creation of the buffers, results equal eager', async () => {
  // the MLX pattern without optimizer.init: the state tree grows during the first trace and is written back
  const run = async (compile: boolean): Promise<[Float32Array, Float32Array, number]> => {
    const model = new Lin();
    const opt = new optim.Adam(0.1);
    let traces = 0;
    const lossAndGrad = nn.valueAndGrad(model, (x: mx.MxArray) => { traces++; return model.forward(x); });
    const body = (x: mx.MxArray): mx.MxArray => { const [l, g] = lossAndGrad(x); opt.update(model, g); return l as mx.MxArray; };
    const state = [model, opt];
    const step = compile ? mx.compile(body, { inputs: state, outputs: state }) : body;
    const x = mx.array(X, mx.float32);
    for (let i = 0; i < 3; i++) await mx.eval(step(mx.multiply(x, i + 1)), model.parameters(), opt.state);
    return [await floats(model.w), await floats((opt.state.w as Record<string, mx.MxArray>).v!), traces];
  };
  const [we, ve] = await run(false);
  const [wc, vc, traces] = await run(true);
  we.forEach((e, i) => assert.ok(Math.abs(wc[i]! - e) <= 1e-6, `w[${i}]: ${wc[i]} vs ${e}`));
  ve.forEach((e, i) => assert.ok(Math.abs(vc[i]! - e) <= 1e-6 * Math.abs(e), `v[${i}]: ${vc[i]} vs ${e}`));
  // a second trace once the state holds the buffers (a new input signature), then replays
  assert.equal(traces, 2);
});

test('trainStep reuses its compiled step for the same loss, model and optimizer', async () => {
  const model = new Lin();
  const opt = new optim.SGD(0.1);
  const loss = (x: mx.MxArray): mx.MxArray => model.forward(x);
  const a = nn.trainStep(model, loss, opt, { compile: true });
  assert.equal(nn.trainStep(model, loss, opt, { compile: true }), a);
  assert.notEqual(nn.trainStep(model, loss, opt, { compile: true, clipGradNorm: 1 }), a);
  assert.notEqual(nn.trainStep(model, loss, new optim.SGD(0.1), { compile: true }), a);
});

test('the compiled step keeps no same-dtype cast (grad marks each parameter with one), and casts that convert stay', async () => {
  const model = new Lin();
  const opt = new optim.Adam(0.1);
  const step = nn.trainStep(model, (x) => model.forward(x), opt, { compile: true });
  const x = mx.array(X, mx.float32);
  await mx.eval(step(x), model.parameters(), opt.state);
  const plan = compiledPlan(step, x);
  assert.ok(!plan.steps.includes('astype'), plan.steps.join(' '));
  assert.ok(!plan.fused.flat().includes('astype'), plan.fused.join(' | '));
  // an identity cast returned as is: the input itself comes back; a float32 → int32 cast is kept
  const f = mx.compile((a: mx.MxArray) => [mx.astype(a, mx.float32), mx.astype(mx.astype(a, mx.float32), mx.int32)]);
  const a = mx.array([1.5, -2.5, 3], mx.float32);
  const [same, ints] = f(a) as [mx.MxArray, mx.MxArray];
  assert.deepEqual(await same.tolist(), [1.5, -2.5, 3]);
  assert.deepEqual(await ints.tolist(), [1, -2, 3]);
  assert.deepEqual(compiledPlan(f, a).steps, ['astype']);
});

/**
 * Trains a small MLP with dropout for 5 SGD steps from seed 3 (the keyless initialisation and every mask come from
 * mx.random's global key); returns the losses, the parameters and the next keyless draw after training.
 */
async function dropoutTraining(compile: boolean, p: number): Promise<{ losses: number[]; params: [string, mx.MxArray][]; next: unknown }> {
  mx.random.seed(3);
  const model = new nn.Sequential(new nn.Linear(4, 16), new nn.ReLU(), new nn.Dropout(p), new nn.Linear(16, 1));
  const x = mx.array([[0.5, -1, 2, 0.1], [1, 0.3, -0.7, 2], [-1.5, 0.2, 0.4, -0.3]], mx.float32);
  const y = mx.array([[1], [-1], [0.5]], mx.float32);
  const r = await nn.trainLoop({
    model, optimizer: new optim.SGD(0.05), steps: 5, compile, progress: false, evalEvery: 1e9,
    lossFn: (a, b) => nn.losses.mseLoss(model.forward(a), b), batches: () => [x, y],
  });
  return { losses: r.trainLoss.map(([, l]) => l), params: flat(model.parameters()), next: await mx.random.uniform({ shape: [3] }).tolist() };
}

for (const device of ['cpu', 'gpu'] as const) {
  describe(`compiled dropout training on the ${device}`, () => {
    let ok = true;
    before(async () => {
      if (device === 'gpu') {
        ok = await mx.initGpu({ allowSoftware: true, quiet: true });
        if (ok) mx.setDefaultDevice(mx.gpu);
      }
    });
    after(() => { if (device === 'gpu') { mx.setDefaultDevice(mx.cpu); mx.shutdown(); } });

    test('draws the masks of eager training, step for step (mx.random.state is implicit state of the step)', async (t) => {
      if (!ok) { t.skip('no GPU adapter'); return; }
      const eager = await dropoutTraining(false, 0.5);
      const comp = await dropoutTraining(true, 0.5);
      const plain = await dropoutTraining(false, 0);
      // dropout is active (the losses differ from training without it) and its masks change between steps (a mask
      // frozen by the trace would give other losses from the second step on)
      assert.ok(eager.losses.some((l, i) => Math.abs(l - plain.losses[i]!) > 1e-3), `${eager.losses} vs ${plain.losses}`);
      comp.losses.forEach((l, i) => assert.ok(Math.abs(l - eager.losses[i]!) <= 1e-5 * Math.abs(eager.losses[i]!) + 1e-7, `loss ${i}: ${l} vs ${eager.losses[i]}`));
      const pc = new Map(comp.params);
      for (const [k, v] of eager.params) await close(pc.get(k)!, v, undefined, k);
      // both advanced the global key by the same number of splits
      assert.deepEqual(comp.next, eager.next);
    });
  });
}

test('compiled training with dropout releases each step\'s replaced random key (memory flat across steps)', async () => {
  mx.random.seed(5);
  const model = new nn.Sequential(new nn.Linear(4, 8), new nn.Dropout(0.5), new nn.Linear(8, 1));
  const x = mx.array([[0.5, -1, 2, 0.1], [1, 0.3, -0.7, 2]], mx.float32);
  const y = mx.array([[1], [-1]], mx.float32);
  const optimizer = new optim.SGD(0.05);
  const lossFn = (a: mx.MxArray, b: mx.MxArray): mx.MxArray => nn.losses.mseLoss(model.forward(a), b);
  const run = (steps: number): Promise<nn.TrainResult> => nn.trainLoop({
    model, optimizer, steps, compile: true, progress: false, evalEvery: 1e9, lossFn, batches: () => [x, y],
  });
  await run(3);
  const m0 = mx.getActiveMemory();
  await run(6);
  assert.equal(mx.getActiveMemory(), m0);
});
