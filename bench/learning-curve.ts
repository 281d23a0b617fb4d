/**
 * Learning curve: test-set force MAE against training-set size for NequIP at several lmax (the
 * data-efficiency figure of Batzner et al., Nat. Commun. 13, 2453 (2022), Fig. 3, on our own water
 * data) and Allegro, each with a fitted power law error ∝ N^(−β) (bench/power-law.ts). Every point
 * is a full `e3md train` run of the config on a seeded, nested subset of its training split
 * (`data.max_train_structures`), trained to convergence — early stopping on the validation split or
 * the learning rate at its floor, with a high epoch cap only as a guard — and scored on the
 * config's test split, the same for every point.
 *
 * Points are stored as they finish, each in its own folder of the work directory (the training
 * checkpoint while it runs, `point.json` once done), so the curve is built across several runs of
 * the command: a rerun skips finished points, resumes an interrupted one from its last epoch, and
 * leaves a point another process is training (a lock file with its pid) to that process, so two
 * commands may share one work directory to use two cores. After every point the JSON and SVG of
 * all points stored so far are rewritten.
 *
 * Usage (hours to days on one core; see `--hours`):
 *   npx tsx bench/learning-curve.ts [--config examples/water/train.json]
 *     [--models nequip-l0,nequip-l1,nequip-l2,nequip-l3,allegro] [--sizes 25,50,100,200,400,800,1600]
 *     [--max-epochs 2000] [--threads 1] [--work scratch/learning-curve] [--out bench/results/learning-curve]
 *     [--hours H] [--allegro '{"numTensorFeatures":32,…}' (default MATCHED_ALLEGRO; '{}' for allegro's defaults)]
 *   npx tsx bench/learning-curve.ts --from bench/results/learning-curve.json   (redraw the SVG only)
 *   npx tsx bench/learning-curve.ts --restore bench/results/learning-curve.json [--work W] …
 *     (first writes that file's points back into W, one point.json each, so that a new machine
 *     continues the curve instead of retraining them; each is still checked against the settings)
 * Model names: nequip-l<lmax>[-f<numFeatures>] (the config's NequIP with that lmax and width) and
 * allegro[-l<lmax>] (Allegro's defaults, lmax 2 unless given, with the config's cutoff and radial basis).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createModel } from '../models/index.js';
import { builderOptionsOf, parseTrainConfig, prepareTraining, runTraining, TRAIN_FILES, type Dataset, type Metrics, type PreparedTraining } from '../train/index.js';
import { learningCurveSvg } from './learning-curve-plot.js';
import { fitPowerLaw } from './power-law.js';

/** Options of {@link runLearningCurve}. */
export interface LearningCurveOptions {
  /** The training config: data splits, training settings, and the NequIP that the variants modify. */
  readonly configPath: string;
  /** Model names (see the file comment). */
  readonly models: readonly string[];
  /** Training-set sizes (structures). */
  readonly sizes: readonly number[];
  /** Epoch cap of every run (a guard: runs end by early stopping or the learning-rate floor). */
  readonly maxEpochs: number;
  /** onnxruntime threads per run. */
  readonly threads: number;
  /** Where the points are trained and stored. */
  readonly workDir: string;
  /** Options merged into every Allegro model (e.g. `{ numTensorFeatures: 32 }`). */
  readonly allegro?: Record<string, unknown>;
  /** Start no new point after this many hours (the running one finishes). */
  readonly hours?: number;
  /** Stops the current point after its current batch (it resumes on the next run). */
  readonly signal?: AbortSignal;
  /** Receives progress lines. */
  readonly log?: (line: string) => void;
  /** The command line recorded with the results. */
  readonly command?: string;
  /** Rewrite `<out>.json` and `<out>.svg` after every point. */
  readonly out?: string;
  /** Interrupt the first point trained after this many epochs (tests of resume). */
  readonly stopAfterEpochs?: number;
}

/** One model of the comparison. */
export interface CurveModel {
  readonly name: string;
  readonly architecture: 'nequip' | 'allegro';
  readonly lmax: number;
  readonly parameters: number;
  /** The config's `model` section this model trains with. */
  readonly section: Readonly<Record<string, unknown>>;
}

