/**
 * @file Devices and streams (MLX's `mx.cpu`, `mx.gpu`, `mx.Stream`): where an op's kernel runs. Core knows no
 * backend code: a backend registers itself for a device type, and ops ask for it only by type.
 */

/** `"cpu"` or `"gpu"`. */
export type DeviceType = 'cpu' | 'gpu';

/**
 * A compute device.
 *
 * @example
 * ```ts
 * mx.setDefaultDevice(mx.cpu);
 * mx.add(a, b, { stream: mx.cpu });
 * ```
 */
export class Device {
  /** @internal */
  constructor(readonly type: DeviceType, readonly index = 0) {}
  toString(): string { return `Device(${this.type}, ${this.index})`; }
  /** Whether two devices are the same. */
  equals(o: Device): boolean { return o.type === this.type && o.index === this.index; }
}

/**
 * An ordered queue of work on one device. Ops on one stream run in the order they were built; arrays moving
 * between streams are synchronised by the scheduler.
 */
export class Stream {
  /** @internal */
  constructor(readonly device: Device, readonly index: number) {}
  toString(): string { return `Stream(${this.device.toString()}, ${this.index})`; }
}

/** The CPU device. */
export const cpu = new Device('cpu');
/** The GPU device (WebGPU). */
export const gpu = new Device('gpu');

/** A stream, or a device meaning its default stream. */
export type StreamOrDevice = Stream | Device;

let streamCount = 0;
const defaultStreams = new Map<DeviceType, Stream>();
let defaultDev: Device = cpu;

/** Backends announce which device types can run; the GPU one registers when an adapter is found. */
const available = new Set<DeviceType>(['cpu']);

/** @internal Called by a backend when it becomes usable (or unusable). */
export function setDeviceAvailable(type: DeviceType, on: boolean): void {
  if (on) available.add(type);
  else available.delete(type);
}

/**
 * Whether a device can run ops now.
 *
 * @example
 * ```ts
 * if (mx.isAvailable(mx.gpu)) mx.setDefaultDevice(mx.gpu);
 * ```
 */
export function isAvailable(d: Device): boolean {
  return available.has(d.type);
}

/** The default device (CPU until a GPU backend is initialised and chosen). */
export function defaultDevice(): Device {
  return defaultDev;
}

/**
 * Sets the device ops run on when no `stream` option is given.
 *
 * @example
 * ```ts
 * mx.setDefaultDevice(mx.cpu);
 * ```
 */
export function setDefaultDevice(d: Device): void {
  if (!(d instanceof Device)) throw new TypeError('[setDefaultDevice] Expected a Device (mx.cpu or mx.gpu).');
  if (!isAvailable(d)) {
    throw new Error(`[setDefaultDevice] ${d.type.toUpperCase()} backend is not available in this process.`);
  }
  defaultDev = d;
}

/** The default stream of a device (the default device when omitted). */
export function defaultStream(d: Device = defaultDev): Stream {
  let s = defaultStreams.get(d.type);
  if (!s) {
    s = new Stream(d.type === 'cpu' ? cpu : gpu, streamCount++);
    defaultStreams.set(d.type, s);
  }
  return s;
}

/**
 * Makes a new stream on a device.
 *
 * @example
 * ```ts
 * const s = mx.newStream(mx.cpu);
 * mx.exp(x, { stream: s });
 * ```
 */
export function newStream(d: Device): Stream {
  return new Stream(d, streamCount++);
}

/** Sets the default stream, and with it the default device. */
export function setDefaultStream(s: Stream): void {
  setDefaultDevice(s.device);
  defaultStreams.set(s.device.type, s);
}

/** @internal Resolves an op's `stream` option, checking that its device can run. */
export function toStream(s: StreamOrDevice | undefined, op: string): Stream {
  if (s === undefined) return defaultStream(defaultDev);
  if (s instanceof Stream) {
    if (!available.has(s.device.type)) throw new Error(`[${op}] ${s.device.type.toUpperCase()} backend is not available.`);
    return s;
  }
  if (s instanceof Device) {
    if (!available.has(s.type)) throw new Error(`[${op}] ${s.type.toUpperCase()} backend is not available.`);
    return defaultStream(s);
  }
  throw new TypeError(`[${op}] The stream option must be a Stream or a Device.`);
}

/** Options every op accepts. */
export interface StreamOpt {
  /** Where the op runs: a stream, or a device meaning its default stream. */
  stream?: StreamOrDevice;
}
