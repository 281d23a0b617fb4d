/**
 * Shared pieces of the LAMMPS tests: a periodic cell cut into "owned atoms + ghost images", as a
 * LAMMPS rank holds it, and a client that talks to the model server the way pair_style e3md does.
 */
import { connect, createServer, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { System } from '../../engine/index.js';
import { serveModel, type ModelServerStats } from '../../cli/lammps/model-server.js';
import { COMPUTE_FIXED_BYTES, encodeMessage, formatLines, Kind, MessageReader, Mode, type Message } from '../../cli/lammps/protocol.js';

/** The cell's atoms first, then every periodic image within `shell` Å (Cartesian) of the cell's atoms' bounding box; `owner` maps each atom to its cell atom. */
export function withGhosts(cell: System, shell: number): { positions: Float64Array; types: Int32Array; owner: Int32Array } {
  const x = cell.positions;
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < cell.n; i++) for (let k = 0; k < 3; k++) { lo[k] = Math.min(lo[k]!, x[3 * i + k]!); hi[k] = Math.max(hi[k]!, x[3 * i + k]!); }
  const h = cell.box.cell;
  const reach = Math.ceil(shell / Math.min(...cell.box.perpendicularWidths())) + 1;
  const pos: number[] = [], types: number[] = [], owner: number[] = [];
  const add = (i: number, a: number, b: number, c: number): void => {
    const p = [0, 1, 2].map((k) => x[3 * i + k]! + a * h[k]! + b * h[3 + k]! + c * h[6 + k]!);
    if (a !== 0 || b !== 0 || c !== 0) {
      if (Math.hypot(...p.map((v, k) => Math.max(0, lo[k]! - v, v - hi[k]!))) > shell) return;
    }
    pos.push(...p); types.push(cell.typeIds[i]!); owner.push(i);
  };
  for (let i = 0; i < cell.n; i++) add(i, 0, 0, 0);
  for (let a = -reach; a <= reach; a++) for (let b = -reach; b <= reach; b++) for (let c = -reach; c <= reach; c++) {
    if (a !== 0 || b !== 0 || c !== 0) for (let i = 0; i < cell.n; i++) add(i, a, b, c);
  }
  return { positions: Float64Array.from(pos), types: Int32Array.from(types), owner: Int32Array.from(owner) };
}

/** What FORCES carries, decoded. */
export interface ForcesReply { energy: number; virial: Float64Array; atomic: Float64Array; forces: Float64Array }

/** A model server on a UNIX socket and a client that sends what pair_style e3md sends. */
export async function startServer(): Promise<{
  request(kind: number, payload: Uint8Array): Promise<Message>;
  load(keys: Record<string, string | number>): Promise<Message>;
  compute(n: number, owned: number, mode: number, cell: ArrayLike<number>, pbcBits: number, positions: ArrayLike<number>, types: ArrayLike<number>): Promise<Message>;
  close(): Promise<ModelServerStats>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'e3md-server-'));
  const path = join(dir, 's.sock');
  let stats!: Promise<ModelServerStats>;
  const server = createServer((socket) => { stats = serveModel(socket, { log: () => {} }); });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  const client: Socket = await new Promise((resolve) => { const c = connect(path, () => resolve(c)); });
  const reader = new MessageReader();
  const waiting: ((m: Message) => void)[] = [];
  client.on('data', (chunk) => { for (const m of reader.push(chunk)) waiting.shift()!(m); });
  const request = (kind: number, payload: Uint8Array): Promise<Message> => new Promise((resolve) => { waiting.push(resolve); client.write(encodeMessage(kind, payload)); });
  return {
    request,
    load: (keys) => request(Kind.load, formatLines(keys)),
    compute(n, owned, mode, cell, pbcBits, positions, types) {
      const buf = new ArrayBuffer(COMPUTE_FIXED_BYTES + 28 * n);
      new Int32Array(buf, 0, 4).set([n, owned, mode, pbcBits]);
      new Float64Array(buf, 16, 10).set([...Array.from(cell), 0]);
      new Float64Array(buf, COMPUTE_FIXED_BYTES, 3 * n).set(positions);
      new Int32Array(buf, COMPUTE_FIXED_BYTES + 24 * n, n).set(types);
      return request(Kind.compute, new Uint8Array(buf));
    },
    async close() {
      client.end();
      const s = await stats;
      server.close();
      rmSync(dir, { recursive: true, force: true });
      return s;
    },
  };
}

/** FORCES decoded (owned atomic energies, forces of all n atoms sent). */
export function decodeForces(m: Message, n: number, owned: number): ForcesReply {
  if (m.kind !== Kind.forces) throw new Error(`expected FORCES, got kind ${m.kind}: ${new TextDecoder().decode(m.payload)}`);
  const r = new Float64Array(m.payload.buffer, m.payload.byteOffset, m.payload.length / 8);
  return { energy: r[0]!, virial: r.slice(1, 10), atomic: r.slice(12, 12 + owned), forces: r.slice(12 + owned, 12 + owned + 3 * n) };
}

export { Mode };
