// What a settings form needs from the library: each key's kind and choices, the models with
// their one-line summaries and own defaults, and the validator's sentences key by key, so a
// page checks values as they are typed with the command line's words.
import { defaultsFor, type Config } from '../config/config.ts';
import { CONFIG_KEYS, RULES, type ConfigKey } from '../config/rules.ts';
import { keyProblems, validateConfig } from '../config/validate.ts';
import { MODEL_SPECS, type ModelName } from '../specs/index.ts';
import { toSeq2SeqError } from './errors.ts';

export type SettingKey = ConfigKey;

/** One setting: how it is written (a choice among `values`, a boolean, a number, or a file path). */
export interface SettingInfo {
  key: SettingKey;
  kind: 'int' | 'number' | 'bool' | 'choice' | 'path';
  /** The allowed values of a choice. */
  values?: readonly string[];
}

/** Every setting of docs/contract.md §4a, in the order of DEFAULT_CONFIG. */
export const SETTINGS: readonly SettingInfo[] = CONFIG_KEYS.map((key) => {
  const rule = RULES[key];
  return rule.kind === 'choice' ? { key, kind: rule.kind, values: rule.values } : { key, kind: rule.kind };
});

/** One model of the registry: its name, what it is in one line, and the settings it defaults differently. */
export interface ModelInfo {
  name: ModelName;
  summary: string;
  defaults: Readonly<Partial<Config>>;
}

/** The models the library can train, in the registry's order. */
export const MODELS: readonly ModelInfo[] = MODEL_SPECS.map((s) => ({ name: s.name, summary: s.summary, defaults: s.defaults }));

/** Every setting's default for `model` (its own defaults over the shared ones); an unknown model gets the shared defaults. */
export function defaultSettings(model?: string): Config {
  return defaultsFor(model);
}

/** One sentence per problem of each key on its own (unknown key, wrong kind, out of range); empty when none. */
export function settingProblems(settings: Partial<Record<string, unknown>>): string[] {
  return keyProblems(settings);
}

/** All the settings checked together (defaults filled in): the resolved settings, or a Seq2SeqError `invalid_settings` with the first problem. */
export function checkSettings(settings: Partial<Record<string, unknown>>): Config {
  try {
    return validateConfig(settings);
  } catch (err) {
    throw toSeq2SeqError(err, 'invalid_settings');
  }
}
