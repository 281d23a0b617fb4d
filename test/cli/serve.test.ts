/**
 * `e3md serve` against a scripted i-PI server (test/harness/ipi-server.ts): values in atomic units
 * equal to a direct evaluation, periodic triclinic and open cells, i-PI and ASE message orders,
 * sequential drivers, reconnection, TCP, and every protocol error ending the command cleanly.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { atomicUnits, Box, createSystem, fccLattice, Rng, singlePoint, symbolsOf, type Potential } from '../../engine/index.js';
import { formatExtxyz, readExtxyz } from '../../io/index.js';
import { createOnnxPotential, lennardJones } from '../../potentials/index.js';
import { TestIpiServer, type DriverConnection, type ForceReply } from '../harness/ipi-server.js';
import { e3md, ROOT, type CliResult } from './fixtures.js';

const AU = atomicUnits('2014');
const WATER_MODEL = join(ROOT, 'examples/water/water-nequip.onnx');
const HEXAMER = join(ROOT, 'examples/water/hexamer.extxyz');
const LJ = { kind: 'lennard-jones', epsilon_eV: 0.0104, sigma_A: 3.405, cutoff_A: 7.0, shift: true };

const servers: TestIpiServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'e3md-serve-'));
}

async function listen(where: { path: string } | { port: number }): Promise<TestIpiServer> {
  const s = await TestIpiServer.listen(where);
  servers.push(s);
  return s;
}

/** 32 Ar atoms (2×2×2 fcc), jiggled, as a template file; its own cell is not what the server sends. */
function argonTemplate(dir: string): { path: string; symbols: string[]; positions_A: Float64Array } {
  const s = fccLattice({ cells: [2, 2, 2], latticeConstant_A: 5.4, symbol: 'Ar' });
  const r = new Rng(3);
  for (let i = 0; i < s.positions.length; i++) s.positions[i]! += 0.15 * r.normal();
  const path = join(dir, 'argon.extxyz');
  writeFileSync(path, formatExtxyz({ symbols: symbolsOf(s), positions: s.positions, box: s.box }));
  return { path, symbols: symbolsOf(s), positions_A: s.positions };
}

const toBohr = (a: ArrayLike<number>): Float64Array => Float64Array.from(a, (v) => v / AU.bohr_A);

/** What e3md reads back from Bohr values: the same products it computes. */
const fromBohr = (a: ArrayLike<number>): Float64Array => Float64Array.from(a, (v) => v * AU.bohr_A);

async function reference(potential: Potential, symbols: string[], positions_bohr: Float64Array, cell_bohr: Float64Array | null, pbc: boolean) {
  const box = pbc ? new Box(fromBohr(cell_bohr!), [true, true, true]) : Box.open();
  const system = createSystem({ symbols, positions: fromBohr(positions_bohr), masses: symbols.map(() => 1), box });
  return singlePoint(potential, system);
}

function expectSame(reply: ForceReply, ref: { energy_eV: number; forces: Float64Array; virial: Float64Array }, rel: number): void {
  expect(Math.abs(reply.energy_Ha * AU.hartree_eV - ref.energy_eV)).toBeLessThanOrEqual(rel * Math.abs(ref.energy_eV));
  const fmax = Math.max(...ref.forces.map(Math.abs));
  ref.forces.forEach((f, k) => expect(Math.abs((reply.forces[k]! * AU.hartree_eV) / AU.bohr_A - f)).toBeLessThanOrEqual(rel * fmax));
  const wmax = Math.max(...ref.virial.map(Math.abs));
  ref.virial.forEach((w, k) => expect(Math.abs(reply.virial[k]! * AU.hartree_eV - w)).toBeLessThanOrEqual(rel * wmax + 1e-300));
}

/** Starts `e3md serve …args` in this process; the promise resolves when the command returns. */
function serve(...args: string[]): Promise<CliResult> {
  return e3md('serve', '--wait', '10', ...args);
}

