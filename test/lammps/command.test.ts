/**
 * `e3md lammps` as a launcher, without LAMMPS: its arguments reach the executable untouched
 * (LAMMPS's -h, -var, -in are not e3md's), the child gets the model server's socket as fd 3, its
 * exit code comes back, and a missing executable is one message with exit 2.
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lammpsCommand } from '../../cli/commands/lammps.js';
import { main } from '../../cli/main.js';

const dir = mkdtempSync(join(tmpdir(), 'e3md-lammps-cmd-'));
const sink = () => {
  let text = '';
  return { write: (s: string) => { text += s; return true; }, get text() { return text; } };
};

describe('e3md lammps', () => {
  it('passes every argument through, hands the child a socket on fd 3 and returns its exit code', async () => {
    const fake = join(dir, 'fake-lammps');
    const record = join(dir, 'args.txt');
    writeFileSync(fake, `#!/bin/sh\nprintf '%s\\n' "$@" > ${record}\n[ -S /proc/self/fd/3 ] && echo "fd3=socket E3MD_LAMMPS_FD=$E3MD_LAMMPS_FD" >> ${record}\nexit 3\n`);
    chmodSync(fake, 0o755);
    const err = sink();
    const env = { ...process.env, E3MD_LAMMPS_EXE: fake };
    process.env['E3MD_LAMMPS_EXE'] = fake;
    try {
      expect(await main(['node', 'e3md', 'lammps', '-h', '-var', 'T', '300', '-in', 'in.water'], { stdout: sink(), stderr: err })).toBe(3);
    } finally {
      delete process.env['E3MD_LAMMPS_EXE'];
    }
    expect(readFileSync(record, 'utf8')).toBe('-h\n-var\nT\n300\n-in\nin.water\nfd3=socket E3MD_LAMMPS_FD=3\n');
    expect(await lammpsCommand([], { stdout: sink(), stderr: err }, env)).toBe(3);
  });

  it('names the missing executable and how to build it', async () => {
    const err = sink();
    expect(await lammpsCommand(['-in', 'x'], { stdout: sink(), stderr: err }, { ...process.env, E3MD_LAMMPS_EXE: join(dir, 'nope') })).toBe(2);
    expect(err.text).toMatch(/E3MD_LAMMPS_EXE=.*nope does not exist/);
  });

  it('is listed by e3md --help', async () => {
    const out = sink();
    await main(['node', 'e3md', '--help'], { stdout: out, stderr: sink() });
    expect(out.text).toMatch(/lammps .*run LAMMPS \(MPI\) with pair_style e3md/);
  });
});
