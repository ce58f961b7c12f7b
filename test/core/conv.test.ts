/**
 * @file Convolution ops against two independent oracles: the PyTorch fixtures in ../shared/fixtures/nn (conv1d/2d/3d
 * and transposed, computed by PyTorch in float64 and stored in MLX layouts), and direct-loop NumPy references (a
 * gather loop for the general convolution, a scatter loop for the transposed ones) over stride, padding,
 * dilation, groups, input dilation, flip and every float dtype. Also argument errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import * as mx from '../../src/index.js';
import { numpy, npArg, assertClose, testArray, testDevices, type NpCase } from '../helpers/numpy.js';
import { useTestDevices } from '../helpers/devices.js';

await useTestDevices();

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.resolve(here, '../../../../shared/fixtures/nn');

// direct gather loop: dilate, pad (negative crops), optionally flip, then sum window products per group
const REF_GENERAL = `
def conv_ref(x, w, stride, lo, hi, kd, idl, groups, flip):
    x = x.astype(np.float64); w = w.astype(np.float64)
    nd = x.ndim - 2; N = x.shape[0]; cin = x.shape[-1]; cout = w.shape[0]
    xd = np.zeros([N] + [(x.shape[1 + d] - 1) * idl[d] + 1 for d in range(nd)] + [cin])
    xd[(slice(None),) + tuple(slice(None, None, idl[d]) for d in range(nd))] = x
    for d in range(nd):
        a, b = lo[d], hi[d]
        if a < 0: xd = np.take(xd, range(-a, xd.shape[1 + d]), axis=1 + d); a = 0
        if b < 0: xd = np.take(xd, range(0, xd.shape[1 + d] + b), axis=1 + d); b = 0
        pw = [(0, 0)] * (nd + 2); pw[1 + d] = (a, b); xd = np.pad(xd, pw)
    if flip: w = w[(slice(None),) + tuple(slice(None, None, -1) for _ in range(nd))]
    ks = w.shape[1:1 + nd]
    outs = [(xd.shape[1 + d] - ((ks[d] - 1) * kd[d] + 1)) // stride[d] + 1 for d in range(nd)]
    cig, cog = cin // groups, cout // groups
    y = np.zeros([N] + outs + [cout])
    for o in np.ndindex(*outs):
        for k in np.ndindex(*ks):
            patch = xd[(slice(None),) + tuple(o[d] * stride[d] + k[d] * kd[d] for d in range(nd))]
            for g in range(groups):
                y[(slice(None),) + o + (slice(g * cog, (g + 1) * cog),)] += \\
                    patch[:, g * cig:(g + 1) * cig] @ w[(slice(g * cog, (g + 1) * cog),) + k].T
    return y
`;

// direct scatter loop: every input element adds w[c, k, ci] * x at output position i * s + k * d - p
const REF_TRANSPOSE = `
def convt_ref(x, w, stride, pad, dil, opad, groups):
    x = x.astype(np.float64); w = w.astype(np.float64)
    nd = x.ndim - 2; N = x.shape[0]; cin = x.shape[-1]; cout = w.shape[0]; ks = w.shape[1:1 + nd]
    full = [(x.shape[1 + d] - 1) * stride[d] + (ks[d] - 1) * dil[d] + 1 + opad[d] for d in range(nd)]
    y = np.zeros([N] + full + [cout])
    cig, cog = cin // groups, cout // groups
    for i in np.ndindex(*x.shape[1:1 + nd]):
        for k in np.ndindex(*ks):
            at = tuple(i[d] * stride[d] + k[d] * dil[d] for d in range(nd))
            for g in range(groups):
                y[(slice(None),) + at + (slice(g * cog, (g + 1) * cog),)] += \\
                    x[(slice(None),) + i + (slice(g * cig, (g + 1) * cig),)] @ w[(slice(g * cog, (g + 1) * cog),) + k].T
    return y[(slice(None),) + tuple(slice(pad[d], full[d] - pad[d]) for d in range(nd))]
`;

interface GenRow {
  x: number[]; w: number[]; stride?: number[]; lo?: number[]; hi?: number[]; kd?: number[]; id?: number[];
  groups?: number; flip?: boolean; note: string;
}
const ones = (n: number, v = 1): number[] => new Array<number>(n).fill(v);

const GEN_ROWS: GenRow[] = [
  { x: [2, 9, 4], w: [6, 3, 4], note: '1d plain' },
  { x: [2, 9, 4], w: [6, 3, 2], stride: [2], lo: [1], hi: [1], kd: [2], groups: 2, note: '1d stride/pad/dilation/groups' },
  { x: [1, 10, 3], w: [2, 4, 3], stride: [3], lo: [2], hi: [0], note: '1d asymmetric pad, stride leaves a tail' },
  { x: [1, 6, 2], w: [3, 3, 2], id: [2], lo: [2], hi: [2], flip: true, note: '1d input dilation + flip' },
  { x: [1, 8, 2], w: [2, 2, 2], lo: [-2], hi: [-1], note: '1d negative padding crops' },
  { x: [2, 6, 6, 4], w: [4, 3, 3, 1], groups: 4, lo: [1, 1], hi: [1, 1], note: '2d depthwise' },
  { x: [1, 7, 6, 3], w: [5, 2, 3, 3], stride: [2, 1], lo: [0, 2], hi: [1, 0], kd: [1, 2], note: '2d per-dim params' },
  { x: [2, 5, 5, 4], w: [6, 3, 2, 2], groups: 2, id: [2, 1], kd: [2, 1], lo: [1, 0], hi: [1, 1], flip: true, note: '2d everything' },
  { x: [2, 4, 3, 6], w: [4, 1, 1, 3], groups: 2, note: '2d pointwise (1x1, image is the column matrix)' },
  { x: [1, 5, 4, 3], w: [2, 1, 1, 3], stride: [2, 1], note: '2d 1x1 with stride (not pointwise)' },
  { x: [1, 20, 20, 8], w: [16, 3, 3, 8], stride: [1, 1], lo: [1, 1], hi: [1, 1], note: '2d larger (several column blocks)' },
  { x: [1, 4, 5, 3, 2], w: [3, 2, 3, 2, 2], lo: [1, 0, 1], hi: [0, 1, 1], stride: [1, 2, 1], note: '3d' },
  { x: [1, 4, 4, 4, 4], w: [2, 2, 2, 2, 2], groups: 2, kd: [2, 1, 1], flip: true, note: '3d groups + flip' },
];

function genCase(r: GenRow, nd: number): NpCase['code'] {
  const a = (v: number[] | undefined, d: number): string => JSON.stringify(v ?? ones(nd, d));
  return `${REF_GENERAL}\nresult = conv_ref(a, b, ${a(r.stride, 1)}, ${a(r.lo, 0)}, ${a(r.hi, 0)}, ${a(r.kd, 1)}, ` +
    `${a(r.id, 1)}, ${r.groups ?? 1}, ${r.flip ? 'True' : 'False'})`;
}

const TOL: Record<string, { rtol: number; atol: number }> = {
  float32: { rtol: 1e-5, atol: 1e-5 }, float64: { rtol: 1e-12, atol: 1e-12 },
  float16: { rtol: 4e-3, atol: 1e-2 }, bfloat16: { rtol: 2e-2, atol: 6e-2 },
};

for (const device of testDevices()) {
  const st = { stream: device };
  test(`convGeneral matches a NumPy direct loop over stride/padding/dilation/groups/flip, every float dtype on ${device.type}`, async () => {
    const dtypes = [mx.float32, mx.float64, mx.float16, mx.bfloat16];
    const cases: NpCase[] = [];
    const got: [mx.MxArray, string, mx.Dtype][] = [];
    for (const r of GEN_ROWS) {
      const nd = r.x.length - 2;
      for (const dtype of r.note.includes('larger') ? [mx.float32] : dtypes) {
        const x = testArray(r.x, dtype, 3, -1, 1), w = testArray(r.w, dtype, 5, -1, 1);
        const pad: [number[], number[]] = [r.lo ?? ones(nd, 0), r.hi ?? ones(nd, 0)];
        got.push([mx.convGeneral(x, w, r.stride ?? 1, pad, r.kd ?? 1, r.id ?? 1, r.groups ?? 1, r.flip ?? false, st), r.note, dtype]);
        cases.push({ code: genCase(r, nd), args: [await npArg(x), await npArg(w)] });
      }
    }
    const res = numpy(cases);
    for (let i = 0; i < got.length; i++) {
      const [y, note, dtype] = got[i]!;
      assert.equal(y.dtype, dtype, note);
      await assertClose(y, res[i]!, { ...TOL[dtype.name]!, ignoreDtype: true, msg: `${note} (${dtype.name})` });
    }
  });

  test(`conv1d/2d/3d and convTranspose1d/2d/3d match NumPy loops; options form; strided inputs on ${device.type}`, async () => {
    const cases: NpCase[] = [];
    const got: [mx.MxArray, string][] = [];
    const x1 = testArray([2, 7, 4], mx.float32, 7, -1, 1), w1 = testArray([6, 3, 2], mx.float32, 8, -1, 1);
    got.push([mx.conv1d(x1, w1, 2, 2, 1, 2, st), 'conv1d']);
    cases.push({ code: `${REF_GENERAL}\nresult = conv_ref(a, b, [2], [2], [2], [1], [1], 2, False)`, args: [await npArg(x1), await npArg(w1)] });
    const x2 = testArray([2, 6, 5, 3], mx.float32, 9, -1, 1), w2 = testArray([4, 3, 2, 3], mx.float32, 10, -1, 1);
    got.push([mx.conv2d(x2, w2, { stride: [2, 1], padding: [1, 0], dilation: [1, 2], ...st }), 'conv2d options']);
    cases.push({ code: `${REF_GENERAL}\nresult = conv_ref(a, b, [2, 1], [1, 0], [1, 0], [1, 2], [1, 1], 1, False)`, args: [await npArg(x2), await npArg(w2)] });
    // a transposed (non-contiguous) view of the input
    const x2t = mx.swapaxes(testArray([2, 5, 6, 3], mx.float32, 11, -1, 1), 1, 2);
    got.push([mx.conv2d(x2t, w2, 1, 1, 1, 1, st), 'conv2d strided input']);
    cases.push({ code: `${REF_GENERAL}\nresult = conv_ref(a, b, [1, 1], [1, 1], [1, 1], [1, 1], [1, 1], 1, False)`, args: [await npArg(x2t), await npArg(w2)] });
    const x3 = testArray([1, 4, 3, 4, 2], mx.float32, 12, -1, 1), w3 = testArray([3, 2, 2, 3, 2], mx.float32, 13, -1, 1);
    got.push([mx.conv3d(x3, w3, [1, 1, 2], 1, [2, 1, 1], 1, st), 'conv3d']);
    cases.push({ code: `${REF_GENERAL}\nresult = conv_ref(a, b, [1, 1, 2], [1, 1, 1], [1, 1, 1], [2, 1, 1], [1, 1, 1], 1, False)`, args: [await npArg(x3), await npArg(w3)] });
    const T_ROWS: { x: number[]; w: number[]; s: number[]; p: number[]; d: number[]; op: number[]; g: number }[] = [
      { x: [2, 5, 3], w: [4, 3, 3], s: [2], p: [1], d: [1], op: [1], g: 1 },
      { x: [1, 4, 4], w: [6, 2, 2], s: [3], p: [0], d: [2], op: [0], g: 2 },
      { x: [1, 4, 3, 2], w: [3, 3, 2, 2], s: [2, 1], p: [1, 0], d: [1, 2], op: [1, 0], g: 1 },
      { x: [1, 3, 2, 3, 2], w: [2, 2, 2, 2, 2], s: [2, 2, 1], p: [0, 1, 0], d: [1, 1, 1], op: [0, 1, 0], g: 1 },
    ];
    const tops = [mx.convTranspose1d, mx.convTranspose2d, mx.convTranspose3d];
    for (const r of T_ROWS) {
      const x = testArray(r.x, mx.float32, 14, -1, 1), w = testArray(r.w, mx.float32, 15, -1, 1);
      got.push([tops[r.x.length - 3]!(x, w, r.s, r.p, r.d, r.op, r.g, st), `convTranspose${r.x.length - 2}d ${JSON.stringify(r)}`]);
      cases.push({
        code: `${REF_TRANSPOSE}\nresult = convt_ref(a, b, ${JSON.stringify(r.s)}, ${JSON.stringify(r.p)}, ${JSON.stringify(r.d)}, ${JSON.stringify(r.op)}, ${r.g})`,
        args: [await npArg(x), await npArg(w)],
      });
    }
    const res = numpy(cases);
    for (let i = 0; i < got.length; i++) await assertClose(got[i]![0], res[i]!, { rtol: 1e-5, atol: 1e-5, ignoreDtype: true, msg: got[i]![1] });
  });
}

test('PyTorch fixtures: Conv1d/2d/3d and ConvTranspose1d/2d (+ bias) in MLX layouts', { skip: !existsSync(FIXTURES) && 'no fixtures' }, async () => {
  const { readFileSync } = await import('node:fs');
  const meta = JSON.parse(readFileSync(path.join(FIXTURES, 'nn.json'), 'utf8')) as Record<string, { layer: string; args: number[] }>;
  const arrays = await mx.load(path.join(FIXTURES, 'nn.npz')) as Record<string, mx.MxArray>;
  let n = 0;
  for (const [k, m] of Object.entries(meta)) {
    if (!m.layer?.startsWith('Conv')) continue;
    const x = arrays[`${k}/in`]!, w = arrays[`${k}/weight`]!, b = arrays[`${k}/bias`]!, want = arrays[`${k}/out`]!;
    const [, , , stride, padding, dilation, last] = m.args as number[];
    let y: mx.MxArray;
    if (m.layer.startsWith('ConvTranspose')) {
      const op = [mx.convTranspose1d, mx.convTranspose2d, mx.convTranspose3d][x.ndim - 3]!;
      y = op(x, w, stride, padding, dilation, last);
    } else {
      const op = [mx.conv1d, mx.conv2d, mx.conv3d][x.ndim - 3]!;
      y = op(x, w, stride, padding, dilation, last);
    }
    y = mx.add(y, b);
    assert.deepEqual([...y.shape], [...want.shape], k);
    const got = await y.data<Float32Array>(), exp = await want.data<Float32Array>();
    for (let i = 0; i < exp.length; i++) {
      assert.ok(Math.abs(got[i]! - exp[i]!) <= 1e-5 + 1e-5 * Math.abs(exp[i]!), `${k}[${i}]: expected ${exp[i]}, got ${got[i]}`);
    }
    n++;
  }
  assert.equal(n, 7, 'every conv fixture was checked');
});

test('conv argument errors name the shapes', () => {
  const x = mx.ones([2, 8, 4]), w = mx.ones([6, 3, 4]);
  assert.throws(() => mx.conv1d(x, mx.ones([6, 3, 3])), /\[conv1d\] Expect the input channels .* input: \(2,8,4\) and weight: \(6,3,3\)/);
  assert.throws(() => mx.conv1d(x, mx.ones([6, 3, 2]), 1, 0, 1, 3), /\[conv1d\] The input channels must be divisible by the number of groups. Got input with shape \(2,8,4\) and 3 groups/);
  assert.throws(() => mx.conv1d(x, mx.ones([5, 3, 2]), 1, 0, 1, 2), /\[conv1d\] The output channels must be divisible .*\(5,3,2\)/);
  assert.throws(() => mx.conv1d(x, mx.ones([6, 3, 1]), 1, 0, 1, 2), /\[conv1d\] Given groups=2 and weights of shape \(6,3,1\), expected 2 input channels but got input of shape \(2,8,4\)/);
  assert.throws(() => mx.conv1d(x, mx.ones([6, 9, 4])), /\[conv1d\] The dilated kernel \(extent 9\) is larger than the padded input \(extent 8\) .* input \(2,8,4\), weight \(6,9,4\)/);
  assert.throws(() => mx.conv1d(x, w, 1, 0, 4), /\[conv1d\] The dilated kernel \(extent 9\)/);
  assert.throws(() => mx.conv2d(x, w), /\[conv2d\] Invalid input array with 3 dimensions for 2D convolution/);
  assert.throws(() => mx.conv1d(x, mx.ones([6, 3])), /\[conv1d\] Invalid weight array with 2 dimensions/);
  assert.throws(() => mx.conv1d(mx.ones([2, 8, 4], mx.int32), w), /\[conv1d\] Invalid input array with type int32/);
  assert.throws(() => mx.conv2d(mx.ones([1, 4, 4, 1]), mx.ones([1, 2, 2, 1]), [1, 1, 1]), /\[conv2d\] stride must have one entry per spatial dimension \(2\)/);
  assert.throws(() => mx.conv1d(x, w, 0), /\[conv1d\] stride must be integers >= 1/);
  assert.throws(() => mx.conv1d(x, w, 1, -1), /\[conv1d\] padding must be integers >= 0/);
  assert.throws(() => mx.convGeneral(mx.ones([1, 2, 2, 2, 2, 1]), mx.ones([1, 1, 1, 1, 1, 1])), /\[convGeneral\] Only inputs with 1-3 spatial dimensions/);
  assert.throws(() => mx.convTranspose1d(mx.ones([1, 2, 1]), mx.ones([1, 2, 1]), 1, 3), /\[convTranspose1d\] The output would have extent -3/);
  assert.throws(() => mx.conv1d(x, w, 1, 0, 1, 1, 5 as never), /\[conv1d\] Too many positional arguments/);
  // mixed dtypes promote like MLX (float16 input, float32 weight -> float32)
  assert.equal(mx.conv1d(mx.ones([1, 4, 1], mx.float16), mx.ones([1, 2, 1])).dtype, mx.float32);
});
