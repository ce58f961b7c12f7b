/**
 * @file `mlx-ts/optimizers` (MLX's `mlx.optimizers`): optimizers, learning-rate schedules and `clipGradNorm`.
 *
 * @example
 * ```ts
 * import * as optim from 'mlx-ts/optimizers';
 * const opt = new optim.AdamW(optim.joinSchedules([optim.linearSchedule(0, 1e-3, 10), optim.cosineDecay(1e-3, 100)], [10]));
 * ```
 */
export { Optimizer, MultiOptimizer, clipGradNorm, type Schedule, type Scheduled, type ParamState } from './optimizer.js';
export { SGD, RMSprop, Adagrad, AdaDelta, Adam, AdamW, Adamax, Lion } from './optimizers.js';
export { Adafactor, Muon, newtonSchulz5, type AdafactorOpts } from './factored.js';
export { stepDecay, exponentialDecay, cosineDecay, linearSchedule, joinSchedules } from './schedulers.js';