/** Test errors of one point. */
export type PointErrors = Pick<Metrics, 'forceMae_meV_per_A' | 'forceRmse_meV_per_A' | 'energyMae_meV_per_atom' | 'energyRmse_meV_per_atom'>;

/** One finished training run. */
export interface CurvePoint {
  readonly model: string;
  /** The size asked for. */
  readonly size: number;
  /** Training structures used. */
  readonly trainStructures: number;
  readonly test: PointErrors;
  readonly testByConfigType: Readonly<Record<string, PointErrors>>;
  readonly validation: PointErrors | undefined;
  readonly epochs: number;
  readonly bestEpoch: number;
  /** Ended by early stopping or the learning-rate floor (not by the epoch cap or divergence). */
  readonly converged: boolean;
  readonly reason: string;
  /** Over every session of the run. */
  readonly wall_s: number;
  readonly cpu_s: number;
  readonly sessions: number;
  readonly threads: number;
  readonly finished: string;
  /** Hash of the training config and the data this point was trained with. */
  readonly settings: string;
}

/** A model's fitted power law over its converged points. */
export interface CurveFit {
  readonly model: string;
  readonly beta: number;
  readonly betaStdErr: number;
  readonly prefactor: number;
  readonly points: number;
  readonly minSize: number;
  readonly maxSize: number;
}

/** The whole result, as written to JSON. */
export interface LearningCurve {
  readonly config: string;
  readonly seeds: { readonly model: number; readonly training: number };
  readonly data: { readonly trainAvailable: number; readonly validationStructures: number; readonly testStructures: number; readonly hash: string };
  readonly testStructures: number;
  readonly maxEpochs: number;
  readonly models: readonly CurveModel[];
  readonly points: readonly CurvePoint[];
  readonly fits: readonly CurveFit[];
  /** Every invocation that trained into the work directory, with its command and times. */
  readonly runs: readonly Readonly<RunRecord>[];
  readonly machine: { readonly cpu: string; readonly cores: number };
  readonly date: string;
}

const hash = (x: unknown) => createHash('sha256').update(JSON.stringify(x)).digest('hex').slice(0, 24);
type Raw = Record<string, unknown>;

/**
 * The `model` section of each named model, from the config's NequIP section.
 * @throws naming a model name that is not nequip-l<k>[-f<n>] or allegro[-l<k>]
 */
export function curveModelSections(names: readonly string[], nequip: Raw, allegro: Raw = {}): { name: string; section: Raw }[] {
  return names.map((name) => {
    const n = /^nequip-l(\d)(?:-f(\d+))?$/.exec(name);
    if (n) return { name, section: { ...nequip, lmax: Number(n[1]), ...(n[2] ? { numFeatures: Number(n[2]) } : {}) } };
    const a = /^allegro(?:-l(\d))?$/.exec(name);
    if (a) {
      // What the two architectures share is taken from the config, so the comparison is of architectures.
      const shared = Object.fromEntries(['typeNames', 'rMax_A', 'radial', 'avgNumNeighbors', 'energyReferences', 'scaleShift', 'seed'].filter((k) => nequip[k] !== undefined).map((k) => [k, nequip[k]]));
      return { name, section: { architecture: 'allegro', ...shared, lmax: a[1] ? Number(a[1]) : 2, ...allegro } };
    }
    throw new Error(`learning-curve: unknown model '${name}' (use nequip-l<lmax>[-f<features>] or allegro[-l<lmax>])`);
  });
}

function withPoint(raw: Raw, section: Raw, size: number | undefined, o: LearningCurveOptions, dir: string): Raw {
  const { max_wall_time_s: _w, ...training } = raw.training as Raw;
  return {
    ...raw,
    data: { ...(raw.data as Raw), ...(size === undefined ? {} : { max_train_structures: size }) },
    model: section,
    training: { ...training, max_epochs: o.maxEpochs, threads: o.threads },
    output: { ...(raw.output as Raw), directory: dir, model: join(dir, 'model.onnx') },
  };
}

function dataHash(prep: PreparedTraining): string {
  const of = (d: Dataset | undefined) => d?.structures.map((s) => `${s.n}:${s.energy_eV}`).join('|');
  return hash([of(prep.train), of(prep.validation), of(prep.test)]);
}

