/**
 * @file `trainLoop`: a small reusable training loop over a `Module`, a loss and an optimizer, with a terminal
 * progress bar (step, loss, throughput), periodic validation and the loss curve written as SVG.
 *
 * Memory stays flat across steps: each step runs inside `mx.tidy` (the batch, the graph, the gradients are freed at
 * its end) and the parameters and optimizer buffers that the update replaced are disposed once the new ones are
 * evaluated. The loop therefore owns the model's arrays: do not keep handles to old parameters across steps.
 *
 * With `compile: true` the step (loss, gradients, clip, update) is one `mx.compile`d function whose implicit state
 * is the model and the optimizer (trainer-compile.ts), so a step replays a cached, fused graph.
 */
import * as mx from '../index.js';
import { MxArray } from '../core/array.js';
import { forEachArray } from '../core/memory.js';
import type { Module } from './module.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import { ProgressBar, formatRate, type ProgressOpts } from './trainer-progress.js';
import { lossCurveSvg } from './trainer-plot.js';
import { trainStep } from './trainer-compile.js';

export { ProgressBar, formatRate, formatDuration, type ProgressOpts, type ProgressSink } from './trainer-progress.js';
export { lossCurveSvg, niceTicks, type PlotSeries, type PlotOpts } from './trainer-plot.js';
export { trainStep, type TrainStepOpts } from './trainer-compile.js';

/** What `onStep` receives after each training step. */
export interface StepInfo {
  step: number;
  loss: number;
  /** Items (samples or tokens) per second over the training steps so far. */
  throughput: number;
  /** Validation loss, when this step ran `evalFn`. */
  valLoss?: number;
}

/** Options of `trainLoop`. */
export interface TrainLoopOpts {
  model: Module;
  /** Scalar loss of one batch: called as `lossFn(...batch)`; it must run `model.forward` itself. */
  lossFn: (...batch: MxArray[]) => MxArray;
  optimizer: Optimizer;
  /** Batches: a function of the 0-based step, or an iterator/iterable (it must yield at least `steps` batches). */
  batches: ((step: number) => MxArray[]) | Iterable<MxArray[]> | Iterator<MxArray[]>;
  steps: number;
  /** Validation loss (run in eval mode, inside `mx.tidy`). */
  evalFn?: () => MxArray | number | Promise<MxArray | number>;
  /** Run `evalFn` every this many steps (and after the last). Default: about 10 times per run. */
  evalEvery?: number;
  /** Clip the global gradient norm to this value before the update. */
  clipGradNorm?: number;
  /** Items in a batch for the throughput; default the first dimension of the batch's first array. */
  countItems?: (batch: MxArray[]) => number;
  /** Name of the items: 'samples' (default), 'tokens', ... */
  unit?: string;
  /** Progress bar options, or false for no output. */
  progress?: false | (ProgressOpts & { label?: string });
  /** Write the loss curve (train, and validation if any) as SVG to this path after each validation and at the end. */
  plotFile?: string;
  /** Title of the plot. */
  plotTitle?: string;
  /** Called after every step (for logging or tests), outside the step's tidy scope. */
  onStep?: (info: StepInfo) => void;
  /**
   * Compile the training step (forward, backward, clip and update) with `mx.compile`, as MLX users do with
   * `mx.compile(step, { inputs: state, outputs: state })`: the first step traces it, later steps replay the traced
   * graph with elementwise chains fused, which saves most of the per-op host cost and, on the GPU, most launches.
   * The model, the optimizer and `mx.random.state` are the compiled function's implicit state: their arrays
   * (parameters, buffers such as BatchNorm statistics, the optimizer's step, learning rate and moments, the global
   * random key) are read as inputs and written back after each step, so dropout draws fresh masks per step and learning-rate schedules and a learning rate set between steps take effect. The optimizer's
   * buffers are created (`optimizer.init`) before the first step, so one trace serves every step. The compiled step
   * is reused by later `trainLoop` calls with the same `lossFn`, model, optimizer and `clipGradNorm`.
   *
   * Limits (those of `mx.compile`): `lossFn` may not read array values (`item`, `tolist`), batches of a new shape
   * or dtype trace again, and JS values the step reads (optimizer hyper-parameters other than the learning rate,
   * the training flag) are baked into the trace. Default false.
   */
  compile?: boolean;
}

/** What `trainLoop` returns. */
export interface TrainResult {
  /** `[step, loss]` for every step. */
  trainLoss: [number, number][];
  /** `[step, loss]` for every validation. */
  valLoss: [number, number][];
  /** Wall-clock seconds of the whole loop (validation included). */
  seconds: number;
  /** Items per second over the training steps (validation excluded). */
  throughput: number;
}

/** Averages consecutive points so a long run plots at most `max` points (a light smoothing of noisy losses). */
function downsample(points: [number, number][], max: number): [number, number][] {
  if (points.length <= max) return points;
  const k = Math.ceil(points.length / max), out: [number, number][] = [];
  for (let i = 0; i < points.length; i += k) {
    const chunk = points.slice(i, i + k);
    out.push([chunk[chunk.length - 1]![0], chunk.reduce((s, p) => s + p[1], 0) / chunk.length]);
  }
  return out;
}

