/**
 * examples/lammps/in.water runs as its README says (1 rank; 2 ranks cost ~10× more and are
 * benchmarked, not tested) and LAMMPS's energy of the box is the shipped model's, as `e3md eval`
 * computes it. In the slow suite: the shipped model's first evaluation alone takes seconds.
 * Skipped, loudly, without LAMMPS.
 */
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { atomicMass, createSystem, singlePoint } from '../../engine/index.js';
import { readExtxyz } from '../../io/index.js';
import { createOnnxPotential } from '../../potentials/index.js';
import { ROOT, runLammps } from '../../bench/lammps-run.js';
import { unavailable } from './scenario.js';

describe.skipIf(unavailable !== null)('examples/lammps', () => {
  it('in.water runs with the shipped model and its energy is e3md eval\'s', { timeout: 600_000 }, async () => {
    // A copy of examples/ so that the run's log and output stay out of the repository.
    const dir = mkdtempSync(join(tmpdir(), 'e3md-lammps-example-'));
    cpSync(join(ROOT, 'examples', 'lammps'), join(dir, 'lammps'), { recursive: true });
    cpSync(join(ROOT, 'examples', 'water', 'water-nequip.onnx'), join(dir, 'water', 'water-nequip.onnx'));
    const [f] = readExtxyz(join(ROOT, 'examples', 'water', 'boxes', 'water-64.extxyz'));
    const system = createSystem({ symbols: f!.symbols, positions: f!.positions, masses: f!.symbols.map((s) => atomicMass(s)!), box: f!.box });
    const pot = await createOnnxPotential({ model: join(ROOT, 'examples', 'water', 'water-nequip.onnx'), typeNames: system.typeNames, device: 'cpu', intraOpThreads: 1 });
    const ref = await singlePoint(pot, system);
    await pot.dispose!();
    const run = await runLammps(['-in', 'in.water', '-var', 'steps', '0', '-echo', 'none', '-screen', 'none', '-log', 'log.lammps', '-nocite'], join(dir, 'lammps'));
    expect(run.code, run.stderr).toBe(0);
    const log = readFileSync(join(dir, 'lammps', 'log.lammps'), 'utf8');
    const header = log.split('\n').findIndex((l) => l.trim().startsWith('Step Time Temp PotEng'));
    const pe = Number(log.split('\n')[header + 1]!.trim().split(/\s+/)[3]);
    // The thermo table prints 8 significant digits.
    expect(Math.abs(pe - ref.energy_eV)).toBeLessThan(1e-7 * Math.abs(ref.energy_eV));
    expect(log).toContain('pair e3md: ../water/water-nequip.onnx: nequip, float64, r_max 4 A, interaction depth 3, types H,O');
  });
});