const errorsOf = (m: Metrics): PointErrors => ({ forceMae_meV_per_A: m.forceMae_meV_per_A, forceRmse_meV_per_A: m.forceRmse_meV_per_A, energyMae_meV_per_atom: m.energyMae_meV_per_atom, energyRmse_meV_per_atom: m.energyRmse_meV_per_atom });

function writeJson(path: string, value: unknown): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  renameSync(tmp, path);
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

/** One run of the command in a work folder's history (runs.json). */
interface RunRecord { command: string; started: string; ended?: string; points: number }

/**
 * Writes `run` into the history at `path` (replacing its earlier record) and returns the history.
 * The file is read again at every write, so runs sharing a work folder (one per core) keep each
 * other's records instead of the last to finish writing the history it read when it started.
 */
function recordRun(path: string, run: RunRecord): RunRecord[] {
  const runs: RunRecord[] = existsSync(path) ? readJson(path) : [];
  const k = runs.findIndex((r) => r.started === run.started && r.command === run.command);
  if (k >= 0) runs[k] = { ...run };
  else runs.push({ ...run });
  writeJson(path, runs);
  return runs;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the point's lock, or returns false when a live process holds it. */
function lock(dir: string): boolean {
  const path = join(dir, 'lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx' });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(readFileSync(path, 'utf8'));
      if (Number.isInteger(holder) && holder !== process.pid && alive(holder)) return false;
      rmSync(path, { force: true }); // a stale lock of a process that died
    }
  }
  return false;
}

/**
 * Trains every (model, size) point not stored yet and returns the curve of all stored points.
 * @throws when the config has no test split or its model is not NequIP, or when a stored point was
 *   trained with other settings or data than the config gives now
 */
export async function runLearningCurve(o: LearningCurveOptions): Promise<LearningCurve> {
  const configPath = resolve(o.configPath);
  const raw = readJson<Raw>(configPath);
  const parse = (c: Raw) => parseTrainConfig(JSON.stringify(c), configPath);
  const log = o.log ?? (() => {});
  const base = parse(raw);
  if (!base.data.test) throw new Error(`${o.configPath}: data.test is needed for a learning curve`);
  if (base.model.architecture !== 'nequip') throw new Error(`${o.configPath}: the learning curve varies a NequIP model; model.architecture is '${base.model.architecture}'`);
  const work = resolve(o.workDir);
  mkdirSync(work, { recursive: true });
  const started = new Date().toISOString();
  const t0 = performance.now();

  // The whole training split once: its size, the data hash every point is checked against, the statistics for parameter counts.
  const probe = prepareTraining(parse(withPoint(raw, raw.model as Raw, undefined, o, join(work, 'probe'))));
  const data = { trainAvailable: probe.train.structures.length, validationStructures: probe.validation.structures.length, testStructures: probe.test!.structures.length, hash: dataHash(probe) };
  const models: CurveModel[] = curveModelSections(o.models, raw.model as Raw, o.allegro).map(({ name, section }) => {
    const m = parse(withPoint(raw, section, undefined, o, join(work, 'probe'))).model;
    const model = createModel(m.architecture, builderOptionsOf(m, probe.typeNames, probe.statistics));
    return { name, architecture: m.architecture, lmax: m.lmax, parameters: model.parameters.count(), section };
  });
  for (const m of models) log(`${m.name}: ${m.architecture}, lmax ${m.lmax}, ${m.parameters.toLocaleString('en-US')} parameters`);
  const sizes = [...new Set(o.sizes)].sort((a, b) => a - b).filter((s) => {
    if (s <= data.trainAvailable) return true;
    log(`size ${s} skipped: the training split has ${data.trainAvailable} structures`);
    return false;
  });

  const runsPath = join(work, 'runs.json');
  const thisRun: RunRecord = { command: o.command ?? 'runLearningCurve', started, points: 0 };
  let runs = recordRun(runsPath, thisRun);
  const points: CurvePoint[] = [];
  let stopped = false;
  for (const size of sizes) {
    for (const m of models) {
      const id = `${m.name}-${size}`;
      const dir = join(work, id);
      const config = withPoint(raw, m.section, size, o, dir);
      const { output: _o, training: tr, ...rest } = config;
      const { threads: _t, device: _d, ...training } = tr as Raw;
      const settings = hash({ config: rest, training, data: data.hash });
      const pointPath = join(dir, 'point.json');
      if (existsSync(pointPath)) {
        const p = readJson<CurvePoint>(pointPath);
        if (p.settings !== settings) throw new Error(`${relative(process.cwd(), pointPath)}: this point was trained with other settings or data than ${o.configPath} gives now; use another --work directory, or remove the point to retrain it`);
        points.push(p);
        continue;
      }
      if (stopped || o.signal?.aborted) continue;
      if (o.hours !== undefined && (performance.now() - t0) / 3.6e6 >= o.hours) {
        log(`--hours ${o.hours} reached: no new points in this run (run the command again to continue)`);
        stopped = true;
        continue;
      }
      mkdirSync(dir, { recursive: true });
      if (!lock(dir)) {
        log(`${id}: being trained by another process; skipped`);
        continue;
      }
      try {
        const p = await trainPoint(parse(config), m.name, size, settings, dir, o, log);
        if (p) {
          writeJson(pointPath, p);
          points.push(p);
          thisRun.points++;
          runs = recordRun(runsPath, thisRun);
          if (o.out) writeResults(o.out, curveOf(o, raw, data, models, sizes, collect(work, models, sizes, points), runs));
        } else stopped = true;
      } finally {
        rmSync(join(dir, 'lock'), { force: true });
      }
    }
  }
  thisRun.ended = new Date().toISOString();
  runs = recordRun(runsPath, thisRun);
  return curveOf(o, raw, data, models, sizes, collect(work, models, sizes, points), runs);
}

