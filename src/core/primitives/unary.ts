/**
 * @file Unary elementwise primitives: one name per op (as MLX has one primitive class per op), each with the dtype
 * rule of its output and its vjp/jvp/vmap rules. Ops have validated dtypes already. Smooth ops give their
 * derivative as a tangent map `t -> f'(x) t` (rules-elementwise.ts turns it into both modes); the derivative's
 * math is the comment on each entry.
 */
import * as dt from '../dtype.js';
import type { Dtype } from '../dtype.js';
import type { MxArray } from '../array.js';
import type { StreamOpt } from '../device.js';
import { definePrimitives, single, type OutSpec, type PrimitiveTable } from '../primitive.js';
import { astype } from '../ops/basic.js';
import { add, divide, multiply, subtract } from '../ops/binary.js';
import { where } from '../ops/ternary.js';
import {
  conj, cos, cosh, exp, imag, isfinite, negative, real, rsqrt, sign, sin, sinh, square,
} from '../ops/unary.js';
import { zerosLike } from '../ops/creation.js';
import {
  complexI, differentiable, nonDifferentiable, smoothUnary, vmapElementwise, type Rules,
} from '../transforms/rules-elementwise.js';

/** Params of primitives that take none. */
export type NoParams = Record<string, never>;

/** Unary primitives whose output dtype is the input's (complex `abs` excepted: float32). */
export const SAME_DTYPE_UNARY = [
  'abs', 'negative', 'sign', 'square', 'floor', 'ceil', 'trunc', 'conj', 'bitwiseInvert', 'stopGradient',
] as const;
/** Unary primitives that compute in floating point: integer and bool inputs give float32. */
export const FLOAT_UNARY = [
  'sqrt', 'rsqrt', 'reciprocal', 'exp', 'expm1', 'log', 'log2', 'log10', 'log1p', 'sin', 'cos', 'tan',
  'arcsin', 'arccos', 'arctan', 'sinh', 'cosh', 'tanh', 'arcsinh', 'arccosh', 'arctanh', 'sigmoid', 'erf', 'erfinv',
] as const;
/** Unary predicates: bool output. */
export const BOOL_UNARY = ['isnan', 'isinf', 'isfinite', 'isposinf', 'isneginf', 'logicalNot'] as const;

export type SameUnaryName = (typeof SAME_DTYPE_UNARY)[number];
export type FloatUnaryName = (typeof FLOAT_UNARY)[number];
export type BoolUnaryName = (typeof BOOL_UNARY)[number];
/** Every simple (parameterless) unary primitive. */
export type SimpleUnaryName = SameUnaryName | FloatUnaryName | BoolUnaryName | 'real' | 'imag';

type SimpleParams = { [K in SimpleUnaryName]: NoParams };

declare module '../primitive.js' {
  interface PrimitiveParams extends SimpleParams {
    /** Round half to even at `decimals` decimal places. */
    round: { decimals: number };
    /** Replace NaN and infinities (null bounds mean the dtype's largest finite values). */
    nanToNum: { nan: number; posinf: number | null; neginf: number | null };
  }
}

const realOf = (d: Dtype): Dtype => (d === dt.complex64 ? dt.float32 : d);
type Out = (xs: readonly MxArray[]) => OutSpec[];
const same: Out = ([x]) => single(x!.shape, x!.dtype);
const flt: Out = ([x]) => single(x!.shape, dt.atLeastFloat(x!.dtype));
const bool: Out = ([x]) => single(x!.shape, dt.bool);
const toReal: Out = ([x]) => single(x!.shape, realOf(x!.dtype));

/** A smooth op: output rule plus rules from its tangent map. */
const smooth = (name: SimpleUnaryName, outputs: Out, scale: Parameters<typeof smoothUnary>[1]) =>
  ({ outputs, ...smoothUnary(name, scale) });
/** A non-differentiable op: output rule plus zero-gradient rules. */
const flat = (name: SimpleUnaryName | 'round', outputs: Out) => ({ outputs, ...nonDifferentiable(name) });

const rsqrt1mx2 = (x: MxArray, o: StreamOpt): MxArray => rsqrt(subtract(1, square(x, o), o), o);

