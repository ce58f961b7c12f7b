/**
 * @file `mlx-ts/nn` (MLX's `mlx.nn`): `Module` and its parameter trees, layers, activations, losses
 * (`nn.losses`), initializers (`nn.init`) and `nn.valueAndGrad`. A module runs with `model.forward(x)`.
 *
 * @example
 * ```ts
 * import * as nn from 'mlx-ts/nn';
 * const model = new nn.Sequential(new nn.Linear(2, 16), nn.relu, new nn.Linear(16, 1));
 * const lossAndGrad = nn.valueAndGrad(model, (x, y) => nn.losses.mseLoss(model.forward(x), y));
 * ```
 */
export { Module, valueAndGrad, type ParamTree, type FreezeOpts } from './module.js';
export { weightName, propertyPath } from './names.js';
export * from './activations.js';
export * from './activation-layers.js';
export * from './layers/linear.js';
export * from './layers/dropout.js';
export * from './layers/normalization.js';
export * from './layers/positional.js';
export * from './layers/transformer.js';
export * from './layers/recurrent.js';
export * from './layers/pooling.js';
export * from './layers/upsample.js';
export * from './layers/convolution.js';
export * as losses from './losses.js';
export * as init from './init.js';
export * from './trainer.js';
