// Every command, in the order `seq2seq --help` lists them.
import type { Command } from '../command.ts';

export const commands: Command[] = [];
