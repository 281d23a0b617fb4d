/**
 * A scriptable i-PI server for tests: it listens where i-PI or ASE would, accepts a driver and
 * speaks the protocol message by message as ASE's SocketServer does (STATUS, INIT, POSDATA,
 * GETFORCE, EXIT), in atomic units, so tests can drive `e3md serve` and also misbehave on purpose.
 * Written from the protocol's byte layout, independently of io/ipi-protocol.ts's codec.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { ByteReader } from '../../io/index.js';

/** What a FORCEREADY carried, still in atomic units (Hartree, Hartree/Bohr). */
export interface ForceReply {
  energy_Ha: number;
  /** (N,3) Hartree/Bohr. */
  forces: Float64Array;
  /** (3,3) as ASE reads it (the wire's 3×3 block transposed), Hartree. */
  virial: Float64Array;
  extra: Buffer;
}

/** One accepted driver connection. */
export class DriverConnection {
  private readonly reader: ByteReader;
  /** Resolves when the driver closed its side. */
  readonly closed: Promise<void>;

  constructor(readonly socket: Socket) {
    this.reader = new ByteReader(socket[Symbol.asyncIterator]());
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  send(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  header(name: string): Buffer {
    return Buffer.from(name.padEnd(12, ' '), 'ascii');
  }

  async recvHeader(): Promise<string> {
    const b = await this.reader.read(12, 'a reply header');
    return b!.toString('ascii').trimEnd();
  }

  /** STATUS → the driver's answer. */
  async status(): Promise<string> {
    this.send(this.header('STATUS'));
    return this.recvHeader();
  }

  /** INIT with a bead index and text, as i-PI sends it (ASE sends one NUL byte). */
  init(beadIndex = 0, text = '\0'): void {
    const t = Buffer.from(text, 'utf8');
    const b = Buffer.alloc(8);
    b.writeInt32LE(beadIndex, 0);
    b.writeInt32LE(t.length, 4);
    this.send(Buffer.concat([this.header('INIT'), b, t]));
  }

  /**
   * POSDATA for a cell (rows = lattice vectors, Bohr, as an ASE Atoms.cell) and positions (Bohr):
   * the cell goes as ASE sends it, `cell.T` row by row, then its inverse the same way.
   */
  posdata(cell_bohr: ArrayLike<number>, positions_bohr: ArrayLike<number>, natoms = positions_bohr.length / 3): void {
    const b = Buffer.alloc(144 + 4 + 8 * positions_bohr.length);
    const inv = pinvTransposed(cell_bohr);
    for (let k = 0; k < 3; k++) {
      for (let c = 0; c < 3; c++) {
        b.writeDoubleLE(cell_bohr[3 * c + k]!, 8 * (3 * k + c));
        b.writeDoubleLE(inv[3 * c + k]!, 72 + 8 * (3 * k + c));
      }
    }
    b.writeInt32LE(natoms, 144);
    for (let k = 0; k < positions_bohr.length; k++) b.writeDoubleLE(positions_bohr[k]!, 148 + 8 * k);
    this.send(Buffer.concat([this.header('POSDATA'), b]));
  }

  /** GETFORCE → the FORCEREADY payload. */
  async getforce(): Promise<ForceReply> {
    this.send(this.header('GETFORCE'));
    const h = await this.recvHeader();
    if (h !== 'FORCEREADY') throw new Error(`expected FORCEREADY, got ${h}`);
    const e = (await this.reader.read(12, 'energy'))!;
    const energy_Ha = e.readDoubleLE(0);
    const n = e.readInt32LE(8);
    const f = (await this.reader.read(24 * n + 72 + 4, 'forces'))!;
    const forces = new Float64Array(3 * n);
    for (let k = 0; k < 3 * n; k++) forces[k] = f.readDoubleLE(8 * k);
    const virial = new Float64Array(9);
    for (let k = 0; k < 3; k++) for (let c = 0; c < 3; c++) virial[3 * c + k] = f.readDoubleLE(24 * n + 8 * (3 * k + c));
    const nextra = f.readInt32LE(24 * n + 72);
    const extra = nextra > 0 ? (await this.reader.read(nextra, 'extra'))! : Buffer.alloc(0);
    return { energy_Ha, forces, virial, extra };
  }

  /** One full ASE-style step: STATUS (INIT if asked), POSDATA, STATUS, GETFORCE. */
  async calculate(cell_bohr: ArrayLike<number>, positions_bohr: ArrayLike<number>): Promise<ForceReply> {
    let s = await this.status();
    if (s === 'NEEDINIT') {
      this.init();
      s = await this.status();
    }
    if (s !== 'READY') throw new Error(`driver status ${s}, expected READY`);
    this.posdata(cell_bohr, positions_bohr);
    s = await this.status();
    if (s !== 'HAVEDATA') throw new Error(`driver status ${s}, expected HAVEDATA`);
    return this.getforce();
  }

  exit(): void {
    this.send(this.header('EXIT'));
  }

  /** Closes the server's side, as ASE's SocketIOCalculator.close() does. */
  close(): void {
    this.socket.end();
  }
}

/** A listening server; `accept()` yields drivers in the order they connect. */
export class TestIpiServer {
  private pending: Socket[] = [];
  private waiting: ((s: Socket) => void)[] = [];

  private readonly sockets = new Set<Socket>();

  private constructor(readonly server: Server) {
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
      const w = this.waiting.shift();
      if (w) w(s);
      else this.pending.push(s);
    });
  }

  /** Listens on a UNIX socket path, or TCP (port 0: any free port) on 127.0.0.1. */
  static async listen(where: { path: string } | { port: number }): Promise<TestIpiServer> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      if ('path' in where) server.listen(where.path, resolve);
      else server.listen(where.port, '127.0.0.1', resolve);
    });
    return new TestIpiServer(server);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async accept(): Promise<DriverConnection> {
    const s = this.pending.shift() ?? (await new Promise<Socket>((resolve) => this.waiting.push(resolve)));
    return new DriverConnection(s);
  }

  /** Stops listening and drops connections not accepted yet (as a closing listener resets them). */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.pending.splice(0)) s.destroy();
    await closed;
  }
}

/** (A⁻¹)ᵀ of a 3×3 row-major matrix, zeros for a singular one (ASE sends pinv(cell).T). */
function pinvTransposed(a: ArrayLike<number>): Float64Array {
  const [a0, a1, a2, a3, a4, a5, a6, a7, a8] = Array.from(a);
  const c0 = a4! * a8! - a5! * a7!, c1 = a5! * a6! - a3! * a8!, c2 = a3! * a7! - a4! * a6!;
  const det = a0! * c0 + a1! * c1 + a2! * c2;
  if (det === 0) return new Float64Array(9);
  // Transposed inverse = cofactor matrix / det.
  return Float64Array.from([
    c0, c1, c2,
    a2! * a7! - a1! * a8!, a0! * a8! - a2! * a6!, a1! * a6! - a0! * a7!,
    a1! * a5! - a2! * a4!, a2! * a3! - a0! * a5!, a0! * a4! - a1! * a3!,
  ], (v) => v / det);
}
