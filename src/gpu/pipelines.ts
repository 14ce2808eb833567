// Compute pipelines compiled once and cached by exactly what changes the code:
// shader name, entry point, override constants and binding layout.

export type BindingKind = 'uniform' | 'read' | 'storage';

export interface PipelineSpec {
  /** The shader module's cache name: its family (one .wgsl file) and the switches that are on, e.g. 'matmul[TRANS_B]' (src/gpu/shader.ts). */
  name: string;
  code: string;
  entryPoint: string;
  /** Binding i of group 0 has kind bindings[i]. */
  bindings: readonly BindingKind[];
  constants?: Record<string, number>;
}

const BUFFER_TYPE: Record<BindingKind, GPUBufferBindingType> = {
  uniform: 'uniform',
  read: 'read-only-storage',
  storage: 'storage',
};

export class PipelineCache {
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly layouts = new Map<string, GPUBindGroupLayout>();
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  compiled = 0;

  constructor(private readonly device: GPUDevice) {}

  static key(spec: PipelineSpec): string {
    const constants = Object.entries(spec.constants ?? {})
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    return `${spec.name}:${spec.entryPoint}:{${constants}}:${spec.bindings.join(',')}`;
  }

  get(spec: PipelineSpec): GPUComputePipeline {
    const key = PipelineCache.key(spec);
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      pipeline = this.device.createComputePipeline(this.descriptor(spec, key));
      this.pipelines.set(key, pipeline);
      this.compiled++;
    }
    return pipeline;
  }

  /** Compiles in the background; later `get` calls with the same spec return the result. */
  async prepare(specs: PipelineSpec[]): Promise<void> {
    await Promise.all(
      specs.map(async (spec) => {
        const key = PipelineCache.key(spec);
        if (this.pipelines.has(key)) return;
        const pipeline = await this.device.createComputePipelineAsync(this.descriptor(spec, key));
        if (!this.pipelines.has(key)) {
          this.pipelines.set(key, pipeline);
          this.compiled++;
        }
      }),
    );
  }

  layout(bindings: readonly BindingKind[]): GPUBindGroupLayout {
    const key = bindings.join(',');
    let layout = this.layouts.get(key);
    if (!layout) {
      layout = this.device.createBindGroupLayout({
        label: `layout(${key})`,
        entries: bindings.map((kind, binding) => ({
          binding,
          visibility: GPUShaderStage.COMPUTE,
          buffer: { type: BUFFER_TYPE[kind] },
        })),
      });
      this.layouts.set(key, layout);
    }
    return layout;
  }

  private descriptor(spec: PipelineSpec, key: string): GPUComputePipelineDescriptor {
    let module = this.modules.get(spec.name);
    if (!module) {
      module = this.device.createShaderModule({ label: spec.name, code: spec.code });
      this.modules.set(spec.name, module);
    }
    return {
      label: key,
      layout: this.device.createPipelineLayout({ label: key, bindGroupLayouts: [this.layout(spec.bindings)] }),
      compute: { module, entryPoint: spec.entryPoint, constants: spec.constants },
    };
  }
}
