/**
 * Makes the periodic liquid-water boxes used by the model benchmarks and the water-nequip example:
 * examples/water/boxes/water-64.extxyz (192 atoms, 12.42 Å) and water-512.extxyz (1536 atoms,
 * 24.84 Å), both at 1.00 g/cm³. Rigid SPC/E-like molecules (O–H 1.0 Å, H–O–H 109.47°) sit on a
 * cubic lattice with orientations chosen, among 32 seeded random tries each, to keep the closest
 * intermolecular H···H / O···H contacts as far apart as possible. It is a starting structure for
 * benchmarks (realistic neighbour counts), not an equilibrated liquid.
 * Run: `npx tsx tools/make-water-boxes.ts` (about a second).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Box, Rng } from '../engine/index.js';
import { formatExtxyz } from '../io/extxyz-write.js';

const AMU_G = 1.66053906660e-24;
const WATER_AMU = 2 * 1.008 + 15.999;
const OH_A = 1.0;
const HOH_RAD = (109.47 * Math.PI) / 180;

/** Symbols and positions (Å) of `m³` water molecules at 1 g/cm³, and the box edge. */
export function waterBox(m: number, seed: number): { symbols: string[]; positions: Float64Array; edge_A: number } {
  const n = m * m * m;
  const edge = Math.cbrt((n * WATER_AMU * AMU_G) / 1.0) * 1e8;
  const spacing = edge / m;
  const rng = new Rng(seed);
  const pos = new Float64Array(9 * n);
  const minImage = (d: number) => d - edge * Math.round(d / edge);
  let placed = 0;
  const local = [
    [0, 0, 0],
    [OH_A * Math.sin(HOH_RAD / 2), OH_A * Math.cos(HOH_RAD / 2), 0],
    [-OH_A * Math.sin(HOH_RAD / 2), OH_A * Math.cos(HOH_RAD / 2), 0],
  ];
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) for (let c = 0; c < m; c++) {
    const o = [(a + 0.5) * spacing, (b + 0.5) * spacing, (c + 0.5) * spacing];
    let best: number[] = [];
    let bestScore = -1;
    for (let t = 0; t < 32; t++) {
      // A uniformly random rotation from a random unit quaternion.
      const q = [rng.normal(), rng.normal(), rng.normal(), rng.normal()];
      const qn = Math.hypot(...q);
      const [w, x, y, z] = q.map((v) => v / qn) as [number, number, number, number];
      const R = [
        1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
        2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
        2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y),
      ];
      const trial = local.flatMap((v) => [0, 1, 2].map((k) => o[k]! + R[3 * k]! * v[0]! + R[3 * k + 1]! * v[1]! + R[3 * k + 2]! * v[2]!));
      let closest = Infinity;
      for (let s = 0; s < 3; s++) for (let p = 0; p < 3 * placed; p++) {
        const d = Math.hypot(minImage(trial[3 * s]! - pos[3 * p]!), minImage(trial[3 * s + 1]! - pos[3 * p + 1]!), minImage(trial[3 * s + 2]! - pos[3 * p + 2]!));
        closest = Math.min(closest, d);
      }
      if (closest > bestScore) {
        bestScore = closest;
        best = trial;
      }
    }
    pos.set(best, 9 * placed);
    placed++;
  }
  return { symbols: Array.from({ length: 3 * n }, (_, k) => (k % 3 === 0 ? 'O' : 'H')), positions: pos, edge_A: edge };
}

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'examples', 'water', 'boxes');
mkdirSync(out, { recursive: true });
for (const [m, seed] of [[4, 64], [8, 512]] as const) {
  const { symbols, positions, edge_A } = waterBox(m, seed);
  const file = join(out, `water-${m ** 3}.extxyz`);
  writeFileSync(file, formatExtxyz({ symbols, positions, box: Box.orthorhombic(edge_A, edge_A, edge_A), info: { density_g_cm3: 1.0 } }));
  process.stdout.write(`${file}: ${symbols.length} atoms, box ${edge_A.toFixed(4)} Å\n`);
}