describe('e3md serve: values', () => {
  it('Lennard-Jones in a triclinic periodic cell: energy, forces and virial in atomic units equal a direct evaluation', async () => {
    const dir = tempDir();
    const t = argonTemplate(dir);
    const path = join(dir, 'ipi.sock');
    const server = await listen({ path });
    const run = serve('--potential', JSON.stringify(LJ), '--structure', t.path, '--unix', path);
    const c = await server.accept();
    const lj = lennardJones({ cutoff_A: LJ.cutoff_A, shift: true, all: { epsilon_eV: LJ.epsilon_eV, sigma_A: LJ.sigma_A } }, ['Ar']);
    // Two different sheared cells (an upper-triangular one would hide a transposed reading).
    const cells = [
      [10.8, 0, 0, 1.3, 10.7, 0, -0.9, 1.1, 10.9],
      [11.0, 0.4, -0.2, 0.8, 10.6, 0.3, 0.5, -1.2, 11.1],
    ];
    for (const cellA of cells) {
      const cell = toBohr(cellA), pos = toBohr(t.positions_A);
      const reply = await c.calculate(cell, pos);
      expectSame(reply, await reference(lj, t.symbols, pos, cell, true), 1e-14);
      expect(reply.extra.length).toBe(0);
    }
    c.close();
    const r = await run;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/32 atoms \(Ar32\).*lennard-jones.*periodic along a, b, c.*CODATA 2014/);
    expect(r.stdout).toMatch(/the server closed the connection after 2 evaluations/);
  });

  it('the ONNX water model on an open cluster, i-PI message order (NEEDINIT, INIT with a bead index), EXIT', async () => {
    const dir = tempDir();
    const path = join(dir, 'ipi.sock');
    const server = await listen({ path });
    const run = serve('--model', WATER_MODEL, '--structure', HEXAMER, '--unix', path, '--threads', '1');
    const c = await server.accept();
    expect(await c.status()).toBe('NEEDINIT');
    c.init(3, 'any parameters');
    expect(await c.status()).toBe('READY');
    const frame = readExtxyz(HEXAMER)[0]!;
    const model = await createOnnxPotential({ model: WATER_MODEL, typeNames: ['O', 'H'], intraOpThreads: 1 });
    try {
      for (let step = 0; step < 3; step++) {
        const pos = toBohr(frame.positions.map((x, k) => x + 0.01 * step * Math.sin(k)));
        // i-PI always sends a cell, even for a cluster: it is ignored (and said so once).
        c.posdata(toBohr([30, 0, 0, 0, 30, 0, 0, 0, 30]), pos);
        expect(await c.status()).toBe('HAVEDATA');
        const reply = await c.getforce();
        expect(await c.status()).toBe('READY');
        expectSame(reply, await reference(model, frame.symbols, pos, null, false), 1e-12);
      }
    } finally {
      await model.dispose?.();
    }
    c.exit();
    const r = await run;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/18 atoms \(H12 O6\).*onnx:nequip.*open boundaries/);
    expect(r.stdout.match(/the template has no periodic axis/g)).toHaveLength(1);
    expect(r.stdout).toMatch(/the server sent EXIT after 3 evaluations/);
    await c.closed;
  });

  it('TCP: --host and --port', async () => {
    const dir = tempDir();
    const t = argonTemplate(dir);
    const server = await listen({ port: 0 });
    const run = serve('--potential', JSON.stringify(LJ), '--structure', t.path, '--host', '127.0.0.1', '--port', String(server.port), '-q');
    const c = await server.accept();
    const cell = toBohr([10.8, 0, 0, 0, 10.8, 0, 0, 0, 10.8]);
    const reply = await c.calculate(cell, toBohr(t.positions_A));
    expect(reply.forces).toHaveLength(96);
    c.exit();
    const r = await run;
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('a potential block in a file, with the model path relative to that file', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'potential.json'), JSON.stringify({ kind: 'onnx', model: relative(dir, WATER_MODEL), device: 'cpu' }));
    const path = join(dir, 'ipi.sock');
    const server = await listen({ path });
    const run = serve('--potential', join(dir, 'potential.json'), '--structure', HEXAMER, '--unix', path);
    const c = await server.accept();
    const [frame] = readExtxyz(HEXAMER);
    let energy: number;
    try {
      energy = (await c.calculate(new Float64Array(9), toBohr(frame!.positions))).energy_Ha * AU.hartree_eV;
    } finally {
      c.close();
    }
    expect((await run).code).toBe(0);
    // The same model evaluated here, in this process.
    const system = createSystem({ symbols: frame!.symbols, positions: frame!.positions, masses: frame!.symbols.map((s) => (s === 'H' ? 1.008 : 15.999)), box: frame!.box });
    const pot = await createOnnxPotential({ model: WATER_MODEL, typeNames: system.typeNames, device: 'cpu', intraOpThreads: 1 });
    const reference = (await singlePoint(pot, system)).energy_eV;
    await pot.dispose?.();
    expect(Math.abs(energy - reference)).toBeLessThanOrEqual(1e-10 * Math.abs(reference));
  });
});

