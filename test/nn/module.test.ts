/**
 * @file Module tree operations: discovery in arrays and plain objects, private properties, children/leafModules,
 * update, freeze/unfreeze, train/eval, apply; weight names (camelCase <-> snake_case) and save/load round trips.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as mx from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import { treeFlatten } from '../../src/utils/index.js';
import { assertAllClose } from './helpers.js';

class Block extends nn.Module {
  queryProj = new nn.Linear(3, 4);
  norms = { preNorm: new nn.LayerNorm(4), extra: [mx.ones([2])] };
  scale = mx.array([2], mx.float32);
  _cache = mx.zeros([5]);
  dims = 4;
  forward(x: mx.MxArray): mx.MxArray { return this.norms.preNorm.forward(this.queryProj.forward(x)).mul(this.scale); }
}

class Net extends nn.Module {
  blocks = [new Block(), new Block()];
  act = new nn.ReLU();
  head = new nn.Sequential(new nn.Linear(4, 2), nn.relu, new nn.Dropout(0.5));
  forward(x: mx.MxArray): mx.MxArray {
    for (const b of this.blocks) x = this.act.forward(b.forward(x).index('...', mx.sl(0, 3)));
    return x;
  }
}

const paths = (t: unknown): string[] => treeFlatten(t, '', (x) => x instanceof mx.MxArray).map(([p]) => p).filter((p) => p);

test('parameters: arrays, modules, JS arrays and plain objects; private and scalar properties skipped', () => {
  const net = new Net();
  const ps = paths(net.parameters());
  assert.deepEqual(ps.filter((p) => p.startsWith('blocks.0')), [
    'blocks.0.queryProj.weight', 'blocks.0.queryProj.bias', 'blocks.0.norms.preNorm.weight', 'blocks.0.norms.preNorm.bias',
    'blocks.0.norms.extra.0', 'blocks.0.scale',
  ]);
  assert.deepEqual(ps.filter((p) => p.startsWith('head')), ['head.layers.0.weight', 'head.layers.0.bias']);
  assert.equal(ps.length, 14);
  // parameterless items keep their list places
  assert.deepEqual(net.parameters().head.layers.slice(1), [{}, {}]);
  assert.deepEqual(net.parameters().act, {});
});

test('children, namedModules, leafModules', () => {
  const net = new Net();
  assert.deepEqual(Object.keys(net.children()), ['blocks', 'act', 'head']);
  assert.ok(net.children().blocks[1] === net.blocks[1]);
  const names = net.namedModules().map(([p]) => p);
  assert.deepEqual(names.slice(0, 4), ['', 'blocks.0', 'blocks.0.queryProj', 'blocks.0.norms.preNorm']);
  const leaves = treeFlatten(net.leafModules(), '', (x) => x instanceof nn.Module).map(([p]) => p);
  assert.deepEqual(leaves, [
    'blocks.0.queryProj', 'blocks.0.norms.preNorm', 'blocks.1.queryProj', 'blocks.1.norms.preNorm', 'act', 'head.layers.0', 'head.layers.2',
  ]);
});

test('update: partial trees, lists, strictness', async () => {
  const net = new Net();
  const w = mx.full([4, 3], 7, mx.float32);
  net.update({ blocks: [{}, { queryProj: { weight: w } }], head: { layers: [{ bias: mx.zeros([2]) }] } });
  assert.ok(net.blocks[1]!.queryProj.weight === w);
  assert.deepEqual(await (net.head.layers[0] as nn.Linear).bias!.tolist(), [0, 0]);
  assert.throws(() => net.update({ nope: mx.zeros([1]) }), /has no parameter "nope"/);
  net.update({ nope: mx.zeros([1]) }, false);
  net.update({ blocks: [{ norms: { extra: [mx.full([2], 3)] } }] });
  assert.deepEqual(await net.blocks[0]!.norms.extra[0]!.tolist(), [3, 3]);
});

test('freeze / unfreeze with keys and recursion; BatchNorm running stats stay frozen', () => {
  const net = new Net();
  net.freeze();
  assert.deepEqual(paths(net.trainableParameters()), []);
  net.unfreeze({ keys: ['bias'] });
  assert.deepEqual(paths(net.trainableParameters()), [
    'blocks.0.queryProj.bias', 'blocks.0.norms.preNorm.bias', 'blocks.1.queryProj.bias', 'blocks.1.norms.preNorm.bias', 'head.layers.0.bias',
  ]);
  net.unfreeze();
  net.blocks[0]!.freeze({ recurse: false });
  assert.ok(!paths(net.trainableParameters()).includes('blocks.0.scale'));
  assert.ok(paths(net.trainableParameters()).includes('blocks.0.queryProj.weight'));
  assert.throws(() => net.freeze({ keys: ['nope'], strict: true }), /has no parameter "nope"/);
  const bn = new nn.BatchNorm(3);
  assert.deepEqual(paths(bn.trainableParameters()), ['weight', 'bias']);
  bn.unfreeze();
  assert.deepEqual(paths(bn.trainableParameters()), ['weight', 'bias']);
  assert.deepEqual(paths(bn.parameters()), ['weight', 'bias', 'runningMean', 'runningVar']);
});

test('train / eval propagate; apply and applyToModules; setDtype', async () => {
  const net = new Net();
  net.eval();
  assert.ok(net.modules().every((m) => !m.training));
  const x = mx.ones([1, 4]);
  // dropout is the identity in eval mode
  const h = net.head.forward(x);
  const ref = nn.relu((net.head.layers[0] as nn.Linear).forward(x));
  await assertAllClose(h, ref, 0, 0);
  net.train();
  assert.ok(net.modules().every((m) => m.training));
  net.apply((p) => mx.zerosLike(p), (_m, k) => k === 'bias');
  assert.deepEqual(await net.blocks[0]!.queryProj.bias!.tolist(), [0, 0, 0, 0]);
  const seen: string[] = [];
  net.applyToModules((p, m) => { if (m instanceof nn.Linear) seen.push(p); });
  assert.deepEqual(seen, ['blocks.0.queryProj', 'blocks.1.queryProj', 'head.layers.0']);
  net.setDtype(mx.float16);
  assert.equal(net.blocks[1]!.scale.dtype, mx.float16);
});

test('weight names: camelCase properties <-> snake_case checkpoint names', () => {
  const table: [string, string][] = [
    ['layers.0.queryProj.weight', 'layers.0.query_proj.weight'], ['runningMean', 'running_mean'], ['Wx', 'Wx'], ['bhn', 'bhn'],
    ['layer_1.w', 'layer_1.w'], ['blocks.12.mlpUp2Proj', 'blocks.12.mlp_up2_proj'], ['embedTokens', 'embed_tokens'],
  ];
  for (const [prop, name] of table) {
    assert.equal(nn.weightName(prop), name);
    assert.equal(nn.propertyPath(name), prop.includes('_') ? prop : prop);
  }
  // round trip over every parameter of a model with camelCase properties
  const net = new Net();
  for (const p of paths(net.parameters())) assert.equal(nn.propertyPath(nn.weightName(p)), p);
  assert.ok(Object.keys(net.namedWeights()).includes('blocks.1.norms.pre_norm.weight'));
  assert.ok(Object.keys(new nn.MultiHeadAttention(8, 2).namedWeights()).includes('query_proj.weight'));
});

test('saveWeights / loadWeights round trip (safetensors and npz), strict errors', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'nn-weights-'));
  const a = new Net(), b = new Net();
  for (const ext of ['safetensors', 'npz']) {
    const file = path.join(dir, `w.${ext}`);
    await a.saveWeights(file);
    const raw = await mx.load(file) as Record<string, mx.MxArray>;
    assert.ok('blocks.0.query_proj.weight' in raw && 'blocks.0.norms.pre_norm.bias' in raw, Object.keys(raw).join(','));
    await b.loadWeights(file);
    for (const [p, w] of treeFlatten(b.parameters(), '', (x) => x instanceof mx.MxArray) as [string, mx.MxArray][]) {
      const src = treeFlatten(a.parameters(), '', (x) => x instanceof mx.MxArray).find(([q]) => q === p)![1] as mx.MxArray;
      await assertAllClose(w, src, 0, 0, p);
    }
  }
  await assert.rejects(b.loadWeights([['blocks.0.query_proj.weight', mx.zeros([4, 3])]]), /Missing parameters/);
  await assert.rejects(b.loadWeights([...Object.entries(a.namedWeights()), ['bogus', mx.zeros([1])]]), /not in the model: bogus/);
  await assert.rejects(b.loadWeights(Object.entries({ ...a.namedWeights(), 'scale': mx.zeros([1]), 'blocks.0.scale': mx.zeros([3]) })), /Expected shape \(1,\)/);
  await b.loadWeights([['blocks.0.query_proj.weight', mx.zeros([4, 3])]], false);
  assert.deepEqual(await b.blocks[0]!.queryProj.weight.sum().item(), 0);
  await assert.rejects(a.saveWeights(path.join(dir, 'w.bin')), /Unsupported file extension/);
});
