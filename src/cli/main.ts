// `seq2seq <command> [...]`: dispatches to one command module per command.
import { UserError } from '../errors.ts';
import { quote } from '../quote.ts';
import { formatBytes, MAX_INPUT_BYTES } from '../io/bounded_read.ts';
import type { Command, Io } from './command.ts';
import { commands } from './commands/index.ts';

const nodeIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  drain: () => drained(process.stdout),
  stdin: async () => {
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const c of process.stdin) {
      total += (c as Buffer).length;
      if (total > MAX_INPUT_BYTES) {
        process.stdin.destroy();
        throw new UserError(`Standard input holds more than ${formatBytes(MAX_INPUT_BYTES)}; give a smaller input.`);
      }
      chunks.push(c as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  },
};

function drained(stream: NodeJS.WriteStream): Promise<void> {
  if (!stream.writableNeedDrain) return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done).off('close', done).off('error', done);
      resolve();
    };
    stream.on('drain', done).on('close', done).on('error', done);
  });
}

export function helpText(list: Command[] = commands): string {
  const width = Math.max(...list.map((c) => c.name.length));
  return [
    'Usage: seq2seq <command> [options]',
    '',
    'Commands:',
    ...list.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `seq2seq <command> --help` for the options of one command.',
    '',
  ].join('\n');
}

export async function main(argv: string[], io: Io = nodeIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(helpText());
    return name ? 0 : 1;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr(`Unknown command ${quote(name)}; run \`seq2seq --help\` to list the commands.\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${command.usage.trimEnd()}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    io.stderr(`${describeError(err)}\n`);
    if (process.env.SEQ2SEQ_DEBUG === '1' && err instanceof Error && err.stack) io.stderr(`${err.stack}\n`);
    return 1;
  }
}

/** One sentence for the user: their mistakes verbatim, anything else prefixed as internal. */
export function describeError(err: unknown): string {
  if (err instanceof UserError) return err.message;
  const message = err instanceof Error ? err.message : String(err);
  const firstLine = message.split('\n')[0];
  return `Error: ${firstLine} (set SEQ2SEQ_DEBUG=1 for details)`;
}
