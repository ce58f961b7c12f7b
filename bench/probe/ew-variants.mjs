// Which difference between mlx-ts's vec4 elementwise kernel and the fastest raw kernel costs bandwidth? Times, on
// the same 256 MiB buffers: the raw kernel, the raw kernel reading its scalar from a storage binding, the raw kernel
// under an explicit layout with dynamic offsets, and mlx-ts's own generated WGSL (captured from mx.multiply).
import * as mx from '../../dist/src/index.js';
import { gpuBackend } from '../../dist/src/backend/webgpu/index.js';
await mx.initGpu({ allowSoftware: process.argv.includes('--software'), quiet: true });
const be = gpuBackend();
const dev = be.device;
let captured = null;
const orig = dev.createShaderModule.bind(dev);
dev.createShaderModule = (d) => { if (d.code.includes('fn ew(')) captured = d.code; return orig(d); };
const n0 = Number(process.argv.find((a) => a.startsWith('--mib='))?.slice(6) ?? 256) * 2 ** 18;
{ const a = mx.ones([n0], mx.float32, { stream: mx.gpu }); await mx.eval(mx.multiply(a, 1.5, { stream: mx.gpu })); }
dev.createShaderModule = orig;
const bytes = n0 * 4, nv = bytes / 16, ITERS = 100;
const S = 0x80, CS = 0x04, CD = 0x08;
const inp = dev.createBuffer({ size: bytes, usage: S | CS | CD });
const outs = [0, 1].map(() => dev.createBuffer({ size: bytes, usage: S | CS | CD }));
const prm = dev.createBuffer({ size: 256, usage: S | CD | CS });
dev.queue.writeBuffer(prm, 0, new Uint32Array([nv, 0, 0, 0]));
const sc = dev.createBuffer({ size: 256, usage: S | CD | CS });
dev.queue.writeBuffer(sc, 0, new Float32Array([1.5, 0, 0, 0]));
const st = dev.createBuffer({ size: 16, usage: 1 | 8 });
async function sync() { const e = dev.createCommandEncoder(); e.copyBufferToBuffer(prm, 0, st, 0, 16); dev.queue.submit([e.finish()]); await st.mapAsync(1); st.unmap(); }
const WG = 1024, VEC = 2;
function raw(scalarFrom) {
  const body = Array.from({ length: VEC }, (_, k) => `let q${k} = first + ${k * WG}u;`).join(' ') + '\n' +
    Array.from({ length: VEC }, (_, k) => `let a${k} = bitcast<vec4<f32>>(inp[q${k}]);`).join(' ') + '\n' +
    Array.from({ length: VEC }, (_, k) => `outp[q${k}] = bitcast<vec4<u32>>(a${k} * ${scalarFrom ? 's' : '1.5'});`).join(' ');
  return `@group(0) @binding(0) var<storage, read> inp: array<vec4<u32>>;
${scalarFrom ? '@group(0) @binding(3) var<storage, read> sc: array<u32>;' : ''}
@group(0) @binding(1) var<storage, read_write> outp: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read> prm: array<u32>;
@compute @workgroup_size(${WG}) fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let nv = prm[0];
  ${scalarFrom ? 'let s = bitcast<f32>(sc[0]);' : ''}
  let first = (wid.x + wid.y * nwg.x) * ${WG * VEC}u + lid;
  if (first + ${(VEC - 1) * WG}u < nv) {
  ${body}
  }
}`;
}
async function time(name, code, entries, dynamic) {
  const module = dev.createShaderModule({ code });
  let layout = 'auto', bgl = null;
  if (dynamic) {
    bgl = dev.createBindGroupLayout({ entries: entries.map((e) => ({ binding: e.binding, visibility: 4, buffer: { type: e.rw ? 'storage' : 'read-only-storage', hasDynamicOffset: true } })) });
    layout = dev.createPipelineLayout({ bindGroupLayouts: [bgl] });
  }
  const pipe = dev.createComputePipeline({ layout, compute: { module, entryPoint: 'main' } });
  const bgs = outs.map((o) => dev.createBindGroup({ layout: bgl ?? pipe.getBindGroupLayout(0), entries: entries.map((e) => ({ binding: e.binding, resource: { buffer: e.out ? o : e.buf, ...(e.small ? { size: 256 } : {}) } })) }));
  const groups = Math.ceil(nv / (WG * VEC));
  const x = Math.min(groups, 65535), y = Math.ceil(groups / x);
  const run = (k) => { const e = dev.createCommandEncoder(); const p = e.beginComputePass(); p.setPipeline(pipe); for (let i = 0; i < k; i++) { if (dynamic) p.setBindGroup(0, bgs[i & 1], entries.map(() => 0)); else p.setBindGroup(0, bgs[i & 1]); p.dispatchWorkgroups(x, y); } p.end(); dev.queue.submit([e.finish()]); };
  run(5); await sync();
  let best = Infinity;
  for (let r = 0; r < 3; r++) { const t = performance.now(); run(ITERS); await sync(); best = Math.min(best, (performance.now() - t) / ITERS); }
  console.log(`${name}: ${(2 * bytes / best / 1e6).toFixed(0)} GB/s`);
}
const base = [{ binding: 0, buf: inp }, { binding: 1, out: true, rw: true }, { binding: 2, buf: prm, small: true }];
for (let rep = 0; rep < 2; rep++) {
  await time('raw, literal scalar', raw(false), base, false);
  await time('raw, scalar from storage', raw(true), [...base, { binding: 3, buf: sc, small: true }], false);
  await time('raw, dynamic-offset layout', raw(false), base, true);
  if (captured) {
    // mlx-ts's kernel: bindings in0 (vec), in1 (scalar), out0, prm
    const ours = [{ binding: 0, buf: inp }, { binding: 1, buf: sc, small: true }, { binding: 2, out: true, rw: true }, { binding: 3, buf: prm, small: true }];
    dev.queue.writeBuffer(prm, 0, new Uint32Array([nv, 0, 0, 0]));
    await time('mlx-ts WGSL, static layout', captured, ours, false);
    await time('mlx-ts WGSL, dynamic layout', captured, ours, true);
  }
}
console.log(captured ? captured.split('\n').filter((l) => /@compute|let|out0|for|if/.test(l)).slice(-14).join('\n') : 'no capture');
mx.shutdown();
