// The GPU context every op and model receives: device, pipeline cache, uniform pool,
// buffer creation, dispatch building, submission, readback, profiling and error checks.
import { acquireDevice, GpuDeviceLostError, type DeviceOptions } from './device.ts';
import type { AdapterSummary } from '../io/adapter_summary.ts';
import { PipelineCache } from './pipelines.ts';
import { UniformPool, type UniformField, type UniformSlot } from './uniforms.ts';
import { STORAGE_USAGE, type View } from './buffers.ts';
import { subgroupNumberingHolds } from './subgroups.ts';

/** Invocations per workgroup of the quad matmul kernels (src/ops/matmul.ts QUAD_WORKGROUP quads). */
export const QUAD_WORKGROUP_INVOCATIONS = 16;
import { Program, type Dispatch } from './program.ts';
import { UserError } from '../errors.ts';

export class GpuError extends Error {}

type Binding = GPUBuffer | View | UniformSlot;
type HostArray = Float32Array | Int32Array | Uint32Array;

export interface GpuStats {
  submits: number;
  dispatches: number;
  bindGroups: number;
  liveBuffers: number;
  liveBytes: number;
}

export class Gpu {
  readonly pipelines: PipelineCache;
  readonly uniforms: UniformPool;
  readonly stats: GpuStats = { submits: 0, dispatches: 0, bindGroups: 0, liveBuffers: 0, liveBytes: 0 };
  private readonly errors: string[] = [];
  private lostMessage: string | null = null;
  private readonly buffers = new Set<GPUBuffer>();

  private constructor(
    readonly device: GPUDevice,
    readonly adapter: AdapterSummary,
    readonly timestamps: boolean,
    /** Subgroup operations are enabled and number invocations as the quad matmul kernels assume: they run. */
    readonly subgroups: boolean,
  ) {
    this.pipelines = new PipelineCache(device);
    this.uniforms = new UniformPool(device);
    device.addEventListener('uncapturederror', (event) => {
      const e = (event as GPUUncapturedErrorEvent).error;
      if (this.errors.length < 20) this.errors.push(e.message);
    });
    void device.lost.then((info) => {
      if (info.reason !== 'destroyed') this.lostMessage = info.message || 'unknown reason';
    });
  }

  static async create(opts: DeviceOptions = {}): Promise<Gpu> {
    const { device, adapter, timestamps, subgroups } = await acquireDevice(opts);
    const quads = subgroups && (await subgroupNumberingHolds(device, QUAD_WORKGROUP_INVOCATIONS));
    return new Gpu(device, adapter, timestamps, quads);
  }

  /** A storage buffer of `elements` 4-byte elements, zero-filled. */
  createBuffer(label: string, elements: number, extraUsage = 0): GPUBuffer {
    const size = Math.max(4, elements * 4);
    // Past the limits WebGPU only logs a validation error and hands back an unusable buffer.
    const limit = Math.min(this.device.limits.maxStorageBufferBindingSize, this.device.limits.maxBufferSize);
    if (size > limit) {
      throw new UserError(`The GPU buffer ${label} would need ${(size / 2 ** 20).toFixed(0)} MB, more than this GPU allows for one buffer (${(limit / 2 ** 20).toFixed(0)} MB); lower batch_size, hidden_size, max_length or vocab_size.`);
    }
    const buffer = this.device.createBuffer({ label, size, usage: STORAGE_USAGE | extraUsage });
    this.buffers.add(buffer);
    this.stats.liveBuffers++;
    this.stats.liveBytes += size;
    return buffer;
  }

  destroyBuffer(buffer: GPUBuffer): void {
    if (this.buffers.delete(buffer)) {
      this.stats.liveBuffers--;
      this.stats.liveBytes -= buffer.size;
    }
    buffer.destroy();
  }

  upload(target: GPUBuffer | View, data: HostArray, offsetElements = 0): void {
    const buffer = 'buffer' in target ? target.buffer : target;
    const base = 'buffer' in target ? target.offset : 0;
    this.device.queue.writeBuffer(buffer, (base + offsetElements) * 4, data.buffer, data.byteOffset, data.byteLength);
  }

  uniform(fields: UniformField[]): UniformSlot {
    return this.uniforms.alloc(fields);
  }

  /** Builds (once) the bind group of one dispatch; bindings follow the pipeline's layout order. */
  dispatch(label: string, pipeline: GPUComputePipeline, bindings: Binding[], workgroups: [number, number, number]): Dispatch {
    const entries: GPUBindGroupEntry[] = bindings.map((b, binding) => {
      if ('write' in b) return { binding, resource: { buffer: b.buffer, offset: b.offset, size: b.size } };
      return { binding, resource: { buffer: 'buffer' in b ? b.buffer : b } };
    });
    const bindGroup = this.device.createBindGroup({ label, layout: pipeline.getBindGroupLayout(0), entries });
    this.stats.bindGroups++;
    return { label, pipeline, bindGroup, workgroups };
  }

  /** Encodes every dispatch into one compute pass and submits once. */
  run(...work: (Program | Dispatch[] | Dispatch)[]): void {
    this.assertAlive();
    const program = new Program('run').add(...work);
    const encoder = this.device.createCommandEncoder({ label: 'run' });
    const pass = encoder.beginComputePass({ label: 'run' });
    program.encode(pass);
    pass.end();
    this.device.queue.submit([encoder.finish()]);
    this.stats.submits++;
    this.stats.dispatches += program.length;
  }

