/**
 * `e3md bench scaling`: throughput against worker threads (DESIGN.md §7). Every point is a
 * process of its own (bench/scaling-case.ts), timed whole by this one as well as by its own loop,
 * with its peak RSS:
 *
 * - lj: the LAMMPS melt (fcc argon at ρ* = 0.8442, 2.5σ cutoff, 0.3σ skin, list every 20 steps,
 *   100 NVE steps); strong scaling at 32,000 atoms and weak scaling at 16,000 atoms per worker
 *   (16 and 20 cells: 16,384 and 32,000 atoms), beside LAMMPS (`lmp`, `mpirun -np N lmp`) when installed;
 * - models: MD of periodic water with the default Allegro and NequIP (random weights, float32,
 *   r_max 4 Å, one onnxruntime thread per worker), strong scaling at 1,536 and 12,288 atoms
 *   (Allegro) and 1,536 (NequIP), weak scaling at 1,536 atoms per worker;
 * - replicas: 1, 8 and 32 batched replicas of the water hexamer and of the 192-atom box, shipped model;
 * - memory: one force evaluation of 98,304 atoms (Allegro) and 12,288 (NequIP) with the default
 *   1 GB budget, and of 1,119,744 atoms of Allegro (long on a CPU: it is the point that it runs).
 *
 * Usage: e3md bench scaling [--suites lj,models,replicas] [--workers 1,2] [--repeats 2]
 *          [--devices cuda:0,cuda:1] [--out bench/results/scaling]
 * Writes <out>.json and <out>.svg and prints the JSON. Repeats alternate (1, 2, 1, 2 workers …) and
 * the best of each is kept, so load from other processes hits every point alike.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { workerExecArgv } from '../engine/parallel/index.js';
import { repoRoot } from './paths.js';
import type { ScalingCase } from './scaling-case.js';

interface Args { suites: string[]; workers: number[]; repeats: number; devices?: string[]; out: string }

function parseArgs(argv: string[]): Args {
  const a: Args = { suites: ['lj', 'models', 'replicas'], workers: [1, 2], repeats: 2, out: join(repoRoot(), 'bench', 'results', 'scaling') };
  for (let k = 0; k < argv.length; k++) {
    const key = argv[k];
    const next = (): string => {
      const v = argv[++k];
      if (v === undefined) throw new Error(`scaling: ${key} needs a value`);
      return v;
    };
    if (key === '--suites') a.suites = next().split(',');
    else if (key === '--workers') a.workers = next().split(',').map(Number);
    else if (key === '--repeats') a.repeats = Number(next());
    else if (key === '--devices') a.devices = next().split(',');
    else if (key === '--out') a.out = resolve(next());
    else throw new Error(`scaling: unknown argument ${key}`);
  }
  for (const s of a.suites) if (!['lj', 'models', 'replicas', 'memory'].includes(s)) throw new Error(`scaling: --suites takes lj, models, replicas and/or memory, got ${s}`);
  if (!a.workers.every((w) => Number.isInteger(w) && w >= 1)) throw new Error('scaling: --workers takes positive integers');
  if (!(Number.isInteger(a.repeats) && a.repeats >= 1)) throw new Error('scaling: --repeats must be a positive integer');
  return a;
}

const here = dirname(fileURLToPath(import.meta.url));
const caseFile = join(here, import.meta.url.endsWith('.ts') ? 'scaling-case.ts' : 'scaling-case.js');

/** Runs one case in a child process; adds the whole-process wall time. */
function runCase(c: ScalingCase): Record<string, unknown> {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [...workerExecArgv(caseFile), caseFile, JSON.stringify(c)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const process_s = (performance.now() - t0) / 1000;
  if (r.status !== 0) return { case: c, error: (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').slice(-3).join(' | ') };
  return { ...JSON.parse(r.stdout.trim().split('\n').pop()!), process_s };
}

/** LAMMPS on bench/lammps/in.lj-melt (20³ fcc cells × `scale`) on `ranks` MPI ranks, timed whole and by its loop. */
function runLammps(ranks: number, scale: [number, number, number]): Record<string, unknown> {
  const input = join(repoRoot(), 'bench', 'lammps', 'in.lj-melt');
  const args = ['-in', input, '-log', 'none', '-nocite', '-var', 'x', `${scale[0]}`, '-var', 'y', `${scale[1]}`, '-var', 'z', `${scale[2]}`];
  const [cmd, all] = ranks === 1 ? ['lmp', args] : ['mpirun', ['--oversubscribe', '--allow-run-as-root', '-np', String(ranks), 'lmp', ...args]];
  const t0 = performance.now();
  const r = spawnSync(cmd, all as string[], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
  const process_s = (performance.now() - t0) / 1000;
  if (r.error || r.status !== 0) return { ranks, error: r.error?.message ?? r.stderr.slice(-300) };
  const loop = new RegExp(`Loop time of ([\\d.eE+-]+) on ${ranks} procs`).exec(r.stdout);
  const atoms = 32000 * scale[0] * scale[1] * scale[2];
  if (!loop) return { ranks, error: 'no "Loop time" in the LAMMPS output' };
  const loop_s = Number(loop[1]);
  return { ranks, atoms, steps: 100, loop_s, process_s, atomStepsPerSecond: (atoms * 100) / loop_s };
}

const hasTool = (cmd: string, args: string[]): boolean => spawnSync(cmd, args, { encoding: 'utf8' }).status === 0;

/** Best (fastest loop) of repeated, alternating runs of each case. */
function bestOf(cases: ScalingCase[], repeats: number, log: (s: string) => void): Record<string, unknown>[] {
  const runs: Record<string, unknown>[][] = cases.map(() => []);
  for (let k = 0; k < repeats; k++) {
    cases.forEach((c, i) => {
      const r = runCase(c);
      runs[i].push(r);
      log(`${JSON.stringify(c)} → ${r.error ? `error: ${r.error}` : `${(r.loop_s as number | undefined ?? r.eval_s as number).toFixed(3)} s, ${Math.round(r.peakRss_MiB as number)} MiB`}`);
    });
  }
  return runs.map(bestRun);
}

/** The fastest (loop, else evaluation, time) of repeated runs of one case, with every time; the first run when all failed. */
function bestRun(rs: Record<string, unknown>[]): Record<string, unknown> {
  const ok = rs.filter((r) => !r.error);
  if (ok.length === 0) return rs[0];
  const key = (r: Record<string, unknown>): number => (r.loop_s as number | undefined) ?? (r.eval_s as number);
  const best = ok.reduce((a, b) => (key(b) < key(a) ? b : a));
  return { ...best, all_s: ok.map(key) };
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const log = (s: string): void => void process.stderr.write(`${s}\n`);
  const W = args.workers;
  const result: Record<string, unknown> = { benchmark: 'scaling', node: process.version, cores: availableParallelism(), workers: W, devices: args.devices ?? null, date: new Date().toISOString() };
  if (args.suites.includes('lj')) {
    // Strong scaling, with LAMMPS in the same rounds: each round runs e3md on every worker count and
    // LAMMPS on every rank count back to back, so that the ratios pair runs made at one moment (the
    // machine's speed drifts between rounds); the best of each case is reported beside the paired medians.
    const haveLammps = hasTool('lmp', ['-h']);
    const ranks = haveLammps ? W.filter((w) => w === 1 || hasTool('mpirun', ['--version'])) : [];
    const strongCases: ScalingCase[] = W.map((w) => ({ kind: 'lj', cells: 20, workers: w, steps: 100 }));
    const strongRuns: Record<string, unknown>[][] = strongCases.map(() => []);
    const lammpsRuns: Record<string, unknown>[][] = ranks.map(() => []);
    for (let k = 0; k < args.repeats; k++) {
      strongCases.forEach((c, i) => {
        const r = runCase(c);
        strongRuns[i].push(r);
        log(`${JSON.stringify(c)} → ${r.error ? `error: ${r.error}` : `${(r.loop_s as number).toFixed(3)} s`}`);
      });
      ranks.forEach((n, i) => {
        const r = runLammps(n, [1, 1, 1]);
        lammpsRuns[i].push(r);
        log(`LAMMPS ${n} rank(s) → ${r.error ? `error: ${r.error}` : `${(r.loop_s as number).toFixed(3)} s`}`);
      });
    }
    const strong = strongRuns.map(bestRun);
    // Weak scaling: about 16,000 atoms per worker.
    const weak = bestOf(W.map((w) => ({ kind: 'lj', cells: Math.round(Math.cbrt(4000 * w)), workers: w, steps: 100 })), args.repeats, log);
    const lj: Record<string, unknown> = { strong, weak };
    /** Median over rounds of a[k].key / b[k].key (rounds where both ran). */
    const pairedMedian = (a: Record<string, unknown>[], b: Record<string, unknown>[], key: string): number | null => {
      const r = a.map((x, k) => (!x.error && b[k] && !b[k].error ? (x[key] as number) / (b[k][key] as number) : NaN)).filter(Number.isFinite).sort((x, y) => x - y);
      return r.length ? r[r.length >> 1] : null;
    };
    const one = W.indexOf(1), two = W.indexOf(2);
    if (one >= 0 && two >= 0) lj.speedup_2_workers = { best: (strong[one].loop_s as number) / (strong[two].loop_s as number), pairedMedian: pairedMedian(strongRuns[one], strongRuns[two], 'loop_s') };
    if (haveLammps) {
      const lammps = lammpsRuns.map(bestRun);
      lj.lammps = lammps;
      const lmp2 = ranks.indexOf(2);
      if (two >= 0 && lmp2 >= 0 && !strong[two].error && !lammps[lmp2].error) {
        lj.ratio_e3md2_over_lammps2 = {
          loop: (strong[two].loop_s as number) / (lammps[lmp2].loop_s as number), process: (strong[two].process_s as number) / (lammps[lmp2].process_s as number),
          pairedMedian: { loop: pairedMedian(strongRuns[two], lammpsRuns[lmp2], 'loop_s'), process: pairedMedian(strongRuns[two], lammpsRuns[lmp2], 'process_s') },
        };
      }
    } else lj.lammps = 'lmp not found on PATH';
    result.lj = lj;
  }
  if (args.suites.includes('models')) {
    const cases: ScalingCase[] = [];
    for (const [arch, replicate] of [['allegro', [1, 1, 1]], ['allegro', [2, 2, 2]], ['nequip', [1, 1, 1]]] as const) {
      for (const w of W) cases.push({ kind: 'model', arch, replicate: [...replicate], workers: w, steps: 3, devices: args.devices });
    }
    for (const w of W) if (w > 1) cases.push({ kind: 'model', arch: 'allegro', replicate: [w, 1, 1], workers: w, steps: 3, devices: args.devices });
    result.models = bestOf(cases, args.repeats, log);
  }
  if (args.suites.includes('replicas')) {
    const cases: ScalingCase[] = [];
    for (const system of ['hexamer', 'box192'] as const) for (const replicas of [1, 8, 32]) cases.push({ kind: 'replicas', system, replicas, steps: system === 'hexamer' ? 50 : 3 });
    result.replicas = bestOf(cases, args.repeats, log);
  }
  if (args.suites.includes('memory')) {
    const cases: ScalingCase[] = [
      { kind: 'eval', arch: 'allegro', replicate: [4, 4, 4], workers: 1 },
      { kind: 'eval', arch: 'nequip', replicate: [2, 2, 2], workers: 1 },
      { kind: 'eval', arch: 'allegro', replicate: [9, 9, 9], workers: Math.max(...W) },
    ];
    result.memory = cases.map((c) => { const r = runCase(c); log(`${JSON.stringify(c)} → ${JSON.stringify(r).slice(0, 300)}`); return r; });
  }
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(`${args.out}.json`, JSON.stringify(result, null, 2) + '\n');
  writeFileSync(`${args.out}.svg`, scalingSvg(result));
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}

/** Speed-up against 1 worker for each series, and replica throughput, as a two-panel SVG. */
export function scalingSvg(result: Record<string, unknown>): string {
  const series: { name: string; points: [number, number][] }[] = [];
  const speedups = (name: string, rows: Record<string, unknown>[] | undefined, ok: (c: ScalingCase) => boolean): void => {
    const good = (rows ?? []).filter((r) => !r.error && ok(r.case as ScalingCase));
    const base = good.find((r) => (r.case as { workers: number }).workers === 1);
    if (!base || good.length < 2) return;
    series.push({ name, points: good.map((r) => [(r.case as { workers: number }).workers, (base.loop_s as number) / (r.loop_s as number)]) });
  };
  const lj = result.lj as { strong?: Record<string, unknown>[]; lammps?: Record<string, unknown>[] | string } | undefined;
  speedups('LJ 32,000 (e3md)', lj?.strong, () => true);
  if (Array.isArray(lj?.lammps)) {
    const l = lj.lammps.filter((r) => !r.error);
    const base = l.find((r) => r.ranks === 1);
    if (base && l.length > 1) series.push({ name: 'LJ 32,000 (LAMMPS)', points: l.map((r) => [r.ranks as number, (base.loop_s as number) / (r.loop_s as number)]) });
  }
  const models = result.models as Record<string, unknown>[] | undefined;
  const sizeOf = (c: ScalingCase): number => (c.kind === 'model' ? 1536 * c.replicate[0] * c.replicate[1] * c.replicate[2] : 0);
  speedups('Allegro 1,536', models, (c) => c.kind === 'model' && c.arch === 'allegro' && sizeOf(c) === 1536);
  speedups('Allegro 12,288', models, (c) => c.kind === 'model' && c.arch === 'allegro' && sizeOf(c) === 12288);
  speedups('NequIP 1,536', models, (c) => c.kind === 'model' && c.arch === 'nequip');
  const reps = ((result.replicas as Record<string, unknown>[] | undefined) ?? []).filter((r) => !r.error);
  const repSeries = ['hexamer', 'box192'].map((s) => ({ name: s === 'hexamer' ? 'hexamer (18 atoms)' : 'box (192 atoms)', points: reps.filter((r) => (r.case as { system: string }).system === s).map((r) => [r.replicas as number, r.atomStepsPerSecond as number] as [number, number]) })).filter((s) => s.points.length > 0);

  const W = 360, H = 260, m = { l: 56, r: 12, t: 28, b: 40 };
  const colors = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${H + 20 * Math.max(series.length, repSeries.length, 1)}" font-family="sans-serif" font-size="11">`];
  const panel = (x0: number, title: string, xs: number[], ys: number[], logY: boolean, sets: typeof series, ideal: boolean, xLabel: string, yLabel: string): void => {
    const xMax = Math.max(2, ...xs), yMin = logY ? Math.min(...ys) / 1.5 : 0, yMax = (logY ? 1.5 : 1.1) * Math.max(1, ...ys, ideal ? xMax : 0);
    const px = (x: number): number => x0 + m.l + ((x - 1) / (xMax - 1)) * (W - m.l - m.r);
    const py = (y: number): number => m.t + (1 - (logY ? Math.log(y / yMin) / Math.log(yMax / yMin) : y / yMax)) * (H - m.t - m.b);
    parts.push(`<text x="${x0 + W / 2}" y="16" text-anchor="middle" font-weight="bold">${title}</text>`);
    parts.push(`<line x1="${px(1)}" y1="${py(logY ? yMin : 0)}" x2="${px(xMax)}" y2="${py(logY ? yMin : 0)}" stroke="black"/><line x1="${px(1)}" y1="${py(logY ? yMin : 0)}" x2="${px(1)}" y2="${py(yMax)}" stroke="black"/>`);
    for (const x of [...new Set(xs)]) parts.push(`<text x="${px(x)}" y="${H - m.b + 14}" text-anchor="middle">${x}</text>`);
    const ticks = logY ? [1e2, 1e3, 1e4, 1e5, 1e6, 1e7].filter((t) => t > yMin && t < yMax) : Array.from({ length: Math.floor(yMax) + 1 }, (_, k) => k);
    for (const t of ticks) parts.push(`<text x="${px(1) - 4}" y="${py(t) + 4}" text-anchor="end">${logY ? t.toExponential(0) : t}</text><line x1="${px(1)}" y1="${py(t)}" x2="${px(xMax)}" y2="${py(t)}" stroke="#ddd"/>`);
    parts.push(`<text x="${x0 + W / 2}" y="${H - 6}" text-anchor="middle">${xLabel}</text><text x="${x0 + 12}" y="${H / 2}" transform="rotate(-90 ${x0 + 12} ${H / 2})" text-anchor="middle">${yLabel}</text>`);
    if (ideal) parts.push(`<line x1="${px(1)}" y1="${py(1)}" x2="${px(xMax)}" y2="${py(xMax)}" stroke="#999" stroke-dasharray="4 3"/>`);
    sets.forEach((s, k) => {
      const pts = s.points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
      parts.push(`<polyline points="${pts}" fill="none" stroke="${colors[k % colors.length]}" stroke-width="2"/>`);
      for (const [x, y] of s.points) parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${colors[k % colors.length]}"/>`);
      parts.push(`<text x="${x0 + m.l}" y="${H + 14 + 18 * k}" fill="${colors[k % colors.length]}">${s.name}</text>`);
    });
  };
  const xs = series.flatMap((s) => s.points.map((p) => p[0])), ys = series.flatMap((s) => s.points.map((p) => p[1]));
  panel(0, 'Strong scaling (dashed: ideal)', xs.length ? xs : [1, 2], ys.length ? ys : [1], false, series, true, 'workers (LAMMPS: MPI ranks)', 'speed-up over 1');
  const rx = repSeries.flatMap((s) => s.points.map((p) => p[0])), ry = repSeries.flatMap((s) => s.points.map((p) => p[1]));
  panel(W, 'Batched replicas (shipped NequIP)', rx.length ? rx : [1, 2], ry.length ? ry : [1, 10], true, repSeries, false, 'replicas per model call', 'atom-steps/s');
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

main();
