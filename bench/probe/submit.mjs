// Where a submit's host time goes through Dawn's Node binding: each call of one small compute submission timed
// separately, then empty submissions and submissions of 1/16/256 dispatches.
import { create } from 'webgpu';
const gpu = create([]);
const ad = await gpu.requestAdapter();
const dev = await ad.requestDevice();
const code = `@group(0) @binding(0) var<storage, read_write> a: array<u32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3u) { if (g.x < 4u) { a[g.x] = a[g.x] + 1u; } }`;
const pipe = dev.createComputePipeline({ layout: 'auto', compute: { module: dev.createShaderModule({ code }), entryPoint: 'main' } });
const buf = dev.createBuffer({ size: 256, usage: 0x80 | 0x08 | 0x04 });
const bg = dev.createBindGroup({ layout: pipe.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: buf } }] });
const st = dev.createBuffer({ size: 16, usage: 1 | 8 });
async function sync() { const e = dev.createCommandEncoder(); e.copyBufferToBuffer(buf, 0, st, 0, 16); dev.queue.submit([e.finish()]); await st.mapAsync(1); st.unmap(); }
const keep = [];
const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
for (const n of [1, 16, 256]) {
  const parts = { enc: [], pass: [], disp: [], end: [], finish: [], submit: [] };
  for (let i = 0; i < 60; i++) {
    let t = performance.now();
    const e = dev.createCommandEncoder(); parts.enc.push(performance.now() - t); t = performance.now();
    const p = e.beginComputePass(); parts.pass.push(performance.now() - t); t = performance.now();
    for (let k = 0; k < n; k++) { p.setPipeline(pipe); p.setBindGroup(0, bg); p.dispatchWorkgroups(1); }
    parts.disp.push(performance.now() - t); t = performance.now();
    p.end(); parts.end.push(performance.now() - t); t = performance.now();
    const cb = e.finish(); parts.finish.push(performance.now() - t); t = performance.now();
    dev.queue.submit([cb]); parts.submit.push(performance.now() - t);
    keep.push(e, p, cb);
    if (i % 10 === 9) await sync();
  }
  console.log(`${n} dispatches: ` + Object.entries(parts).map(([k, v]) => `${k} ${(med(v) * 1000).toFixed(1)}`).join(', ') + ' (µs, median)');
}
{
  const ts = [];
  for (let i = 0; i < 60; i++) { const t = performance.now(); dev.queue.submit([dev.createCommandEncoder().finish()]); ts.push(performance.now() - t); if (i % 10 === 9) await sync(); }
  console.log(`empty encoder + finish + submit: ${(med(ts) * 1000).toFixed(1)} µs`);
  const ts2 = [];
  for (let i = 0; i < 60; i++) { const t = performance.now(); dev.queue.writeBuffer(buf, 0, new Uint32Array(4)); ts2.push(performance.now() - t); }
  console.log(`writeBuffer 16 B: ${(med(ts2) * 1000).toFixed(1)} µs`);
  const ts3 = [];
  for (let i = 0; i < 40; i++) { await sync(); const t = performance.now(); await sync(); ts3.push(performance.now() - t); }
  console.log(`idle round trip (copy + submit + map): ${(med(ts3) * 1000).toFixed(1)} µs`);
}
dev.destroy();