  async read(v: View): Promise<Float32Array> {
    return new Float32Array(await this.readBytes(v));
  }

  async readI32(v: View): Promise<Int32Array> {
    return new Int32Array(await this.readBytes(v));
  }

  async readU32(v: View): Promise<Uint32Array> {
    return new Uint32Array(await this.readBytes(v));
  }

  private async readBytes(v: View): Promise<ArrayBuffer> {
    this.assertAlive();
    const bytes = v.length * 4;
    const size = Math.max(4, Math.ceil(bytes / 4) * 4);
    const staging = this.device.createBuffer({ label: `readback(${v.buffer.label})`, size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    try {
      const encoder = this.device.createCommandEncoder({ label: 'readback' });
      if (bytes > 0) encoder.copyBufferToBuffer(v.buffer, v.offset * 4, staging, 0, bytes);
      this.device.queue.submit([encoder.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      const out = staging.getMappedRange(0, bytes).slice(0);
      staging.unmap();
      this.check();
      return out;
    } catch (err) {
      this.check();
      throw err;
    } finally {
      staging.destroy();
    }
  }

  /** Waits for all submitted work. */
  async sync(): Promise<void> {
    await this.device.queue.onSubmittedWorkDone();
    this.check();
  }

  /**
   * GPU time of every dispatch, in nanoseconds, measured with timestamp queries (one pass
   * per dispatch). Null when the device lacks `timestamp-query`.
   */
  async profile(work: Program | Dispatch[]): Promise<{ label: string; ns: number }[] | null> {
    if (!this.timestamps) return null;
    const dispatches = work instanceof Program ? work.dispatches : work;
    const out: { label: string; ns: number }[] = [];
    const chunk = 1024;
    for (let start = 0; start < dispatches.length; start += chunk) {
      const part = dispatches.slice(start, start + chunk);
      const querySet = this.device.createQuerySet({ label: 'profile', type: 'timestamp', count: part.length * 2 });
      const resolve = this.device.createBuffer({ label: 'profile-resolve', size: part.length * 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
      const staging = this.device.createBuffer({ label: 'profile-read', size: part.length * 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      const encoder = this.device.createCommandEncoder({ label: 'profile' });
      part.forEach((d, i) => {
        const pass = encoder.beginComputePass({ label: d.label, timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } });
        pass.setPipeline(d.pipeline);
        pass.setBindGroup(0, d.bindGroup);
        pass.dispatchWorkgroups(...d.workgroups);
        pass.end();
      });
      encoder.resolveQuerySet(querySet, 0, part.length * 2, resolve, 0);
      encoder.copyBufferToBuffer(resolve, 0, staging, 0, part.length * 16);
      this.device.queue.submit([encoder.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      const times = new BigUint64Array(staging.getMappedRange().slice(0));
      staging.unmap();
      part.forEach((d, i) => out.push({ label: d.label, ns: Number(times[2 * i + 1] - times[2 * i]) }));
      querySet.destroy();
      resolve.destroy();
      staging.destroy();
    }
    this.check();
    return out;
  }

  /**
   * GPU time, in nanoseconds, of all `work` encoded back to back in ONE compute pass
   * (timestamps at the pass's start and end), so per-pass overhead is paid once. Null
   * when the device lacks `timestamp-query`.
   */
  async timePass(work: Program | Dispatch[]): Promise<number | null> {
    if (!this.timestamps) return null;
    const program = work instanceof Program ? work : new Program('timed').add(work);
    const querySet = this.device.createQuerySet({ label: 'time-pass', type: 'timestamp', count: 2 });
    const resolve = this.device.createBuffer({ label: 'time-pass-resolve', size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    const staging = this.device.createBuffer({ label: 'time-pass-read', size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    try {
      const encoder = this.device.createCommandEncoder({ label: 'time-pass' });
      const pass = encoder.beginComputePass({ label: 'time-pass', timestampWrites: { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } });
      program.encode(pass);
      pass.end();
      encoder.resolveQuerySet(querySet, 0, 2, resolve, 0);
      encoder.copyBufferToBuffer(resolve, 0, staging, 0, 16);
      this.device.queue.submit([encoder.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      const [start, end] = new BigUint64Array(staging.getMappedRange().slice(0));
      staging.unmap();
      this.check();
      return Number(end - start);
    } finally {
      querySet.destroy();
      resolve.destroy();
      staging.destroy();
    }
  }

  /** Throws the first validation or out-of-memory error the device reported, naming its kernel. */
  check(): void {
    this.assertAlive();
    if (this.errors.length) {
      const first = this.errors[0];
      this.errors.length = 0;
      throw new GpuError(`WebGPU reported an error: ${first}`);
    }
  }

  private assertAlive(): void {
    if (this.lostMessage !== null) throw new GpuDeviceLostError(`The GPU device was lost (${this.lostMessage}); reload the page or restart the command.`);
  }

  destroy(): void {
    for (const b of this.buffers) b.destroy();
    this.buffers.clear();
    this.stats.liveBuffers = 0;
    this.stats.liveBytes = 0;
    this.uniforms.destroy();
    this.device.destroy();
  }
}
