/**
 * @file Smoke tests: each example (MLP, CNN, character LM) runs in a tiny configuration, its loss falls and its
 * loss-curve SVG is written and well-formed (parsed by Python's XML parser).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as mlp from '../../examples/mlp.js';
import * as cnn from '../../examples/cnn.js';
import * as charlm from '../../examples/charlm.js';
import { parseSettings } from '../../examples/common.js';
import type { TrainResult } from '../../src/nn/index.js';
import { inspectSvg } from './svg.js';

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The loss fell: the last few training losses average below the first few, and the last validation below the first. */
function assertLearns(r: TrainResult, k: number): void {
  const losses = r.trainLoss.map(([, l]) => l);
  const head = mean(losses.slice(0, k)), tail = mean(losses.slice(-k));
  assert.ok(tail < head, `training loss ${head} -> ${tail}`);
  assert.ok(r.valLoss.length >= 2, 'validation ran at least twice');
  assert.ok(r.valLoss[r.valLoss.length - 1]![1] < r.valLoss[0]![1], `validation loss ${r.valLoss[0]![1]} -> ${r.valLoss[r.valLoss.length - 1]![1]}`);
}

function assertPlot(file: string, steps: number): void {
  assert.ok(existsSync(file), `${file} written`);
  const svg = inspectSvg(file);
  assert.equal(svg.root, '{http://www.w3.org/2000/svg}svg');
  assert.equal(svg.polylines[0], steps, 'one train point per step');
  assert.ok(svg.texts.includes('train') && svg.texts.includes('validation'));
}

const dir = mkdtempSync(join(tmpdir(), 'mlx-ts-examples-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('example mlp (tiny): loss falls, accuracy above chance, SVG written', async () => {
  const plot = join(dir, 'mlp.svg');
  const { result, accuracy } = await mlp.main({ steps: 80, n: 200, batch: 64, quiet: true, plot });
  assertLearns(result, 10);
  assert.ok(accuracy > 0.6, `accuracy ${accuracy}`);
  assertPlot(plot, 80);
});

test('example cnn (tiny): loss falls, SVG written', async () => {
  const plot = join(dir, 'cnn.svg');
  const { result, accuracy } = await cnn.main({ steps: 30, n: 128, batch: 16, channels: 4, lr: 0.01, quiet: true, plot });
  assertLearns(result, 5);
  assert.ok(accuracy > 0.25, `accuracy ${accuracy}`); // 4 classes
  assertPlot(plot, 30);
});

test('example charlm (tiny): loss falls below log(vocab), sample continues the prompt, SVG written', async () => {
  const plot = join(dir, 'charlm.svg');
  const { result, valLoss, sample } = await charlm.main({
    steps: 20, batch: 4, ctx: 16, dims: 32, layers: 1, heads: 2, lr: 0.01, valWindows: 4, evalEvery: 5, sample: 10, quiet: true, plot,
  });
  assertLearns(result, 4);
  const vocab = new charlm.Vocab(readFileSync(charlm.corpusPath(), 'utf8'));
  assert.ok(valLoss < Math.log(vocab.size), `validation loss ${valLoss} vs uniform ${Math.log(vocab.size)}`);
  assert.ok(sample.startsWith('Fellow-Citizens of the Senate') && sample.length === 'Fellow-Citizens of the Senate and House of Representatives: '.length + 10);
  assertPlot(plot, 20);
});

test('example settings parse --name=value and reject unknown names', () => {
  assert.deepEqual(parseSettings({ steps: 5, lr: 0.1, quiet: false, text: '' }, ['--steps=7', '--quiet', '--text=a.txt']), { steps: 7, lr: 0.1, quiet: true, text: 'a.txt' });
  assert.throws(() => parseSettings({ steps: 5 }, ['--step=7']), /Unknown setting --step/);
  assert.throws(() => parseSettings({ steps: 5 }, ['--steps=x']), /needs a number/);
});

test('charlm Vocab round-trips the shipped corpus', () => {
  const text = readFileSync(charlm.corpusPath(), 'utf8');
  assert.ok(text.length > 200_000 && text.startsWith('Fellow-Citizens of the Senate'));
  const v = new charlm.Vocab(text);
  const sample = text.slice(1000, 1300);
  assert.equal(v.decode(v.encode(sample)), sample);
  assert.ok(v.size < 100, `vocabulary of ${v.size} characters`);
});