describe('e3md serve: several drivers and servers', () => {
  it('sequential drivers on one server (a driver leaves on EXIT, the next one takes over)', async () => {
    const dir = tempDir();
    const t = argonTemplate(dir);
    const path = join(dir, 'ipi.sock');
    const server = await listen({ path });
    const cell = toBohr([10.8, 0, 0, 0, 10.8, 0, 0, 0, 10.8]);
    const energies: number[] = [];
    for (let k = 0; k < 2; k++) {
      const run = serve('--potential', JSON.stringify(LJ), '--structure', t.path, '--unix', path, '-q');
      const c = await server.accept();
      energies.push((await c.calculate(cell, toBohr(t.positions_A))).energy_Ha);
      c.exit();
      expect((await run).code).toBe(0);
      await c.closed;
    }
    expect(energies[1]).toBe(energies[0]);
  });

  it('--reconnect: one e3md process serves two servers in turn at the same address, started before either', async () => {
    const dir = tempDir();
    const t = argonTemplate(dir);
    const path = join(dir, 'ipi.sock');
    const run = serve('--potential', JSON.stringify(LJ), '--structure', t.path, '--unix', path, '--reconnect');
    const cell = toBohr([10.8, 0, 0, 0, 10.8, 0, 0, 0, 10.8]);
    for (let k = 0; k < 2; k++) {
      await new Promise((r) => setTimeout(r, 300));
      const server = await TestIpiServer.listen({ path });
      const c = await server.accept();
      await c.calculate(cell, toBohr(t.positions_A));
      // The first server goes away as ASE's does (close); the second says EXIT, which ends serve.
      if (k === 0) c.close();
      else c.exit();
      await c.closed;
      await server.close();
    }
    const r = await run;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/waiting for a server/);
    // Between the two, serve may reach the first server's listener just before it closes: that
    // connection ends before any message and does not count as a session.
    const sessions = r.stdout.split('\n').filter((l) => /after \d+ evaluation/.test(l));
    expect(sessions).toEqual(['the server closed the connection after 1 evaluation', 'the server sent EXIT after 1 evaluation'].map((l) => expect.stringContaining(l)));
  });
});

