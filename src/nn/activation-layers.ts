/**
 * @file Activation layers: thin modules around the functions of activations.ts (MLX's `nn.ReLU`, `nn.GELU`, ...).
 */
import type { MxArray } from '../core/array.js';
import { full } from '../core/ops/creation.js';
import { Module } from './module.js';
import * as A from './activations.js';

/** Builds a parameterless activation layer class. */
function simple(name: string, fn: (x: MxArray) => MxArray): new () => Module & { forward(x: MxArray): MxArray } {
  const C = class extends Module {
    forward(x: MxArray): MxArray { return fn(x); }
  };
  Object.defineProperty(C, 'name', { value: name });
  return C;
}

/** Layer form of `relu`. @example `new nn.ReLU().forward(x)` */
export const ReLU = simple('ReLU', A.relu);
/** Layer form of `relu6`. @example `new nn.ReLU6().forward(x)` */
export const ReLU6 = simple('ReLU6', A.relu6);
/** Layer form of `relu2`. @example `new nn.ReLU2().forward(x)` */
export const ReLU2 = simple('ReLU2', A.relu2);
/** Layer form of `selu`. @example `new nn.SELU().forward(x)` */
export const SELU = simple('SELU', A.selu);
/** Layer form of `silu`. @example `new nn.SiLU().forward(x)` */
export const SiLU = simple('SiLU', A.silu);
/** Layer form of `sigmoid`. @example `new nn.Sigmoid().forward(x)` */
export const Sigmoid = simple('Sigmoid', A.sigmoid);
/** Layer form of `tanh`. @example `new nn.Tanh().forward(x)` */
export const Tanh = simple('Tanh', A.tanh);
/** Layer form of `softplus`. @example `new nn.Softplus().forward(x)` */
export const Softplus = simple('Softplus', A.softplus);
/** Layer form of `softsign`. @example `new nn.Softsign().forward(x)` */
export const Softsign = simple('Softsign', A.softsign);
/** Layer form of `logSigmoid`. @example `new nn.LogSigmoid().forward(x)` */
export const LogSigmoid = simple('LogSigmoid', A.logSigmoid);
/** Layer form of `mish`. @example `new nn.Mish().forward(x)` */
export const Mish = simple('Mish', A.mish);
/** Layer form of `hardSwish`. @example `new nn.Hardswish().forward(x)` */
export const Hardswish = simple('Hardswish', A.hardSwish);

/** Layer form of `leakyRelu`. @example `new nn.LeakyReLU(0.1).forward(x)` */
export class LeakyReLU extends Module {
  constructor(public negativeSlope = 0.01) { super(); }
  forward(x: MxArray): MxArray { return A.leakyRelu(x, this.negativeSlope); }
}
/** Layer form of `elu`. @example `new nn.ELU(1).forward(x)` */
export class ELU extends Module {
  constructor(public alpha = 1) { super(); }
  forward(x: MxArray): MxArray { return A.elu(x, this.alpha); }
}
/** Layer form of `celu`. @example `new nn.CELU(1).forward(x)` */
export class CELU extends Module {
  constructor(public alpha = 1) { super(); }
  forward(x: MxArray): MxArray { return A.celu(x, this.alpha); }
}
/** GELU with `approx` 'none' (exact), 'precise' or 'tanh' (tanh form), or 'fast' (sigmoid form). @example `new nn.GELU('tanh')` */
export class GELU extends Module {
  constructor(public approx: 'none' | 'precise' | 'tanh' | 'fast' = 'none') {
    super();
    if (!['none', 'precise', 'tanh', 'fast'].includes(approx)) throw new Error(`[GELU] Unknown approximation "${approx}".`);
  }
  forward(x: MxArray): MxArray {
    return this.approx === 'none' ? A.gelu(x) : this.approx === 'fast' ? A.geluFastApprox(x) : A.geluApprox(x);
  }
}
/** Layer form of `hardTanh`. @example `new nn.HardTanh(-2, 2)` */
export class HardTanh extends Module {
  constructor(public minVal = -1, public maxVal = 1) { super(); }
  forward(x: MxArray): MxArray { return A.hardTanh(x, this.minVal, this.maxVal); }
}
/** Layer form of `hardShrink`. @example `new nn.HardShrink(0.5)` */
export class HardShrink extends Module {
  constructor(public lambd = 0.5) { super(); }
  forward(x: MxArray): MxArray { return A.hardShrink(x, this.lambd); }
}
/** Layer form of `softShrink`. @example `new nn.Softshrink(0.5)` */
export class Softshrink extends Module {
  constructor(public lambd = 0.5) { super(); }
  forward(x: MxArray): MxArray { return A.softShrink(x, this.lambd); }
}
/** Layer form of `softmax`. @example `new nn.Softmax()` */
export class Softmax extends Module {
  constructor(public axis = -1) { super(); }
  forward(x: MxArray): MxArray { return A.softmax(x, this.axis); }
}
/** Layer form of `softmin`. @example `new nn.Softmin()` */
export class Softmin extends Module {
  constructor(public axis = -1) { super(); }
  forward(x: MxArray): MxArray { return A.softmin(x, this.axis); }
}
/** Layer form of `logSoftmax`. @example `new nn.LogSoftmax()` */
export class LogSoftmax extends Module {
  constructor(public axis = -1) { super(); }
  forward(x: MxArray): MxArray { return A.logSoftmax(x, this.axis); }
}
/** Layer form of `glu`. @example `new nn.GLU()` */
export class GLU extends Module {
  constructor(public axis = -1) { super(); }
  forward(x: MxArray): MxArray { return A.glu(x, this.axis); }
}
/** Layer form of `step`. @example `new nn.Step(0)` */
export class Step extends Module {
  constructor(public threshold = 0) { super(); }
  forward(x: MxArray): MxArray { return A.step(x, this.threshold); }
}
/** PReLU with a learned slope per parameter (`weight`, initialised to `init`). @example `new nn.PReLU(1, 0.25)` */
export class PReLU extends Module {
  weight: MxArray;
  constructor(numParameters = 1, init = 0.25) {
    super();
    this.weight = full([numParameters], init);
  }
  forward(x: MxArray): MxArray { return A.prelu(x, this.weight); }
}