function batchSource(b: TrainLoopOpts['batches']): (step: number) => MxArray[] {
  if (typeof b === 'function') return b;
  const it: Iterator<MxArray[]> = Symbol.iterator in (b as object) ? (b as Iterable<MxArray[]>)[Symbol.iterator]() : b as Iterator<MxArray[]>;
  return (step) => {
    const r = it.next();
    if (r.done) throw new Error(`[trainLoop] The batch iterator ended at step ${step + 1}.`);
    return r.value;
  };
}

function arraySet(...trees: unknown[]): Set<MxArray> {
  const s = new Set<MxArray>();
  for (const t of trees) forEachArray(t, (a) => s.add(a));
  return s;
}

/**
 * Writes the loss curves of `result` as an SVG file (Node only: `node:fs` is imported on first use, so the package
 * still loads in browsers, where `lossCurveSvg` gives the SVG text). @example `await writeLossPlot('loss.svg', result, 'MLP')`
 */
export async function writeLossPlot(file: string, result: Pick<TrainResult, 'trainLoss' | 'valLoss'>, title = 'loss'): Promise<void> {
  const series = [{ name: 'train', points: downsample(result.trainLoss, 400) }];
  if (result.valLoss.length) series.push({ name: 'validation', points: result.valLoss });
  const { writeFile } = await import('node:fs/promises');
  await writeFile(file, lossCurveSvg(series, { title, xLabel: 'step', yLabel: 'loss' }));
}

/**
 * The global random key the last compiled training step wrote back (`mx.random.state[0]`); the next compiled step
 * replaces it and releases it (a key the user stored there, or the seed's host key, is never this one).
 */
let stepKey: MxArray | null = null;

/**
 * Trains `model` for `steps` steps: per step, one batch, `lossFn`'s value and gradients w.r.t. the trainable
 * parameters (`nn.valueAndGrad`), an optional gradient clip, and `optimizer.update`.
 *
 * @example
 * ```ts
 * const result = await nn.trainLoop({
 *   model, optimizer: new optim.Adam(1e-2), steps: 200,
 *   lossFn: (x, y) => nn.losses.crossEntropy(model.forward(x), y, { reduction: 'mean' }),
 *   batches: (i) => [xs, ys], evalFn: () => valLoss(), plotFile: 'loss.svg',
 * });
 * ```
 */
export async function trainLoop(opts: TrainLoopOpts): Promise<TrainResult> {
  const { model, lossFn, optimizer, steps } = opts;
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`[trainLoop] steps must be a positive integer, got ${steps}.`);
  const nextBatch = batchSource(opts.batches);
  const count = opts.countItems ?? ((b: MxArray[]) => b[0]?.shape[0] ?? 1);
  const unit = opts.unit ?? 'samples';
  const evalEvery = opts.evalEvery ?? Math.max(1, Math.ceil(steps / 10));
  const bar = opts.progress === false ? null : new ProgressBar(steps, { label: 'train', ...opts.progress });
  const runStep = trainStep(model, lossFn, optimizer, { clipGradNorm: opts.clipGradNorm, compile: opts.compile });
  const result: TrainResult = { trainLoss: [], valLoss: [], seconds: 0, throughput: 0 };
  const t0 = performance.now();
  let trainMs = 0, items = 0, smooth = NaN;

  model.train();
  for (let step = 1; step <= steps; step++) {
    const ts = performance.now();
    const old = arraySet(model.parameters(), optimizer.state);
    const keyBefore = opts.compile ? mx.random.state[0]! : null;
    const out = mx.tidy(() => {
      const batch = nextBatch(step - 1);
      items += count(batch);
      const loss = runStep(...batch);
      // everything returned survives the scope: the loss, the new parameters and the optimizer's buffers
      return { loss, params: model.parameters(), state: optimizer.state };
    });
    await mx.eval(out.loss, out.params, out.state);
    const loss = (await out.loss.item()) as number;
    out.loss.dispose();
    const live = arraySet(out.params, out.state);
    for (const a of old) if (!live.has(a)) a.dispose();
    if (opts.compile) {
      const key = mx.random.state[0]!;
      if (key !== stepKey) {
        // the step wrote a new key: the one a previous compiled step wrote is no longer referenced
        if (stepKey !== null && keyBefore === stepKey) stepKey.dispose();
        stepKey = key !== keyBefore ? key : null;
      }
    }
    trainMs += performance.now() - ts;
    result.trainLoss.push([step, loss]);
    smooth = Number.isNaN(smooth) ? loss : 0.9 * smooth + 0.1 * loss;

    let valLoss: number | undefined;
    if (opts.evalFn && (step % evalEvery === 0 || step === steps)) {
      model.eval();
      const evalFn = opts.evalFn;
      valLoss = await mx.tidy(async () => {
        const r = await evalFn();
        return typeof r === 'number' ? r : ((await r.item()) as number);
      });
      model.train();
      result.valLoss.push([step, valLoss]);
      bar?.log(`step ${step}: train loss ${smooth.toFixed(4)}, validation loss ${valLoss.toFixed(4)}`);
      if (opts.plotFile) await writeLossPlot(opts.plotFile, result, opts.plotTitle);
    }
    const throughput = items / (trainMs / 1000);
    bar?.update(step, { loss: smooth.toFixed(4), [`${unit}/s`]: formatRate(throughput) });
    opts.onStep?.({ step, loss, throughput, valLoss });
  }
  bar?.done();
  result.seconds = (performance.now() - t0) / 1000;
  result.throughput = items / (trainMs / 1000);
  if (opts.plotFile) await writeLossPlot(opts.plotFile, result, opts.plotTitle);
  return result;
}