describe('e3md serve: errors end cleanly, with one message', () => {
  /** Serves the argon template; `script` plays the server. Returns the command's result. */
  async function misbehave(script: (c: DriverConnection) => Promise<void> | void, extra: string[] = []): Promise<CliResult> {
    const dir = tempDir();
    const t = argonTemplate(dir);
    const path = join(dir, 'ipi.sock');
    const server = await listen({ path });
    const run = serve('--potential', JSON.stringify(LJ), '--structure', t.path, '--unix', path, ...extra);
    const c = await server.accept();
    await script(c);
    const r = await run;
    await c.closed; // the driver closed its side: nothing is left hanging
    return r;
  }
  const cell = toBohr([10.8, 0, 0, 0, 10.8, 0, 0, 0, 10.8]);
  const positions = (n: number) => toBohr(Float64Array.from({ length: 3 * n }, (_, k) => (k * 1.7) % 10));

  it('the server sends a different number of atoms: exit 2 naming both counts', async () => {
    const r = await misbehave(async (c) => {
      expect(await c.status()).toBe('NEEDINIT');
      c.posdata(cell, positions(33));
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^e3md serve: the server sent 33 atoms, but the template .*argon\.extxyz has 32; the template must hold the server's atoms in the server's order\n$/);
  });

  it('an unknown header: exit 1 naming it', async () => {
    const r = await misbehave((c) => c.send(c.header('HELLO')));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^e3md serve: protocol error: unknown message "HELLO" from the server \(an i-PI server sends STATUS, INIT, POSDATA, GETFORCE, EXIT\)\n$/);
  });

  it('bytes that are not a header at all (a TLS handshake)', async () => {
    const r = await misbehave((c) => c.send(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 0x7a])));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/protocol error: the server sent a header that is not ASCII text \(bytes 16 03 01 02 00 01 00 01 fc 03 03 7a\); is this an i-PI server\?/);
  });

  it('the server disconnects in the middle of a POSDATA message', async () => {
    const r = await misbehave((c) => {
      c.send(Buffer.concat([c.header('POSDATA'), Buffer.alloc(40)]));
      c.close();
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^e3md serve: the connection closed in the middle of a POSDATA message \(cell and atom count\) \(40 of 148 bytes arrived\); the server stopped mid-message\n$/);
  });

  it('the server disconnects in the middle of a header', async () => {
    const r = await misbehave((c) => {
      c.send(Buffer.from('STAT'));
      c.close();
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/in the middle of a message header \(4 of 12 bytes arrived\)/);
  });

  it('GETFORCE before any POSDATA', async () => {
    const r = await misbehave((c) => c.send(c.header('GETFORCE')));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/protocol error: GETFORCE arrived before any POSDATA/);
  });

  it('a second POSDATA before GETFORCE', async () => {
    const r = await misbehave((c) => {
      c.posdata(cell, positions(32));
      c.posdata(cell, positions(32));
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/POSDATA arrived while the forces of the previous one were not collected/);
  });

  it('INIT asking for i-PI batches', async () => {
    const r = await misbehave((c) => c.init(0, 'batch_size:4'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/asks for batches of 4 structures per message \(batch_size\); e3md serve speaks the plain protocol/);
  });

  it('a degenerate cell for a periodic template', async () => {
    const r = await misbehave((c) => c.posdata(new Float64Array(9), positions(32)));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/evaluation 1: the server sent the cell \[0\.00000 .*\] Å: Box: axis a is periodic but the cell is degenerate/);
  });
});

describe('e3md serve: bad input before connecting (exit 2)', () => {
  const dir = tempDir();
  const argon = (): string => argonTemplate(dir).path;
  const cases: [string, () => string[], RegExp][] = [
    ['species the model does not know', () => ['--model', WATER_MODEL, '--structure', argon(), '--unix', 'x'], /--model: model '.*water-nequip\.onnx' does not know element 'Ar' \(it was made for H, O\)/],
    ['Lennard-Jones without parameters for a species', () => ['--potential', '{"kind":"lennard-jones","cutoff_A":5,"species":{"Kr":{"epsilon_eV":0.01,"sigma_A":3.6}}}', '--structure', argon(), '--unix', 'x'], /--potential: lennard-jones: no parameters for species "Ar"/],
    ['a bad potential block', () => ['--potential', '{"kind":"lennard-jones","cutoff":5}', '--structure', argon(), '--unix', 'x'], /--potential:1:\d+: cutoff: unknown key "cutoff" .*did you mean "cutoff_A"\?/],
    ['both --model and --potential', () => ['--model', WATER_MODEL, '--potential', '{}', '--structure', HEXAMER, '--unix', 'x'], /give the potential as --model FILE\.onnx or as --potential BLOCK \(one of them\)/],
    ['no address', () => ['--model', WATER_MODEL, '--structure', HEXAMER], /say where the server listens: --unix NAME/],
    ['two addresses', () => ['--model', WATER_MODEL, '--structure', HEXAMER, '--unix', 'x', '--port', '3141'], /either --unix NAME or --host\/--port, not both/],
    ['a missing template', () => ['--model', WATER_MODEL, '--structure', join(dir, 'none.extxyz'), '--unix', 'x'], /none\.extxyz/],
  ];
  it.each(cases)('%s', async (_name, args, message) => {
    const r = await e3md('serve', ...args());
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('no server within --wait: exit 1 saying so', async () => {
    const r = await e3md('serve', '--potential', JSON.stringify(LJ), '--structure', argon(), '--unix', join(dir, 'nobody.sock'), '--wait', '0.3', '-q');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot connect to UNIX socket .*nobody\.sock \(no such socket file\): no server is listening \(waited 0\.3 s\); start i-PI or the ASE script first, or raise --wait/);
  });
});
