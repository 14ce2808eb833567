// `seq2seq train`: the docs/contract.md §4 protocol in headless Chrome. Node owns the files: after
// every round an atomic checkpoint, then an evaluation appended to metrics.jsonl.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_CONFIG, defaultsFor, mergeConfig, parseKeyValues, type Config } from '../../config/index.ts';
import { loadConfigFile } from '../../config/file.ts';
import { PageCrashedError } from '../../harness/harness.ts';
import { adapterJson, adapterLabel } from '../../gpu/adapter.ts';
import { openRuntime, type GpuRuntime, type RuntimeOptions } from '../../runtime/runtime.ts';
import { decodeCheckpoint } from '../../io/checkpoint.ts';
import { RemoteSession } from '../../run/remote.ts';
import { RunDir } from '../../run/rundir.ts';
import { BestTracker, completeRunMessage, didNotLearn, farBelowWarning, reachedTarget, recordedLoss, stopAtMessage } from '../../run/outcome.ts';
import { progressBar, tableHeader, tableRow } from '../../run/console.ts';
import { plural } from '../../plural.ts';
import { claimRunDir } from '../../run/claim.ts';
import { inUseBy } from '../../run/lock.ts';
import { fileTaskOverrides } from '../../config/file_task.ts';
import { prepareFileTask, type PreparedFileTask } from '../../data/file_task.ts';
import { intFlag, parseCommandArgs } from '../args.ts';
import type { Command, Io } from '../command.ts';
import { RUNTIME_OPTIONS, RUNTIME_USAGE, runtimeOptions, withRuntimeErrors } from '../runtime_flags.ts';
import { UserError } from '../../errors.ts';
import { exitCodeFor, StopSignals } from '../signals.ts';

const LOG_EVERY = 10;
/** Settings a resumed run may change: how far it goes, not what it learns. */
const RESUMABLE_KEYS = new Set(['rounds', 'stop_at']);

