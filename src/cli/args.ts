// Command-line parsing for every command: node's strict parseArgs, with its errors
// turned into one sentence for the user and `key=value` settings split out.
import { parseArgs } from 'node:util';
import { UserError } from '../errors.ts';
import { quote, QUOTE_MAX } from '../quote.ts';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
}

export interface ParsedArgs {
  /** Flags by long name (without the dashes); absent flags are undefined. */
  flags: Record<string, string | boolean | undefined>;
  /** Positionals containing "=": config settings for parseKeyValues. */
  items: string[];
  /** Other positionals (only when the command allows them). */
  positionals: string[];
}

/**
 * Parses `argv` for `command`. Positionals without "=" are refused unless
 * `allowPositionals` is set, so a typo'd setting never passes silently.
 */
export function parseCommandArgs(
  command: string,
  argv: string[],
  options: Record<string, OptionSpec>,
  allowPositionals = false,
): ParsedArgs {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UserError(describeParseError(command, err));
  }
  const items = parsed.positionals.filter((p) => p.includes('='));
  const positionals = parsed.positionals.filter((p) => !p.includes('='));
  if (!allowPositionals && positionals.length > 0) {
    throw new UserError(
      `Unexpected argument ${quote(positionals[0])} for ${command}; settings are written key=value (see \`seq2seq ${command} --help\`).`,
    );
  }
  return { flags: parsed.values as ParsedArgs['flags'], items, positionals };
}

function describeParseError(command: string, err: unknown): string {
  const e = err as { code?: string; message?: string };
  const message = e?.message ?? String(err);
  const found = /'(-{1,2}[^' =]+)/.exec(message)?.[1];
  const option = found ? (found.length > QUOTE_MAX || /[^\x21-\x7e]/.test(found) ? quote(found) : found) : 'an option';
  const help = `see \`seq2seq ${command} --help\``;
  switch (e?.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `Unknown option ${option} for ${command}; ${help}.`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (message.includes('does not take an argument')) return `Option ${option} takes no value.`;
      if (message.includes('ambiguous')) return `Option ${option} needs a value; write ${option}=VALUE for a value starting with "-".`;
      return `Option ${option} needs a value.`;
    default:
      return `Cannot parse the arguments of ${command}: ${message.split('\n')[0]}`;
  }
}

/** An integer flag in [min, max], or undefined when absent. */
export function intFlag(
  flags: ParsedArgs['flags'],
  name: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  const raw = flags[name];
  if (raw === undefined) return undefined;
  const text = String(raw);
  const value = /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
    throw new UserError(`--${name} must be ${range}, got ${quote(text)}.`);
  }
  return value;
}

/**
 * Refuses `key=value` settings a command does not use (eval and predict take everything
 * from the checkpoint), so a typo or a misplaced training setting never passes silently.
 */
export function refuseSettings(command: string, items: string[], allowed: readonly string[] = []): void {
  const stray = items.filter((item) => !allowed.includes(item.slice(0, item.indexOf('='))));
  if (stray.length === 0) return;
  const uses = allowed.length > 0 ? `its settings come from the checkpoint, except ${allowed.join(', ')}` : 'its settings come from the checkpoint';
  throw new UserError(`${command} does not take the setting ${quote(stray[0])} (${uses}); see \`seq2seq ${command} --help\`.`);
}
