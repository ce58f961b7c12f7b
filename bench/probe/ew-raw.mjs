// Raw Dawn probe (no mlx-ts): how fast can a WGSL elementwise kernel go on this stack, and what does a sync cost?
// node bench/probe/ew-raw.mjs [--mib=256] [--iters=100] [flags...]; extra args starting with enable-/disable- go to create().
import { create } from 'webgpu';
const arg = (k, d) => Number(process.argv.find((a) => a.startsWith(`--${k}=`))?.split('=')[1] ?? d);
const flags = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const gpu = create(flags);
const ad = await gpu.requestAdapter();
const dev = await ad.requestDevice({ requiredLimits: { maxStorageBufferBindingSize: ad.limits.maxStorageBufferBindingSize, maxBufferSize: ad.limits.maxBufferSize, maxComputeWorkgroupSizeX: ad.limits.maxComputeWorkgroupSizeX, maxComputeInvocationsPerWorkgroup: ad.limits.maxComputeInvocationsPerWorkgroup } });
console.log('flags', flags.join(' ') || '(none)', '|', ad.info?.description ?? ad.info?.device);
const MIB = arg('mib', 256), ITERS = arg('iters', 100);
const bytes = MIB * 1024 * 1024, nv = bytes / 16;
const S = 0x80, CS = 0x04, CD = 0x08;
const inp = dev.createBuffer({ size: bytes, usage: S | CS | CD });
const outs = [0, 1].map(() => dev.createBuffer({ size: bytes, usage: S | CS | CD }));
const prm = dev.createBuffer({ size: 16, usage: S | CD | CS });
dev.queue.writeBuffer(prm, 0, new Uint32Array([nv, 0, 0, 0]));
const st = dev.createBuffer({ size: 16, usage: 1 | 8 });
async function sync() { const e = dev.createCommandEncoder(); e.copyBufferToBuffer(prm, 0, st, 0, 16); dev.queue.submit([e.finish()]); await st.mapAsync(1); st.unmap(); }

function kernel(wg, vec, stride2d) {
  const body = Array.from({ length: vec }, (_, k) => `let q${k} = first + ${k * wg}u;`).join(' ') + '\n' +
    Array.from({ length: vec }, (_, k) => `let a${k} = bitcast<vec4<f32>>(inp[q${k}]);`).join(' ') + '\n' +
    Array.from({ length: vec }, (_, k) => `outp[q${k}] = bitcast<vec4<u32>>(a${k} * 1.5);`).join(' ');
  return `@group(0) @binding(0) var<storage, read> inp: array<vec4<u32>>;
@group(0) @binding(1) var<storage, read_write> outp: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read> prm: array<u32>;
@compute @workgroup_size(${wg}) fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let nv = prm[0];
  let blk = wid.x + wid.y * ${stride2d ? 'nwg.x' : '0u'};
  let first = blk * ${wg * vec}u + lid;
  if (first + ${(vec - 1) * wg}u < nv) {
  ${body}
  }
}`;
}
function stridedLoop(wg, groups) {
  return `@group(0) @binding(0) var<storage, read> inp: array<vec4<u32>>;
@group(0) @binding(1) var<storage, read_write> outp: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read> prm: array<u32>;
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) g: vec3u) {
  let nv = prm[0];
  for (var i = g.x; i < nv; i += ${wg * groups}u) { outp[i] = bitcast<vec4<u32>>(bitcast<vec4<f32>>(inp[i]) * 1.5); }
}`;
}
function scalarK(wg) {
  return `@group(0) @binding(0) var<storage, read> inp: array<f32>;
@group(0) @binding(1) var<storage, read_write> outp: array<f32>;
@group(0) @binding(2) var<storage, read> prm: array<u32>;
@compute @workgroup_size(${wg}) fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * ${wg}u + lid;
  if (i < prm[0] * 4u) { outp[i] = inp[i] * 1.5; }
}`;
}

async function time(name, code, groups, elems) {
  const mod = dev.createShaderModule({ code });
  const pipe = dev.createComputePipeline({ layout: 'auto', compute: { module: mod, entryPoint: 'main' } });
  const bgs = outs.map((o) => dev.createBindGroup({ layout: pipe.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: inp } }, { binding: 1, resource: { buffer: o } }, { binding: 2, resource: { buffer: prm } }] }));
  const x = Math.min(groups, 65535), y = Math.ceil(groups / x);
  const enc1 = (n) => { const e = dev.createCommandEncoder(); const p = e.beginComputePass(); p.setPipeline(pipe); for (let i = 0; i < n; i++) { p.setBindGroup(0, bgs[i & 1]); p.dispatchWorkgroups(x, y); } p.end(); dev.queue.submit([e.finish()]); };
  enc1(3); await sync();
  let best = Infinity;
  for (let r = 0; r < 3; r++) { const t = performance.now(); enc1(ITERS); await sync(); best = Math.min(best, (performance.now() - t) / ITERS); }
  console.log(`${name}: ${(2 * bytes / best / 1e6).toFixed(0)} GB/s (${(best * 1000).toFixed(1)} us/launch)`);
}

// sync cost: an empty round trip, and after one tiny dispatch
{
  const ts = [];
  for (let i = 0; i < 50; i++) { const t = performance.now(); await sync(); ts.push(performance.now() - t); }
  ts.sort((a, b) => a - b);
  console.log(`sync round trip ms: min ${ts[0].toFixed(3)} median ${ts[25].toFixed(3)} max ${ts[49].toFixed(3)}`);
  const ts2 = [];
  for (let i = 0; i < 50; i++) { const t = performance.now(); dev.queue.submit([]); await dev.queue.onSubmittedWorkDone(); ts2.push(performance.now() - t); }
  ts2.sort((a, b) => a - b);
  console.log(`onSubmittedWorkDone ms: min ${ts2[0].toFixed(3)} median ${ts2[25].toFixed(3)}`);
  // how often does the event loop spin while waiting?
  let spins = 0; let on = true;
  const spin = () => { spins++; if (on) setImmediate(spin); };
  setImmediate(spin);
  const t = performance.now(); await sync(); const dt = performance.now() - t; on = false;
  console.log(`one sync ${dt.toFixed(3)} ms, event-loop turns meanwhile ${spins}`);
}
// copy engine / copyBufferToBuffer reference
{
  const enc1 = (n) => { const e = dev.createCommandEncoder(); for (let i = 0; i < n; i++) e.copyBufferToBuffer(inp, 0, outs[i & 1], 0, bytes); dev.queue.submit([e.finish()]); };
  enc1(3); await sync();
  let best = Infinity;
  for (let r = 0; r < 3; r++) { const t = performance.now(); enc1(ITERS); await sync(); best = Math.min(best, (performance.now() - t) / ITERS); }
  console.log(`copyBufferToBuffer: ${(2 * bytes / best / 1e6).toFixed(0)} GB/s`);
}
for (const [wg, vec] of [[256, 1], [256, 2], [256, 4], [512, 2], [1024, 1], [1024, 2], [1024, 4], [128, 4], [64, 8]]) {
  const groups = Math.ceil(nv / (wg * vec));
  await time(`blocked wg${wg} vec${vec}`, kernel(wg, vec, true), groups);
}
for (const [wg, g] of [[256, 132 * 8], [256, 132 * 16], [512, 132 * 4], [1024, 132 * 2], [256, 132 * 32]]) {
  await time(`grid-stride wg${wg} groups${g}`, stridedLoop(wg, g), g);
}
await time('scalar f32 wg256', scalarK(256), Math.ceil(nv * 4 / 256));
dev.destroy();
