// Every command, in the order `seq2seq --help` lists them (SPEC §6: train, eval,
// predict, data, metrics, bench).
import type { Command } from '../command.ts';
import { data } from './data.ts';
import { metrics } from './metrics.ts';

export const commands: Command[] = [data, metrics];
