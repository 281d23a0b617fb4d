/**
 * Did water stay water? Reads an MD run's extxyz trajectory and thermo CSV (e3md run output) and
 * reports, over every frame: each H's distance to its nearest O (min, max, mean; how many H are
 * farther than 1.3 Å from every O, i.e. broken molecules), the closest O–O pair (water's stays
 * above about 2.4 Å; a model that lets two oxygens collapse fails here first), the largest
 * distance of an atom from the cluster's centre of geometry (an evaporating or exploding atom
 * shows here); and from the thermo log the simulated time, the mean temperature of the second
 * half, and the potential energy averaged over blocks of `--block-ps` (the energy trace,
 * compressed). Prints JSON.
 * Usage: npx tsx tools/analyze-water-md.ts traj.xyz thermo.csv [--block-ps 5]
 */
import { readFileSync } from 'node:fs';
import { readExtxyz } from '../io/index.js';

const args = process.argv.slice(2);
const k = args.indexOf('--block-ps');
const blockPs = k >= 0 ? Number(args.splice(k, 2)[1]) : 5;
const [trajectory, thermo] = args;
if (!trajectory || !thermo || !(blockPs > 0)) throw new Error('usage: npx tsx tools/analyze-water-md.ts traj.xyz thermo.csv [--block-ps 5]');

const frames = readExtxyz(trajectory);
let lo = Infinity, hi = 0, sum = 0, count = 0, broken = 0, farthest = 0, closestOO = Infinity, closestOOFrame = -1;
for (const [index, f] of frames.entries()) {
  const x = f.positions, n = f.symbols.length;
  for (let i = 0; i < n; i++) {
    if (f.symbols[i] !== 'O') continue;
    for (let j = i + 1; j < n; j++) {
      if (f.symbols[j] !== 'O') continue;
      const d = Math.hypot(x[3 * j] - x[3 * i], x[3 * j + 1] - x[3 * i + 1], x[3 * j + 2] - x[3 * i + 2]);
      if (d < closestOO) { closestOO = d; closestOOFrame = index; }
    }
  }
  const c = [0, 1, 2].map((d) => { let s = 0; for (let i = 0; i < n; i++) s += x[3 * i + d]; return s / n; });
  for (let i = 0; i < n; i++) {
    farthest = Math.max(farthest, Math.hypot(x[3 * i] - c[0], x[3 * i + 1] - c[1], x[3 * i + 2] - c[2]));
    if (f.symbols[i] !== 'H') continue;
    let d = Infinity;
    for (let j = 0; j < n; j++) if (f.symbols[j] === 'O') d = Math.min(d, Math.hypot(x[3 * j] - x[3 * i], x[3 * j + 1] - x[3 * i + 1], x[3 * j + 2] - x[3 * i + 2]));
    lo = Math.min(lo, d); hi = Math.max(hi, d); sum += d; count++;
    if (d > 1.3) broken++;
  }
}

const lines = readFileSync(thermo, 'utf8').trim().split('\n');
const header = lines[0].split(',');
const col = (name: string): number => {
  const i = header.indexOf(name);
  if (i < 0) throw new Error(`${thermo}: no column ${name}`);
  return i;
};
const rows = lines.slice(1).map((l) => l.split(',').map(Number));
const t = rows.map((r) => r[col('time_fs')] / 1000), T = rows.map((r) => r[col('temperature_K')]), pe = rows.map((r) => r[col('potential_energy_eV')]);
const second = T.slice(Math.floor(T.length / 2));
const blocks: { from_ps: number; to_ps: number; potentialEnergy_eV: number; temperature_K: number }[] = [];
for (let b = 0; b * blockPs < t[t.length - 1]; b++) {
  const inBlock = rows.map((_, i) => i).filter((i) => t[i] > b * blockPs && t[i] <= (b + 1) * blockPs);
  if (!inBlock.length) continue;
  const mean = (a: number[]): number => inBlock.reduce((s, i) => s + a[i], 0) / inBlock.length;
  blocks.push({ from_ps: b * blockPs, to_ps: (b + 1) * blockPs, potentialEnergy_eV: mean(pe), temperature_K: mean(T) });
}
console.log(JSON.stringify({
  trajectory, thermo, frames: frames.length, atoms: frames[0]?.symbols.length, simulated_ps: t[t.length - 1],
  oh_A: { min: lo, max: hi, mean: sum / count }, hFartherThan1p3AFromEveryO: broken, closestOO_A: closestOO, closestOOFrame, farthestFromCentre_A: farthest,
  meanTemperatureSecondHalf_K: second.reduce((a, b) => a + b, 0) / second.length,
  blocks,
}, null, 2));
