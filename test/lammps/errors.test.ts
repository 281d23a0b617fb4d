/**
 * Every misuse of pair_style e3md ends LAMMPS with its own ERROR line naming the problem and exit
 * code 1 — never a crash, a hang or an uncaught C++ exception. (What the model server says about
 * a missing file or a bad request is tested without LAMMPS in model-server.test.ts.) Skipped,
 * loudly, without LAMMPS.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatLammpsData } from '../../io/index.js';
import { createGraph, writeModel } from '../../onnx/index.js';
import { exportPotential } from '../../models/index.js';
import { lammpsExecutable } from '../../cli/commands/lammps.js';
import { runLammps } from '../../bench/lammps-run.js';
import { MODELS, noMpi, structures, unavailable } from './scenario.js';

const dir = mkdtempSync(join(tmpdir(), 'e3md-lammps-errors-'));

/** A LAMMPS input on the small triclinic water box; `edit` changes its pair lines. */
function input(pair: string, before = ''): string {
  return `units metal\natom_style atomic\nboundary p p p\n${before}read_data box.data\n${pair}\nrun 0\n`;
}

const CASES: [string, string, RegExp, number?][] = [
  ['an element the model does not know', input('pair_style e3md\npair_coeff * * allegro.onnx O C'), /ERROR: pair_coeff e3md: model 'allegro.onnx' does not know element 'C' \(it was made for H, O\)/],
  ['an ONNX file that is not an e3md potential', input('pair_style e3md\npair_coeff * * double.onnx O H'), /ERROR: pair_coeff e3md: model 'double.onnx': input 'pos' is missing \(an e3md potential needs inputs pos, atom_types/],
  ['newton off', input('pair_style e3md\npair_coeff * * allegro.onnx O H', 'newton off\n'), /ERROR: pair e3md requires newton pair on/],
  ['units other than metal', input('pair_style e3md\npair_coeff * * allegro.onnx O H').replace('units metal', 'units real'), /ERROR: pair e3md requires units metal/],
  ['a ghost shell thinner than the model\'s interaction depth × r_max', input('pair_style e3md graph ghosts\npair_coeff * * nequip.onnx O H'), /ERROR: pair e3md: the model needs ghost atoms out to interaction depth 2 x r_max 3.5 A \+ skin 2 A = 9 A, but the ghost cutoff \(communication cutoff\) is 5.5 A: add `comm_modify cutoff 9`/],
  ['the same on 2 MPI ranks', input('pair_style e3md\npair_coeff * * nequip.onnx O H'), /ERROR: pair e3md: the model needs ghost atoms out to interaction depth 2 x r_max 3.5 A/, 2],
  ['per-atom virials', input('pair_style e3md\npair_coeff * * allegro.onnx O H\ncompute s all stress/atom NULL\ndump d all custom 1 s.dump id c_s[1]'), /ERROR: pair e3md computes no per-atom virial/],
];

describe.skipIf(unavailable !== null)('pair_style e3md errors are LAMMPS errors', () => {
  beforeAll(() => {
    const s = structures().triclinic;
    writeFileSync(join(dir, 'box.data'), formatLammpsData({ symbols: Array.from(s.typeIds, (t) => s.typeNames[t]!), positions: s.positions, box: s.box }, { typeNames: ['O', 'H'] }));
    writeFileSync(join(dir, 'allegro.onnx'), exportPotential(MODELS.allegro, { dtype: 'float64' }));
    writeFileSync(join(dir, 'nequip.onnx'), exportPotential(MODELS.nequip, { dtype: 'float64' }));
    const g = createGraph({ dtype: 'float64' });
    g.output('y', g.mul(g.input('x', ['N']), 2));
    writeFileSync(join(dir, 'double.onnx'), writeModel(g));
    CASES.forEach(([, text], k) => writeFileSync(join(dir, `in.${k}`), text));
  });

  // The runs are independent: side by side they take about the time of the slowest.
  it.concurrent.for(CASES.map((c, k) => [c[0], k] as const))('%s', async ([, k], { expect }) => {
    const [, , message, ranks = 1] = CASES[k]!;
    if (ranks > 1 && noMpi) return;
    const r = await runLammps(['-in', `in.${k}`, '-log', 'none', '-nocite'], dir, ranks);
    const out = r.stdout + r.stderr;
    expect(out).toMatch(message);
    expect(out).not.toMatch(/Segmentation|core dumped|terminate called|MPI_ABORT|uncaught/);
    expect(r.code).toBe(1);
  });

  it('LAMMPS started without `e3md lammps` says how to start it', () => {
    const r = spawnSync(lammpsExecutable(), ['-in', 'in.0', '-log', 'none', '-nocite'], { cwd: dir, encoding: 'utf8', env: { ...process.env, E3MD_LAMMPS_FD: '' } });
    expect(r.stdout).toMatch(/ERROR: pair_style e3md needs its e3md model server: run LAMMPS as `e3md lammps <LAMMPS arguments>`/);
    expect(r.status).toBe(1);
  });
});
