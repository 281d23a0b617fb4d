/**
 * i-PI drives `e3md serve`: a 4-bead path-integral NVT run of the water hexamer through a UNIX
 * socket, ended by i-PI's EXIT. i-PI is not packaged by Debian, so this runs only where IPI_SOURCE
 * names an i-PI source checkout (its bin/i-pi is run with Debian's python3 and numpy); skipped
 * loudly elsewhere.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { atomicUnits, singlePoint } from '../../engine/index.js';
import { readExtxyz, systemOfFrame } from '../../io/index.js';
import { createOnnxPotential } from '../../potentials/index.js';
import { PYTHON } from '../harness/python.js';
import { e3md, ROOT } from './fixtures.js';

const MODEL = join(ROOT, 'examples/water/water-nequip.onnx');
const HEXAMER = join(ROOT, 'examples/water/hexamer.extxyz');
const IPI = process.env['IPI_SOURCE'];
const available = IPI !== undefined && existsSync(join(IPI, 'bin', 'i-pi'));
if (!available) console.warn('\n*** SKIPPED: i-PI driving e3md serve — set IPI_SOURCE to an i-PI source checkout (i-PI is not packaged by Debian) ***\n');

/** i-PI's own eV → Hartree factor (ipi/utils/units.py), rounded to 8 digits: its printed energies carry that rounding. */
const IPI_HARTREE_PER_EV = 0.036749326;

const input = (address: string, steps: number): string => `<simulation verbosity='low'>
  <output prefix='sim'>
    <properties stride='1' filename='out'> [ step, conserved{electronvolt}, potential{electronvolt} ] </properties>
  </output>
  <total_steps>${steps}</total_steps>
  <prng><seed>31415</seed></prng>
  <ffsocket name='e3md' mode='unix' pbc='false'><address>${address}</address></ffsocket>
  <system>
    <initialize nbeads='4'>
      <file mode='xyz'> hexamer.xyz </file>
      <velocities mode='thermal' units='kelvin'> 300 </velocities>
    </initialize>
    <forces><force forcefield='e3md'> </force></forces>
    <motion mode='dynamics'>
      <dynamics mode='nvt'>
        <timestep units='femtosecond'> 0.25 </timestep>
        <thermostat mode='pile_g'><tau units='femtosecond'> 100 </tau></thermostat>
      </dynamics>
    </motion>
    <ensemble><temperature units='kelvin'> 300 </temperature></ensemble>
  </system>
</simulation>
`;

describe.skipIf(!available)('i-PI drives e3md serve', () => {
  it('path-integral MD of the hexamer (4 beads): potentials as e3md computes them, EXIT ends serve', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'e3md-ipi-'));
    const frame = readExtxyz(HEXAMER)[0]!;
    writeFileSync(join(dir, 'hexamer.xyz'), `${frame.symbols.length}\n# CELL(abcABC): 30 30 30 90 90 90 positions{angstrom} cell{angstrom}\n` +
      frame.symbols.map((s, i) => `${s} ${[0, 1, 2].map((k) => frame.positions[3 * i + k])!.join(' ')}\n`).join(''));
    const address = `e3md-ipi-test-${process.pid}`;
    const steps = 4;
    writeFileSync(join(dir, 'input.xml'), input(address, steps));
    const ipi = new Promise<number>((resolve) => {
      const p = spawn(PYTHON, [join(IPI!, 'bin', 'i-pi'), 'input.xml'], { cwd: dir, env: { ...process.env, PYTHONPATH: IPI }, stdio: 'ignore' });
      p.on('close', (code) => resolve(code ?? -1));
    });
    const r = await e3md('serve', '--model', MODEL, '--structure', HEXAMER, '--unix', address, '--wait', '60', '--threads', '1');
    expect(await ipi).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`the server sent EXIT after ${4 * (steps + 1)} evaluations`));

    const rows = readFileSync(join(dir, 'sim.out'), 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#')).map((l) => l.trim().split(/\s+/).map(Number));
    expect(rows).toHaveLength(steps + 1);
    // Step 0: every bead at the hexamer, so the potential is e3md's energy of it, in i-PI's rounded eV.
    const system = systemOfFrame(readExtxyz(HEXAMER)[0]!, HEXAMER);
    const pot = await createOnnxPotential({ model: MODEL, typeNames: system.typeNames, device: 'cpu', intraOpThreads: 1 });
    const ours = (await singlePoint(pot, system)).energy_eV; // as e3md eval of hexamer.extxyz gives it
    await pot.dispose?.();
    const printed = ours / (atomicUnits('2014').hartree_eV * IPI_HARTREE_PER_EV);
    // i-PI prints 9 significant digits (±4e-8); its factor alone moves the value by 1e-7.
    expect(Math.abs(rows[0]![2]! - printed)).toBeLessThan(5e-8 * Math.abs(ours));
    // The conserved quantity of a 1 fs PIMD run changes little.
    expect(Math.abs(rows[steps]![1]! - rows[0]![1]!)).toBeLessThan(0.01);
  });
});
