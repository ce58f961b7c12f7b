/**
 * @file nn.trainLoop: flat memory across steps, the progress bar in TTY and plain modes, validation and the SVG
 * loss curve (parsed by Python's XML parser), tick placement.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as mx from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import * as optim from '../../src/optimizers/index.js';
import { inspectSvg } from './svg.js';

/** A sink that records what a progress bar writes. */
function sink(isTTY: boolean): { write(s: string): boolean; isTTY: boolean; columns: number; out: string } {
  return { isTTY, columns: 120, out: '', write(s: string) { this.out += s; return true; } };
}

function regression(): { model: nn.Module; x: mx.MxArray; y: mx.MxArray; lossFn: (x: mx.MxArray, y: mx.MxArray) => mx.MxArray } {
  mx.random.seed(1);
  const model = new nn.Sequential(new nn.Linear(4, 16), nn.relu, new nn.Linear(16, 1));
  const x = mx.random.normal([32, 4], mx.float32, { key: mx.random.key(2) });
  const y = mx.sum(mx.sin(x), -1, true);
  return { model, x, y, lossFn: (xx, yy) => nn.losses.mseLoss(model.forward(xx), yy) };
}

for (const [name, make] of [
  ['Adam', () => new optim.Adam(0.01)],
  ['SGD momentum + cosine schedule + clipping', () => new optim.SGD(optim.cosineDecay(0.05, 30), 0.9)],
] as [string, () => optim.Optimizer][]) {
  test(`trainLoop with ${name}: active memory after N steps equals that after 1 step`, async () => {
    const { model, x, y, lossFn } = regression();
    const mem: number[] = [];
    const result = await nn.trainLoop({
      model, lossFn, optimizer: make(), steps: 30, progress: false, clipGradNorm: name.includes('clip') ? 1 : undefined,
      // a new array per step (made inside the step's scope) must not accumulate either
      batches: (i) => [mx.add(x, i * 1e-3), y],
      onStep: () => { mem.push(mx.getActiveMemory()); },
    });
    assert.equal(mem.length, 30);
    // tolerance: a few scalars' worth of bytes; a leak of one step's graph or old parameters is far larger
    // one-sided: mx.eval turns the event loop, so the FinalizationRegistry may free step 1's unreachable garbage later
    for (let i = 1; i < mem.length; i++) assert.ok(mem[i]! - mem[0]! <= 64, `step ${i + 1}: ${mem[i]} bytes vs ${mem[0]} after step 1`);
    const first = result.trainLoss[0]![1], last = result.trainLoss[29]![1];
    assert.ok(last < first * 0.7, `loss ${first} -> ${last}`);
    mx.dispose([model.parameters(), x, y]);
  });
}

