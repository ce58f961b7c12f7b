/**
 * @file WGSL generators of the GPU FFT (fft.ts drives them). Complex values are `vec2f` (the complex64 storage:
 * interleaved float32 real/imaginary words). A "line" is one 1-D transform along an axis of a dense row-major
 * work array: `count` lines of length `L` whose consecutive elements are `inner` apart, line `l` starting at
 * `(l / inner) * L * inner + l % inner`. Twiddles and chirps come from host tables (float64 rounded once to
 * float32), so no shader evaluates sin/cos, whose WGSL accuracy is loose.
 */

/** Invocations per workgroup of the one-invocation-per-item kernels. */
export const WG = 64;

/** Largest power-of-two line transformed in workgroup memory (two ping-pong copies: 16 KiB, the WebGPU minimum). */
export const SHARED_MAX = 1024;

const HEAD = `
fn cmul(a: vec2f, b: vec2f) -> vec2f { return vec2f(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x); }
fn line_base(line: u32, len: u32, inner: u32) -> u32 { return (line / inner) * len * inner + line % inner; }
`;

const MAIN = `@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let g = (wid.x + wid.y * nwg.x) * ${WG}u + lid;`;

const bind = (i: number, name: string, type: string, rw = false): string =>
  `@group(0) @binding(${i}) var<storage, ${rw ? 'read_write' : 'read'}> ${name}: array<${type}>;`;

/**
 * Copies a strided input view (float32 when `real`, else complex64) into the dense complex work array of shape
 * `prm[2..2+nd]`, zero-padding past the copied extent `prm[2+nd..]` (truncation and padding to the transform
 * length). prm: `[total, offset, ...wShape, ...copy, ...strides]`.
 */
export function loadShader(nd: number, real: boolean): string {
  const body: string[] = [];
  for (let d = nd - 1; d >= 0; d--) {
    body.push(`{ let i = i32(rem % u32(prm[${2 + d}])); rem = rem / u32(prm[${2 + d}]);`
      + ` inside = inside && i < prm[${2 + nd + d}]; off += i * prm[${2 + 2 * nd + d}]; }`);
  }
  return `${bind(0, 'src', real ? 'f32' : 'vec2f')}
${bind(1, 'dst', 'vec2f', true)}
${bind(2, 'prm', 'i32')}
${MAIN}
  if (g >= u32(prm[0])) { return; }
  var rem = g;
  var off = prm[1];
  var inside = true;
  ${body.join('\n  ')}
  var v = vec2f(0.0, 0.0);
  if (inside) { v = ${real ? 'vec2f(src[u32(off)], 0.0)' : 'src[u32(off)]'}; }
  dst[g] = v;
}`;
}

/**
 * One radix-2 Stockham pass over power-of-two lines (global memory, natural order after the last pass). prm:
 * `[count * N/2, N/2, inner, N, s]` where `s` doubles each pass; `tw[t]` = exp(-+2 pi i t / N).
 */
export const STOCKHAM_PASS = `${HEAD}
${bind(0, 'src', 'vec2f')}
${bind(1, 'dst', 'vec2f', true)}
${bind(2, 'tw', 'vec2f')}
${bind(3, 'prm', 'u32')}
${MAIN}
  if (g >= prm[0]) { return; }
  let half = prm[1]; let inner = prm[2]; let n = prm[3]; let s = prm[4];
  let line = g / half; let t = g % half;
  let base = line_base(line, n, inner);
  let q = t % s; let p = t / s; let m = half / s;
  let a = src[base + (q + s * p) * inner];
  let b = src[base + (q + s * (p + m)) * inner];
  dst[base + (q + 2u * s * p) * inner] = a + b;
  dst[base + (q + s * (2u * p + 1u)) * inner] = cmul(a - b, tw[p * s]);
}`;

/**
 * One radix-4 Stockham pass (global memory): line length N, stride `s` (times 4 each pass, while N / s >= 4).
 * prm: `[count * N/4, N/4, inner, N, s]`; `tw[t]` = exp(-+2 pi i t / N) for t < N; `INV` picks the rotation by
 * -+i of the inverse/forward kernel.
 */
