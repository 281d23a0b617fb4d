/**
 * NPT of liquid argon, e3md against LAMMPS `fix npt` (MTK with Nosé–Hoover chains, both sides):
 * the same 864 atoms (examples/argon), Lennard-Jones ε/kB = 120 K, σ = 3.4 Å, r_c = 8.5 Å shifted,
 * skin 1 Å, 5 fs steps, T = 90 K, P = 1 bar, Tdamp 0.5 ps, Pdamp 5 ps (--pdamp), the same number of steps.
 * Reported: mean density with its standard error (block averages), mean temperature and pressure,
 * and the isothermal compressibility two ways — from the volume fluctuation, κ_T = ⟨δV²⟩ / (kT⟨V⟩),
 * and from the equation of state, κ_T = −(1/V) ∂⟨V⟩/∂P by runs at P ± ΔP — which agree only if the
 * barostat samples the isothermal–isobaric ensemble. Stochastic cell rescaling (c-rescale) is run
 * at P as well.
 *
 * Statistical errors come from the integrated autocorrelation time τ of each series (Sokal's
 * automatic window, c = 6): SE(mean) = σ √(2τ/T); the variance's error is that of the mean of
 * (V − ⟨V⟩)². The volume decorrelates over a few Pdamp, so the compressibility from fluctuations
 * needs runs of many Pdamp: --pdamp 1000 makes it cheaper than LAMMPS's usual 1000-step Pdamp.
 *
 * Usage: npx tsx bench/npt-argon.ts [--steps 40000] [--equilibrate 4000] [--delta-bar 100] [--pdamp 5000]
 *                                   [--compressibility 2e-4] [--runs mtk,c-rescale,eos,lammps] [--out file.json]
 * Prints one JSON object (also written to --out when given). Long: ~1.5 × 10⁵ e3md steps of 864 atoms.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulation, createSystem, eV_per_A3_in_bar, kB_eV_per_K, massDensity, type Integrator, type System, atomicMass } from '../engine/index.js';
import { nptCRescale, nptMtk } from '../integrators/index.js';
import { readExtxyz, systemOfFrame } from '../io/index.js';
import { lennardJones } from '../potentials/index.js';
import { repoRoot } from './paths.js';

const T_K = 90, P_bar = 1, dt_fs = 5, tdamp_fs = 500;
const epsilon_eV = 120 * kB_eV_per_K, sigma_A = 3.4, cutoff_A = 8.5, skin_A = 1.0;
const SAMPLE_EVERY = 10;

interface Args { steps: number; equilibrate: number; deltaBar: number; pdamp_fs: number; compressibility_per_bar: number; runs: Set<string>; out?: string }

function parseArgs(argv: string[]): Args {
  const args: Args = { steps: 40000, equilibrate: 4000, deltaBar: 100, pdamp_fs: 5000, compressibility_per_bar: 2e-4, runs: new Set(['mtk', 'c-rescale', 'eos', 'lammps']) };
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    const next = (): string => argv[++k] ?? '';
    if (a === '--steps') args.steps = Number(next());
    else if (a === '--equilibrate') args.equilibrate = Number(next());
    else if (a === '--delta-bar') args.deltaBar = Number(next());
    else if (a === '--pdamp') args.pdamp_fs = Number(next());
    else if (a === '--compressibility') args.compressibility_per_bar = Number(next());
    else if (a === '--runs') args.runs = new Set(next().split(','));
    else if (a === '--out') args.out = next();
    else throw new Error(`npt-argon: unknown option ${a}`);
  }
  return args;
}

/** The example's 864 argon atoms, with the total momentum removed (both codes then start alike). */
function argon(): System {
  const file = join(repoRoot(), 'examples', 'argon', 'argon.extxyz');
  const system = systemOfFrame(readExtxyz(file)[0]!, file);
  const v = system.velocities, n = system.n;
  for (let c = 0; c < 3; c++) {
    let p = 0;
    for (let i = 0; i < n; i++) p += v[3 * i + c];
    for (let i = 0; i < n; i++) v[3 * i + c] -= p / n; // equal masses
  }
  return system;
}

/**
 * Mean of a time series and its standard error from the integrated autocorrelation time
 * τ = ½ + Σ_{t≥1} ρ(t), summed up to Sokal's window W ≥ 6τ(W) (A. Sokal, "Monte Carlo methods in
 * statistical mechanics", 1996, §3): SE = σ √(2τ / n), τ in samples.
 */
