// Can one buffer be bound at two offsets in one dispatch (read and read_write WGSL vars, all layout entries 'storage'
// with dynamic offsets)? Probe for slab suballocation.
import { create } from 'webgpu';
const gpu = create([]);
const ad = await gpu.requestAdapter();
const dev = await ad.requestDevice({ requiredLimits: { maxDynamicStorageBuffersPerPipelineLayout: ad.limits.maxDynamicStorageBuffersPerPipelineLayout } });
console.log('maxDyn', dev.limits.maxDynamicStorageBuffersPerPipelineLayout, 'align', dev.limits.minStorageBufferOffsetAlignment);
let err = null;
dev.onuncapturederror = (e) => { err = e.error.message; };
const code = `@group(0) @binding(0) var<storage, read_write> a: array<u32>; @group(0) @binding(1) var<storage, read_write> o: array<u32>;
@compute @workgroup_size(4) fn main(@builtin(global_invocation_id) g: vec3u) { o[g.x] = a[g.x] * 2u; }`;
const mod = dev.createShaderModule({ code });
const bgl = dev.createBindGroupLayout({ entries: [0, 1].map((i) => ({ binding: i, visibility: 4, buffer: { type: 'storage', hasDynamicOffset: true } })) });
const pipe = dev.createComputePipeline({ layout: dev.createPipelineLayout({ bindGroupLayouts: [bgl] }), compute: { module: mod, entryPoint: 'main' } });
const slab = dev.createBuffer({ size: 4096, usage: 0x80 | 0x08 | 0x04 });
dev.queue.writeBuffer(slab, 0, new Uint32Array([1, 2, 3, 4]));
const bg = dev.createBindGroup({ layout: bgl, entries: [0, 1].map((i) => ({ binding: i, resource: { buffer: slab, offset: 0, size: 256 } })) });
const enc = dev.createCommandEncoder(); const pass = enc.beginComputePass();
pass.setPipeline(pipe); pass.setBindGroup(0, bg, [0, 256]); pass.dispatchWorkgroups(1); pass.end();
const st = dev.createBuffer({ size: 16, usage: 1 | 8 });
enc.copyBufferToBuffer(slab, 256, st, 0, 16);
dev.queue.submit([enc.finish()]);
await st.mapAsync(1);
console.log('result', [...new Uint32Array(st.getMappedRange())], 'error', err);
dev.destroy();
