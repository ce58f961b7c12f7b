import { create } from 'webgpu';
const gpu = create([]);
const ad = await gpu.requestAdapter();
const dev = await ad.requestDevice();
const code = `@group(0) @binding(0) var<storage, read_write> a: array<u32>; @group(0) @binding(1) var<storage, read> p: array<i32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3u) { if (g.x < 4u) { a[g.x] = a[g.x] + u32(p[0]); } }`;
const mod = dev.createShaderModule({ code });
const pipe = dev.createComputePipeline({ layout: 'auto', compute: { module: mod, entryPoint: 'main' } });
const layout = pipe.getBindGroupLayout(0);
const bufs = Array.from({ length: 64 }, () => dev.createBuffer({ size: 256, usage: 0x80 | 0x08 | 0x04 }));
const N = 5000;
const keep = [];
let t = performance.now();
for (let i = 0; i < N; i++) keep.push(dev.createBindGroup({ layout, entries: [{ binding: 0, resource: { buffer: bufs[i % 64] } }, { binding: 1, resource: { buffer: bufs[(i + 1) % 64] } }] }));
console.log('createBindGroup us', (performance.now() - t) * 1000 / N);
const m = new Map(); t = performance.now();
for (let i = 0; i < N; i++) { const s = code + ' '; m.get(s); }
console.log('map lookup of fresh code string us', (performance.now() - t) * 1000 / N);
const data = new Int32Array(4);
t = performance.now();
for (let i = 0; i < N; i++) dev.queue.writeBuffer(bufs[i % 64], 0, data);
console.log('writeBuffer us', (performance.now() - t) * 1000 / N);
let enc = dev.createCommandEncoder(); let pass = enc.beginComputePass();
t = performance.now();
for (let i = 0; i < N; i++) { pass.setPipeline(pipe); pass.setBindGroup(0, keep[i]); pass.dispatchWorkgroups(1); }
console.log('setPipeline+setBindGroup+dispatch us', (performance.now() - t) * 1000 / N);
t = performance.now();
pass.end(); dev.queue.submit([enc.finish()]);
console.log('end+submit ms', performance.now() - t);
t = performance.now();
for (let i = 0; i < 200; i++) { const e = dev.createCommandEncoder(); const p = e.beginComputePass(); p.setPipeline(pipe); p.setBindGroup(0, keep[i]); p.dispatchWorkgroups(1); p.end(); dev.queue.submit([e.finish()]); keep.push(e, p); }
console.log('encoder+pass+submit per dispatch us', (performance.now() - t) * 1000 / 200);
const st = dev.createBuffer({ size: 16, usage: 1 | 8 });
t = performance.now();
for (let i = 0; i < 20; i++) { const e = dev.createCommandEncoder(); e.copyBufferToBuffer(bufs[0], 0, st, 0, 16); dev.queue.submit([e.finish()]); await st.mapAsync(1); st.unmap(); }
console.log('roundtrip us', (performance.now() - t) * 1000 / 20);
dev.destroy();