/**
 * Writes the points of a stored curve (`<out>.json`) back into `work` as the point.json files a
 * run reads, and its run history as runs.json, where none exists yet; returns how many points it
 * wrote. A run then skips those points, after checking each one's settings hash against the
 * config and data it is given (so points of other data are refused, not reused).
 */
export function restorePoints(curvePath: string, work: string): number {
  const curve = readJson<LearningCurve>(curvePath);
  let written = 0;
  for (const p of curve.points) {
    const dir = join(work, `${p.model}-${p.size}`);
    if (existsSync(join(dir, 'point.json'))) continue;
    mkdirSync(dir, { recursive: true });
    writeJson(join(dir, 'point.json'), p);
    written++;
  }
  if (!existsSync(join(work, 'runs.json')) && curve.runs) writeJson(join(work, 'runs.json'), curve.runs);
  return written;
}

/** Points of the requested models and sizes stored in `work`, including those another process finished meanwhile. */
function collect(work: string, models: readonly CurveModel[], sizes: readonly number[], mine: readonly CurvePoint[]): CurvePoint[] {
  const wanted = new Set<string>(models.flatMap((m) => sizes.map((s) => `${m.name}-${s}`)));
  const byId = new Map<string, CurvePoint>(mine.map((p) => [`${p.model}-${p.size}`, p]));
  for (const id of readdirSync(work)) {
    if (!wanted.has(id) || byId.has(id) || !existsSync(join(work, id, 'point.json'))) continue;
    byId.set(id, readJson<CurvePoint>(join(work, id, 'point.json')));
  }
  return [...byId.values()].sort((a, b) => a.size - b.size || models.findIndex((m) => m.name === a.model) - models.findIndex((m) => m.name === b.model));
}