export function radix4Pass(inverse: boolean): string {
  // forward: the size-4 DFT kernel is -i, so output 1 takes (a - c) - i (b - d); inverse: + i
  const [r1, r3] = inverse ? ['amc + jbmd', 'amc - jbmd'] : ['amc - jbmd', 'amc + jbmd'];
  return `${HEAD}
${bind(0, 'src', 'vec2f')}
${bind(1, 'dst', 'vec2f', true)}
${bind(2, 'tw', 'vec2f')}
${bind(3, 'prm', 'u32')}
${MAIN}
  if (g >= prm[0]) { return; }
  let quarter = prm[1]; let inner = prm[2]; let n = prm[3]; let s = prm[4];
  let line = g / quarter; let t = g % quarter;
  let base = line_base(line, n, inner);
  let q = t % s; let p = t / s; let m = quarter / s;
  let a = src[base + (q + s * p) * inner];
  let b = src[base + (q + s * (p + m)) * inner];
  let c = src[base + (q + s * (p + 2u * m)) * inner];
  let d = src[base + (q + s * (p + 3u * m)) * inner];
  let apc = a + c; let amc = a - c; let bpd = b + d; let bmd = b - d;
  let jbmd = vec2f(-bmd.y, bmd.x);
  let o = base + (q + 4u * s * p) * inner;
  let st = s * inner;
  dst[o] = apc + bpd;
  dst[o + st] = cmul(${r1}, tw[p * s]);
  dst[o + 2u * st] = cmul(apc - bpd, tw[2u * p * s]);
  dst[o + 3u * st] = cmul(${r3}, tw[3u * p * s]);
}`;
}

/**
 * Every radix-2 Stockham pass of one power-of-two line of length `n` (<= SHARED_MAX) in workgroup memory: one
 * workgroup per line. prm: `[count, inner]`; `tw` as in STOCKHAM_PASS.
 */
export function sharedShader(n: number): string {
  const half = n / 2, T = Math.min(half, 128), stages = Math.round(Math.log2(n));
  return `${HEAD}
${bind(0, 'src', 'vec2f')}
${bind(1, 'dst', 'vec2f', true)}
${bind(2, 'tw', 'vec2f')}
${bind(3, 'prm', 'u32')}
var<workgroup> sh: array<vec2f, ${2 * n}>;
@compute @workgroup_size(${T})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let line = wid.x + wid.y * nwg.x;
  let count = prm[0]; let inner = prm[1];
  // past the last line (the grid is rounded up): compute on the last one, store nothing; no early return, so
  // every invocation reaches the barriers
  let valid = line < count;
  let base = line_base(min(line, count - 1u), ${n}u, inner);
  for (var j = lid; j < ${n}u; j += ${T}u) { sh[j] = src[base + j * inner]; }
  workgroupBarrier();
  var s = 1u;
  var cur = 0u;
  for (var stage = 0u; stage < ${stages}u; stage++) {
    let nxt = ${n}u - cur;
    let m = ${half}u / s;
    for (var t = lid; t < ${half}u; t += ${T}u) {
      let q = t % s; let p = t / s;
      let a = sh[cur + q + s * p];
      let b = sh[cur + q + s * (p + m)];
      sh[nxt + q + 2u * s * p] = a + b;
      sh[nxt + q + s * (2u * p + 1u)] = cmul(a - b, tw[p * s]);
    }
    workgroupBarrier();
    cur = nxt;
    s = s * 2u;
  }
  if (valid) { for (var j = lid; j < ${n}u; j += ${T}u) { dst[base + j * inner] = sh[cur + j]; } }
}`;
}

/**
 * Direct DFT of short lines of any length: output k sums x[j] * tw[(j * k) mod L], the index kept exact by
 * stepping it modulo L. prm: `[count * L, L, inner]`; `tw[t]` = exp(-+2 pi i t / L).
 */
export const DIRECT_DFT = `${HEAD}
${bind(0, 'src', 'vec2f')}
${bind(1, 'dst', 'vec2f', true)}
${bind(2, 'tw', 'vec2f')}
${bind(3, 'prm', 'u32')}
${MAIN}
  if (g >= prm[0]) { return; }
  let n = prm[1]; let inner = prm[2];
  let line = g / n; let k = g % n;
  let base = line_base(line, n, inner);
  var acc = vec2f(0.0, 0.0);
  var w = 0u;
  for (var j = 0u; j < n; j++) {
    acc += cmul(src[base + j * inner], tw[w]);
    w += k;
    if (w >= n) { w -= n; }
  }
  dst[base + k * inner] = acc;
}`;

