/**
 * The i-PI codec (io/ipi-protocol.ts): headers, the byte layout of POSDATA and FORCEREADY checked
 * against ASE's own IPIProtocol (its sendposdata writes the bytes we decode, its sendrecv_force
 * reads the bytes we encode), exact reads from chunked streams, and the atomic units.
 */
import { describe, expect, it } from 'vitest';
import { atomicUnits } from '../../engine/index.js';
import {
  ByteReader,
  decodeHeader,
  decodePosData,
  encodeForceReady,
  encodeHeader,
  initBatchSize,
  IpiConnectionClosed,
  IpiProtocolError,
  posDataAtomCount,
  POSDATA_HEAD_BYTES,
} from '../../io/index.js';
import { pythonOrWarn, runPythonJson } from '../harness/python.js';

const AU = atomicUnits('2014');

async function* chunks(parts: (Buffer | Error)[]): AsyncGenerator<Buffer> {
  for (const p of parts) {
    if (p instanceof Error) throw p;
    yield p;
  }
}

describe('headers', () => {
  it('are 12 ASCII bytes padded with spaces; trailing spaces and NULs are padding', () => {
    expect(encodeHeader('FORCEREADY').toString('latin1')).toBe('FORCEREADY  ');
    expect(encodeHeader('STATUS')).toHaveLength(12);
    expect(decodeHeader(Buffer.from('POSDATA     '))).toBe('POSDATA');
    expect(decodeHeader(Buffer.from('GETFORCE\0\0\0\0', 'latin1'))).toBe('GETFORCE');
    expect(decodeHeader(Buffer.from('            '))).toBe('');
  });

  it('bytes outside printable ASCII are a protocol error naming them', () => {
    expect(() => decodeHeader(Buffer.from([0x50, 0x4f, 0xff, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20]))).toThrow(
      new IpiProtocolError('the server sent a header that is not ASCII text (bytes 50 4f ff 20 20 20 20 20 20 20 20 20); is this an i-PI server?'),
    );
  });

  it('INIT texts announce batches with batch_size:N', () => {
    expect(initBatchSize('')).toBe(1);
    expect(initBatchSize('\0')).toBe(1);
    expect(initBatchSize('foo, batch_size:8')).toBe(8);
    expect(initBatchSize('batch_size:1')).toBe(1);
  });
});

describe('ByteReader', () => {
  it('assembles exact reads from any chunking', async () => {
    const data = Buffer.from(Array.from({ length: 40 }, (_, k) => k));
    for (const size of [1, 3, 7, 40]) {
      const parts: Buffer[] = [];
      for (let o = 0; o < data.length; o += size) parts.push(data.subarray(o, o + size));
      const r = new ByteReader(chunks(parts));
      expect([...(await r.read(12, 'a'))!]).toEqual([...data.subarray(0, 12)]);
      expect([...(await r.read(28, 'b'))!]).toEqual([...data.subarray(12)]);
      expect(await r.read(12, 'c', true)).toBeNull();
    }
  });

  it('an end inside a read names what was being read and how much came', async () => {
    const r = new ByteReader(chunks([Buffer.alloc(5)]));
    await expect(r.read(12, 'a message header', true)).rejects.toEqual(
      new IpiConnectionClosed('the connection closed in the middle of a message header (5 of 12 bytes arrived)', true),
    );
  });

  it('a reset between messages is a clean end; inside a message it is not; other errors pass through', async () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(await new ByteReader(chunks([reset])).read(12, 'x', true)).toBeNull();
    await expect(new ByteReader(chunks([Buffer.alloc(3), reset])).read(12, 'a header', true)).rejects.toThrow(/reset in the middle of a header \(3 of 12/);
    const other = Object.assign(new Error('boom'), { code: 'EIO' });
    await expect(new ByteReader(chunks([other])).read(12, 'x', true)).rejects.toBe(other);
  });
});