export const train: Command = {
  name: 'train',
  summary: 'train a model in headless Chrome on WebGPU, checkpointing and evaluating every round',
  usage: `Usage: seq2seq train [--model blog|lstm] [--config F] [--rounds N] [--steps N] [--out DIR] [--resume] [--seed S] [--runtime R] [--adapter A] [key=value …]

Trains for rounds × steps optimizer updates (docs/contract.md §4). After each round it writes
DIR/round-NNN.safetensors and DIR/last.safetensors, evaluates (evaluate_round rounds of
eval_samples held-out samples) and appends the scores to DIR/metrics.jsonl; the round
with the highest GeoMean so far is copied to DIR/best.safetensors. Progress goes to
stderr; a table of round scores and a final JSON line (naming the best checkpoint) go to stdout.

  --model NAME   lstm (default) or blog
  --config F     a JSON file of settings (flags and key=value override it)
  --rounds N     rounds (default ${DEFAULT_CONFIG.rounds})
  --steps N      optimizer updates per round (default ${DEFAULT_CONFIG.steps})
  --out DIR      run directory (default runs/<model>-<date>-<time>, a new one per run)
  --resume       continue the run in --out from its last.safetensors (exactly; --rounds
                 and stop_at may change)
  --seed S       seed of every random stream (default 0)
${RUNTIME_USAGE}
  key=value      any setting of docs/contract.md §4a, e.g. hidden_size=128 lr=0.001
                 (blog defaults to lr=0.001 lr_schedule=constant, as the seed trained it);
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
    const saved = latest ? (decodeCheckpoint(latest.bytes, latest.path).config as unknown as Record<string, unknown>) : run.readConfig();
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
  const config = mergeConfig(defaultsFor(overrides.model ?? DEFAULT_CONFIG.model) as unknown as Record<string, unknown>, overrides);
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
  const { run, resume, checkpoint, runtime } = planned;
  const complete = resume ? completeRunMessage(run, planned.config, checkpoint) : null;
  if (complete) {
    io.stderr(`${complete}\n`);
    return 0;
  }
  // The directory is claimed before a big data file is read, so a taken --out fails at once.
  const claim = claimRunDir(run, resume);
  let data: PreparedFileTask | null;
  try {
    data = await prepareData(planned, io);
  } catch (err) {
    claim.release();
    throw err;
  }
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
    session = await withRuntimeErrors(() => RemoteSession.open(rt, checkpoint ? { rounds: config.rounds } : (config as unknown as Record<string, unknown>), checkpoint, data?.upload));
    await run.writeConfig(config);
    if (data && !resume) await run.writeDataFiles(data.files);
    const { steps, rounds } = config;
    const a = session.info.adapter;
    io.stderr(
      `train: ${config.model}, ${session.info.parameters} parameters, ${plural(rounds, 'round')} × ${plural(steps, 'step')}, batch ${config.batch_size}, ` +
        `runtime ${runtime.runtime}, adapter ${adapterLabel(a)}, run ${run.path}\n`,
    );
    if (checkpoint) io.stderr(`train: resuming at step ${session.info.step} (round ${session.info.round})\n`);

    let step = session.info.step;
    let round = session.info.round;
    let lastLoss = NaN;
    // What a killed run logged after its checkpoint goes, so the log continues exactly.
    const trimmed = resume ? await run.trimMetrics(step, round, recordedLoss(checkpoint)) : { hasRound: true, loss: NaN };
    lastLoss = trimmed.loss;
    if (resume) await run.repairBest();
    const best = new BestTracker(run);
    let target = false;
    io.stdout(tableHeader(config.task === 'file'));
    let final: Record<string, unknown> = {};
    const evaluateRound = async () => {
      const summary = await session!.evaluate();
      const elapsed = (Date.now() - started) / 1000;
      await run.appendMetrics({ type: 'round', round, step, loss: lastLoss, elapsed_s: elapsed, ...summary, runtime: runtime.runtime, adapter: adapterJson(a) });
      await best.record(round, summary.geomean);
      io.stdout(tableRow(round, step, lastLoss, summary, elapsed));
      if (reachedTarget(config, summary.geomean)) {
        target = true;
        io.stderr(stopAtMessage(config, round, summary.geomean, run.path));
      }
      final = { round, step, loss: lastLoss, psa: summary.psa, lcsr: summary.lcsr, geomean: summary.geomean, exact_match: summary.exact_match, length_accuracy: summary.length_accuracy, psa_std: summary.psa_std, lcsr_std: summary.lcsr_std, geomean_std: summary.geomean_std, ...(summary.bleu !== undefined ? { bleu: summary.bleu } : {}) };
    };
    // Killed between a round's checkpoint and its evaluation: evaluate it now (the
    // evaluation reads the parameters only, so training continues exactly).
    if (!trimmed.hasRound) await evaluateRound();
    else if (resume && round > 0) target = reachedTarget(config, run.roundScores().at(-1)?.geomean ?? 0);
    if (target && trimmed.hasRound) io.stderr(`train: round ${round} already reached stop_at ${config.stop_at}; nothing to train (raise stop_at to go on).\n`);
    const bar = progressBar(rounds * steps, step);
    try {
      while (round < rounds && !target) {
        // A Ctrl-C while Chrome was starting: stop before training another chunk.
        if (signals.requested) break;
        const remaining = (round + 1) * steps - step;
        const result = await session.train(remaining, LOG_EVERY, (p) => {
          bar.update(p.step, { loss: p.loss.toFixed(4), rate: p.steps_per_s.toFixed(1) });
          run.queueMetrics({ type: 'step', ...p }, () => void session?.requestStop().catch(() => undefined));
        });
        step = result.step;
        if (!Number.isNaN(result.loss)) lastLoss = result.loss;
        await run.flushMetrics();
        if (result.stopped || signals.requested) break;
        round = await session.finishRound();
        await run.writeCheckpoint(await session.checkpoint(), round);
        bar.update(step, { loss: lastLoss.toFixed(4) });
        bar.stop();
        await evaluateRound();
        bar.start(rounds * steps, step, { loss: lastLoss.toFixed(4), rate: '-' });
        if (signals.requested) break;
      }
    } catch (err) {
      // The page's NonFiniteError arrives as a plain error; it is the run's outcome, not an
      // internal fault: one sentence, and the checkpoints already written stay as they are.
      const message = err instanceof Error ? err.message : String(err);
      const diverged = /Training diverged at step \d+[^\n]*/.exec(message);
      const kept = existsSync(run.lastPath) ? `the last good checkpoint, ${run.lastPath}, is kept` : 'no checkpoint had been written yet';
      if (diverged) throw new UserError(`${diverged[0].replace(/;.*$/, '')}; ${kept} (lower lr or clip_norm and train again).`);
      // Chrome or its GPU process died: nothing more can be saved, but the checkpoints are whole.
      const lost = /GPU device was lost/.test(message)
        ? 'The GPU device was lost during training'
        : err instanceof PageCrashedError || harness.lost() !== null
          ? 'Chrome exited during training'
          : null;
      if (lost) throw new UserError(`${lost} at about step ${step}; ${kept}; continue with: npx seq2seq train --resume --out ${run.path}`);
      throw err;
    } finally {
      bar.stop();
    }
    if (signals.requested && round < rounds) {
      await run.writeCheckpoint(await session.checkpoint(), null);
      io.stderr(`Stopped at step ${step}; the state is saved in ${run.lastPath}. Continue with: npx seq2seq train --resume --out ${run.path}\n`);
      return signals.exitCode;
    }
    const elapsed = (Date.now() - started) / 1000;
    const warning = typeof final.geomean === 'number' && !target ? farBelowWarning(config, final.geomean) : null;
    if (warning) io.stderr(warning);
    io.stdout(`${JSON.stringify({ run_dir: run.path, model: config.model, elapsed_s: Number(elapsed.toFixed(1)), ...final, ...best.summary(), stopped_at_target: target, runtime: runtime.runtime, adapter: adapterJson(a) })}\n`);
    const notLearned = didNotLearn(config, lastLoss);
    if (notLearned) io.stderr(`${notLearned}\n`);
    return notLearned ? 1 : 0;
  } finally {
    signals.dispose();
    await harness?.close();
    claim.release();
  }
}

/** A fresh directory per run, so running the same command twice never collides. */
function defaultRunDir(config: Config, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `runs/${config.model}-${stamp}`;
}
