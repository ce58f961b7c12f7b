/**
 * @file GPU initialisation and lifetime: `initGpu` finds a WebGPU adapter (the optional `webgpu` package, Dawn, in
 * Node; `navigator.gpu` in browsers), creates the device with the adapter's largest limits and the `shader-f16` and
 * `subgroups` features when offered, and registers the backend. A software adapter (lavapipe, SwiftShader) is
 * slower than the CPU backend, so it is registered only when asked for and never becomes the default device.
 */
/// <reference types="@webgpu/types" />
import { registerBackend } from '../backend.js';
import { cpu, defaultDevice, gpu, setDefaultDevice, setDeviceAvailable, type Device } from '../../core/device.js';
import { WebGpuBackend } from './backend.js';
import { gpuKernels } from './kernels/index.js';
import { setTuningAdapter } from './tuning.js';
import { setupSgMatrix, type SgMatrixConfig } from './kernels/matmul-sgmatrix.js';

/** Options of `initGpu`. */
export interface GpuInitOptions {
  /** Accept a software adapter (lavapipe, SwiftShader). It is registered but never made the default device. */
  allowSoftware?: boolean;
  /** Make the GPU the default device when a hardware adapter is found (default true). */
  setDefault?: boolean;
  /** Passed to requestAdapter. */
  powerPreference?: 'low-power' | 'high-performance';
  /** Print the one-line notice when no usable GPU is found (default true). */
  quiet?: boolean;
  /**
   * Opt in to Dawn's experimental `chromium-experimental-subgroup-matrix` feature (tensor cores): the Dawn instance
   * is created with `allow_unsafe_apis`, the feature is requested when the adapter offers it, and matmuls use it
   * where a supported configuration fits (see kernels/matmul-sgmatrix.ts). Ignored elsewhere.
   */
  subgroupMatrix?: boolean;
}

/** What `deviceInfo` reports. */
export interface DeviceInfo {
  type: 'cpu' | 'gpu';
  available: boolean;
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  /** True for software adapters (lavapipe, SwiftShader). */
  software?: boolean;
  features?: string[];
  limits?: Record<string, number>;
  /** Kernel launches, submissions, compiled pipelines and CPU fallbacks since initialisation. */
  stats?: Record<string, number>;
  /** With `initGpu({ subgroupMatrix: true })`: the configurations the adapter reports and what the probe found. */
  subgroupMatrix?: { configs: SgMatrixConfig[]; status: string };
}

let state: { be: WebGpuBackend; adapter: GPUAdapter; info: DeviceInfo } | null = null;
/** The GPU instance stays referenced: Dawn's Node binding crashes when it is collected while a device lives. */
let instance: GPU | null = null;
/** A second instance with unsafe APIs allowed, made only for `subgroupMatrix` (kept referenced for the same reason). */
let unsafeInstance: GPU | null = null;

const SOFTWARE = /llvmpipe|lavapipe|swiftshader|software|microsoft basic render/i;

async function gpuApi(flags: string[] = []): Promise<GPU | null> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  try {
    // a variable specifier keeps bundlers and tsc from requiring the optional package
    const name = 'webgpu';
    const mod = (await import(name)) as { create: (flags: string[]) => GPU };
    // MLX_TS_DAWN_FLAGS: extra Dawn instance flags for experiments (e.g. enable-dawn-features=disable_robustness)
    const extra = (typeof process !== 'undefined' ? process.env?.['MLX_TS_DAWN_FLAGS'] : undefined)?.split(' ').filter(Boolean) ?? [];
    return mod.create([...flags, ...extra]);
  } catch {
    return null;
  }
}

/**
 * Initialises the WebGPU backend. Resolves to whether `mx.gpu` can run ops. A hardware adapter becomes the default
 * device; a software one only with `allowSoftware`, and then only for ops given `{ stream: mx.gpu }` or after
 * `mx.setDefaultDevice(mx.gpu)`. Call `mx.shutdown()` when done so Node can exit.
 *
 * @example
 * ```ts
 * if (await mx.initGpu()) console.log(mx.deviceInfo(mx.gpu).description);
 * ```
 */
