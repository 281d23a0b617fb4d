/**
 * Where a parallel Lennard-Jones step goes (issue 11): the LAMMPS melt's 32,000 fcc argon atoms
 * (20³ cells, 2.5σ cutoff, 0.3σ skin). Times, in this one thread and after warm-up (the median of
 * `reps` calls), what each of W workers does: the whole half list (the serial run's build), one
 * part of W (a worker's build), the binning every part repeats (a part of 1,000), and the LJ
 * kernel over the whole list and over one part. The ratios say how well the work splits; the
 * wall-clock speed-up of real runs is `e3md bench scaling --suites lj`.
 * Usage: npx tsx bench/lj-decomposition-profile.ts [--workers 2] [--reps 15]
 */
import { createCellList, createForceOutput } from '../engine/index.js';
import { lennardJones } from '../potentials/index.js';
import { MELT, meltPotentialOptions, meltSystem } from './lj-melt-system.js';

const arg = (name: string, fallback: number): number => {
  const k = process.argv.indexOf(name);
  return k > 0 ? Number(process.argv[k + 1]) : fallback;
};
const W = arg('--workers', 2), reps = arg('--reps', 15);
const c = meltSystem(20, { velocities: false });
const cutoff = MELT.cutoff_A, skin = MELT.skin_A;

/** Median of `reps` timed calls after 3 untimed ones, ms. */
function median(f: () => void): number {
  for (let k = 0; k < 3; k++) f();
  const t: number[] = [];
  for (let k = 0; k < reps; k++) {
    const t0 = performance.now();
    f();
    t.push(performance.now() - t0);
  }
  return t.sort((a, b) => a - b)[Math.floor(reps / 2)];
}

const whole = createCellList({ radius_A: cutoff + skin, cutoff_A: cutoff, kind: 'half' });
const part = createCellList({ radius_A: cutoff + skin, cutoff_A: cutoff, kind: 'half' });
const binning = createCellList({ radius_A: cutoff + skin, cutoff_A: cutoff, kind: 'half' });
const row = (label: string, ms: number, note = ''): void => console.log(label.padEnd(40), `${ms.toFixed(1).padStart(7)} ms`, note);

const tWhole = median(() => whole.build(c.positions, c.box));
const tPart = median(() => part.build(c.positions, c.box, { index: 0, count: W }));
const tBin = median(() => binning.build(c.positions, c.box, { index: 0, count: 1000 }));
const all = whole.build(c.positions, c.box);
row('half list, whole system', tWhole, `(${all.nPairs} pairs)`);
row(`half list, part 1 of ${W}`, tPart, `(${(tWhole / tPart).toFixed(2)}× less)`);
row('  of which binning all atoms', tBin);

const lj = lennardJones(meltPotentialOptions, c.typeNames);
const out = createForceOutput(c.n);
const kWhole = median(() => lj.compute(c, all, out));
const mine = part.build(c.positions, c.box, { index: 0, count: W });
const kPart = median(() => lj.compute(c, mine, out));
row('LJ kernel, whole list', kWhole);
row(`LJ kernel, part 1 of ${W}`, kPart, `(${mine.nPairs} pairs; ${(kWhole / kPart).toFixed(2)}× less)`);
const serial = kWhole + tWhole / 20, parallel = kPart + tPart / 20;
row('per step (lists every 20 steps): serial', serial);
row(`per step: one of ${W} workers`, parallel, `(${(serial / parallel).toFixed(2)}× the serial rate, before the main thread's share)`);
