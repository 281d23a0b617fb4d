/**
 * LAMMPS with pair_style e3md against e3md itself, on periodic liquid water (issue 12):
 *
 * 1. Agreement and time per step, 192 atoms (examples/water/boxes/water-64.extxyz): `e3md eval`
 *    (the engine's single point) and `e3md run` (its MD loop: velocity Verlet, Verlet list with a
 *    1 Å skin) side by side with LAMMPS on 1 rank (periodic graph) and 2 ranks (ghost graph):
 *    energy, forces and virial differences, time per MD step, and the pair style's cost split into
 *    onnxruntime, the server's neighbor search and model inputs, and the transfer (packing, socket,
 *    event loop) — the overhead over the bare model call.
 * 2. Weak scaling 1 → 2 ranks: 192 atoms on 1 rank against 384 (`replicate 2 1 1`) on 2.
 * 3. Per-rank costs of a large run: 1 rank with `graph ghosts` holds exactly what an interior rank
 *    of a many-rank run holds (owned atoms plus a ghost shell of periodic images), so it measures
 *    per rank: ghosts, edges, time per step, bytes the pair style moves, the server's peak memory
 *    and LAMMPS's own memory. Subdomains of 192 and (Allegro; NequIP with --large-nequip) 1536 atoms.
 *
 * Models: the shipped NequIP (examples/water/water-nequip.onnx: float64, 3 layers, r_max 4 Å) and
 * an Allegro of the builder's default size (2 layers, lmax 2, r_max 4 Å, float64, random weights).
 * One onnxruntime thread everywhere. Times are medians over the steps after two warm-up calls.
 *
 * Usage: npx tsx bench/lammps-pair.ts [--models nequip,allegro] [--steps 10] [--large-nequip]
 *        [--out bench/results/lammps-pair.json]
 * Prints a table on stderr and JSON on stdout (and to --out).
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atomicMass, createSimulation, createSystem, singlePoint, type System } from '../engine/index.js';
import { formatLammpsData, readExtxyz, systemOfFrame } from '../io/index.js';
import { createAllegro, exportPotential } from '../models/index.js';
import { createOnnxPotential } from '../potentials/index.js';
import { velocityVerlet } from '../integrators/index.js';
import { buildLammps, hasMpirun, loopTimes, NKTV2P_METAL, printedValues, readDumpRows, ROOT, runLammps } from './lammps-run.js';

interface Args { models: string[]; steps: number; largeNequip: boolean; out?: string }

function parseArgs(argv: string[]): Args {
  const a: Args = { models: ['nequip', 'allegro'], steps: 10, largeNequip: false };
  for (let k = 0; k < argv.length; k++) {
    const key = argv[k];
    const next = (): string => {
      const v = argv[++k];
      if (v === undefined) throw new Error(`lammps-pair: ${key} needs a value`);
      return v;
    };
    if (key === '--models') a.models = next().split(',');
    else if (key === '--steps') a.steps = Number(next());
    else if (key === '--large-nequip') a.largeNequip = true;
    else if (key === '--out') a.out = next();
    else throw new Error(`lammps-pair: unknown argument ${key}`);
  }
  for (const m of a.models) if (m !== 'nequip' && m !== 'allegro') throw new Error(`lammps-pair: --models takes nequip and/or allegro, got ${m}`);
  if (!(Number.isInteger(a.steps) && a.steps >= 3)) throw new Error('lammps-pair: --steps must be an integer ≥ 3');
  return a;
}

const SKIN_A = 1.0;
const median = (xs: number[]): number => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)] ?? NaN;
const ms = (s: number): number => Number((1000 * s).toPrecision(4));
/** CPU time of this process since `from`, ms (all threads: onnxruntime's included). */
const cpuMs = (from: NodeJS.CpuUsage): number => { const c = process.cpuUsage(from); return (c.user + c.system) / 1000; };

function waterBox(molecules: 64 | 512): System {
  const file = join(ROOT, 'examples', 'water', 'boxes', `water-${molecules}.extxyz`);
  return systemOfFrame(readExtxyz(file)[0]!, file);
}