test('trainLoop: iterator batches, validation schedule, throughput and SVG curve', async () => {
  const { model, x, y, lossFn } = regression();
  const dir = mkdtempSync(join(tmpdir(), 'mlx-ts-trainer-'));
  try {
    const plotFile = join(dir, 'loss.svg');
    function* gen(): Generator<mx.MxArray[]> { for (;;) yield [x, y]; }
    const seen: (number | undefined)[] = [];
    const result = await nn.trainLoop({
      model, lossFn, optimizer: new optim.Adam(0.01), steps: 12, batches: gen(), evalEvery: 5, progress: false,
      evalFn: () => lossFn(x, y), plotFile, plotTitle: 'test <curve>', onStep: (s) => seen.push(s.valLoss),
    });
    assert.deepEqual(result.valLoss.map(([s]) => s), [5, 10, 12]);
    assert.deepEqual(seen.map((v, i) => (v === undefined ? -1 : i + 1)).filter((s) => s > 0), [5, 10, 12]);
    assert.ok(result.throughput > 0 && result.seconds > 0);
    // validation runs after the step's update, so it is below that step's training loss (same data, loss falling)
    for (const [s, v] of result.valLoss) assert.ok(v < result.trainLoss[s - 1]![1], `step ${s}`);
    const svg = inspectSvg(plotFile);
    assert.equal(svg.root, '{http://www.w3.org/2000/svg}svg');
    assert.deepEqual(svg.polylines, [12, 3]);
    assert.ok(svg.texts.includes('test <curve>') && svg.texts.includes('train') && svg.texts.includes('validation'));
    assert.ok(svg.texts.includes('step') && svg.texts.includes('loss'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    mx.dispose([model.parameters(), x, y]);
  }
});

test('trainLoop rejects a bad step count and an exhausted iterator', async () => {
  const { model, x, y, lossFn } = regression();
  const base = { model, lossFn, optimizer: new optim.SGD(0.1), progress: false as const };
  await assert.rejects(nn.trainLoop({ ...base, steps: 0, batches: () => [x, y] }), /steps must be a positive integer/);
  await assert.rejects(nn.trainLoop({ ...base, steps: 3, batches: [[x, y]] }), /iterator ended at step 2/);
});

test('ProgressBar: plain lines off a TTY, in-place redraws on a TTY', () => {
  const plain = sink(false);
  const bar = new nn.ProgressBar(100, { stream: plain, label: 'train', lines: 10 });
  for (let i = 1; i <= 100; i++) bar.update(i, { loss: (1 / i).toFixed(3), 'samples/s': nn.formatRate(1234) });
  bar.done();
  const lines = plain.out.trimEnd().split('\n');
  assert.equal(lines.length, 11); // step 1, every 10th step
  assert.ok(!plain.out.includes('\r') && !plain.out.includes('\x1b'));
  assert.match(lines[0]!, /^train {3}1% {3}1\/100 loss=1\.000 samples\/s=1\.23k \[/);
  assert.match(lines[10]!, /^train 100% 100\/100 loss=0\.010 /);

  const tty = sink(true);
  const t = new nn.ProgressBar(4, { stream: tty });
  for (let i = 1; i <= 4; i++) t.update(i, { loss: i });
  t.log('hello');
  t.done();
  assert.equal(tty.out.split('\r').length - 1, 5); // four redraws and one for the message
  assert.equal(tty.out.split('\x1b[K').length - 1, 5);
  assert.ok(tty.out.includes('|██████████████████████████████| 4/4 loss=4') && tty.out.endsWith('\n'));
  assert.ok(tty.out.includes('hello\n'));
});

test('niceTicks, formatDuration and formatRate', () => {
  const rows: [number, number, number[]][] = [
    [0, 97, [0, 20, 40, 60, 80, 100]],
    [0.13, 0.87, [0, 0.2, 0.4, 0.6, 0.8, 1]],
    [1, 1500, [0, 500, 1000, 1500]],
    [2.31, 2.33, [2.31, 2.315, 2.32, 2.325, 2.33]],
    [3, 3, [2, 2.5, 3, 3.5, 4]],
  ];
  for (const [lo, hi, want] of rows) assert.deepEqual(nn.niceTicks(lo, hi), want, `${lo}..${hi}`);
  assert.equal(nn.formatDuration(75), '1:15');
  assert.equal(nn.formatDuration(3725), '1:02:05');
  assert.equal(nn.formatRate(52000), '52.0k');
  assert.equal(nn.formatRate(2.5e6), '2.50M');
  assert.equal(nn.formatRate(42), '42.0');
});

test('lossCurveSvg: one point is a dot, escaped text, log axis drops non-positive values', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlx-ts-svg-'));
  try {
    const f = join(dir, 'a.svg');
    const svg = nn.lossCurveSvg([{ name: 'a & b', points: [[1, 0.5]] }, { name: 'c', points: [[1, 1], [2, 0], [3, 0.1]] }], { logY: true, yLabel: 'y' });
    writeFileSync(f, svg);
    const s = inspectSvg(f);
    assert.equal(s.circles, 1);
    assert.deepEqual(s.polylines, [2]);
    assert.ok(s.texts.includes('a & b') && s.texts.includes('y (log)'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
