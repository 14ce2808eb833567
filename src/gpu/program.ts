// A recorded list of dispatches: built once, encoded into one compute pass per submit.

export interface Dispatch {
  label: string;
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: [number, number, number];
}

export class Program {
  readonly dispatches: Dispatch[] = [];

  constructor(readonly label: string) {}

  add(...items: (Dispatch | Dispatch[] | Program)[]): this {
    for (const item of items) {
      if (item instanceof Program) this.dispatches.push(...item.dispatches);
      else if (Array.isArray(item)) this.dispatches.push(...item);
      else this.dispatches.push(item);
    }
    return this;
  }

  get length(): number {
    return this.dispatches.length;
  }

  encode(pass: GPUComputePassEncoder): void {
    let last: GPUComputePipeline | null = null;
    for (const d of this.dispatches) {
      if (d.pipeline !== last) pass.setPipeline(d.pipeline);
      last = d.pipeline;
      pass.setBindGroup(0, d.bindGroup);
      pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2]);
    }
  }
}

/** Splits `count` workgroups over x and y when x would exceed the 65535 limit. */
export function linearWorkgroups(items: number, workgroupSize: number): [number, number, number] {
  const groups = Math.max(1, Math.ceil(items / workgroupSize));
  if (groups <= 65535) return [groups, 1, 1];
  const y = Math.ceil(groups / 65535);
  return [Math.ceil(groups / y), y, 1];
}