interface ServerStats {
  rank: number; max_rss_bytes: number; calls: number; atoms: number; owned: number; edges: number; bytes_in: number; bytes_out: number;
  per_call: { pair_s: number[]; server_s: number[]; neighbor_s: number[]; prepare_s: number[]; model_s: number[]; cpu_s: number[] };
}

/** Median per-call split of one rank's evaluations, ms, after two warm-up calls. */
function split(s: ServerStats) {
  const tail = (xs: number[]): number[] => xs.slice(2);
  const c = s.per_call;
  const pair = median(tail(c.pair_s)), server = median(tail(c.server_s)), model = median(tail(c.model_s));
  // Call by call (pair_s[k] and server_s[k] are the same evaluation): the smallest transfer is the
  // one no other process on the machine delayed.
  const transfer = tail(c.pair_s).map((p, k) => p - tail(c.server_s)[k]!);
  const overhead = tail(c.pair_s).map((p, k) => p - tail(c.model_s)[k]!);
  return {
    pair_ms: ms(pair), model_ms: ms(model), server_cpu_ms: ms(median(tail(c.cpu_s))), neighbor_ms: ms(median(tail(c.neighbor_s))), prepare_ms: ms(median(tail(c.prepare_s))),
    transfer_ms: ms(median(transfer)), transfer_min_ms: ms(Math.min(...transfer)),
    overhead_ms: ms(median(overhead)), overhead_min_ms: ms(Math.min(...overhead)), overhead_share: Number((median(overhead) / pair).toFixed(4)),
    atoms: Math.round(s.atoms / s.calls), owned: Math.round(s.owned / s.calls), ghosts: Math.round((s.atoms - s.owned) / s.calls), edges: Math.round(s.edges / s.calls),
    bytes_per_call: Math.round((s.bytes_in + s.bytes_out) / s.calls), server_max_rss_MB: Math.round(s.max_rss_bytes / 2 ** 20),
  };
}

interface LammpsCase { data: string; model: string; ranks: 1 | 2; depth: number; rMax: number; graph?: 'ghosts'; replicate?: string; steps: number; singlePoint: boolean }

