/**
 * @file Character-level transformer language model (`npm run example:charlm`) trained on the State of the Union
 * addresses of 1790–1805 (examples/data/sotu-1790-1805.txt, public domain: works of the U.S. Government). A GPT-style
 * decoder: character embedding + learned position embedding, pre-norm `nn.TransformerEncoder` blocks under a causal
 * mask, and a linear head over the characters. Prints the validation loss (nats and bits per character) and a sample.
 * Settings: `--steps=300 --batch=32 --ctx=64 --dims=64 --layers=2 --heads=4 --lr=0.01`; `--compile` compiles the
 * training step (`trainLoop({ compile: true })`: the model has no dropout, so nothing random is baked into it).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as mx from '../src/index.js';
import * as nn from '../src/nn/index.js';
import * as optim from '../src/optimizers/index.js';
import { isMain, outputPath, parseSettings, rng } from './common.js';

export const defaults = {
  steps: 300, batch: 32, ctx: 64, dims: 64, layers: 2, heads: 4, lr: 0.01, warmup: 30, valWindows: 32,
  evalEvery: 0, sample: 200, seed: 0, quiet: false, plot: '', text: '', compile: false,
};
export type CharLmSettings = typeof defaults;

/**
 * The shipped corpus (its path is resolved from the source tree, so it works from `dist/examples` too).
 *
 * @example
 * ```ts
 * corpusPath(); // .../examples/data/sotu-1790-1805.txt
 * ```
 */
export function corpusPath(): string {
  // dist/examples/charlm.js → ../../examples/data; examples/charlm.ts (ts-node) → ./data
  const here = dirname(fileURLToPath(import.meta.url));
  const fromDist = join(here, '..', '..', 'examples', 'data', 'sotu-1790-1805.txt');
  try { readFileSync(fromDist, { flag: 'r' }); return fromDist; } catch { return join(here, 'data', 'sotu-1790-1805.txt'); }
}

/** Characters ↔ ids over the characters that occur in `text` (sorted, so ids are stable). */
export class Vocab {
  readonly chars: string[];
  private readonly ids = new Map<string, number>();
  constructor(text: string) {
    this.chars = [...new Set(text)].sort();
    this.chars.forEach((c, i) => this.ids.set(c, i));
  }
  get size(): number { return this.chars.length; }
  encode(s: string): Int32Array { return Int32Array.from(s, (c) => this.ids.get(c) ?? 0); }
  decode(ids: ArrayLike<number>): string { return Array.from(ids, (i) => this.chars[i] ?? '?').join(''); }
}

/** A decoder-only transformer over characters. */
export class CharTransformer extends nn.Module {
  tokEmb: nn.Embedding;
  posEmb: nn.Embedding;
  blocks: nn.TransformerEncoder;
  head: nn.Linear;

  constructor(vocab: number, public ctx: number, dims: number, layers: number, heads: number) {
    super();
    this.tokEmb = new nn.Embedding(vocab, dims);
    this.posEmb = new nn.Embedding(ctx, dims);
    this.blocks = new nn.TransformerEncoder(layers, dims, heads, 4 * dims, 0, nn.gelu, true);
    this.head = new nn.Linear(dims, vocab);
  }

  /** ids [B, T] (T ≤ ctx) → logits [B, T, vocab]; position t only sees positions ≤ t. */
  forward(ids: mx.MxArray): mx.MxArray {
    const T = ids.shape[1]!;
    const x = mx.add(this.tokEmb.forward(ids), this.posEmb.forward(mx.arange(0, T, mx.int32)));
    const mask = nn.MultiHeadAttention.createAdditiveCausalMask(T);
    return this.head.forward(this.blocks.forward(x, mask));
  }
}

/** Mean next-character cross-entropy (nats) of `model` on windows [B, T + 1]. */
export function lmLoss(model: CharTransformer, windows: mx.MxArray): mx.MxArray {
  const T = windows.shape[1]! - 1;
  const inputs = windows.index(':', mx.sl(0, T)), targets = windows.index(':', mx.sl(1, T + 1));
  const logits = model.forward(inputs);
  return nn.losses.crossEntropy(logits.reshape([-1, logits.shape[2]!]), targets.reshape([-1]), { reduction: 'mean' });
}

