// `--runtime chrome|node` and `--adapter auto|hardware|software` (docs/contract.md §6), shared by
// train, eval, predict and bench: the option specs, their validation, and the help lines.
import { ADAPTER_CHOICES, type AdapterChoice } from '../gpu/adapter.ts';
import { RUNTIME_CHOICES, type RuntimeOptions } from '../runtimes/runtime.ts';
import type { OptionSpec, ParsedArgs } from './args.ts';
import { UserError } from '../errors.ts';

export const RUNTIME_OPTIONS: Record<string, OptionSpec> = {
  runtime: { type: 'string' },
  adapter: { type: 'string' },
};

export const RUNTIME_USAGE = `  --runtime R      chrome (default: headless Chrome) or node (Dawn for Node, no browser)
  --adapter A      auto (default: a hardware GPU if there is one, else software),
                   hardware (a GPU or an error) or software (SwiftShader, on the CPU)`;

function choice<T extends string>(flags: ParsedArgs['flags'], name: string, allowed: readonly T[], fallback: T): T {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(String(raw))) {
    throw new UserError(`--${name} must be ${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]}, got "${raw}".`);
  }
  return raw as T;
}

export function runtimeOptions(flags: ParsedArgs['flags']): RuntimeOptions {
  return {
    runtime: choice(flags, 'runtime', RUNTIME_CHOICES, 'chrome'),
    adapter: choice<AdapterChoice>(flags, 'adapter', ADAPTER_CHOICES, 'auto'),
  };
}

/**
 * A runtime that cannot give the adapter asked for is the user's situation, not a fault:
 * its sentence (thrown in the page or in Dawn's setup) becomes a UserError.
 */
export function runtimeUserError(err: unknown): UserError | null {
  const message = err instanceof Error ? err.message : String(err);
  const m = /(--adapter (?:hardware|software): [^\n]*?\.)(?:\s|$)/.exec(message) ?? /(Dawn for Node found no [^\n]*)/.exec(message);
  return m ? new UserError(m[1]) : null;
}

/** Opens the runtime, then runs `body`; the adapter's and Dawn's refusals are one sentence. */
export async function withRuntimeErrors<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    throw runtimeUserError(err) ?? err;
  }
}
