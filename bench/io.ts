/**
 * I/O throughput on the LJ-melt system size (fcc argon, 32,000 atoms, with velocities and forces):
 * extxyz write/read, DCD frames, checkpoint write/read, and the full pre-run check of `e3md run`
 * (input.json + structure + masses + overlap search), so their cost can be set against an MD step.
 *
 * Usage: npx tsx bench/io.ts [--cells 20] [--repeats 3]   (prints one JSON object on stdout)
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fccLattice, Rng, symbolsOf } from '../engine/index.js';
import { maxwellBoltzmann } from '../integrators/index.js';
import { prepareRun } from '../cli/index.js';
import { readCheckpoint, writeCheckpoint, createDcdWriter, formatExtxyz, readExtxyz } from '../io/index.js';

const argv = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const k = argv.indexOf(`--${name}`);
  return k >= 0 ? Number(argv[k + 1]) : fallback;
};
const cells = arg('cells', 20), repeats = arg('repeats', 3);

const system = fccLattice({ cells: [cells, cells, cells], latticeConstant_A: 3.405 * Math.cbrt(4 / 0.8442), symbol: 'Ar' });
maxwellBoltzmann(system, 100, new Rng(1));
const rng = new Rng(2);
for (let i = 0; i < system.forces.length; i++) system.forces[i] = 0.01 * rng.normal();
const n = system.n;
const dir = mkdtempSync(join(tmpdir(), 'e3md-bench-io-'));

/** Best wall time (s) of `repeats` calls. */
function best(f: () => void): number {
  let t = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    f();
    t = Math.min(t, (performance.now() - t0) / 1000);
  }
  return t;
}

const symbols = symbolsOf(system);
const xyzPath = join(dir, 'frame.extxyz');
const frameOut = { symbols, positions: system.positions, velocities: system.velocities, forces: system.forces, box: system.box, energy_eV: -1, info: { step: 0 } };
const xyzWrite = best(() => writeFileSync(xyzPath, formatExtxyz(frameOut)));
const xyzBytes = statSync(xyzPath).size;
const xyzRead = best(() => readExtxyz(xyzPath));

const dcdFrames = 50;
const dcdPath = join(dir, 'traj.dcd');
const dcd = best(() => {
  const w = createDcdWriter(dcdPath, { natoms: n, timestep_fs: 2, every: 1 });
  for (let k = 0; k < dcdFrames; k++) w.write(system.positions, system.box, k);
  w.close();
});

const ckptPath = join(dir, 'run.ckpt');
const state = { step: 1000, positions: system.positions, velocities: system.velocities, box: system.box, integrator: { rng: new Rng(3).state(), variables: {} }, neighborReference: system.positions, neighborReferenceBox: system.box };
const ckpt = { state, typeNames: system.typeNames, typeIds: system.typeIds, masses: system.masses, integrator: 'langevin', timestep_fs: 2 };
const ckptWrite = best(() => writeCheckpoint(ckptPath, ckpt));
const ckptRead = best(() => readCheckpoint(ckptPath));

writeFileSync(join(dir, 'input.json'), JSON.stringify({
  structure: 'frame.extxyz',
  potential: { kind: 'lennard-jones', epsilon_eV: 0.0104, sigma_A: 3.405, cutoff_A: 8.5125 },
  integrator: { kind: 'velocity-verlet', timestep_fs: 2 },
  steps: 100,
}));
let prepare = Infinity;
for (let r = 0; r < repeats; r++) {
  const t0 = performance.now();
  await prepareRun(join(dir, 'input.json'));
  prepare = Math.min(prepare, (performance.now() - t0) / 1000);
}

rmSync(dir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({
  benchmark: 'io', atoms: n, repeats,
  extxyz: { bytes_per_frame: xyzBytes, write_s: xyzWrite, read_s: xyzRead, write_MB_per_s: xyzBytes / 1e6 / xyzWrite, read_MB_per_s: xyzBytes / 1e6 / xyzRead },
  dcd: { frames: dcdFrames, frames_per_s: dcdFrames / dcd, bytes_per_frame: 56 + 3 * (8 + 4 * n) },
  checkpoint: { write_s: ckptWrite, read_s: ckptRead },
  prepare_run_s: prepare,
}, null, 2)}\n`);