async function trainPoint(config: ReturnType<typeof parseTrainConfig>, model: string, size: number, settings: string, dir: string, o: LearningCurveOptions, log: (line: string) => void): Promise<CurvePoint | undefined> {
  const id = `${model}-${size}`;
  const prep = prepareTraining(config);
  const resume = existsSync(join(dir, TRAIN_FILES.checkpoint));
  const sessionsPath = join(dir, 'sessions.json');
  const sessions: { started: string; wall_s: number; cpu_s: number; epochs: number }[] = existsSync(sessionsPath) ? readJson(sessionsPath) : [];
  log(`${id}: ${resume ? 'resuming' : 'training'} on ${prep.train.structures.length} structures (load ${loadavg()[0]!.toFixed(1)})`);
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  const r = await runTraining(prep, { resume, signal: o.signal, stopAfterEpochs: o.stopAfterEpochs });
  const c = process.cpuUsage(cpu0);
  sessions.push({ started: new Date(Date.now() - (performance.now() - w0)).toISOString(), wall_s: (performance.now() - w0) / 1000, cpu_s: (c.user + c.system) / 1e6, epochs: r.epochs });
  writeJson(sessionsPath, sessions);
  if (r.status === 'interrupted' || !r.test) {
    log(`${id}: ${r.reason}`);
    return undefined;
  }
  const last = r.history[r.history.length - 1];
  const p: CurvePoint = {
    model,
    size,
    trainStructures: prep.train.structures.length,
    test: errorsOf(r.test.all),
    testByConfigType: Object.fromEntries(Object.entries(r.test.byConfigType).map(([k, v]) => [k, errorsOf(v)])),
    validation: r.bestValidation ? errorsOf(r.bestValidation) : undefined,
    epochs: r.epochs,
    bestEpoch: r.bestEpoch,
    // Stopped (not at the cap) with a finite last validation loss: early stopping or the learning-rate floor.
    converged: r.status === 'stopped' && last !== undefined && Number.isFinite(last.validation.loss),
    reason: r.reason,
    wall_s: sessions.reduce((a, s) => a + s.wall_s, 0),
    cpu_s: sessions.reduce((a, s) => a + s.cpu_s, 0),
    sessions: sessions.length,
    threads: o.threads,
    finished: new Date().toISOString(),
    settings,
  };
  log(`${id}: force MAE ${p.test.forceMae_meV_per_A.toFixed(2)} meV/Å, energy MAE ${p.test.energyMae_meV_per_atom.toFixed(3)} meV/atom; ${p.epochs} epochs (best ${p.bestEpoch}), ${p.cpu_s < 3600 ? `${(p.cpu_s / 60).toFixed(1)} CPU-min` : `${(p.cpu_s / 3600).toFixed(2)} CPU-h`}; ${p.reason}`);
  return p;
}

function curveOf(o: LearningCurveOptions, raw: Raw, data: LearningCurve['data'], models: readonly CurveModel[], sizes: readonly number[], points: readonly CurvePoint[], runs: LearningCurve['runs']): LearningCurve {
  const fits: CurveFit[] = [];
  for (const m of models) {
    const mine = points.filter((p) => p.model === m.name && p.converged);
    if (mine.length < 2) continue;
    const f = fitPowerLaw(mine.map((p) => p.trainStructures), mine.map((p) => p.test.forceMae_meV_per_A));
    fits.push({ model: m.name, beta: f.beta, betaStdErr: f.betaStdErr, prefactor: f.prefactor, points: f.points, minSize: Math.min(...mine.map((p) => p.trainStructures)), maxSize: Math.max(...mine.map((p) => p.trainStructures)) });
  }
  const seed = (s: unknown, k: string) => Number((s as Raw | undefined)?.[k] ?? 0);
  return {
    config: o.configPath,
    seeds: { model: seed(raw.model, 'seed'), training: seed(raw.training, 'seed') },
    data,
    testStructures: data.testStructures,
    maxEpochs: o.maxEpochs,
    models,
    points: points.filter((p) => sizes.includes(p.size)),
    fits,
    runs,
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length },
    date: new Date().toISOString(),
  };
}

/**
 * Writes `<out>.json` and `<out>.svg` (each through a temporary name).
 * @example writeResults('bench/results/learning-curve', curve);
 */
export function writeResults(out: string, curve: LearningCurve): void {
  mkdirSync(dirname(resolve(out)), { recursive: true });
  writeJson(`${out}.json`, curve);
  const tmp = `${out}.svg.tmp-${process.pid}`;
  writeFileSync(tmp, learningCurveSvg(curve));
  renameSync(tmp, `${out}.svg`);
}

/** A one-line summary per model: parameters, points, β ± se. */
export function curveSummary(curve: LearningCurve): string {
  return curve.models.map((m) => {
    const pts = curve.points.filter((p) => p.model === m.name);
    const fit = curve.fits.find((f) => f.model === m.name);
    const mae = pts.map((p) => `${p.trainStructures}: ${p.test.forceMae_meV_per_A.toFixed(1)}${p.converged ? '' : '*'}`).join(', ');
    return `${m.name.padEnd(12)} ${String(m.parameters).padStart(8)} params  β = ${fit ? `${fit.beta.toFixed(3)} ± ${Number.isFinite(fit.betaStdErr) ? fit.betaStdErr.toFixed(3) : '—'} (${fit.points} points)` : '— '}  force MAE meV/Å by size: ${mae || '—'}`;
  }).join('\n');
}