/** `count` windows of `len` ids starting at the offsets `starts(i)`, as an int32 array [count, len]. */
function windows(ids: Int32Array, count: number, len: number, starts: (i: number) => number): mx.MxArray {
  const out = new Int32Array(count * len);
  for (let i = 0; i < count; i++) {
    const s = starts(i);
    out.set(ids.subarray(s, s + len), i * len);
  }
  return mx.array(out).reshape([count, len]);
}

/** Continues `prompt` by `n` characters sampled at `temperature` (0 = greedy). */
export async function generate(model: CharTransformer, vocab: Vocab, prompt: string, n: number, temperature = 0.8, seed = 0): Promise<string> {
  const ids = Array.from(vocab.encode(prompt));
  let key = mx.random.key(seed);
  for (let i = 0; i < n; i++) {
    const next = await mx.tidy(async () => {
      const ctx = ids.slice(-model.ctx);
      const logits = model.forward(mx.array(Int32Array.from(ctx)).reshape([1, ctx.length])).index(0, -1);
      if (temperature === 0) return (await mx.argmax(logits).item()) as number;
      const [k1, k2] = mx.random.split(key);
      key.dispose();
      key = mx.keep(k1!);
      return (await mx.random.categorical(mx.divide(logits, temperature), { key: k2 }).item()) as number;
    });
    ids.push(next);
  }
  key.dispose();
  return vocab.decode(ids);
}

/** Trains the model; returns the training result, the final validation loss (nats/char) and a sample. */
export async function main(settings: Partial<CharLmSettings> = {}): Promise<{ result: nn.TrainResult; valLoss: number; sample: string; plotFile: string }> {
  const cfg = { ...defaults, ...settings };
  mx.random.seed(cfg.seed);
  const text = readFileSync(cfg.text || corpusPath(), 'utf8');
  const vocab = new Vocab(text);
  const data = vocab.encode(text);
  const split = Math.floor(data.length * 0.9);
  const train = data.subarray(0, split), val = data.subarray(split);
  const len = cfg.ctx + 1;
  // a fixed, evenly spread validation set, so validation losses are comparable across steps and runs
  const stride = Math.max(1, Math.floor((val.length - len) / cfg.valWindows));
  const valSet = windows(val, cfg.valWindows, len, (i) => i * stride);
  const model = new CharTransformer(vocab.size, cfg.ctx, cfg.dims, cfg.layers, cfg.heads);
  const pick = rng(cfg.seed + 1);
  // linear warm-up then cosine decay to lr/10 (joinSchedules restarts the step count at the boundary)
  const warm = Math.max(1, Math.min(cfg.warmup, Math.floor(cfg.steps / 5)));
  const schedule = optim.joinSchedules([
    optim.linearSchedule(cfg.lr / 10, cfg.lr, warm), optim.cosineDecay(cfg.lr, Math.max(1, cfg.steps - warm), cfg.lr / 10),
  ], [warm]);
  const plotFile = cfg.plot || outputPath('charlm-loss.svg');
  const result = await nn.trainLoop({
    model, optimizer: new optim.AdamW(schedule, [0.9, 0.99], 1e-8, 0.01), steps: cfg.steps, clipGradNorm: 1, compile: cfg.compile,
    lossFn: (w) => lmLoss(model, w),
    batches: () => [windows(train, cfg.batch, len, () => Math.floor(pick() * (train.length - len)))],
    countItems: (b) => b[0]!.shape[0]! * cfg.ctx, unit: 'tok',
    evalFn: () => lmLoss(model, valSet), evalEvery: cfg.evalEvery || undefined,
    progress: cfg.quiet ? false : { label: 'charlm' },
    plotFile, plotTitle: 'Character transformer: cross-entropy (nats/char)',
  });
  model.eval();
  const valLoss = result.valLoss[result.valLoss.length - 1]![1];
  const sample = cfg.sample > 0 ? await generate(model, vocab, 'Fellow-Citizens of the Senate and House of Representatives: ', cfg.sample, 0.8, cfg.seed) : '';
  mx.dispose([valSet, model.parameters()]);
  return { result, valLoss, sample, plotFile };
}

if (isMain(import.meta.url)) {
  const cfg = parseSettings(defaults);
  const { result, valLoss, sample, plotFile } = await main(cfg);
  console.log(`validation loss ${valLoss.toFixed(4)} nats/char (${(valLoss / Math.LN2).toFixed(3)} bits/char) after ${cfg.steps} steps ` +
    `(${result.seconds.toFixed(1)} s, ${result.throughput.toFixed(0)} tokens/s); loss curve: ${plotFile}`);
  if (sample) console.log(`sample:\n${sample}`);
}