export async function initGpu(opts: GpuInitOptions = {}): Promise<boolean> {
  if (state) return true;
  const notice = (why: string): false => {
    if (!opts.quiet) console.warn(`[mlx-ts] GPU not used (${why}); running on the CPU.`);
    return false;
  };
  const api = opts.subgroupMatrix
    ? unsafeInstance ?? (unsafeInstance = await gpuApi(['enable-dawn-features=allow_unsafe_apis']))
    : instance ?? (instance = await gpuApi());
  if (!api) return notice('no WebGPU implementation: install the optional "webgpu" package');
  const adapter = await api.requestAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' });
  if (!adapter) return notice('no WebGPU adapter');
  const ai = ((adapter as unknown as { info?: GPUAdapterInfo }).info ?? {}) as GPUAdapterInfo;
  const software = !!(ai as { isFallbackAdapter?: boolean }).isFallbackAdapter
    || !!(adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter
    || SOFTWARE.test(`${ai.vendor} ${ai.architecture} ${ai.device} ${ai.description}`);
  if (software && !opts.allowSoftware) return notice(`software adapter "${ai.description || ai.architecture}"; pass allowSoftware to use it`);
  const SGM = 'chromium-experimental-subgroup-matrix';
  const features = (['shader-f16', 'subgroups', ...(opts.subgroupMatrix ? [SGM] : [])] as GPUFeatureName[])
    .filter((f) => adapter.features.has(f));
  const requiredLimits: Record<string, number> = {};
  for (const k of ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize',
    'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupSizeY',
    'maxComputeWorkgroupsPerDimension', 'maxStorageBuffersPerShaderStage', 'maxDynamicStorageBuffersPerPipelineLayout']) {
    const v = (adapter.limits as unknown as Record<string, number>)[k];
    if (typeof v === 'number') requiredLimits[k] = v;
  }
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredFeatures: features, requiredLimits });
  } catch (e) {
    return notice(`requestDevice failed: ${(e as Error).message}`);
  }
  const limits: Record<string, number> = {};
  for (const k in device.limits) {
    const v = (device.limits as unknown as Record<string, unknown>)[k];
    if (typeof v === 'number') limits[k] = v;
  }
  const be = new WebGpuBackend(device, gpuKernels);
  if (/swiftshader/i.test(`${ai.vendor} ${ai.architecture} ${ai.description}`)) be.quirks.noFastElementwise = true;
  const info: DeviceInfo = {
    type: 'gpu', available: true, vendor: ai.vendor, architecture: ai.architecture, device: ai.device,
    description: ai.description, software, features: [...device.features].map(String).sort(), limits, stats: be.stats,
  };
  setTuningAdapter({ vendor: ai.vendor, architecture: ai.architecture, device: ai.device || ai.description });
  if (opts.subgroupMatrix) {
    const ext = ai as unknown as { subgroupMatrixConfigs?: SgMatrixConfig[]; subgroupMaxSize?: number };
    const configs = [...(ext.subgroupMatrixConfigs ?? [])].map((c) => ({
      componentType: c.componentType, resultComponentType: c.resultComponentType, M: c.M, N: c.N, K: c.K,
    }));
    const status = device.features.has(SGM)
      ? await setupSgMatrix(device, configs, ext.subgroupMaxSize ?? 32)
      : 'the adapter does not offer the feature';
    info.subgroupMatrix = { configs, status };
  }
  state = { be, adapter, info };
  registerBackend(be);
  setDeviceAvailable('gpu', true);
  if (!software && opts.setDefault !== false) setDefaultDevice(gpu);
  return true;
}

/**
 * Releases the GPU device and its buffers so the process can exit; arrays on the GPU become unreadable. The CPU
 * becomes the default device again. `initGpu` may be called afterwards.
 *
 * @example
 * ```ts
 * after(() => mx.shutdown());
 * ```
 */
export function shutdown(): void {
  if (!state) return;
  if (defaultDevice().type === 'gpu') setDefaultDevice(cpu);
  setDeviceAvailable('gpu', false);
  state.be.destroy();
  state = null;
}

/**
 * The adapter, limits and features of a device (the default device when omitted).
 *
 * @example
 * ```ts
 * mx.deviceInfo(mx.gpu).limits?.maxStorageBufferBindingSize;
 * ```
 */
export function deviceInfo(d: Device = defaultDevice()): DeviceInfo {
  if (d.type === 'cpu') return { type: 'cpu', available: true, description: 'JavaScript/WASM CPU backend' };
  if (!state) return { type: 'gpu', available: false };
  return { ...state.info, stats: { ...state.be.stats } };
}

/** @internal The live GPU backend (tests). */
export function gpuBackend(): WebGpuBackend | null { return state?.be ?? null; }
