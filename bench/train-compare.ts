/**
 * A/B comparison of training settings: the same config, the same seeded training subset and the
 * same test split, trained once per variant — each variant a JSON merge patch (RFC 7386) of the
 * config, e.g. `{"training":{"dtype":"float32"}}` — reporting test errors, epochs, wall time and CPU
 * time of each. It answers questions such as "is float32 training as accurate as float64?" or
 * "does the moving average of the weights help?" on real data.
 *
 * Usage: npx tsx bench/train-compare.ts [--config examples/water/train.json] [--structures 200]
 *          [--epochs 80] [--out bench/results/train-compare.json]
 *          --variant float64='{}' --variant float32='{"training":{"dtype":"float32"}}' …
 * Each variant trains with early stopping as configured, capped at --epochs. Prints a table on
 * stderr and the JSON on stdout (also written to --out when given).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseTrainConfig, prepareTraining, runTraining, type Metrics } from '../train/index.js';

/** One variant's outcome. */
export interface CompareResult {
  readonly name: string;
  readonly patch: unknown;
  readonly test: Metrics;
  readonly testByConfigType: Readonly<Record<string, Metrics>>;
  readonly bestValidation: Metrics | undefined;
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly reason: string;
  readonly wall_s: number;
  readonly cpu_s: number;
  /** Epochs per wall-clock second and per CPU-second of this process. */
  readonly epochs_per_s: number;
  readonly epochs_per_cpu_s: number;
}

/**
 * RFC 7386 JSON merge patch: objects merge key by key, `null` deletes, anything else replaces.
 * @example mergePatch({ a: { b: 1, c: 2 } }, { a: { c: null, d: 3 } }) // { a: { b: 1, d: 3 } }
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Trains `config` once per variant on the same `structures`-structure subset, at most `epochs` epochs. */
export async function compareTraining(configPath: string, variants: readonly { name: string; patch: unknown }[], structures: number, epochs: number, log: (line: string) => void = () => {}): Promise<CompareResult[]> {
  const path = resolve(configPath);
  const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const results: CompareResult[] = [];
  for (const v of variants) {
    const dir = mkdtempSync(join(tmpdir(), 'e3md-train-compare-'));
    try {
      const base = mergePatch(raw, { data: { max_train_structures: structures }, training: { max_epochs: epochs }, output: { directory: join(dir, 'out'), model: join(dir, 'model.onnx'), overwrite: null } });
      const prep = prepareTraining(parseTrainConfig(JSON.stringify(mergePatch(base, v.patch)), path));
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const r = await runTraining(prep);
      const wall_s = (performance.now() - t0) / 1000;
      const c = process.cpuUsage(cpu0);
      const cpu_s = (c.user + c.system) / 1e6;
      const res: CompareResult = {
        name: v.name, patch: v.patch, test: r.test!.all, testByConfigType: r.test!.byConfigType, bestValidation: r.bestValidation,
        epochs: r.epochs, bestEpoch: r.bestEpoch, reason: r.reason, wall_s, cpu_s, epochs_per_s: r.epochs / wall_s, epochs_per_cpu_s: r.epochs / cpu_s,
      };
      results.push(res);
      log(`${v.name}: test force MAE ${res.test.forceMae_meV_per_A.toFixed(2)} meV/Å, energy MAE ${res.test.energyMae_meV_per_atom.toFixed(3)} meV/atom; ${r.epochs} epochs (best ${r.bestEpoch}), ${wall_s.toFixed(0)} s wall, ${cpu_s.toFixed(0)} CPU-s (load ${loadavg()[0]!.toFixed(1)}); ${r.reason}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return results;
}

function parseArgs(argv: string[]): { config: string; structures: number; epochs: number; out?: string; variants: { name: string; patch: unknown }[] } {
  const a = { config: 'examples/water/train.json', structures: 200, epochs: 80, out: undefined as string | undefined, variants: [] as { name: string; patch: unknown }[] };
  for (let k = 0; k < argv.length; k++) {
    const key = argv[k]!;
    const v = argv[++k];
    if (v === undefined) throw new Error(`train-compare: ${key} needs a value`);
    if (key === '--config') a.config = v;
    else if (key === '--structures') a.structures = Number(v);
    else if (key === '--epochs') a.epochs = Number(v);
    else if (key === '--out') a.out = v;
    else if (key === '--variant') {
      const eq = v.indexOf('=');
      if (eq <= 0) throw new Error(`train-compare: --variant takes name='{json merge patch}', got '${v}'`);
      let patch: unknown;
      try {
        patch = JSON.parse(v.slice(eq + 1));
      } catch (e) {
        throw new Error(`train-compare: --variant ${v.slice(0, eq)}: ${(e as Error).message}`);
      }
      a.variants.push({ name: v.slice(0, eq), patch });
    } else throw new Error(`train-compare: unknown argument ${key}`);
  }
  if (a.variants.length === 0) throw new Error('train-compare: give at least one --variant name=\'{…}\'');
  if (!(a.structures >= 1) || !(a.epochs >= 1)) throw new Error('train-compare: --structures and --epochs must be ≥ 1');
  return a;
}

async function main(argv: string[]): Promise<void> {
  const a = parseArgs(argv);
  const load = loadavg()[0]!;
  const results = await compareTraining(a.config, a.variants, a.structures, a.epochs, (l) => console.error(l));
  console.error('variant          F MAE meV/Å  E MAE meV/atom  epochs  best  epochs/s  epochs/CPU-s');
  for (const r of results) console.error(`${r.name.padEnd(16)} ${r.test.forceMae_meV_per_A.toFixed(2).padStart(11)}  ${r.test.energyMae_meV_per_atom.toFixed(3).padStart(14)}  ${String(r.epochs).padStart(6)}  ${String(r.bestEpoch).padStart(4)}  ${r.epochs_per_s.toFixed(4).padStart(8)}  ${r.epochs_per_cpu_s.toFixed(4).padStart(12)}`);
  const doc = { command: `npx tsx bench/train-compare.ts ${argv.map((s) => (/[\s'"{}]/.test(s) ? `'${s}'` : s)).join(' ')}`, config: a.config, structures: a.structures, epochs: a.epochs, results, machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, loadBefore: load, loadAfter: loadavg()[0] }, date: new Date().toISOString() };
  const text = JSON.stringify(doc, null, 2) + '\n';
  if (a.out) {
    mkdirSync(dirname(a.out), { recursive: true });
    writeFileSync(a.out, text);
  }
  process.stdout.write(text);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main(process.argv.slice(2));
