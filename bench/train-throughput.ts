/**
 * Training throughput of `e3md train`: seconds per training structure (forward, forces, loss and
 * ∂loss/∂w, Adam) and per validation structure (evaluation graph), for several dtype × thread
 * variants of one config, and the epochs/s they give on the config's full training and validation
 * splits. Each variant trains a seeded subset for a few epochs; the first epoch (warm-up) is
 * dropped, and the variants run in alternating rounds so that a shared machine's load falls on
 * all of them alike; the best round of each variant is reported, with its median.
 *
 * Usage: npx tsx bench/train-throughput.ts [--config examples/water/train.json] [--structures 60]
 *          [--epochs 3] [--rounds 2] [--variants float64:1,float64:2,float32:1,float32:2]
 * Prints one JSON object on stdout and a table on stderr.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseTrainConfig, prepareTraining, runTraining } from '../train/index.js';

/** One dtype × thread-count variant. */
export interface ThroughputVariant {
  readonly dtype: 'float32' | 'float64';
  readonly threads: number;
}

/** What one variant measured (best round; medians over rounds alongside). */
export interface ThroughputResult extends ThroughputVariant {
  /** Training wall time per training structure, ms (best round; median of its epochs after the first). */
  readonly trainMs_per_structure: number;
  /** Validation wall time per validation structure, ms. */
  readonly validationMs_per_structure: number;
  /** Epochs per second on the config's full splits (train + validation) at the best round's rates. */
  readonly epochs_per_s: number;
  /** The same from the median round. */
  readonly epochs_per_s_median: number;
  /**
   * Epochs per CPU-second of this process (best round): the work, whatever the machine's load.
   * With more than one thread it counts onnxruntime's spinning workers too.
   */
  readonly epochs_per_cpu_s: number;
}

interface Args { config: string; structures: number; epochs: number; rounds: number; variants: ThroughputVariant[] }

function parseArgs(argv: string[]): Args {
  const a: Args = { config: 'examples/water/train.json', structures: 60, epochs: 3, rounds: 2, variants: [] };
  let variants = 'float64:1,float64:2,float32:1,float32:2';
  for (let k = 0; k < argv.length; k++) {
    const key = argv[k]!;
    const v = argv[++k];
    if (v === undefined) throw new Error(`train-throughput: ${key} needs a value`);
    if (key === '--config') a.config = v;
    else if (key === '--structures') a.structures = Number(v);
    else if (key === '--epochs') a.epochs = Number(v);
    else if (key === '--rounds') a.rounds = Number(v);
    else if (key === '--variants') variants = v;
    else throw new Error(`train-throughput: unknown argument ${key}`);
  }
  if (!(a.structures >= 1) || !(a.epochs >= 2) || !(a.rounds >= 1)) throw new Error('train-throughput: --structures ≥ 1, --epochs ≥ 2 (the first is warm-up) and --rounds ≥ 1');
  a.variants = variants.split(',').map((s) => {
    const [dtype, threads] = s.split(':');
    if ((dtype !== 'float32' && dtype !== 'float64') || !(Number(threads) >= 1)) throw new Error(`train-throughput: a variant is dtype:threads such as float32:2, got '${s}'`);
    return { dtype, threads: Number(threads) };
  });
  return a;
}

const median = (xs: readonly number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)]!;

