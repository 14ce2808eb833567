// Every command, in the order `seq2seq --help` lists them (docs/contract.md §6: train, eval,
// predict, data, metrics, bench, export).
import type { Command } from '../command.ts';
import { bench } from './bench.ts';
import { data } from './data.ts';
import { evaluate } from './eval.ts';
import { exportCommand } from './export.ts';
import { metrics } from './metrics.ts';
import { predict } from './predict.ts';
import { train } from './train.ts';

export const commands: Command[] = [train, evaluate, predict, data, metrics, bench, exportCommand];
