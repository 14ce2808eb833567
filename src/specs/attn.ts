// The `attn` model (docs/contract.md §3): the lstm encoder-decoder with Luong et al. 2015
// global attention (general score, no input feeding) over the encoder's top outputs.
import type { ModelSpec, ParamShapes } from './spec.ts';
import { lstmDims, lstmParamShapes, lstmStackNeeds, type LstmDims } from './lstm.ts';

/** docs/contract.md §3 names and shapes of `attn`, in arena order: the lstm's, then the attention's. */
export function attnParamShapes(d: LstmDims): ParamShapes {
  return [...lstmParamShapes(d), ['attention.weight', [d.H, d.H]], ['attention_combine.weight', [d.H, 2 * d.H]]];
}

export const attnSpec: ModelSpec<'attn'> = {
  name: 'attn',
  summary: 'LSTM encoder-decoder with global attention (Luong et al. 2015)',
  // Luong et al. feed the source in order: attention reaches every position directly.
  defaults: { reverse_source: false },
  problems: () => [],
  paramShapes: (c) => attnParamShapes(lstmDims(c)),
  bufferNeeds: (c) => lstmStackNeeds(c, attnParamShapes(lstmDims(c))),
  stepLayers: (c) => c.layers,
  recurrence: true,
  attention: true,
  conform: (c) => c,
};
