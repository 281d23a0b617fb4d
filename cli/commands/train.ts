/**
 * `e3md train config.json`: fit a potential to labelled structures and write it as an e3md ONNX
 * potential (DESIGN.md §5). Exit codes as `e3md run`: 0 done, 1 failed (diverged, internal error),
 * 2 bad config or data, 130 interrupted (Ctrl-C: the current batch finishes; the last epoch's
 * checkpoint stands and `--resume` continues from it).
 */
import type { Command } from 'commander';
import { InputError, OutputError } from '../../io/index.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadTrainConfig, METRIC_NAMES, prepareTraining, runTraining, TRAIN_FILES, type Metrics, type PreparedTraining, type TestReport, type TrainResult } from '../../train/index.js';
import { displayPath } from '../prepare.js';
import { createProgressBar, formatDuration, type ProgressBar } from '../progress.js';
import { positiveInteger } from '../arguments.js';
import { EXIT, type CliStreams } from '../exit-codes.js';
import { plural } from './model.js';

/** Options of `e3md train` as commander parses them. */
export interface TrainCommandOptions {
  /** Continue from the checkpoint in output.directory. */
  resume?: boolean;
  /** Print nothing but errors. */
  quiet?: boolean;
  /** Replace an existing output.model and start over an existing checkpoint. */
  force?: boolean;
  /** onnxruntime intra-op threads, overriding training.threads. */
  threads?: number;
}

/**
 * Registers `train <config.json>` on `program`; `setExit` receives the exit code.
 * @example registerTrainCommand(program, { stdout: process.stdout, stderr: process.stderr }, (c) => (code = c));
 */
export function registerTrainCommand(program: Command, io: CliStreams, setExit: (code: number) => void): void {
  program
    .command('train')
    .summary('train a NequIP or Allegro potential on extxyz energies and forces, and write it as ONNX')
    .description(
      'Train a potential as described by config.json (data splits, model, loss, optimizer, outputs; every key in ' +
      'docs/train-json.md, JSON Schema train/train.schema.json; paths are relative to the config file; the model section ' +
      'takes the builder\'s options, named as in `e3md model create --options` and a model\'s e3md.settings). The training graph — forward pass, forces, loss and its gradient with ' +
      'respect to every weight — is built by e3md\'s symbolic autodiff and run by ONNX Runtime. Prints one line ' +
      'per epoch (loss, energy MAE in meV/atom and force MAE in meV/Å, train | validation), keeps the best ' +
      'model and a checkpoint every epoch in output.directory, and ends with the test-set errors of the model ' +
      'written to output.model. An existing output.model is never replaced unless --force; `e3md plot` draws metrics.csv. ' +
      'From labelled data to MD: docs/guide-dft-to-md.md.',
    )
    .argument('<config.json>', 'training configuration')
    .option('--resume', 'continue from output.directory/checkpoint.json (max_epochs, max_wall_time_s, early_stopping_patience, device and threads may change)')
    .option('--force', 'replace an existing output.model and start over an existing checkpoint (default: refuse, so another run\'s model is never lost)')
    .option('--threads <n>', 'onnxruntime threads, overriding training.threads (results repeat bit for bit at a given count)', positiveInteger)
    .option('-q, --quiet', 'print nothing but errors')
    .addHelpText('after', '\nExamples:\n  e3md train examples/water/train.json\n  e3md train examples/water/train.json --resume\n')
    .action(async (config: string, opts: TrainCommandOptions) => {
      setExit(await trainCommand(config, opts, io));
    });
}

/**
 * Runs `e3md train` and returns its exit code (bad input prints one message and gives 2).
 * @example const code = await trainCommand('examples/water/train.json', {}, { stdout: process.stdout, stderr: process.stderr });
 */