describe('atomic units', () => {
  it('CODATA 2014 and 2018 values within the rounding of their tabulated a0 and E_h', () => {
    // CODATA 2014: a0 = 0.52917721067(12) Å, E_h = 27.21138602(17) eV.
    expect(Math.abs(AU.bohr_A / 0.52917721067 - 1)).toBeLessThan(3e-10);
    expect(Math.abs(AU.hartree_eV / 27.21138602 - 1)).toBeLessThan(7e-9);
    // CODATA 2018: a0 = 0.529177210903(80) Å, E_h = 27.211386245988(53) eV; μ0 taken as 4π·10⁻⁷ shifts them by ~1e-9.
    const u18 = atomicUnits('2018');
    expect(Math.abs(u18.bohr_A / 0.529177210903 - 1)).toBeLessThan(1e-9);
    expect(Math.abs(u18.hartree_eV / 27.211386245988 - 1)).toBeLessThan(2e-9);
  });

  it.skipIf(!pythonOrWarn('atomic units against ase.units', 'ase.units'))('are ase.units.create_units bit for bit', () => {
    const ase = runPythonJson(`
import json
from ase.units import create_units
print(json.dumps({c: [create_units(c)['Bohr'], create_units(c)['Hartree']] for c in ['2014', '2018']}))`) as Record<string, [number, number]>;
    for (const c of ['2014', '2018'] as const) expect([atomicUnits(c).bohr_A, atomicUnits(c).hartree_eV]).toEqual(ase[c]);
  });
});

describe.skipIf(!pythonOrWarn('i-PI byte layout against ASE IPIProtocol', 'ase.calculators.socketio'))('byte layout, against ASE\'s IPIProtocol', () => {
  // A fake socket collects what ASE sends and replays what we send.
  const FAKE = `
import base64, json, sys
import numpy as np
from ase.calculators.socketio import IPIProtocol
class Fake:
    def __init__(self, data=b''): self.out = b''; self.data = data
    def sendall(self, b): self.out += b
    def recv(self, n): b, self.data = self.data[:n], self.data[n:]; return b
`;
  const cell = [[10.2, 0.0, 0.0], [1.3, 9.7, 0.0], [-0.8, 1.1, 11.4]];
  const positions = [[0.1, 0.2, 0.3], [4.0, -5.0, 6.5], [7.25, 8.5, -9.75]];

  it('POSDATA as ASE sends it decodes to ASE\'s cell rows and positions (Å)', () => {
    const { bytes } = runPythonJson(`${FAKE}
s = Fake(); p = IPIProtocol(s)
cell = np.array(${JSON.stringify(cell)}); pos = np.array(${JSON.stringify(positions)})
p.sendposdata(cell, np.linalg.pinv(cell).T, pos)
print(json.dumps({'bytes': base64.b64encode(s.out).decode()}))`) as { bytes: string };
    const raw = Buffer.from(bytes, 'base64');
    expect(decodeHeader(raw.subarray(0, 12))).toBe('POSDATA');
    const head = raw.subarray(12, 12 + POSDATA_HEAD_BYTES);
    expect(posDataAtomCount(head)).toBe(3);
    const got = decodePosData(head, raw.subarray(12 + POSDATA_HEAD_BYTES), AU);
    cell.flat().forEach((v, k) => expect(got.cell_A[k]).toBeCloseTo(v, 13));
    positions.flat().forEach((v, k) => expect(got.positions_A[k]).toBeCloseTo(v, 13));
  });

  it('FORCEREADY as ASE reads it: energy, forces and a non-symmetric virial in eV, eV/Å, eV', () => {
    const forces = Float64Array.from([0.5, -1.25, 2.0, 3.5, 0.0, -0.75, 1e-3, 2e-3, -3e-3]);
    const virial = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const bytes = encodeForceReady(-123.456, forces, virial, AU);
    const got = runPythonJson(`${FAKE}
p = IPIProtocol(Fake(base64.b64decode(sys.argv[1])))
p.sendmsg = lambda msg: None  # the GETFORCE that would precede the reply
e, f, w, more = p.sendrecv_force()
print(json.dumps({'e': e, 'f': f.tolist(), 'w': w.tolist(), 'more': len(more)}))`, [bytes.toString('base64')]) as { e: number; f: number[][]; w: number[][]; more: number };
    expect(got.e).toBeCloseTo(-123.456, 11);
    got.f.flat().forEach((v, k) => expect(v).toBeCloseTo(forces[k]!, 13));
    // ASE's virial is ours, element by element: rows stay rows.
    got.w.flat().forEach((v, k) => expect(v).toBeCloseTo(virial[k]!, 13));
    expect(got.more).toBe(0);
  });
});