/** Per-structure train and validation times of one short run (epochs after the first). */
async function measure(configPath: string, raw: Record<string, unknown>, v: ThroughputVariant, structures: number, epochs: number): Promise<{ train: number; val: number; trainCpu: number; valCpu: number; fullTrain: number; fullVal: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'e3md-train-throughput-'));
  try {
    const c = {
      ...raw,
      data: { ...(raw.data as object), max_train_structures: structures },
      training: { ...(raw.training as object), dtype: v.dtype, threads: v.threads, max_epochs: epochs, early_stopping_patience: epochs + 1, max_wall_time_s: undefined },
      output: { ...(raw.output as object), directory: join(dir, 'out'), model: join(dir, 'model.onnx') },
    };
    const full = prepareTraining(parseTrainConfig(JSON.stringify({ ...c, data: raw.data }), configPath));
    const prep = prepareTraining(parseTrainConfig(JSON.stringify(c), configPath));
    // Epoch boundaries from the progress callbacks: the last batch ends training, the epoch line ends validation.
    // CPU seconds too: on a loaded machine they measure the work where wall time measures the queue.
    const trainS: number[] = [], valS: number[] = [], trainCpu: number[] = [], valCpu: number[] = [];
    const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
    let mark = performance.now(), markCpu = cpu();
    let lastBatch = mark, lastBatchCpu = markCpu;
    await runTraining(prep, {
      onBatch: (done, total) => {
        if (done !== total) return;
        lastBatch = performance.now();
        lastBatchCpu = cpu();
        trainS.push((lastBatch - mark) / 1000);
        trainCpu.push(lastBatchCpu - markCpu);
      },
      log: (line) => {
        if (!/^\s+\d+\s/.test(line)) return;
        const now = performance.now(), nowCpu = cpu();
        valS.push((now - lastBatch) / 1000);
        valCpu.push(nowCpu - lastBatchCpu);
        mark = now;
        markCpu = nowCpu;
      },
    });
    const nTrain = prep.train.structures.length, nVal = prep.validation.structures.length;
    const per = (xs: number[], n: number) => median(xs.slice(1)) / n;
    return { train: per(trainS, nTrain), val: per(valS, nVal), trainCpu: per(trainCpu, nTrain), valCpu: per(valCpu, nVal), fullTrain: full.train.structures.length, fullVal: nVal };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs every variant `rounds` times, alternating, and reports the best round of each. */
export async function trainThroughput(configPath: string, variants: readonly ThroughputVariant[], structures: number, epochs: number, rounds: number, log: (line: string) => void = () => {}): Promise<ThroughputResult[]> {
  const path = resolve(configPath);
  const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const runs = variants.map(() => [] as { train: number; val: number; eps: number; epcs: number }[]);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < variants.length; k++) {
      const v = variants[k]!;
      const m = await measure(path, raw, v, structures, epochs);
      const eps = 1 / (m.train * m.fullTrain + m.val * m.fullVal);
      const epcs = 1 / (m.trainCpu * m.fullTrain + m.valCpu * m.fullVal);
      runs[k]!.push({ train: m.train, val: m.val, eps, epcs });
      log(`round ${r + 1} ${v.dtype} ${v.threads} thread(s): ${(1000 * m.train).toFixed(1)} ms/train structure (${(1000 * m.trainCpu).toFixed(1)} CPU), ${(1000 * m.val).toFixed(1)} ms/validation structure (${(1000 * m.valCpu).toFixed(1)} CPU) → ${eps.toFixed(4)} epochs/s, ${epcs.toFixed(4)} epochs per CPU-s (load ${loadavg()[0]!.toFixed(1)})`);
    }
  }
  return variants.map((v, k) => {
    const best = runs[k]!.reduce((a, b) => (b.eps > a.eps ? b : a));
    const bestCpu = Math.max(...runs[k]!.map((x) => x.epcs));
    return { ...v, trainMs_per_structure: 1000 * best.train, validationMs_per_structure: 1000 * best.val, epochs_per_s: best.eps, epochs_per_s_median: median(runs[k]!.map((x) => x.eps)), epochs_per_cpu_s: bestCpu };
  });
}

async function main(argv: string[]): Promise<void> {
  const a = parseArgs(argv);
  const load = loadavg()[0]!;
  const results = await trainThroughput(a.config, a.variants, a.structures, a.epochs, a.rounds, (l) => console.error(l));
  console.error('dtype    threads  ms/train str  ms/val str  epochs/s (best)  epochs/s (median)  epochs/CPU-s');
  for (const r of results) console.error(`${r.dtype}  ${String(r.threads).padStart(7)}  ${r.trainMs_per_structure.toFixed(1).padStart(12)}  ${r.validationMs_per_structure.toFixed(1).padStart(10)}  ${r.epochs_per_s.toFixed(4).padStart(15)}  ${r.epochs_per_s_median.toFixed(4).padStart(17)}  ${r.epochs_per_cpu_s.toFixed(4).padStart(12)}`);
  console.log(JSON.stringify({ config: a.config, structures: a.structures, epochs: a.epochs, rounds: a.rounds, results, machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, loadBefore: load, loadAfter: loadavg()[0] }, date: new Date().toISOString() }, null, 2));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main(process.argv.slice(2));