/**
 * The command's Allegro: allegro's layout at the width whose parameter count matches the config's
 * NequIP at lmax 2 (171,820 against 171,356 for examples/water/train.json), so the two
 * architectures are compared at equal size.
 */
export const MATCHED_ALLEGRO: Readonly<Record<string, unknown>> = Object.freeze({ numTensorFeatures: 32, latentDim: 128, twoBodyMlp: { hidden: [64, 128] }, latentMlp: { hidden: [128] } });

interface Args { config: string; models: string[]; sizes: number[]; maxEpochs: number; threads: number; work: string; out: string; hours?: number; allegro?: Record<string, unknown>; from?: string; restore?: string }

function parseArgs(argv: readonly string[]): Args {
  const a: Args = { config: 'examples/water/train.json', models: ['nequip-l0', 'nequip-l1', 'nequip-l2', 'nequip-l3', 'allegro'], sizes: [25, 50, 100, 200, 400, 800, 1600], maxEpochs: 2000, threads: 1, work: 'scratch/learning-curve', out: 'bench/results/learning-curve', allegro: { ...MATCHED_ALLEGRO } };
  const positive = (key: string, v: string) => {
    const x = Number(v);
    if (!(x > 0) || !Number.isFinite(x)) throw new Error(`learning-curve: ${key} must be a positive number, got '${v}'`);
    return x;
  };
  const integer = (key: string, v: string) => {
    const x = positive(key, v);
    if (!Number.isInteger(x)) throw new Error(`learning-curve: ${key} must be a whole number, got '${v}'`);
    return x;
  };
  for (let k = 0; k < argv.length; k++) {
    const key = argv[k]!;
    const v = argv[++k];
    if (v === undefined) throw new Error(`learning-curve: ${key} needs a value`);
    if (key === '--config') a.config = v;
    else if (key === '--models') a.models = v.split(',');
    else if (key === '--sizes') a.sizes = v.split(',').map((s) => integer('--sizes', s));
    else if (key === '--max-epochs' || key === '--epochs') a.maxEpochs = integer(key, v);
    else if (key === '--threads') a.threads = integer(key, v);
    else if (key === '--work') a.work = v;
    else if (key === '--out') a.out = v;
    else if (key === '--hours') a.hours = positive(key, v);
    else if (key === '--from') a.from = v;
    else if (key === '--restore') a.restore = v;
    else if (key === '--allegro') {
      try {
        a.allegro = JSON.parse(v) as Record<string, unknown>;
      } catch (e) {
        throw new Error(`learning-curve: --allegro takes a JSON object of Allegro options: ${(e as Error).message}`);
      }
    } else throw new Error(`learning-curve: unknown argument ${key}`);
  }
  return a;
}

async function main(argv: string[]): Promise<void> {
  let a: Args;
  try {
    a = parseArgs(argv);
  } catch (e) {
    console.error((e as Error).message);
    process.exitCode = 2;
    return;
  }
  if (a.from) {
    const curve = readJson<LearningCurve>(a.from);
    writeResults(a.out, curve);
    console.error(curveSummary(curve));
    return;
  }
  if (a.restore) console.error(`learning-curve: ${restorePoints(a.restore, a.work)} points of ${a.restore} written back into ${a.work}`);
  // Ctrl-C: the running point stops after its batch and resumes on the next run.
  const abort = new AbortController();
  process.once('SIGINT', () => {
    console.error('learning-curve: stopping after this batch; run the command again to resume');
    abort.abort();
  });
  const command = `npx tsx bench/learning-curve.ts ${argv.map((s) => (/[\s'"{}]/.test(s) ? `'${s}'` : s)).join(' ')}`.trim();
  const curve = await runLearningCurve({ configPath: a.config, models: a.models, sizes: a.sizes, maxEpochs: a.maxEpochs, threads: a.threads, workDir: a.work, allegro: a.allegro, hours: a.hours, signal: abort.signal, log: (l) => console.error(l), command, out: a.out });
  writeResults(a.out, curve);
  console.error(curveSummary(curve));
  console.log(JSON.stringify(curve, null, 2));
  if (abort.signal.aborted) process.exitCode = 130;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main(process.argv.slice(2));
