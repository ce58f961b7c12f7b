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
import * as base from './optimizers.js';
import { Muon as MuonBase } from './factored.js';
import { withOptions } from './options.js';
export { Adafactor, newtonSchulz5, type AdafactorOpts } from './factored.js';

// each also takes its optional parameters (and the learning rate) in an options object: new AdamW({ learningRate: 1e-3 })
export const SGD = withOptions(base.SGD, ['learningRate', 'momentum', 'weightDecay', 'dampening', 'nesterov']);
export const RMSprop = withOptions(base.RMSprop, ['learningRate', 'alpha', 'eps']);
export const Adagrad = withOptions(base.Adagrad, ['learningRate', 'eps']);
export const AdaDelta = withOptions(base.AdaDelta, ['learningRate', 'rho', 'eps']);
export const Adam = withOptions(base.Adam, ['learningRate', 'betas', 'eps', 'biasCorrection']);
export const AdamW = withOptions(base.AdamW, ['learningRate', 'betas', 'eps', 'weightDecay', 'biasCorrection']);
export const Adamax = withOptions(base.Adamax, ['learningRate', 'betas', 'eps']);
export const Lion = withOptions(base.Lion, ['learningRate', 'betas', 'weightDecay']);
export const Muon = withOptions(MuonBase, ['learningRate', 'momentum', 'weightDecay', 'nesterov', 'nsSteps']);
export type SGD = base.SGD; export type RMSprop = base.RMSprop; export type Adagrad = base.Adagrad;
export type AdaDelta = base.AdaDelta; export type Adam = base.Adam; export type AdamW = base.AdamW;
export type Adamax = base.Adamax; export type Lion = base.Lion; export type Muon = MuonBase;
export { stepDecay, exponentialDecay, cosineDecay, linearSchedule, joinSchedules } from './schedulers.js';
