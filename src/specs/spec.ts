// What every part of the product needs to know about a model, without building it: its
// settings and defaults, its parameter names and shapes, the largest GPU buffers it needs.
// Pure data and arithmetic (no GPU, no reference): the config rules, the size checks,
// `--help`, the demo's picker and the bench read it; src/models/registry.ts adds the GPU
// composition and the float64 reference on the floors where those live.
import type { Config } from '../config/config.ts';

/** One large GPU buffer, as a formula of the settings it grows with. */
export interface BufferNeed {
  /** What the buffer holds, e.g. "the logits". */
  what: string;
  /** Its size in floats, as the user reads it. */
  formula: string;
  /** The settings the size grows with. */
  keys: (keyof Config)[];
  floats: number;
}

/** Named tensors in arena order: docs/contract.md §3 (PyTorch state_dict names, weights [out, in]). */
export type ParamShapes = [string, number[]][];

export interface ModelSpec<Name extends string = string> {
  readonly name: Name;
  /** One line: what the model is (`--help`, the README's list, the demo's picker). */
  readonly summary: string;
  /** The settings whose defaults differ for this model, and nothing else. */
  readonly defaults: Partial<Config>;
  /** The settings this model alone restricts, one sentence each (after every key's own rule). */
  problems(c: Config): string[];
  /** docs/contract.md §3 names and shapes, in arena order. */
  paramShapes(c: Config): ParamShapes;
  /** This model's own largest buffers (the logits and parameters are every model's: specs/index.ts). */
  bufferNeeds(c: Config): BufferNeed[];
  /** Layers a time step runs through (bench: dispatches per time step and layer); 0: the model does not step through time. */
  stepLayers(c: Config): number;
  /** init=pytorch: the standard deviation of its embeddings of width `width` (none: nn.Embedding's 1). */
  embeddingStd?(width: number): number;
  /** Whether its LSTM time loops follow the `recurrence` setting (sequence kernels, or step by step). */
  readonly recurrence: boolean;
  /** Whether the model has attention weights to show (`predict --attention`, the demo's map). */
  readonly attention: boolean;
  /** Said after a final GeoMean far below the usual, instead of the generic advice; none: generic. */
  readonly farBelowNote?: string;
  /**
   * A config written for any model (a test's tiny sizes, bench's reference sizes) made valid
   * for this one, e.g. settings tied to others. Identity when nothing is tied.
   */
  conform(c: Config): Config;
}

/** Number of floats of a list of shapes. */
export function floatsOf(shapes: ParamShapes): number {
  return shapes.reduce((n, [, shape]) => n + shape.reduce((a, b) => a * b, 1), 0);
}
