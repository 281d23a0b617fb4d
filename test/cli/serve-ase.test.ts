/**
 * ASE drives `e3md serve` (DESIGN.md §7): ASE's own SocketIOCalculator runs a BFGS relaxation and a
 * velocity-Verlet MD of the water hexamer and a periodic, sheared water box through the i-PI
 * protocol, and every energy ASE received equals `e3md eval` on the same geometry to 1e-10
 * relative (the shipped float64 model). Runs where Debian's python3-ase is installed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Box } from '../../engine/index.js';
import { formatExtxyz, readExtxyz } from '../../io/index.js';
import { evaluateFrames } from '../../cli/commands/eval.js';
import { PYTHON, pythonOrWarn } from '../harness/python.js';
import { e3md, ROOT } from './fixtures.js';

const MODEL = join(ROOT, 'examples/water/water-nequip.onnx');
const HEXAMER = join(ROOT, 'examples/water/hexamer.extxyz');
const BOX = join(ROOT, 'examples/water/boxes/water-64.extxyz');

interface AseFrame {
  stage: 'bfgs' | 'md' | 'box';
  symbols: string[];
  positions: number[][];
  cell: number[][];
  pbc: boolean[];
  energy: number;
  forces: number[][];
  kinetic_energy?: number;
  stress?: number[][];
  volume?: number;
}

/** Runs the ASE script (from a temp folder, so the repo's onnx/ folder shadows nothing); resolves with its JSON. */
function runAse(args: string[]): Promise<{ converged: boolean; frames: AseFrame[] }> {
  return new Promise((resolve, reject) => {
    const p = spawn(PYTHON, ['-W', 'ignore', join(ROOT, 'test/cli/ase-socketio.py'), ...args], { cwd: tmpdir() });
    let out = '', err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`ASE script failed (${code}): ${err}`))));
  });
}

/** The 8 molecules of one octant of the 64-molecule box in half its cell: 24 atoms of periodic water at 1 g/cm³. */
function smallWaterBox(): string {
  const f = readExtxyz(BOX)[0]!;
  const half = f.box.cell[0]! / 2;
  const atoms: number[] = [];
  f.symbols.forEach((s, i) => {
    if (s === 'O' && [0, 1, 2].every((k) => f.positions[3 * i + k]! < half)) atoms.push(i, i + 1, i + 2);
  });
  expect(atoms).toHaveLength(24);
  return formatExtxyz({
    symbols: atoms.map((i) => f.symbols[i]!),
    positions: Float64Array.from(atoms.flatMap((i) => [0, 1, 2].map((k) => f.positions[3 * i + k]!))),
    box: Box.orthorhombic(half, half, half),
  });
}

describe.skipIf(!pythonOrWarn('ASE SocketIOCalculator driving e3md serve', 'ase.calculators.socketio'))('ASE drives e3md serve', () => {
  it('BFGS, MD and a periodic box through SocketIOCalculator: energies equal e3md eval to 1e-10', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'e3md-ase-'));
    const boxPath = join(dir, 'water-8.extxyz');
    writeFileSync(boxPath, smallWaterBox());
    const tag = `e3md-test-${process.pid}-${Date.now()}`;
    const ase = runAse([`${tag}-a`, `${tag}-b`, HEXAMER, boxPath]);
    // One serve for the two hexamer calculators (--reconnect), one for the box; both started before ASE listens.
    const [cluster, box] = await Promise.all([
      e3md('serve', '--model', MODEL, '--structure', HEXAMER, '--unix', `${tag}-a`, '--reconnect', '--wait', '60', '--threads', '1'),
      e3md('serve', '--model', MODEL, '--structure', boxPath, '--unix', `${tag}-b`, '--wait', '120', '--threads', '1'),
    ]);
    const { converged, frames } = await ase;
    expect(cluster.stderr).toBe('');
    expect(box.stderr).toBe('');
    expect([cluster.code, box.code]).toEqual([0, 0]);
    expect(cluster.stdout).toMatch(/the server closed the connection after \d+ evaluations[\s\S]*the server sent EXIT after \d+ evaluations/);
    expect(converged).toBe(true);

    const bfgs = frames.filter((f) => f.stage === 'bfgs'), md = frames.filter((f) => f.stage === 'md'), cells = frames.filter((f) => f.stage === 'box');
    expect(frames).toEqual([...bfgs, ...md, ...cells]);
    expect(bfgs.length).toBeGreaterThan(3);
    expect(md).toHaveLength(21);
    expect(cells).toHaveLength(2);
    // The relaxation went downhill, and NVE conserved energy: forces arrive in the right units.
    expect(bfgs[bfgs.length - 1]!.energy).toBeLessThan(bfgs[0]!.energy - 0.01);
    const range = (v: number[]): number => Math.max(...v) - Math.min(...v);
    const potentialRange = range(md.map((f) => f.energy));
    expect(potentialRange).toBeGreaterThan(0.05);
    expect(range(md.map((f) => f.energy + f.kinetic_energy!))).toBeLessThan(0.05 * potentialRange);

    // Every geometry ASE sent, written as extxyz and evaluated by `e3md eval`.
    const path = join(dir, 'ase-geometries.extxyz');
    writeFileSync(path, frames.map((f) => formatExtxyz({
      symbols: f.symbols,
      positions: Float64Array.from(f.positions.flat()),
      box: f.pbc.some(Boolean) ? new Box(f.cell.flat(), f.pbc as [boolean, boolean, boolean]) : Box.open(),
    })).join(''));
    const evaluated = await evaluateFrames(MODEL, path);
    frames.forEach((f, k) => {
      const e = evaluated[k]!;
      expect(Math.abs(f.energy - e.energy_eV)).toBeLessThanOrEqual(1e-10 * Math.abs(e.energy_eV));
      const fmax = Math.max(...e.forces.map(Math.abs));
      f.forces.flat().forEach((x, j) => expect(Math.abs(x - e.forces[j]!)).toBeLessThanOrEqual(1e-10 * fmax));
      if (f.stress) {
        // ASE: stress = −W/V, with W the virial e3md sent.
        const wmax = Math.max(...e.virial.map(Math.abs));
        f.stress.flat().forEach((s, j) => expect(Math.abs(-s * f.volume! - e.virial[j]!)).toBeLessThanOrEqual(1e-10 * wmax));
      }
    });
  });
});
