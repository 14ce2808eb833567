// `seq2seq train`: the docs/contract.md §4 protocol in headless Chrome. Node owns the files: after
// every round an atomic checkpoint, then an evaluation appended to metrics.jsonl.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_CONFIG, defaultsFor, mergeConfig, parseKeyValues, type Config } from '../../config/index.ts';
import { loadConfigFile } from '../../config/config_file.ts';
import { PageCrashedError } from '../../runtimes/chrome/harness.ts';
import { GpuDeviceLostError } from '../../gpu/device.ts';
import { NonFiniteError } from '../../train/non_finite.ts';
import { adapterLabel } from '../../gpu/adapter.ts';
import { openRuntime, type GpuRuntime, type RuntimeOptions } from '../../runtimes/runtime.ts';
import { decodeCheckpoint } from '../../io/checkpoint.ts';
import { RemoteSession } from '../../runtimes/remote_session.ts';
import { RunDir } from '../../rundir/rundir.ts';
import { completeRunMessage, didNotLearn, farBelowWarning, recordedLoss } from '../../rundir/outcome.ts';
import { tableHeader } from '../console.ts';
import { driveRounds, reachedTarget, type DriverResult } from '../../train/driver.ts';
import { TrainReport } from './train_report.ts';
import { plural } from '../../plural.ts';
import { claimRunDir } from '../../rundir/claim.ts';
import { inUseBy } from '../../rundir/lock.ts';
import { fileTaskOverrides } from '../../file_task/settings.ts';
import { prepareFileTask, type PreparedFileTask } from '../../file_task/prepare.ts';
import { intFlag, parseCommandArgs } from '../args.ts';
import type { Command, Io } from '../command.ts';
import { RUNTIME_OPTIONS, RUNTIME_USAGE, runtimeOptions, withRuntimeErrors } from '../runtime_flags.ts';
import { UserError } from '../../errors.ts';
import { exitCodeFor, StopSignals } from '../signals.ts';
import { modelChoices, modelDefaultsText, modelLines } from '../model_help.ts';

const LOG_EVERY = 10;
/** Settings a resumed run may change: how far it goes, not what it learns. */
const RESUMABLE_KEYS = new Set(['rounds', 'stop_at']);

export const train: Command = {
  name: 'train',
  summary: 'train a model in headless Chrome on WebGPU, checkpointing and evaluating every round',
  usage: `Usage: seq2seq train [--model ${modelChoices()}] [--config F] [--rounds N] [--steps N] [--out DIR] [--resume] [--seed S] [--runtime R] [--adapter A] [key=value …]

Trains for rounds × steps optimizer updates (docs/contract.md §4). After each round it writes
DIR/round-NNN.safetensors and DIR/last.safetensors, evaluates (evaluate_round rounds of
eval_samples held-out samples) and appends the scores to DIR/metrics.jsonl; the round
with the highest GeoMean so far is copied to DIR/best.safetensors. Progress goes to
stderr; a table of round scores and a final JSON line (naming the best checkpoint) go to stdout.

  --model NAME   the model:
${modelLines('                   ')}
  --config F     a JSON file of settings (flags and key=value override it)
  --rounds N     rounds (default ${DEFAULT_CONFIG.rounds})
  --steps N      optimizer updates per round (default ${DEFAULT_CONFIG.steps})
  --out DIR      run directory (default runs/<model>-<date>-<time>, a new one per run)
  --resume       continue the run in --out from its last.safetensors (exactly; --rounds
                 and stop_at may change)
  --seed S       seed of every random stream (default 0)
${RUNTIME_USAGE}
  key=value      any setting of docs/contract.md §4a, e.g. hidden_size=128 lr=0.001
                 (each model's own defaults: ${modelDefaultsText()});
                 task=copy|reverse|sort for the other built-in tasks, or data=PAIRS.tsv|.jsonl
                 [eval_data=F] [tokenize=words|chars] to learn your own pairs (task=file)
                 stop_at=G ends training after the first round whose GeoMean reaches G
                 init=pytorch (default) or init=uniform (the paper's U(±init_scale))

Ctrl-C saves the current state to DIR/last.safetensors; --resume continues from it.
`,
  run: (argv, io) => runTrain(argv, io),
};

interface Plan {
  config: Config;
  run: RunDir;
  /** Continue the run in `run` (from `checkpoint`, or from step 0 when none was written yet). */
  resume: boolean;
  checkpoint?: Uint8Array;
  runtime: RuntimeOptions;
  /** The user set max_length (file tasks then leave longer pairs out instead of deriving it). */
  explicitMaxLength: boolean;
}

