// What a run records of the GPU adapter it ran on (checkpoint metadata, the CLI's final
// lines): plain data, so the pure floors can write it without the GPU runtime.

/** What the adapter says of itself, as every JSON output and checkpoint records it. */
export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
}

/** The snake_case form every JSON output carries. */
export function adapterJson(a: AdapterSummary): { vendor: string; architecture: string; device: string; description: string; fallback: boolean } {
  return { vendor: a.vendor, architecture: a.architecture, device: a.device, description: a.description, fallback: a.isFallbackAdapter };
}
