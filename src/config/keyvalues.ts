// `key=value` items from the command line, converted to each key's type.
import { UserError } from '../errors.ts';
import { quote } from '../quote.ts';
import { DEFAULT_CONFIG, type Config } from './config.ts';
import { isConfigKey, unknownKeyMessage } from './rules.ts';

// Plain decimal numbers only: Number() alone would also take "", "0x10" and "Infinity".
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * Parses ["vocab_size=50", "model=blog", ...] into settings typed like the defaults
 * ("true"/"false" for booleans). Values are not range-checked here: validateConfig does that.
 */
export function parseKeyValues(items: readonly string[]): Partial<Config> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) {
      problems.push(`Expected a key=value setting, got ${quote(item)}.`);
      continue;
    }
    const key = item.slice(0, eq);
    const text = item.slice(eq + 1);
    if (!isConfigKey(key)) problems.push(unknownKeyMessage(key));
    else if (key in out) problems.push(`${key} is set twice.`);
    else {
      const kind = typeof DEFAULT_CONFIG[key];
      if (kind === 'number') {
        if (NUMBER.test(text)) out[key] = Number(text);
        else problems.push(`${key} must be a number, got ${quote(text)}.`);
      } else if (kind === 'boolean') {
        if (text === 'true' || text === 'false') out[key] = text === 'true';
        else problems.push(`${key} must be true or false, got ${quote(text)}.`);
      } else out[key] = text;
    }
  }
  if (problems.length > 0) throw new UserError(problems.join(' '));
  return out as Partial<Config>;
}