function plan(argv: string[]): Plan {
  const { flags, items } = parseCommandArgs('train', argv, {
    model: { type: 'string' },
    config: { type: 'string' },
    rounds: { type: 'string' },
    steps: { type: 'string' },
    out: { type: 'string' },
    resume: { type: 'boolean' },
    seed: { type: 'string' },
    ...RUNTIME_OPTIONS,
  });
  const runtime = runtimeOptions(flags);
  const fromFile = typeof flags.config === 'string' ? loadConfigFile(flags.config) : {};
  const fromFlags: Record<string, unknown> = {};
  if (flags.model !== undefined) fromFlags.model = flags.model;
  for (const key of ['rounds', 'steps'] as const) {
    const v = intFlag(flags, key, 1);
    if (v !== undefined) fromFlags[key] = v;
  }
  const seed = intFlag(flags, 'seed', 0);
  if (seed !== undefined) fromFlags.seed = seed;
  const overrides = fileTaskOverrides({ ...fromFile, ...parseKeyValues(items), ...fromFlags });
  // Data paths are kept absolute, so a resume from another directory finds the same files.
  for (const key of ['data', 'eval_data'] as const) {
    const v = (overrides as Record<string, unknown>)[key];
    if (typeof v === 'string' && v !== '') (overrides as Record<string, unknown>)[key] = resolve(v);
  }
  const explicitMaxLength = Object.hasOwn(overrides, 'max_length');

  if (flags.resume) {
    if (typeof flags.out !== 'string') throw new UserError('--resume needs --out DIR, the run to continue.');
    const run = new RunDir(resolve(flags.out));
    // The most advanced checkpoint; a run killed before its first one restarts from its
    // config.json (step 0 is a checkpoint too: the seed fixes the initial parameters).
    const latest = run.latestCheckpoint();
    const saved: Readonly<Record<string, unknown>> | null = latest ? { ...decodeCheckpoint(latest.bytes, latest.path).config } : run.readConfig();
    if (!saved) throw new UserError(inUseBy(run.path) ?? `Cannot resume: ${run.path} holds no run (neither a checkpoint nor config.json).`);
    for (const [key, value] of Object.entries(overrides)) {
      if (key === 'rounds' && typeof saved.rounds === 'number' && (value as number) < saved.rounds) {
        throw new UserError(`Cannot lower --rounds to ${String(value)} when resuming: the run has ${saved.rounds} rounds, and --rounds may only grow.`);
      }
      if (!RESUMABLE_KEYS.has(key) && JSON.stringify(saved[key]) !== JSON.stringify(value)) {
        throw new UserError(`Cannot change ${key} when resuming (the run has ${JSON.stringify(saved[key])}); only --rounds and stop_at may change.`);
      }
    }
    const config = mergeConfig(saved, overrides);
    return { config, run, resume: true, checkpoint: latest?.bytes, explicitMaxLength: true, runtime };
  }
  const config = mergeConfig(defaultsFor(overrides.model ?? DEFAULT_CONFIG.model), overrides);
  const out = typeof flags.out === 'string' ? flags.out : defaultRunDir(config);
  return { config, run: new RunDir(resolve(out)), resume: false, explicitMaxLength, runtime };
}

/**
 * A file task's data, read before the run directory is touched (a bad file changes
 * nothing): the config gains the derived vocab_size and max_length; a resumed run must
 * find the very files it was trained on.
 */
async function prepareData(p: Plan, io: Io): Promise<PreparedFileTask | null> {
  if (p.config.task !== 'file') return null;
  const prepared = await prepareFileTask(p.config, p.explicitMaxLength, (line) => io.stderr(`${line}\n`));
  if (p.resume) p.run.checkDataFiles(prepared.files);
  if (p.resume && prepared.config.vocab_size !== p.config.vocab_size) {
    throw new UserError(`Cannot resume: the data now gives vocab_size ${prepared.config.vocab_size}, but the run has ${p.config.vocab_size}.`);
  }
  io.stderr(`${prepared.summary}\n`);
  return prepared;
}

async function runTrain(argv: string[], io: Io): Promise<number> {
  const planned = plan(argv);
  const { run, resume, checkpoint } = planned;
  const complete = resume ? completeRunMessage(run, planned.config, checkpoint) : null;
  if (complete) {
    io.stderr(`${complete}\n`);
    return 0;
  }
  // The directory is claimed before a big data file is read, so a taken --out fails at once.
  const claim = claimRunDir(run, resume);
  try {
    const data = await prepareData(planned, io);
    return await trainInRuntime(planned, data, io);
  } finally {
    claim.release();
  }
}

/** Opens the GPU runtime and a session in it, trains, and closes both (Ctrl-C saves first). */
async function trainInRuntime(planned: Plan, data: PreparedFileTask | null, io: Io): Promise<number> {
  const { run, checkpoint, runtime } = planned;
  const config = data?.config ?? planned.config;
  let harness: GpuRuntime | null = null;
  let session: RemoteSession | null = null;
  const signals = new StopSignals(
    (signal) => {
      io.stderr(`\n${signal}: finishing the current step and saving ${run.lastPath} …\n`);
      void session?.requestStop().catch(() => undefined);
    },
    (signal) => {
      io.stderr(`\n${signal} again: stopping without saving.\n`);
      void (harness?.close() ?? Promise.resolve()).finally(() => process.exit(exitCodeFor(signal)));
    },
  );
  const started = Date.now();
  try {
    const rt = (harness = await withRuntimeErrors(() => openRuntime(runtime)));
    session = await withRuntimeErrors(() => RemoteSession.open(rt, checkpoint ? { checkpoint, rounds: config.rounds } : { config }, data?.upload));
    await run.writeConfig(config);
    if (data && !planned.resume) await run.writeDataFiles(data.files);
    io.stderr(headerLine(config, session, planned));
    if (checkpoint) io.stderr(`train: resuming at step ${session.info.step} (round ${session.info.round})\n`);
    return await driveRun({ planned, config, session, rt, signals, started }, io);
  } finally {
    signals.dispose();
    await harness?.close();
  }
}