/**
 * Bluestein, first step: line j of the padded length-M work gets x[j] * chirp[j] (zero past L). prm:
 * `[count * M, M, L, inner]`.
 */
export const CHIRP_IN = `${HEAD}
${bind(0, 'src', 'vec2f')}
${bind(1, 'dst', 'vec2f', true)}
${bind(2, 'chirp', 'vec2f')}
${bind(3, 'prm', 'u32')}
${MAIN}
  if (g >= prm[0]) { return; }
  let m = prm[1]; let n = prm[2]; let inner = prm[3];
  let line = g / m; let j = g % m;
  var v = vec2f(0.0, 0.0);
  if (j < n) { v = cmul(src[line_base(line, n, inner) + j * inner], chirp[j]); }
  dst[g] = v;
}`;

/** Bluestein, middle step: pointwise product with the transformed conjugate chirp (1/M folded in). prm: `[count * M, M]`. */
export const CHIRP_MUL = `${HEAD}
${bind(0, 'buf', 'vec2f', true)}
${bind(1, 'kern', 'vec2f')}
${bind(2, 'prm', 'u32')}
${MAIN}
  if (g >= prm[0]) { return; }
  buf[g] = cmul(buf[g], kern[g % prm[1]]);
}`;

/** Bluestein, last step: X[k] = chirp[k] * c[k] for k < L, back into the line layout. prm: `[count * L, M, L, inner]`. */
export const CHIRP_OUT = `${HEAD}
${bind(0, 'src', 'vec2f')}
${bind(1, 'dst', 'vec2f', true)}
${bind(2, 'chirp', 'vec2f')}
${bind(3, 'prm', 'u32')}
${MAIN}
  if (g >= prm[0]) { return; }
  let m = prm[1]; let n = prm[2]; let inner = prm[3];
  let line = g / n; let k = g % n;
  dst[line_base(line, n, inner) + k * inner] = cmul(src[line * m + k], chirp[k]);
}`;

/**
 * Complex-to-real: widens an axis (elements `inner` apart) from h = n/2 + 1 Hermitian-half values to n, the upper
 * part mirrored and conjugated. prm: `[total, n, h, inner]`.
 */
export const HERMITIAN = `${bind(0, 'src', 'vec2f')}
${bind(1, 'dst', 'vec2f', true)}
${bind(2, 'prm', 'u32')}
${MAIN}
  if (g >= prm[0]) { return; }
  let n = prm[1]; let h = prm[2]; let inner = prm[3];
  let i = g % inner; let k = (g / inner) % n; let outer = g / (inner * n);
  let base = outer * h * inner + i;
  var v: vec2f;
  if (k < h) { v = src[base + k * inner]; } else { let c = src[base + (n - k) * inner]; v = vec2f(c.x, -c.y); }
  dst[g] = v;
}`;

/**
 * Writes the scaled result: output element e (row-major over `prm[2..2+nd]`) reads the work array at its
 * multi-index (work strides `prm[2+nd..]`); real output keeps the real part. prm: `[total, scale bits, ...shape,
 * ...workStrides]`.
 */
export function storeShader(nd: number, real: boolean): string {
  const body: string[] = [];
  for (let d = nd - 1; d >= 0; d--) {
    body.push(`{ let i = rem % prm[${2 + d}]; rem = rem / prm[${2 + d}]; off += i * prm[${2 + nd + d}]; }`);
  }
  return `${bind(0, 'src', 'vec2f')}
${bind(1, 'dst', real ? 'f32' : 'vec2f', true)}
${bind(2, 'prm', 'u32')}
${MAIN}
  if (g >= prm[0]) { return; }
  let scale = bitcast<f32>(prm[1]);
  var rem = g;
  var off = 0u;
  ${body.join('\n  ')}
  let v = src[off] * scale;
  dst[g] = ${real ? 'v.x' : 'v'};
}`;
}
