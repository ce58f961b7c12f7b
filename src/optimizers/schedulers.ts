/**
 * @file Learning-rate schedules (MLX's `optimizers.*_decay`, `linear_schedule`, `join_schedules`): functions of
 * the optimizer step (a scalar array) built from array ops, so they stay lazy.
 */
import type { MxArray } from '../core/array.js';
import * as mx from '../index.js';
import { float32 } from '../core/dtype.js';
import type { Schedule } from './optimizer.js';

const f = (step: MxArray): MxArray => step.astype(float32);
const asArr = (v: MxArray | number): MxArray => (typeof v === 'number' ? mx.array(v, float32) : v);

/** init · rate^⌊step / stepSize⌋. @example `optim.stepDecay(0.1, 0.9, 10)` */
export function stepDecay(init: number, decayRate: number, stepSize: number): Schedule {
  return (step) => mx.multiply(init, mx.power(decayRate, mx.floor(mx.divide(f(step), stepSize))));
}

/** init · rate^step. @example `optim.exponentialDecay(0.1, 0.99)` */
export function exponentialDecay(init: number, decayRate: number): Schedule {
  return (step) => mx.multiply(init, mx.power(decayRate, f(step)));
}

/** end + (init - end)(1 + cos(π min(step, decaySteps)/decaySteps))/2. @example `optim.cosineDecay(0.1, 1000)` */
export function cosineDecay(init: number, decaySteps: number, end = 0): Schedule {
  return (step) => {
    const s = mx.minimum(f(step), decaySteps);
    const c = mx.multiply(mx.add(mx.cos(mx.multiply(s, Math.PI / decaySteps)), 1), 0.5);
    return mx.add(end, mx.multiply(c, init - end));
  };
}

/** Linear from init to end over `steps` steps, then end. @example `optim.linearSchedule(0, 1e-3, 100)` */
export function linearSchedule(init: number, end: number, steps: number): Schedule {
  if (steps < 1) throw new Error(`[linearSchedule] steps must be >= 1, got ${steps}.`);
  return (step) => mx.add(init, mx.multiply(mx.minimum(f(step), steps), (end - init) / steps));
}

/**
 * Runs `schedules[i]` from `boundaries[i-1]` on, each seeing the steps since its start (warmup then decay).
 *
 * @example
 * ```ts
 * optim.joinSchedules([optim.linearSchedule(0, 1e-3, 100), optim.cosineDecay(1e-3, 900)], [100]);
 * ```
 */
export function joinSchedules(schedules: Schedule[], boundaries: number[]): Schedule {
  if (schedules.length === 0) throw new Error('[joinSchedules] Must provide at least 1 schedule.');
  if (schedules.length !== boundaries.length + 1) {
    throw new Error(`[joinSchedules] Received ${boundaries.length} boundaries but expected ${schedules.length - 1}.`);
  }
  return (step) => {
    let out = asArr(schedules[0]!(step));
    boundaries.forEach((b, i) => {
      const shifted = mx.subtract(step.astype(float32), b);
      out = mx.where(mx.less(f(step), b), out, asArr(schedules[i + 1]!(shifted)));
    });
    return out;
  };
}