function headerLine(config: Config, session: RemoteSession, p: Plan): string {
  const { steps, rounds } = config;
  return (
    `train: ${config.model}, ${session.info.parameters} parameters, ${plural(rounds, 'round')} × ${plural(steps, 'step')}, batch ${config.batch_size}, ` +
    `runtime ${p.runtime.runtime}, adapter ${adapterLabel(session.info.adapter)}, run ${p.run.path}\n`
  );
}

interface OpenRun {
  planned: Plan;
  config: Config;
  session: RemoteSession;
  rt: GpuRuntime;
  signals: StopSignals;
  started: number;
}

/** The round loop (src/train/driver.ts) with this command's files and output, then the run's last lines. */
async function driveRun(o: OpenRun, io: Io): Promise<number> {
  const { planned, config, session, signals } = o;
  const { run, resume, checkpoint } = planned;
  const start = { step: session.info.step, round: session.info.round, loss: NaN };
  // What a killed run logged after its checkpoint goes, so the log continues exactly.
  const trimmed = resume ? await run.trimMetrics(start.step, start.round, recordedLoss(checkpoint)) : { hasRound: true, loss: NaN };
  start.loss = trimmed.loss;
  if (resume) await run.repairBest();
  const where = { runtime: planned.runtime.runtime, adapter: session.info.adapter, started: o.started };
  const report = new TrainReport(io, run, config, where, start, () => void session.requestStop().catch(() => undefined));
  // Killed between a round's checkpoint and its evaluation: the driver evaluates it first (the
  // evaluation reads the parameters only, so training continues exactly).
  const reached = trimmed.hasRound && resume && start.round > 0 && reachedTarget(config, run.roundScores().at(-1)?.geomean ?? 0);
  io.stdout(tableHeader(config.task === 'file'));
  if (reached) io.stderr(`train: round ${start.round} already reached stop_at ${config.stop_at}; nothing to train (raise stop_at to go on).\n`);
  let result: DriverResult;
  try {
    const options = { config, start, logEvery: LOG_EVERY, checkpointEachRound: true, evaluateFirst: !trimmed.hasRound, reachedTarget: reached };
    result = await driveRounds(session, options, report.events(), { stopRequested: () => signals.requested });
  } catch (err) {
    throw trainingFailure(err, run, o.rt, report.step);
  } finally {
    report.stopBar();
  }
  if (signals.requested && result.round < config.rounds) {
    await run.writeCheckpoint(await session.checkpoint(), null);
    io.stderr(`Stopped at step ${result.step}; the state is saved in ${run.lastPath}. Continue with: npx seq2seq train --resume --out ${run.path}\n`);
    return signals.exitCode;
  }
  const target = result.reason === 'target';
  const geomean = report.final.geomean;
  const warning = typeof geomean === 'number' && !target ? farBelowWarning(config, geomean) : null;
  if (warning) io.stderr(warning);
  io.stdout(report.finalLine(target));
  const notLearned = didNotLearn(config, result.loss);
  if (notLearned) io.stderr(`${notLearned}\n`);
  return notLearned ? 1 : 0;
}

/**
 * A failure during training as the user should read it. A diverged run (NonFiniteError, from
 * the page as from Dawn) is the run's outcome, not an internal fault: one sentence, and the
 * checkpoints already written stay as they are. Chrome or its GPU process dying likewise.
 */
function trainingFailure(err: unknown, run: RunDir, rt: GpuRuntime, step: number): unknown {
  const kept = existsSync(run.lastPath) ? `the last good checkpoint, ${run.lastPath}, is kept` : 'no checkpoint had been written yet';
  // Its first clause names the step and what is not finite; the advice differs here.
  if (err instanceof NonFiniteError) return new UserError(`${err.message.split(';')[0]}; ${kept} (lower lr or clip_norm and train again).`);
  // Chrome or its GPU process died: nothing more can be saved, but the checkpoints are whole.
  const lost = err instanceof GpuDeviceLostError
    ? 'The GPU device was lost during training'
    : err instanceof PageCrashedError || rt.lost() !== null
      ? 'Chrome exited during training'
      : null;
  if (lost) return new UserError(`${lost} at about step ${step}; ${kept}; continue with: npx seq2seq train --resume --out ${run.path}`);
  return err;
}

/** A fresh directory per run, so running the same command twice never collides. */
function defaultRunDir(config: Config, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `runs/${config.model}-${stamp}`;
}