const table: Record<SimpleUnaryName | 'round' | 'nanToNum', { outputs: Out } & Rules> = {
  // d|x| = sign(x) dx (0 at x = 0, as MLX); complex: d|z| = Re(conj(sign z) dz), cotangent ct * sign(z)
  abs: {
    outputs: toReal,
    vjp: ([x], [ct], _y, _p, stream) => [differentiable(x!) ? multiply(ct!, sign(x!, { stream }), { stream }) : null],
    jvp: ([x], [t], [y], _p, stream) => {
      const o = { stream };
      if (!differentiable(x!) || !t) return [zerosLike(y!, o)];
      const s = sign(x!, o);
      return [x!.dtype === dt.complex64 ? real(multiply(t, conj(s, o), o), o) : multiply(t, s, o)];
    },
    vmap: vmapElementwise('abs'),
  },
  // d(-x) = -dx
  negative: smooth('negative', same, (t, _x, _y, o) => negative(t, o)),
  sign: flat('sign', same),
  // d x^2 = 2x dx
  square: smooth('square', same, (t, x, _y, o) => multiply(t, multiply(x, 2, o), o)),
  floor: flat('floor', same),
  ceil: flat('ceil', same),
  trunc: flat('trunc', same),
  // d conj(z) = conj(dz), in both modes (MLX)
  conj: smooth('conj', same, (t, _x, _y, o) => conj(t, o)),
  bitwiseInvert: flat('bitwiseInvert', same),
  // the identity that blocks gradients: no cotangent, zero tangent
  stopGradient: {
    outputs: same,
    vjp: () => [null],
    jvp: (_x, _t, [y], _p, stream) => [zerosLike(y!, { stream })],
    vmap: vmapElementwise('stopGradient'),
  },
  // d sqrt x = dx / (2 sqrt x)
  sqrt: smooth('sqrt', flt, (t, _x, y, o) => divide(multiply(t, 0.5, o), y, o)),
  // d x^-1/2 = -1/2 x^-3/2 dx = -1/2 (rsqrt x / x) dx
  rsqrt: smooth('rsqrt', flt, (t, x, y, o) => multiply(t, divide(multiply(y, -0.5, o), x, o), o)),
  // d (1/x) = -dx / x^2
  reciprocal: smooth('reciprocal', flt, (t, _x, y, o) => multiply(negative(t, o), square(y, o), o)),
  // d e^x = e^x dx
  exp: smooth('exp', flt, (t, _x, y, o) => multiply(t, y, o)),
  // d (e^x - 1) = e^x dx
  expm1: smooth('expm1', flt, (t, _x, y, o) => multiply(t, add(y, 1, o), o)),
  // d log x = dx / x
  log: smooth('log', flt, (t, x, _y, o) => divide(t, x, o)),
  // d log2 x = dx / (x ln 2)
  log2: smooth('log2', flt, (t, x, _y, o) => divide(t, multiply(x, Math.LN2, o), o)),
  // d log10 x = dx / (x ln 10)
  log10: smooth('log10', flt, (t, x, _y, o) => divide(t, multiply(x, Math.LN10, o), o)),
  // d log(1 + x) = dx / (1 + x)
  log1p: smooth('log1p', flt, (t, x, _y, o) => divide(t, add(x, 1, o), o)),
  // d sin x = cos x dx
  sin: smooth('sin', flt, (t, x, _y, o) => multiply(t, cos(x, o), o)),
  // d cos x = -sin x dx
  cos: smooth('cos', flt, (t, x, _y, o) => multiply(negative(t, o), sin(x, o), o)),
  // d tan x = (1 + tan^2 x) dx
  tan: smooth('tan', flt, (t, _x, y, o) => multiply(t, add(square(y, o), 1, o), o)),
  // d arcsin x = dx / sqrt(1 - x^2)
  arcsin: smooth('arcsin', flt, (t, x, _y, o) => multiply(t, rsqrt1mx2(x, o), o)),
  // d arccos x = -dx / sqrt(1 - x^2)
  arccos: smooth('arccos', flt, (t, x, _y, o) => multiply(negative(t, o), rsqrt1mx2(x, o), o)),
  // d arctan x = dx / (1 + x^2)
  arctan: smooth('arctan', flt, (t, x, _y, o) => divide(t, add(square(x, o), 1, o), o)),
  // d sinh x = cosh x dx
  sinh: smooth('sinh', flt, (t, x, _y, o) => multiply(t, cosh(x, o), o)),
  // d cosh x = sinh x dx
  cosh: smooth('cosh', flt, (t, x, _y, o) => multiply(t, sinh(x, o), o)),
  // d tanh x = (1 - tanh^2 x) dx
  tanh: smooth('tanh', flt, (t, _x, y, o) => multiply(t, subtract(1, square(y, o), o), o)),
  // d arcsinh x = dx / sqrt(x^2 + 1)
  arcsinh: smooth('arcsinh', flt, (t, x, _y, o) => multiply(t, rsqrt(add(square(x, o), 1, o), o), o)),
  // d arccosh x = dx / sqrt(x^2 - 1)
  arccosh: smooth('arccosh', flt, (t, x, _y, o) => multiply(t, rsqrt(subtract(square(x, o), 1, o), o), o)),
  // d arctanh x = dx / (1 - x^2)
  arctanh: smooth('arctanh', flt, (t, x, _y, o) => divide(t, subtract(1, square(x, o), o), o)),
  // d sigmoid x = s (1 - s) dx
  sigmoid: smooth('sigmoid', flt, (t, _x, y, o) => multiply(t, multiply(y, subtract(1, y, o), o), o)),
  // d erf x = 2/sqrt(pi) e^(-x^2) dx
  erf: smooth('erf', flt, (t, x, _y, o) => multiply(t, multiply(exp(negative(square(x, o), o), o), 2 / Math.sqrt(Math.PI), o), o)),
  // d erfinv x = sqrt(pi)/2 e^(erfinv(x)^2) dx
  erfinv: smooth('erfinv', flt, (t, _x, y, o) => multiply(t, multiply(exp(square(y, o), o), Math.sqrt(Math.PI) / 2, o), o)),
  isnan: flat('isnan', bool),
  isinf: flat('isinf', bool),
  isfinite: flat('isfinite', bool),
  isposinf: flat('isposinf', bool),
  isneginf: flat('isneginf', bool),
  logicalNot: flat('logicalNot', bool),
  // d Re z = Re dz; the cotangent of a real part is real (MLX: ct cast to the input's dtype)
  real: {
    outputs: toReal,
    vjp: ([x], [ct], _y, _p, stream) => [differentiable(x!) ? astype(ct!, x!.dtype, { stream }) : null],
    jvp: ([x], [t], [y], _p, stream) => [differentiable(x!) && t ? real(t, { stream }) : zerosLike(y!, { stream })],
    vmap: vmapElementwise('real'),
  },
  // d Im z = Im dz; cotangent i * ct (MLX); a real input has a zero imaginary part, so zero
  imag: {
    outputs: toReal,
    vjp: ([x], [ct], _y, _p, stream) => {
      const o = { stream };
      if (!differentiable(x!)) return [null];
      if (x!.dtype !== dt.complex64) return [zerosLike(x!, o)];
      return [multiply(astype(ct!, dt.complex64, o), complexI(stream), o)];
    },
    jvp: ([x], [t], [y], _p, stream) => [differentiable(x!) && t ? imag(t, { stream }) : zerosLike(y!, { stream })],
    vmap: vmapElementwise('imag'),
  },
  round: flat('round', same),
  // identity where x is finite; replaced NaN/inf elements are constants
  nanToNum: {
    outputs: same,
    vjp: ([x], [ct], _y, _p, stream) => [differentiable(x!) ? where(isfinite(x!, { stream }), ct!, 0, { stream }) : null],
    jvp: ([x], [t], [y], _p, stream) =>
      [differentiable(x!) && t ? where(isfinite(x!, { stream }), t, 0, { stream }) : zerosLike(y!, { stream })],
    vmap: vmapElementwise('nanToNum'),
  },
};

definePrimitives(table as unknown as PrimitiveTable<SimpleUnaryName | 'round' | 'nanToNum'>);
