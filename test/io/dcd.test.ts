import { closeSync, mkdtempSync, openSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Box } from '../../engine/box.js';
import { akmaTime_fs, createDcdWriter, dcdFrameBytes, dcdHeaderBytes, openDcdForAppend } from '../../io/dcd.js';
import { readDcd } from '../../io/dcd-read.js';
import { pythonOrWarn, runPythonJson } from '../harness/python.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'e3md-dcd-'));
// a=(10,0,0), b=(2,9,0), c=(1,1.5,8): all three angles differ from 90°
const triclinic = new Box([10, 0, 0, 2, 9, 0, 1, 1.5, 8], [true, true, true]);
const natoms = 5;
function framePositions(k: number): Float64Array {
  const p = new Float64Array(3 * natoms);
  for (let i = 0; i < p.length; i++) p[i] = 0.25 * i + 1.5 * k + 0.125; // exact in float32
  return p;
}

describe('DCD writer and reader', () => {
  it('round-trips frames, steps and the unit cell; header count follows every frame', () => {
    const path = join(tmp(), 't.dcd');
    const w = createDcdWriter(path, { natoms, timestep_fs: 2, every: 10 });
    for (let k = 0; k < 4; k++) {
      w.write(framePositions(k), triclinic, 10 * k);
      const r = readDcd(path);
      expect(r.header.nset).toBe(k + 1); // valid after every frame, without close()
      expect(r.header.lastStep).toBe(10 * k);
    }
    w.close();
    const { header, frames } = readDcd(path);
    expect(header.natoms).toBe(natoms);
    expect(header.istart).toBe(0);
    expect(header.nsavc).toBe(10);
    expect(header.delta).toBeCloseTo(2 / akmaTime_fs, 6);
    expect(frames.map((f) => f.step)).toEqual([0, 10, 20, 30]);
    frames.forEach((f, k) => expect(Array.from(f.positions)).toEqual(Array.from(framePositions(k))));
    const uc = frames[0].unitCell!;
    expect(uc[0]).toBe(10);
    expect(uc[2]).toBeCloseTo(Math.hypot(2, 9), 12);
    expect(uc[1]).toBeCloseTo(20 / (10 * Math.hypot(2, 9)), 12); // cos gamma = a·b / |a||b|
    expect(statSync(path).size).toBe(dcdHeaderBytes() + 4 * dcdFrameBytes(natoms));
  });

  it('a frame cut short (killed run) leaves a file whose header counts only complete frames', () => {
    const path = join(tmp(), 'killed.dcd');
    const w = createDcdWriter(path, { natoms, timestep_fs: 1, every: 5 });
    w.write(framePositions(0), triclinic, 0);
    w.write(framePositions(1), triclinic, 5);
    w.close();
    const fd = openSync(path, 'a'); // half of a third frame, as if killed mid-write
    writeSync(fd, Buffer.alloc(dcdFrameBytes(natoms) >> 1));
    closeSync(fd);
    const r = readDcd(path);
    expect(r.frames).toHaveLength(2);
    expect(r.framesOnDisk).toBe(2);
  });

  it('restart: drops frames past the checkpoint step, rewrites the count, and continues', () => {
    const path = join(tmp(), 'restart.dcd');
    const w = createDcdWriter(path, { natoms, timestep_fs: 1, every: 10 });
    for (let k = 0; k < 6; k++) w.write(framePositions(k), triclinic, 10 * k); // steps 0..50
    w.close();
    const a = openDcdForAppend(path, { natoms, timestep_fs: 1, every: 10, keepThroughStep: 25 });
    expect(a.frames).toBe(3); // steps 0, 10, 20
    expect(readDcd(path).header.nset).toBe(3);
    expect(() => a.write(framePositions(9), triclinic, 40)).toThrow(/expects step 30/);
    a.write(framePositions(7), triclinic, 30);
    a.close();
    const r = readDcd(path);
    expect(r.frames.map((f) => f.step)).toEqual([0, 10, 20, 30]);
    expect(Array.from(r.frames[3].positions)).toEqual(Array.from(framePositions(7)));
    expect(statSync(path).size).toBe(dcdHeaderBytes() + 4 * dcdFrameBytes(natoms));
    expect(() => openDcdForAppend(path, { natoms: 6, timestep_fs: 1, every: 10, keepThroughStep: 0 })).toThrow(/restart\.dcd: has 5 atoms per frame, the run has 6/);
  });
});

describe.skipIf(!pythonOrWarn('DCD against MDAnalysis', 'MDAnalysis'))('DCD against MDAnalysis', () => {
  it('MDAnalysis reads frame count, positions, time step and box dimensions (A, B, C, α, β, γ)', () => {
    const path = join(tmp(), 'mda.dcd');
    const w = createDcdWriter(path, { natoms, timestep_fs: 2, every: 10 });
    for (let k = 0; k < 3; k++) w.write(framePositions(k), triclinic, 10 * k);
    w.close();
    const script = `
import sys, json, warnings
warnings.filterwarnings('ignore')
from MDAnalysis.coordinates.DCD import DCDReader
r = DCDReader(sys.argv[1])
frames = [dict(pos=ts.positions.ravel().tolist(), dims=ts.dimensions.tolist(), time=ts.time) for ts in r]
print(json.dumps(dict(n_frames=r.n_frames, n_atoms=r.n_atoms, dt=r.ts.dt, frames=frames)))`;
    const r = runPythonJson(script, [path]) as { n_frames: number; n_atoms: number; dt: number; frames: { pos: number[]; dims: number[]; time: number }[] };
    expect(r.n_frames).toBe(3);
    expect(r.n_atoms).toBe(natoms);
    expect(r.dt).toBeCloseTo(0.02, 5); // ps between frames: 10 steps × 2 fs
    r.frames.forEach((f, k) => expect(f.pos).toEqual(Array.from(framePositions(k))));
    const [a, b, c] = [[10, 0, 0], [2, 9, 0], [1, 1.5, 8]];
    const len = (v: number[]): number => Math.hypot(...v);
    const angle = (u: number[], v: number[]): number => (Math.acos((u[0] * v[0] + u[1] * v[1] + u[2] * v[2]) / (len(u) * len(v))) * 180) / Math.PI;
    const expected = [len(a), len(b), len(c), angle(b, c), angle(a, c), angle(a, b)];
    r.frames[2].dims.forEach((d, k) => expect(d).toBeCloseTo(expected[k], 3)); // MDAnalysis stores float32 dims
  });
});
