/**
 * @file nn.Conv3d and nn.ConvTranspose3d gradients w.r.t. the input and every trainable parameter against central
 * finite differences (float64 on the CPU), over the layer options: stride, padding, dilation, groups (Conv3d
 * only: ConvTranspose3d has none), output padding, no bias, batch > 1. Shapes stay tiny: each checked element
 * costs two forward passes.
 */
import { test } from 'node:test';
import * as mx from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import { treeFlatten, treeUnflatten } from '../../src/utils/index.js';
import { checkGrad, f64 } from '../helpers/transforms.js';

const isArr = (x: unknown): boolean => x instanceof mx.MxArray;

/** d forward / d (input, parameters) of a float64 copy of `layer` at `x`. */
async function layerGrad(layer: nn.Module, x: mx.MxArray): Promise<void> {
  layer.setDtype(mx.float64);
  const named = treeFlatten(layer.trainableParameters(), '', isArr) as [string, mx.MxArray][];
  const f = (xx: mx.MxArray, ...ps: mx.MxArray[]): mx.MxArray => {
    layer.update(treeUnflatten(named.map(([n], i) => [n, ps[i]!] as [string, unknown])));
    return (layer as unknown as { forward(v: mx.MxArray): mx.MxArray }).forward(xx);
  };
  await checkGrad(f, [x, ...named.map(([, p]) => p)], { eps: 1e-6, rtol: 1e-5, atol: 1e-7 });
}

/** [name, layer, input shape [N, D, H, W, C]]. */
const CASES: [string, () => nn.Module, number[]][] = [
  ['Conv3d', () => new nn.Conv3d(2, 3, 2), [1, 3, 3, 3, 2]],
  ['Conv3d stride/padding per dim', () => new nn.Conv3d(2, 2, [2, 1, 2], [2, 1, 1], [1, 0, 1]), [1, 3, 2, 3, 2]],
  ['Conv3d dilation 2, padding 1', () => new nn.Conv3d(2, 2, 2, 1, 1, 2), [1, 3, 3, 3, 2]],
  ['Conv3d groups 2', () => new nn.Conv3d(4, 2, 2, 1, 0, 1, 2), [1, 2, 3, 2, 4]],
  ['Conv3d no bias, batch 2', () => new nn.Conv3d(1, 2, 2, 1, 0, 1, 1, false), [2, 2, 2, 3, 1]],
  ['ConvTranspose3d', () => new nn.ConvTranspose3d(2, 2, 2), [1, 2, 2, 2, 2]],
  ['ConvTranspose3d stride 2, padding 1, output padding 1', () => new nn.ConvTranspose3d(2, 1, 2, 2, 1, 1, 1), [1, 2, 2, 2, 2]],
  ['ConvTranspose3d dilation 2, stride per dim', () => new nn.ConvTranspose3d(1, 2, 2, [1, 2, 1], 0, 2, [0, 1, 0]), [1, 2, 2, 2, 1]],
  ['ConvTranspose3d no bias, batch 2', () => new nn.ConvTranspose3d(1, 2, [1, 2, 2], 1, 0, 1, 0, false), [2, 2, 2, 2, 1]],
];

for (const [name, make, shape] of CASES) {
  test(`gradient of ${name} (finite differences)`, async () => {
    await layerGrad(make(), f64(shape, shape.length + name.length));
  });
}