function seriesStats(x: readonly number[]): { mean: number; standardError: number; variance: number; tau_samples: number } {
  const n = x.length;
  const mean = x.reduce((s, v) => s + v, 0) / n;
  const d = x.map((v) => v - mean);
  const c0 = d.reduce((s, v) => s + v * v, 0) / n;
  let tau = 0.5;
  for (let t = 1; t < n / 2; t++) {
    let c = 0;
    for (let k = 0; k + t < n; k++) c += d[k] * d[k + t];
    tau += c / (n - t) / c0;
    if (t >= 6 * tau) break;
  }
  tau = Math.max(tau, 0.5);
  return { mean, standardError: Math.sqrt((c0 * 2 * tau) / n), variance: (c0 * n) / (n - 1), tau_samples: tau };
}

interface Series { volume_A3: number[]; temperature_K: number[]; pressure_bar: number[]; density_g_cm3: number[]; wall_s: number }

function summarize(s: Series): Record<string, number> {
  const v = seriesStats(s.volume_A3), rho = seriesStats(s.density_g_cm3), p = seriesStats(s.pressure_bar);
  const toKappa = (variance: number): number => variance / (kB_eV_per_K * T_K * v.mean) / eV_per_A3_in_bar; // 1/bar
  // The variance is the mean of (V − ⟨V⟩)²: its error is that mean's.
  const sq = seriesStats(s.volume_A3.map((x) => (x - v.mean) ** 2));
  return {
    samples: s.volume_A3.length,
    density_g_cm3: rho.mean, density_standard_error: rho.standardError,
    volume_A3: v.mean, volume_standard_error: v.standardError, volume_std_A3: Math.sqrt(v.variance),
    volume_correlation_time_fs: v.tau_samples * SAMPLE_EVERY * dt_fs,
    temperature_K: seriesStats(s.temperature_K).mean, pressure_bar: p.mean, pressure_standard_error: p.standardError,
    kappa_fluctuation_per_bar: toKappa(v.variance), kappa_fluctuation_standard_error: toKappa(sq.standardError),
    wall_s: s.wall_s,
  };
}

async function runE3md(make: () => Integrator, args: Args): Promise<Series> {
  const system = argon();
  const potential = lennardJones({ cutoff_A, shift: true, all: { epsilon_eV, sigma_A } }, system.typeNames);
  const s: Series = { volume_A3: [], temperature_K: [], pressure_bar: [], density_g_cm3: [], wall_s: 0 };
  const sim = createSimulation({
    system, potential, integrator: make(), neighbor: { skin_A },
    observers: [{ every: SAMPLE_EVERY, observe: (f) => {
      if (f.step <= args.equilibrate) return;
      s.volume_A3.push(f.system.box.volume);
      s.temperature_K.push(f.temperature_K);
      s.pressure_bar.push(f.pressure_bar);
      s.density_g_cm3.push(massDensity(f.system));
    } }],
  });
  const summary = await sim.run(args.equilibrate + args.steps);
  s.wall_s = summary.wall_s;
  return s;
}

const mtk = (pressure_bar: number, pdamp_fs: number) => () => nptMtk({ timestep_fs: dt_fs, temperature_K: T_K, pressure_bar, tdamp_fs, pdamp_fs, couple: 'iso' });

