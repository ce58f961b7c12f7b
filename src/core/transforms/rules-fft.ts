/**
 * @file Transform rules of the `fft` primitive. The transform is linear, so jvp applies it to the tangent and vmap
 * shifts its axes behind a leading batch axis. The vjp is the adjoint (MLX's convention for complex cotangents:
 * `ct_x = A^H ct_y`), written with the same primitive: with P the zero-pad/truncation of the input to `n` and N the
 * product of `n`,
 *   fft:   y = s F P x             ->  ct_x = P^T (s conj(F) ct)             (an inverse transform times N)
 *   ifft:  y = (s/N) conj(F) P x   ->  ct_x = P^T ((s/N) F ct)
 *   rfft:  y = s H F P x           ->  ct_x = P^T (s N irfft(ct * h))         h = 1/2 except DC and Nyquist
 *   irfft: y = (s/N) Re(conj(F) Z m P x) -> ct_x = P^T ((s/N) m rfft(ct))    m = 2 except DC and Nyquist
 * where H keeps the first n/2 + 1 bins of the last axis, Z zero-fills the rest, and irfft counts every bin but DC
 * and Nyquist twice (their Hermitian mirror), which is what m and h undo.
 */
import { bind, type MxArray } from '../array.js';
import type { Stream } from '../device.js';
import * as dt from '../dtype.js';
import type { PrimitiveParams } from '../primitive.js';
import { array } from '../construct.js';
import { multiply } from '../ops/binary.js';
import { reshape, moveaxis } from '../ops/layout.js';
import { split } from '../ops/layout-join.js';
import { pad } from '../ops/layout-misc.js';

type P = PrimitiveParams['fft'];

/** P^T: brings each transformed axis of `y` back to the input's extent (cut what padding added, zero-fill cuts). */
function unresize(y: MxArray, axes: readonly number[], shape: readonly number[], stream: Stream): MxArray {
  let r = y;
  for (const ax of axes) {
    const have = r.shape[ax]!, want = shape[ax]!;
    if (want < have) r = split(r, [want], ax, { stream })[0]!;
    else if (want > have) r = pad(r, r.shape.map((_, i) => (i === ax ? [0, want - have] : [0, 0]) as [number, number]), 'constant', 0, { stream });
  }
  return r;
}

/** Per-bin weights along the last transformed axis (`h` bins of an `n`-point real transform), shaped to broadcast. */
function binWeights(ndim: number, axis: number, h: number, n: number, inner: number, edge: number, stream: Stream): MxArray {
  const w = new Float32Array(h).fill(inner);
  w[0] = edge;
  if (n % 2 === 0 && n / 2 < h) w[n / 2] = edge;
  const shape = new Array<number>(ndim).fill(1);
  shape[axis] = h;
  return reshape(array(w, dt.float32, { stream }), shape, { stream });
}

const total = (n: readonly number[]): number => n.reduce((a, b) => a * b, 1);

export const fftRules = {
  vjp([x]: MxArray[], [ct]: MxArray[], _o: MxArray[], p: P, stream: Stream): (MxArray | null)[] {
    const N = total(p.n), last = p.axes[p.axes.length - 1]!, nLast = p.n[p.n.length - 1]!;
    let g: MxArray;
    if (!p.real) {
      g = bind('fft', [ct!], { ...p, inverse: !p.inverse, scale: p.inverse ? p.scale / N : p.scale * N }, stream);
    } else if (!p.inverse) {
      const h = binWeights(ct!.ndim, last, ct!.shape[last]!, nLast, 0.5, 1, stream);
      g = bind('fft', [multiply(ct!, h, { stream })], { ...p, inverse: true, scale: p.scale * N }, stream);
    } else {
      const r = bind('fft', [ct!], { ...p, inverse: false, scale: p.scale / N }, stream);
      g = multiply(r, binWeights(r.ndim, last, r.shape[last]!, nLast, 2, 1, stream), { stream });
    }
    return [unresize(g, p.axes, x!.shape, stream)];
  },
  // linear: the tangent goes through the same transform
  jvp(_x: MxArray[], [t]: (MxArray | null)[], _o: MxArray[], p: P, stream: Stream): MxArray[] {
    return [bind('fft', [t!], p, stream)];
  },
  vmap([x]: MxArray[], [ax]: (number | null)[], p: P, stream: Stream): [MxArray[], (number | null)[]] {
    const moved = ax === 0 ? x! : moveaxis(x!, ax!, 0, { stream });
    return [[bind('fft', [moved], { ...p, axes: p.axes.map((a) => a + 1) }, stream)], [0]];
  },
};
