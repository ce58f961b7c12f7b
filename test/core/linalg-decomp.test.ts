/**
 * @file Factorizations whose factors are unique only up to signs or order (qr, svd, eigh, eig): checked through
 * invariant quantities computed by NumPy from our outputs: reconstruction of A, orthogonality, triangularity,
 * and the sign-free |Q|, |R|, eigenvalues and singular values against NumPy's own factorization.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';
import { numpy, npArg, testDevices, type NpCase } from '../helpers/numpy.js';
import { randMatrix, symmetric, wellConditioned } from './linalg-helpers.js';
import { useTestDevices } from '../helpers/devices.js';

// MLX runs these factorizations on the CPU only: the GPU variant checks the error, so it dispatches nothing
await useTestDevices({ expectGpuWork: false });

const SHAPES = [[1, 1], [3, 3], [5, 5], [2, 4, 4], [5, 3], [3, 5], [2, 3, 2]];
const SQUARE = [[1, 1], [3, 3], [5, 5], [2, 4, 4]];
const bound = (d: mx.Dtype): number => (d === mx.float64 ? 1e-12 : 2e-6);

interface Check { label: string; code: string; ins: mx.MxArray[]; limit: number; shape?: number[][] }

// every check's code sets `result` to a list of non-negative error measures, each of which must stay below `limit`
const PRE = 'F = lambda x: np.asarray(x, dtype=np.float64)\nT = lambda x: np.swapaxes(x, -1, -2)\n' +
  'def orth(q):\n    k = q.shape[-1]\n    return np.abs(T(q) @ q - np.eye(k)).max() if q.size else 0.0\n' +
  'def mx_(x):\n    return np.abs(x).max() if x.size else 0.0\n';

function checksFor(d: mx.Dtype): Check[] {
  const out: Check[] = [];
  for (const sh of SHAPES) {
    const a = randMatrix(sh, d, 31 + sh.length + sh[0]!, 0.5);
    const [q, r] = mx.linalg.qr(a, { stream: mx.cpu });
    out.push({
      label: `qr ${d.name} [${sh}]`, ins: [a, q, r], limit: 10 * bound(d), shape: [q.shape as number[], r.shape as number[]],
      code: `Q0, R0 = np.linalg.qr(F(a))
result = [mx_(F(a) - F(b) @ F(c)), orth(F(b)), mx_(np.tril(F(c), -1)),
  mx_(np.abs(F(c)) - np.abs(R0)), mx_(np.abs(F(b)) - np.abs(Q0))]`,
    });
    const [u, s, vt] = mx.linalg.svd(a, { stream: mx.cpu });
    out.push({
      label: `svd ${d.name} [${sh}]`, ins: [a, u, s, vt], limit: 10 * bound(d),
      shape: [u.shape as number[], s.shape as number[], vt.shape as number[]],
      code: `k = min(a.shape[-2:])
rec = (F(b)[..., :, :k] * F(c)[..., None, :]) @ F(d)[..., :k, :]
result = [mx_(F(a) - rec), orth(F(b)), orth(T(F(d))), mx_(F(c) - np.linalg.svd(F(a), compute_uv=False)),
  float(np.any(np.diff(F(c), axis=-1) > 0))]`,
    });
  }
  // rank-deficient inputs: U must still be completed to an orthogonal matrix
  const rank1 = mx.array([[1, 2, 3], [2, 4, 6], [-1, -2, -3], [0.5, 1, 1.5]], d);
  for (const a of [rank1, mx.array([[0, 0, 0], [0, 0, 0]], d), mx.array([[1, 0], [0, 0], [0, 0]], d)]) {
    const [u, s, vt] = mx.linalg.svd(a, { stream: mx.cpu });
    out.push({
      label: `svd rank-deficient ${d.name} [${a.shape}]`, ins: [a, u, s, vt], limit: 10 * bound(d),
      code: `k = min(a.shape[-2:])
rec = (F(b)[..., :, :k] * F(c)[..., None, :]) @ F(d)[..., :k, :]
result = [mx_(F(a) - rec), orth(F(b)), orth(T(F(d))), mx_(F(c) - np.linalg.svd(F(a), compute_uv=False))]`,
    });
  }
  for (const sh of SQUARE) {
    const a = symmetric(sh, d, 41 + sh[0]!);
    const [w, v] = mx.linalg.eigh(a, { stream: mx.cpu });
    out.push({
      label: `eigh ${d.name} [${sh}]`, ins: [a, w, v], limit: 20 * bound(d),
      code: `result = [mx_(F(a) @ F(c) - F(c) * F(b)[..., None, :]), orth(F(c)), mx_(F(b) - np.linalg.eigvalsh(F(a)))]`,
    });
    const [wu, vu] = mx.linalg.eigh(a, 'U', { stream: mx.cpu });
    out.push({
      label: `eigh U ${d.name} [${sh}]`, ins: [a, wu, vu], limit: 20 * bound(d),
      code: `result = [mx_(F(a) @ F(c) - F(c) * F(b)[..., None, :]), orth(F(c)), mx_(F(b) - np.linalg.eigvalsh(F(a), UPLO='U'))]`,
    });
    const g = randMatrix(sh, d, 51 + sh[0]!);
    const [ew, ev] = mx.linalg.eig(g, { stream: mx.cpu });
    const evals = mx.linalg.eigvals(g, { stream: mx.cpu });
    out.push({
      label: `eig ${d.name} [${sh}]`, ins: [g, ew, ev, evals], limit: 50 * bound(mx.complex64),
      code: `ref = np.linalg.eigvals(F(a))
near = lambda x, y: max((np.abs(x[:, None] - y[None, :]).min(axis=1).max() for x, y in zip(x.reshape(-1, x.shape[-1]), y.reshape(-1, y.shape[-1]))), default=0.0)
result = [mx_(F(a) @ c - c * b[..., None, :]) / (1 + mx_(F(a))), mx_(np.linalg.norm(c, axis=-2) - 1),
  near(b, ref) / (1 + mx_(F(a))), near(ref, b) / (1 + mx_(F(a))),
  mx_(d - b)]`,
    });
  }
  return out;
}

for (const device of testDevices()) {
  test(`qr, svd, eigh and eig satisfy their defining identities on ${device.type}`, async () => {
    if (device.type === 'gpu') {
      const a = wellConditioned([3, 3], mx.float32, 1);
      for (const f of [() => mx.linalg.qr(a, { stream: device }), () => mx.linalg.svd(a, { stream: device }),
        () => mx.linalg.eigh(a, { stream: device }), () => mx.linalg.eig(a, { stream: device })]) {
        assert.throws(f, /not yet supported on the GPU/);
      }
      return;
    }
    const checks = [...checksFor(mx.float32), ...checksFor(mx.float64)];
    const cases: NpCase[] = [];
    for (const c of checks) cases.push({ code: PRE + c.code, args: await Promise.all(c.ins.map((x) => npArg(x))) });
    const res = numpy(cases);
    for (let i = 0; i < checks.length; i++) {
      const c = checks[i]!, r = res[i]!;
      if (r.error) assert.fail(`${c.label}: numpy raised ${r.error}`);
      const errs = r.values ?? (r.list ?? []).map((x) => x.values![0]);
      for (let j = 0; j < errs.length; j++) {
        assert.ok((errs[j] as number) <= c.limit, `${c.label}: measure ${j} = ${errs[j]} exceeds ${c.limit}`);
      }
      assert.equal(c.ins[1]!.dtype, c.label.startsWith('eig ') ? mx.complex64 : c.ins[0]!.dtype, `${c.label}: dtype`);
    }
  });
}

test('factor shapes and dtypes follow MLX (reduced QR, full SVD, complex eig)', () => {
  const a = randMatrix([2, 5, 3], mx.float32, 1);
  const [q, r] = mx.linalg.qr(a);
  assert.deepEqual([q.shape, r.shape], [[2, 5, 3], [2, 3, 3]]);
  const [u, s, vt] = mx.linalg.svd(a);
  assert.deepEqual([u.shape, s.shape, vt.shape], [[2, 5, 5], [2, 3], [2, 3, 3]]);
  assert.deepEqual(mx.linalg.svd(a, { computeUV: false }).shape, [2, 3]);
  const [p, l, uu] = mx.linalg.lu(a);
  assert.deepEqual([p.shape, l.shape, uu.shape, p.dtype], [[2, 5], [2, 5, 3], [2, 3, 3], mx.uint32]);
  const [lu, piv] = mx.linalg.luFactor(a);
  assert.deepEqual([lu.shape, piv.shape, piv.dtype], [[2, 5, 3], [2, 3], mx.uint32]);
  const sq = wellConditioned([3, 3], mx.float64, 2);
  const [w, v] = mx.linalg.eig(sq);
  assert.deepEqual([w.dtype, v.dtype, w.shape, v.shape], [mx.complex64, mx.complex64, [3], [3, 3]]);
  const [ew, ev] = mx.linalg.eigh(sq);
  assert.deepEqual([ew.dtype, ev.dtype], [mx.float64, mx.float64]);
  assert.deepEqual(mx.linalg.pinv(a).shape, [2, 3, 5]);
});

test('eig finds complex conjugate pairs and repeated eigenvalues', async () => {
  const rot = mx.array([[0, -2, 0], [2, 0, 0], [0, 0, 3]], mx.float32);
  const w = (await mx.linalg.eigvals(rot).tolist()) as mx.Complex[];
  const sorted = w.map((z) => [Math.round(z.re * 1e5) / 1e5, Math.round(z.im * 1e5) / 1e5]).sort((x, y) => x[0]! - y[0]! || x[1]! - y[1]!);
  assert.deepEqual(sorted, [[0, -2], [0, 2], [3, 0]]);
  // a Jordan block: eigenvalue 1 twice, vectors still unit length and finite
  const [jw, jv] = mx.linalg.eig(mx.array([[1, 1], [0, 1]], mx.float64));
  for (const z of (await jw.tolist()) as mx.Complex[]) assert.ok(Math.abs(z.re - 1) < 1e-8 && Math.abs(z.im) < 1e-8);
  for (const row of (await jv.tolist()) as mx.Complex[][]) for (const z of row) assert.ok(Number.isFinite(z.re) && Number.isFinite(z.im));
});