function runLammps(args: Args): Series | { skipped: string } {
  if (spawnSync('lmp', ['-h'], { encoding: 'utf8' }).error) return { skipped: 'lmp not on PATH' };
  const system = argon();
  const dir = mkdtempSync(join(tmpdir(), 'e3md-npt-'));
  const c = system.box.cell;
  const lines = ['e3md argon', '', `${system.n} atoms`, '1 atom types', '', `0 ${c[0]} xlo xhi`, `0 ${c[4]} ylo yhi`, `0 ${c[8]} zlo zhi`, '', 'Masses', '', `1 ${system.masses[0]}`, '', 'Atoms # atomic', ''];
  for (let i = 0; i < system.n; i++) lines.push(`${i + 1} 1 ${system.positions[3 * i]} ${system.positions[3 * i + 1]} ${system.positions[3 * i + 2]}`);
  lines.push('', 'Velocities', '');
  for (let i = 0; i < system.n; i++) lines.push(`${i + 1} ${1000 * system.velocities[3 * i]} ${1000 * system.velocities[3 * i + 1]} ${1000 * system.velocities[3 * i + 2]}`); // Å/ps
  writeFileSync(join(dir, 'data.argon'), `${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'in.npt'), `units metal
atom_style atomic
boundary p p p
read_data data.argon
pair_style lj/cut ${cutoff_A}
pair_coeff 1 1 ${epsilon_eV} ${sigma_A}
pair_modify shift yes
neighbor ${skin_A} bin
neigh_modify every 1 delay 0 check yes
timestep ${dt_fs / 1000}
fix 1 all npt temp ${T_K} ${T_K} ${tdamp_fs / 1000} iso ${P_bar} ${P_bar} ${args.pdamp_fs / 1000}
thermo ${SAMPLE_EVERY}
thermo_style custom step temp press vol density
thermo_modify format float %.10g
run ${args.equilibrate}
run ${args.steps}
`);
  const t0 = performance.now();
  const r = spawnSync('lmp', ['-in', 'in.npt', '-log', 'log.lammps', '-nocite', '-screen', 'none'], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`lmp failed: ${r.stderr}`);
  const wall_s = (performance.now() - t0) / 1000;
  const log = readFileSync(join(dir, 'log.lammps'), 'utf8').split('\n');
  // The second thermo block is the production run.
  const starts = log.flatMap((l, k) => (l.trim().startsWith('Step') ? [k] : []));
  const s: Series = { volume_A3: [], temperature_K: [], pressure_bar: [], density_g_cm3: [], wall_s };
  for (let k = starts[1] + 1; k < log.length; k++) {
    const f = log[k].trim().split(/\s+/).map(Number);
    if (f.length !== 5 || !f.every(Number.isFinite)) break;
    if (f[0] <= args.equilibrate) continue;
    s.temperature_K.push(f[1]); s.pressure_bar.push(f[2]); s.volume_A3.push(f[3]); s.density_g_cm3.push(f[4]);
  }
  return s;
}

const args = parseArgs(process.argv.slice(2));
const result: Record<string, unknown> = {
  benchmark: 'npt-argon',
  system: { atoms: 864, potential: `LJ ε = ${epsilon_eV.toFixed(6)} eV (120 K), σ = ${sigma_A} Å, r_c = ${cutoff_A} Å shifted`, temperature_K: T_K, pressure_bar: P_bar, timestep_fs: dt_fs, tdamp_fs, pdamp_fs: args.pdamp_fs, skin_A, c_rescale_compressibility_per_bar: args.compressibility_per_bar },
  steps: { equilibrate: args.equilibrate, production: args.steps, sample_every: SAMPLE_EVERY },
};
const log = (m: string): void => void process.stderr.write(`npt-argon: ${m}\n`);
if (args.runs.has('mtk')) {
  log('e3md MTK at P …');
  result.e3md_mtk = summarize(await runE3md(mtk(P_bar, args.pdamp_fs), args));
}
if (args.runs.has('lammps')) {
  log('LAMMPS fix npt at P …');
  const l = runLammps(args);
  result.lammps_fix_npt = 'skipped' in l ? l : summarize(l);
}
if (args.runs.has('c-rescale')) {
  log('e3md c-rescale at P …');
  result.e3md_c_rescale = summarize(await runE3md(() => nptCRescale({ timestep_fs: dt_fs, temperature_K: T_K, pressure_bar: P_bar, tdamp_fs, pdamp_fs: args.pdamp_fs, couple: 'iso', seed: 1, compressibility_per_bar: args.compressibility_per_bar }), args));
}
if (args.runs.has('eos')) {
  const d = args.deltaBar;
  log(`e3md MTK at P ± ${d} bar …`);
  const lo = summarize(await runE3md(mtk(P_bar - d, args.pdamp_fs), args)), hi = summarize(await runE3md(mtk(P_bar + d, args.pdamp_fs), args));
  const v = (lo.volume_A3 + hi.volume_A3) / 2;
  const kappa = -(hi.volume_A3 - lo.volume_A3) / (2 * d) / v;
  const se = Math.hypot(hi.volume_standard_error, lo.volume_standard_error) / (2 * d) / v;
  // For V(P) quadratic the central difference is exact at P: the curvature does not bias it.
  result.equation_of_state = { delta_bar: d, volume_low_P_A3: lo.volume_A3, volume_high_P_A3: hi.volume_A3, kappa_per_bar: kappa, kappa_standard_error: se };
}
const mtkR = result.e3md_mtk as Record<string, number> | undefined, lmpR = result.lammps_fix_npt as Record<string, number> | undefined;
if (mtkR && lmpR && 'density_g_cm3' in lmpR) {
  const diff = mtkR.density_g_cm3 - lmpR.density_g_cm3;
  result.comparison = { density_difference_g_cm3: diff, in_combined_standard_errors: diff / Math.hypot(mtkR.density_standard_error, lmpR.density_standard_error) };
}
const text = JSON.stringify(result, null, 2);
if (args.out) writeFileSync(args.out, `${text}\n`);
process.stdout.write(`${text}\n`);
