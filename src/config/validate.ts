// Turns untrusted key/value records (CLI, config.json, checkpoint metadata, the demo
// page) into a Config, naming every mistake in one sentence each.
import { UserError } from '../errors.ts';
import { DEFAULT_CONFIG, type Config } from './config.ts';
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
  if (config.model === 'blog' && config.hidden_size % 2 !== 0) {
    cross.push(`hidden_size must be even for model "blog" (its MLPs use hidden_size / 2), got ${config.hidden_size}.`);
  }
  if (config.model === 'transformer') cross.push(...transformerProblems(config));
  const beam = beamProblem(config.model, config.beam);
  if (beam) cross.push(beam);
  if (cross.length > 0) throw new UserError(cross.join(' '));
  return config;
}

/** Later layers win: e.g. mergeConfig(fileSettings, keyValues, flags). */
export function mergeConfig(...layers: object[]): Config {
  return validateConfig(Object.assign({}, ...layers));
}

/** model=transformer: one width d for embeddings and layers, split evenly over the heads. */
function transformerProblems(c: Config): string[] {
  const out: string[] = [];
  if (c.embedding_size !== c.hidden_size) out.push(`embedding_size (${c.embedding_size}) must equal hidden_size (${c.hidden_size}) for model "transformer" (both are d_model).`);
  if (c.hidden_size % c.heads !== 0) out.push(`heads (${c.heads}) must divide hidden_size (${c.hidden_size}) for model "transformer".`);
  return out;
}

/** The sentence for a beam width the model cannot decode with, or null. */
export function beamProblem(model: string, beam: number): string | null {
  return model === 'transformer' && beam > 1 ? `model "transformer" decodes greedily only (no beam search yet): use beam 1, got ${beam}.` : null;
}

/** Throws UserError when the model cannot decode with this beam width (--beam flags). */
export function checkBeam(model: string, beam: number | undefined): void {
  const problem = beam === undefined ? null : beamProblem(model, beam);
  if (problem) throw new UserError(problem);
}
