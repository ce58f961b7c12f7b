/**
 * @file MLX's constants: `mx.pi`, `mx.e`, `mx.inf`, `mx.nan`, `mx.eulerGamma` and `mx.newaxis`.
 */

/** π. @example `mx.multiply(x, mx.pi)` */
export const pi = Math.PI;
/** Euler's number. @example `mx.power(mx.e, x)` */
export const e = Math.E;
/** Positive infinity. @example `mx.full([2], mx.inf)` */
export const inf = Infinity;
/** Not a number. @example `mx.isnan(mx.array(mx.nan))` */
export const nan = NaN;
/** The Euler–Mascheroni constant γ. @example `mx.eulerGamma // 0.5772...` */
export const eulerGamma = 0.5772156649015329;
/** Index value that inserts a new axis (`null`, as NumPy's `None`). @example `a.index(mx.newaxis)` */
export const newaxis = null;
