// Turns untrusted key/value records (CLI, config.json, checkpoint metadata, the demo
// page) into a Config, naming every mistake in one sentence each.
import { UserError } from '../errors.ts';
import { DEFAULT_CONFIG, type Config } from './config.ts';
import { modelSpec } from '../specs/index.ts';
import { checkValue, isConfigKey, unknownKeyMessage } from './rules.ts';

/** The sentences for the keys and values of `partial` alone (no checks across keys). */
export function keyProblems(partial: object): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(partial)) {
    if (!isConfigKey(key)) problems.push(unknownKeyMessage(key));
    else {
      const p = checkValue(key, value);
      if (p) problems.push(p);
    }
  }
  return problems;
}

/** The defaults overlaid with `partial`, checked; throws UserError listing every mistake. */
export function validateConfig(partial: object): Config {
  if (partial === null || typeof partial !== 'object' || Array.isArray(partial)) {
    throw new UserError('A config must be an object of key/value settings.');
  }
  const problems = keyProblems(partial);
  if (problems.length > 0) throw new UserError(problems.join(' '));
  const config = { ...DEFAULT_CONFIG, ...partial } as Config;
  const cross: string[] = [];
  if (config.min_length > config.max_length) {
    cross.push(`min_length (${config.min_length}) must not exceed max_length (${config.max_length}).`);
  }
  cross.push(...modelSpec(config.model).problems(config));
  if (cross.length > 0) throw new UserError(cross.join(' '));
  return config;
}

/** Later layers win: e.g. mergeConfig(fileSettings, keyValues, flags). */
export function mergeConfig(...layers: object[]): Config {
  return validateConfig(Object.assign({}, ...layers));
}

/** Throws UserError when a valid config's model cannot decode with beam width `beam` (a --beam flag). */
export function checkBeam(config: Config, beam: number | undefined): void {
  if (beam === undefined) return;
  const problems = modelSpec(config.model).problems({ ...config, beam });
  if (problems.length > 0) throw new UserError(problems.join(' '));
}
