/**
 * @file Training throughput of a small transformer LM (issue 7): mlx-ts on the GPU (or CPU) against the same model,
 * batch and context in PyTorch eager (bench/train_lm_torch.py), in one run. The model is examples/charlm.ts's
 * decoder (pre-norm blocks, causal mask, GELU MLP 4x, no dropout); AdamW; random tokens; each step is forward,
 * backward, update and reading the loss, as a training loop does. `--compile` runs the step compiled
 * (`trainLoop({ compile: true })`: traced once in the warm-up, then replayed with fused elementwise chains). On the
 * GPU it also prints the launches (dispatches) per step of the measured steps.
 *
 * Run: `node dist/bench/train-lm.bench.js [--cpu] [--software] [--compile] [--steps=30] [--batch=32] [--ctx=256]
 * [--dims=256] [--layers=4] [--heads=8] [--no-torch]`.
 */
import { spawnSync } from 'node:child_process';
import * as mx from '../src/index.js';
import * as nn from '../src/nn/index.js';
import * as optim from '../src/optimizers/index.js';
import { CharTransformer, lmLoss } from '../examples/charlm.js';

const arg = (k: string, d: number): number => {
  const a = process.argv.find((s) => s.startsWith(`--${k}=`));
  return a ? Number(a.split('=')[1]) : d;
};
const cfg = { vocab: arg('vocab', 128), ctx: arg('ctx', 256), dims: arg('dims', 256), layers: arg('layers', 4), heads: arg('heads', 8), batch: arg('batch', 32), steps: arg('steps', 30) };
const flags = Object.entries(cfg).map(([k, v]) => `--${k}=${v}`);

function torchSide(): Record<string, number | string> | null {
  if (process.argv.includes('--no-torch')) return null;
  const r = spawnSync('python3', [new URL('../../bench/train_lm_torch.py', import.meta.url).pathname, ...flags], { encoding: 'utf8', timeout: 600_000 });
  const line = r.stdout?.trim().split('\n').pop();
  if (r.status !== 0 || !line) { console.log(`(PyTorch side skipped: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()})`); return null; }
  return JSON.parse(line) as Record<string, number | string>;
}

async function main(): Promise<void> {
  const torch = torchSide();
  const onGpu = !process.argv.includes('--cpu') && await mx.initGpu({ allowSoftware: process.argv.includes('--software'), quiet: true });
  if (onGpu) mx.setDefaultDevice(mx.gpu);
  mx.random.seed(0);
  const model = new CharTransformer(cfg.vocab, cfg.ctx, cfg.dims, cfg.layers, cfg.heads);
  const data = mx.random.randint(0, cfg.vocab, [cfg.steps + 3, cfg.batch, cfg.ctx + 1], mx.int32);
  await mx.eval(data, model.parameters());
  const optimizer = new optim.AdamW(1e-3, [0.9, 0.99], 1e-8, 0.01);
  const compile = process.argv.includes('--compile');
  // one loss function for both runs, so the compiled step traced in the warm-up is reused by the measured run
  const lossFn = (w: mx.MxArray): mx.MxArray => lmLoss(model, w);
  const run = (steps: number, from: number): Promise<nn.TrainResult> => nn.trainLoop({
    model, optimizer, steps, lossFn, compile,
    batches: (i: number) => [data.index(from + i)],
    countItems: () => cfg.batch * cfg.ctx, unit: 'tok', progress: false, evalEvery: 1e9,
  });
  await run(3, 0); // warm-up: pipelines compile, buffers fill the pool, the compiled step is traced
  const dispatches = (): number => (onGpu ? mx.deviceInfo(mx.gpu).stats?.dispatches ?? 0 : 0);
  const d0 = dispatches();
  const result = await run(cfg.steps, 3);
  const launches = (dispatches() - d0) / cfg.steps;
  const secs = result.seconds;
  const info = onGpu ? mx.deviceInfo(mx.gpu) : { description: 'CPU backend', stats: undefined };
  if (info.stats) console.log(`GPU stats: ${JSON.stringify(info.stats)}`);
  const ours = result.throughput;
  console.log(`model ${JSON.stringify(cfg)}; ${info.description}`);
  const mode = compile ? 'compiled' : 'eager';
  console.log(`mlx-ts (${mode}): ${ours.toFixed(0)} tokens/s (${cfg.steps} steps in ${secs.toFixed(1)} s), final loss ${result.trainLoss.at(-1)![1].toFixed(3)}`);
  if (onGpu) console.log(`GPU launches per step (${mode}): ${launches.toFixed(1)}`);
  if (torch) console.log(`PyTorch ${torch.torch} eager on ${torch.device}: ${(torch.tokens_per_s as number).toFixed(0)} tokens/s, final loss ${(torch.loss as number).toFixed(3)}; ratio ${(ours / (torch.tokens_per_s as number)).toFixed(2)}x`);
  console.log(JSON.stringify({ date: new Date().toISOString(), cfg, device: info.description, compile, oursTokensPerS: ours, launchesPerStep: onGpu ? launches : null, torch }));
  if (onGpu) mx.shutdown();
}

main().catch((e: unknown) => { console.error(e); mx.shutdown(); process.exit(1); });