export async function trainCommand(configPath: string, options: TrainCommandOptions, io: CliStreams): Promise<number> {
  const quiet = options.quiet === true;
  const out = (line: string) => { if (!quiet) io.stdout.write(`${line}\n`); };
  let prep: PreparedTraining;
  try {
    const config = loadTrainConfig(configPath);
    prep = prepareTraining(options.threads === undefined ? config : { ...config, training: { ...config.training, threads: options.threads } });
  } catch (e) {
    if (e instanceof InputError) {
      io.stderr.write(`e3md: ${e.message}\n`);
      return EXIT.badInput;
    }
    throw e;
  }
  out(describe(prep, configPath));
  const abort = new AbortController();
  const onSigint = (): void => {
    io.stderr.write('\ne3md: stopping after this batch (Ctrl-C again to quit at once)\n');
    abort.abort();
  };
  process.once('SIGINT', onSigint);
  const t = prep.config.training;
  const perEpoch = Math.ceil(prep.train.structures.length / t.batch_size);
  let bar: ProgressBar | null = null;
  const print = (line: string) => (bar ? bar.print(line) : out(line));
  let result: TrainResult;
  try {
    result = await runTraining(prep, {
      resume: options.resume,
      force: options.force,
      signal: abort.signal,
      log: print,
      onBatch: !quiet && io.stdout.isTTY === true
        ? (done, _total, epoch) => {
            bar ??= createProgressBar(io.stdout as Parameters<typeof createProgressBar>[0], (epoch - 1) * perEpoch, t.max_epochs * perEpoch);
            bar.update((epoch - 1) * perEpoch + done);
          }
        : undefined,
    });
  } catch (e) {
    (bar as ProgressBar | null)?.clear();
    if (e instanceof InputError) {
      io.stderr.write(`e3md: ${e.message}\n`);
      return EXIT.badInput;
    }
    const ckptPath = join(prep.config.output.directory, TRAIN_FILES.checkpoint);
    const resumable = existsSync(ckptPath) ? `; the last checkpoint (${displayPath(ckptPath)}) is intact: fix that and continue with --resume` : '';
    if (e instanceof OutputError) {
      io.stderr.write(`e3md: ${e.message}${resumable}\n`);
      return resumable ? EXIT.failed : EXIT.badInput;
    }
    io.stderr.write(`e3md: training failed: ${(e as Error).message}${resumable}\n`);
    return EXIT.failed;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  (bar as ProgressBar | null)?.clear();
  if (result.status === 'interrupted') {
    io.stderr.write(`e3md: ${result.reason}\n`);
    return EXIT.interrupted;
  }
  const wall = result.history.reduce((a, h) => a + h.wall_s, 0);
  out(`${result.status === 'finished' ? 'finished' : 'stopped'}: ${result.reason}; ${result.epochs} epochs in ${formatDuration(wall)}, best ${METRIC_NAMES[prep.config.training.metrics_key]} at epoch ${result.bestEpoch}`);
  if (result.bestValidation) out(`validation: ${errors(result.bestValidation)}`);
  if (result.test) out(testTable(result.test));
  if (result.modelPath) out(`model written to ${displayPath(result.modelPath)}`);
  if (result.status === 'stopped' && /diverged/.test(result.reason)) return EXIT.failed;
  return EXIT.ok;
}

function describe(prep: PreparedTraining, configPath: string): string {
  const { train, validation, test, statistics: s, model, config, typeNames } = prep;
  const refs = typeNames.map((t, k) => `${t} ${s.energyReferences_eV[k]!.toFixed(3)}`).join(', ');
  const given = config.model.energyReferences;
  const how = given === 'least_squares' ? `least squares${s.compositionRank < typeNames.length ? ', minimum norm: compositions are proportional' : ''}` : typeof given === 'string' ? `from ${displayPath(given)}` : 'given';
  const ema = config.training.ema ? `; moving average of the weights (decay ${config.training.ema.decay})` : '';
  return [
    `e3md train ${displayPath(configPath)}: ${train.structures.length} train / ${validation.structures.length} validation / ${test?.structures.length ?? 0} test structures, species ${typeNames.join(', ')}`,
    `model: ${model.architecture}, ${model.parameters.count()} parameters, r_max ${model.rMax_A} Å, ${plural(config.model.numLayers, 'layer')}; training in ${config.training.dtype} on ${config.training.device}, ${config.training.threads} thread(s)${ema}`,
    `energy references (${how}): ${refs} eV; residual ${(1000 * s.residualPerAtom_eV).toFixed(1)} meV/atom RMS; force RMS ${s.forceRms_eV_per_A.toFixed(3)} eV/Å; ${s.avgNumNeighbors.toFixed(2)} neighbours/atom`,
    ...(prep.initialModel ? [`initial weights: ${displayPath(prep.initialModel.path)} (with its neighbour normalization ${(model.settings as { avgNumNeighbors?: number }).avgNumNeighbors?.toFixed(2)}, scales and shifts; those above are the data's)`] : []),
    `output: ${displayPath(config.output.directory)}/ (${Object.values(TRAIN_FILES).join(', ')}), model ${displayPath(config.output.model)}`,
  ].join('\n');
}

function errors(m: Metrics): string {
  return `energy MAE ${m.energyMae_meV_per_atom.toFixed(2)} meV/atom (RMSE ${m.energyRmse_meV_per_atom.toFixed(2)}), force MAE ${m.forceMae_meV_per_A.toFixed(1)} meV/Å (RMSE ${m.forceRmse_meV_per_A.toFixed(1)})`;
}

/** The final test-set table: all structures, then each config_type (columns aligned however long its name). */
export function testTable(r: TestReport): string {
  const rows = [['test set', r.all] as const, ...Object.entries(r.byConfigType).map(([k, m]) => [`  ${k}`, m] as const)];
  const w = Math.max(12, ...rows.map(([name]) => name.length)); // config_types such as md-tetramer are longer than 'test set'
  const head = `${'split'.padEnd(w)} ${'structures'.padStart(10)}  ${'E MAE'.padStart(9)} ${'E RMSE'.padStart(9)}  ${'F MAE'.padStart(9)} ${'F RMSE'.padStart(9)}\n${''.padEnd(w)} ${''.padStart(10)}  ${'meV/atom'.padStart(9)} ${'meV/atom'.padStart(9)}  ${'meV/Å'.padStart(9)} ${'meV/Å'.padStart(9)}`;
  return [head, ...rows.map(([name, m]) => `${name.padEnd(w)} ${String(m.structures).padStart(10)}  ${m.energyMae_meV_per_atom.toFixed(2).padStart(9)} ${m.energyRmse_meV_per_atom.toFixed(2).padStart(9)}  ${m.forceMae_meV_per_A.toFixed(1).padStart(9)} ${m.forceRmse_meV_per_A.toFixed(1).padStart(9)}`)].join('\n');
}