/** One LAMMPS run: optional `run 0` with dump (agreement), then `steps` NVE steps; returns per-step time, the per-rank splits and the printed values. */
async function lammps(dir: string, tag: string, c: LammpsCase) {
  const ghosts = c.ranks > 1 || c.graph === 'ghosts';
  const cut = ghosts && c.depth > 1 ? `comm_modify cutoff ${c.depth * c.rMax + SKIN_A + 0.01}\n` : '';
  const input = `units metal
atom_style atomic
boundary p p p
read_data ${c.data}
${c.replicate ? `replicate ${c.replicate}\n` : ''}neighbor ${SKIN_A} bin
neigh_modify every 1 delay 0 check yes
${cut}pair_style e3md threads 1 device cpu${c.graph ? ` graph ${c.graph}` : ''}
pair_coeff * * ${c.model} O H
compute vir all pressure NULL virial
thermo_style custom step pe c_vir[1] c_vir[2] c_vir[3] c_vir[4] c_vir[5] c_vir[6] vol
${c.singlePoint ? `dump d all custom 1 ${tag}.dump id fx fy fz
dump_modify d sort id format float %.17g
run 0
print "E3MD ${tag} $(pe:%.17g) $(c_vir[1]:%.17g) $(c_vir[2]:%.17g) $(c_vir[3]:%.17g) $(c_vir[4]:%.17g) $(c_vir[5]:%.17g) $(c_vir[6]:%.17g) $(vol:%.17g)"
undump d
` : ''}velocity all create 300 12345 dist gaussian
timestep 0.0005
fix 1 all nve
thermo ${c.steps}
run ${c.steps}
`;
  writeFileSync(join(dir, `in.${tag}`), input);
  const r = await runLammps(['-in', `in.${tag}`, '-log', `log.${tag}`, '-nocite'], dir, c.ranks, { E3MD_LAMMPS_STATS: join(dir, `stats-${tag}-{rank}.json`) });
  if (r.code !== 0) throw new Error(`LAMMPS ${tag} failed (exit ${r.code}):\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
  const loop = loopTimes(r.stdout).at(-1)!;
  // LAMMPS's own CPU share of the MD run (it mostly waits for its server).
  const cpuUse = [...r.stdout.matchAll(/([\d.]+)% CPU use with/g)].at(-1);
  const memory = /Per MPI rank memory allocation \(min\/avg\/max\) = \S+ \| (\S+) \| (\S+) Mbytes/.exec(r.stdout);
  const ranks = readdirSync(dir).filter((f) => f.startsWith(`stats-${tag}-`)).sort().map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as ServerStats);
  return {
    step_ms: ms(loop.seconds / loop.steps), lammps_cpu_ms_per_step: cpuUse ? ms((Number(cpuUse[1]) / 100) * loop.seconds / loop.steps) : null, ranks: ranks.map(split),
    lammps_memory_MB_avg: memory ? Number(memory[1]) : null, lammps_memory_MB_max: memory ? Number(memory[2]) : null,
    printed: printedValues(r.stdout).get(tag), dump: c.singlePoint ? readDumpRows(readFileSync(join(dir, `${tag}.dump`), 'utf8')) : null,
  };
}

/** max |a − b| / max |b|. */
function rel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0, s = 0;
  for (let i = 0; i < b.length; i++) { s = Math.max(s, Math.abs(b[i]!)); m = Math.max(m, Math.abs(a[i]! - b[i]!)); }
  return m / s;
}

async function benchModel(name: string, file: string, args: Args, dir: string) {
  const water = waterBox(64);
  const pot = await createOnnxPotential({ model: file, typeNames: water.typeNames, device: 'cpu', intraOpThreads: 1 });
  const { rMax_A: rMax, interactionDepth: depth } = pot.metadata;
  // `e3md eval`: a fresh cell list and one model call per frame.
  const evalMs: number[] = [], bareMs: number[] = [], evalCpuMs: number[] = [];
  let ref = await singlePoint(pot, water);
  for (let k = 0; k < args.steps; k++) {
    pot.resetTimings();
    const t = performance.now();
    const c = process.cpuUsage();
    ref = await singlePoint(pot, water);
    evalCpuMs.push(cpuMs(c));
    evalMs.push(performance.now() - t);
    bareMs.push(1000 * pot.timings.model_s);
  }
  // `e3md run`: the engine's MD loop with this potential.
  const sim = createSimulation({ system: waterBox(64), potential: pot, integrator: velocityVerlet({ timestep_fs: 0.5 }), neighbor: { skin_A: SKIN_A } });
  await sim.run(2);
  const c = process.cpuUsage();
  const summary = await sim.run(2 + args.steps);
  const runCpuMs = cpuMs(c) / args.steps;
  await pot.dispose!();
  const e3md = {
    eval_ms: Number(median(evalMs).toPrecision(4)), eval_cpu_ms: Number(median(evalCpuMs).toPrecision(4)), bare_model_ms: Number(median(bareMs).toPrecision(4)),
    run_step_ms: ms(summary.wall_s / args.steps), run_step_cpu_ms: Number(runCpuMs.toPrecision(4)),
  };

  const data = 'water-64.data';
  const base = { data, model: file, depth, rMax, steps: args.steps };
  const agreement = (r: Awaited<ReturnType<typeof lammps>>) => {
    const [pe, ...v] = r.printed!;
    const W = v.slice(0, 6).map((p) => (p * v[6]!) / NKTV2P_METAL);
    return {
      energy_rel: Math.abs(pe! - ref.energy_eV) / Math.abs(ref.energy_eV),
      forces_rel: rel(r.dump!.flatMap((row) => row.slice(1, 4)), ref.forces),
      virial_rel: rel(W, [0, 4, 8, 1, 2, 5].map((k) => ref.virial[k]!)),
    };
  };
  const mpi = hasMpirun();
  const one = await lammps(dir, `${name}-1`, { ...base, ranks: 1, singlePoint: true });
  const two = mpi ? await lammps(dir, `${name}-2`, { ...base, ranks: 2, singlePoint: true }) : null;
  const ghosts1 = await lammps(dir, `${name}-1-ghosts`, { ...base, ranks: 1, graph: 'ghosts', singlePoint: false });
  const weak2 = mpi ? await lammps(dir, `${name}-2-weak`, { ...base, ranks: 2, replicate: '2 1 1', singlePoint: false }) : null;
  const large = name === 'allegro' || args.largeNequip
    ? await lammps(dir, `${name}-1-ghosts-1536`, { ...base, data: 'water-512.data', ranks: 1, graph: 'ghosts', singlePoint: false, steps: Math.min(args.steps, 5) })
    : null;
  const strip = (r: Awaited<ReturnType<typeof lammps>>) => ({ step_ms: r.step_ms, lammps_cpu_ms_per_step: r.lammps_cpu_ms_per_step, lammps_memory_MB_max: r.lammps_memory_MB_max, ranks: r.ranks });
  return {
    model: name, file, r_max_A: rMax, interaction_depth: depth,
    e3md,
    lammps_1rank: { ...strip(one), agreement: agreement(one) },
    lammps_2ranks: two ? { ...strip(two), agreement: agreement(two) } : 'mpirun not found',
    weak_scaling: weak2 ? {
      atoms_per_rank: 192, step_ms_1rank: one.step_ms, step_ms_2ranks: weak2.step_ms, efficiency: Number((one.step_ms / weak2.step_ms).toFixed(3)),
      // CPU time per evaluation is what a rank pays whatever else runs on the machine; wall time is not.
      cpu_efficiency: Number((one.ranks[0]!.server_cpu_ms / Math.max(...weak2.ranks.map((x) => x.server_cpu_ms))).toFixed(3)),
      ranks: weak2.ranks,
    } : 'mpirun not found',
    per_rank_192: strip(ghosts1),
    per_rank_1536: large ? strip(large) : 'skipped (--large-nequip)',
  };
}

const args = parseArgs(process.argv.slice(2));
const unavailable = buildLammps();
if (unavailable) {
  process.stderr.write(`lammps-pair: ${unavailable}\n`);
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'e3md-bench-lammps-'));
for (const m of [64, 512] as const) {
  const s = waterBox(m);
  writeFileSync(join(dir, `water-${m}.data`), formatLammpsData({ symbols: Array.from(s.typeIds, (t) => s.typeNames[t]!), positions: s.positions, box: s.box }, { typeNames: ['O', 'H'] }));
}
const files: Record<string, string> = { nequip: join(ROOT, 'examples', 'water', 'water-nequip.onnx') };
if (args.models.includes('allegro')) {
  files['allegro'] = join(dir, 'allegro.onnx');
  writeFileSync(files['allegro'], exportPotential(createAllegro({ typeNames: ['H', 'O'], lmax: 2, rMax_A: 4, seed: 1 }), { dtype: 'float64' }));
}
const results = [];
for (const name of args.models) {
  const r = await benchModel(name, files[name]!, args, dir);
  results.push(r);
  const l1 = r.lammps_1rank, l2 = r.lammps_2ranks;
  const two = typeof l2 === 'string' ? l2 : `${l2.step_ms} ms/step (pair ${l2.ranks.map((x) => x.pair_ms).join(' / ')} ms, ghosts ${l2.ranks.map((x) => x.ghosts).join(' / ')})`;
  process.stderr.write(`${name}: e3md eval ${r.e3md.eval_ms} ms (model ${r.e3md.bare_model_ms} ms), e3md run ${r.e3md.run_step_ms} ms/step | LAMMPS 1 rank ${l1.step_ms} ms/step (model ${l1.ranks[0]!.model_ms}, neighbors+inputs ${(l1.ranks[0]!.neighbor_ms + l1.ranks[0]!.prepare_ms).toFixed(2)}, transfer ${l1.ranks[0]!.transfer_ms} ms) | 2 ranks ${two}\n`);
}
const out = { benchmark: 'lammps-pair', node: process.version, steps: args.steps, threads: 1, results };
const text = `${JSON.stringify(out, null, 2)}\n`;
if (args.out) writeFileSync(args.out, text);
process.stdout.write(text);
