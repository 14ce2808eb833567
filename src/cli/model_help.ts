// The model lists of --help, written from the registry's specs so a new model is never left out.
import { DEFAULT_CONFIG } from '../config/config.ts';
import { MODEL_NAMES, MODEL_SPECS } from '../specs/index.ts';

/** "lstm|attn|blog" */
export const modelChoices = (): string => MODEL_NAMES.join('|');

/** One line per model, `indent`ed: its name, whether it is the default, what it is. */
export function modelLines(indent: string): string {
  const width = Math.max(...MODEL_NAMES.map((n) => n.length));
  return MODEL_SPECS.map((s) => `${indent}${s.name.padEnd(width)}  ${s.summary}${s.name === DEFAULT_CONFIG.model ? ' (default)' : ''}`).join('\n');
}

/** "attn defaults to reverse_source=false; blog to lr=0.001 lr_schedule=constant" */
export function modelDefaultsText(): string {
  const own = MODEL_SPECS.filter((s) => Object.keys(s.defaults).length > 0).map((s) => `${s.name} to ${Object.entries(s.defaults).map(([k, v]) => `${k}=${String(v)}`).join(' ')}`);
  return own.length === 0 ? '' : own.join('; ').replace(/ to /, ' defaults to ');
}
