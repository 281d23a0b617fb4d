/**
 * The i-PI socket protocol (Ceriotti, More, Manolopoulos, Comput. Phys. Commun. 185, 1019 (2014);
 * the protocol of i-PI and of ASE's SocketIOCalculator), seen from the driver (client) side:
 * message framing, the byte layout of each message and the conversion to atomic units.
 *
 * Every message starts with a 12-byte ASCII header, the name padded with spaces. Payloads are
 * little-endian int32 and float64 in atomic units (Bohr, Hartree):
 *
 * | message (direction) | payload |
 * |---|---|
 * | `STATUS` (server →) | none; answered with `NEEDINIT`, `READY` or `HAVEDATA` |
 * | `INIT` (server →) | int32 bead index, int32 n, n bytes of initialisation text |
 * | `POSDATA` (server →) | 9 float64 cell h, 9 float64 h⁻¹, int32 N, 3N float64 positions [N,3] |
 * | `GETFORCE` (server →) | none; answered with `FORCEREADY` |
 * | `FORCEREADY` (→ server) | float64 energy, int32 N, 3N float64 forces [N,3], 9 float64 virial, int32 n, n bytes extra |
 * | `EXIT` (server →) | none: the driver stops |
 *
 * The cell h holds the lattice vectors as columns, written row by row (`h.tobytes()` in i-PI,
 * `cell.T` in ASE): byte block k·3 + c is component k of vector c, so e3md's row-major cell
 * (vectors as rows) is read column by column. The virial goes back transposed the same way (ASE
 * reads it with `.T`; for the symmetric virials of e3md's potentials the two agree). Its
 * convention is e3md's: W = −stress × volume (ASE sets stress = −W/V).
 */
import type { AtomicUnits } from '../engine/index.js';

/** Bytes of every message header. */
export const IPI_HEADER_BYTES = 12;

/** Messages a driver sends (answers) and receives. */
export type IpiMessage = 'STATUS' | 'NEEDINIT' | 'READY' | 'HAVEDATA' | 'INIT' | 'POSDATA' | 'GETFORCE' | 'FORCEREADY' | 'EXIT';

/** Messages a server may send to a driver. */
export const IPI_SERVER_MESSAGES: readonly IpiMessage[] = ['STATUS', 'INIT', 'POSDATA', 'GETFORCE', 'EXIT'];

/** Largest INIT text accepted, bytes: the text is a short parameter string; more is a broken stream. */
export const IPI_MAX_INIT_BYTES = 1 << 20;

/** The server broke the protocol: an unknown header, a message out of order, a malformed payload. */
export class IpiProtocolError extends Error {
  override readonly name = 'IpiProtocolError';
}

/**
 * The connection ended. `midMessage` is false when it ended between messages (the server went
 * away cleanly, as ASE's SocketIOCalculator does when closed), true when a message was cut short.
 */
export class IpiConnectionClosed extends Error {
  override readonly name = 'IpiConnectionClosed';
  constructor(message: string, readonly midMessage: boolean) {
    super(message);
  }
}

/**
 * The 12-byte header of `name`: ASCII, space-padded.
 * @example encodeHeader('READY'); // <Buffer 52 45 41 44 59 20 20 20 20 20 20 20>
 */
export function encodeHeader(name: IpiMessage): Buffer {
  return Buffer.from(name.padEnd(IPI_HEADER_BYTES, ' '), 'ascii');
}

/**
 * The message name in a 12-byte header, without its padding (spaces; NULs from C drivers).
 * @throws IpiProtocolError when the bytes are not printable ASCII (not an i-PI stream at all)
 */
export function decodeHeader(bytes: Uint8Array): string {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x20 || bytes[end - 1] === 0)) end--;
  for (let k = 0; k < end; k++) {
    const b = bytes[k]!;
    if (b < 0x20 || b > 0x7e) {
      throw new IpiProtocolError(`the server sent a header that is not ASCII text (bytes ${hex(bytes)}); is this an i-PI server?`);
    }
  }
  return Buffer.from(bytes.subarray(0, end)).toString('ascii');
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** The parsed INIT message. */
export interface IpiInit {
  /** Index of the replica (bead) this driver computes, as the server numbers them. */
  beadIndex: number;
  /** The initialisation text (i-PI: the forcefield's `parameters`; ASE sends one NUL byte). */
  text: string;
}

/**
 * Batch size announced in an INIT text (i-PI's `batch_size:N` token, for drivers that take several
 * structures per POSDATA), 1 when absent.
 * @example initBatchSize('batch_size:4'); // 4
 */
export function initBatchSize(text: string): number {
  for (const token of text.split(/[,\s]+/)) {
    const m = /^batch_size:(\d+)$/.exec(token.trim());
    if (m) return Number(m[1]);
  }
  return 1;
}

/** A POSDATA message in e3md units. */
export interface IpiPositions {
  /** (3,3) row-major cell, lattice vectors as rows, Å (zeros from ASE for a cell-less system). */
  cell_A: Float64Array;
  /** (N,3) positions, Å. */
  positions_A: Float64Array;
}

/** Bytes of the fixed part of a POSDATA payload: cell, inverse cell, atom count. */
export const POSDATA_HEAD_BYTES = 9 * 8 + 9 * 8 + 4;

/**
 * Reads the atom count from the fixed part of a POSDATA payload ({@link POSDATA_HEAD_BYTES} bytes).
 */
export function posDataAtomCount(head: Uint8Array): number {
  return Buffer.from(head.buffer, head.byteOffset, head.byteLength).readInt32LE(144);
}

/**
 * Converts a POSDATA payload to Å: `head` the fixed part, `body` the 24·N bytes of positions.
 * Writes into `out` when given (no allocation per message).
 * @throws IpiProtocolError naming the first non-finite number
 * @example const { cell_A, positions_A } = decodePosData(head, body, atomicUnits('2014'));
 */
export function decodePosData(head: Uint8Array, body: Uint8Array, units: AtomicUnits, out?: IpiPositions): IpiPositions {
  const n = body.byteLength / 24;
  const h = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  const p = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const cell_A = out?.cell_A ?? new Float64Array(9);
  const positions_A = out && out.positions_A.length === 3 * n ? out.positions_A : new Float64Array(3 * n);
  const a0 = units.bohr_A;
  for (let k = 0; k < 3; k++) {
    for (let c = 0; c < 3; c++) {
      // Wire block 3k + c is component k of lattice vector c (h has the vectors as columns).
      const v = h.readDoubleLE(8 * (3 * k + c));
      if (!Number.isFinite(v)) throw new IpiProtocolError(`POSDATA: the cell holds a non-finite number (${v})`);
      cell_A[3 * c + k] = v * a0;
    }
  }
  for (let k = 0; k < 3 * n; k++) {
    const v = p.readDoubleLE(8 * k);
    if (!Number.isFinite(v)) throw new IpiProtocolError(`POSDATA: atom ${Math.floor(k / 3) + 1} has a non-finite coordinate (${v})`);
    positions_A[k] = v * a0;
  }
  return { cell_A, positions_A };
}

/**
 * The whole FORCEREADY message (header and payload) for energy (eV), forces (eV/Å, [N,3]) and the
 * virial (eV, [3,3] row-major, W = −stress × volume), in Hartree and Hartree/Bohr. No extra bytes
 * are sent (length 0: i-PI and ASE both read that as "no extras").
 * @example socket.write(encodeForceReady(energy_eV, forces, virial, atomicUnits('2014')));
 */
export function encodeForceReady(energy_eV: number, forces_eV_A: Float64Array, virial_eV: Float64Array, units: AtomicUnits): Buffer {
  const n = forces_eV_A.length / 3;
  const buf = Buffer.alloc(IPI_HEADER_BYTES + 8 + 4 + 24 * n + 72 + 4);
  encodeHeader('FORCEREADY').copy(buf, 0);
  let o = IPI_HEADER_BYTES;
  const toHa = 1 / units.hartree_eV;
  const forceToAu = units.bohr_A / units.hartree_eV;
  buf.writeDoubleLE(energy_eV * toHa, o);
  o += 8;
  buf.writeInt32LE(n, o);
  o += 4;
  for (let k = 0; k < 3 * n; k++, o += 8) buf.writeDoubleLE(forces_eV_A[k]! * forceToAu, o);
  // Transposed, as the cell: block 3k + c holds W[c][k].
  for (let k = 0; k < 3; k++) {
    for (let c = 0; c < 3; c++, o += 8) buf.writeDoubleLE(virial_eV[3 * c + k]! * toHa, o);
  }
  buf.writeInt32LE(0, o);
  return buf;
}

/**
 * Exact-length reads from a byte stream (a socket's async iterator): i-PI messages arrive in
 * arbitrary chunks, and each read takes exactly the bytes of one field.
 */
export class ByteReader {
  private chunks: Buffer[] = [];
  private have = 0;
  private ended = false;

  constructor(private readonly source: AsyncIterator<Buffer | string>) {}

  /**
   * Exactly `n` bytes. At the end of the stream (or a reset): `null` when `atBoundary` and no byte of
   * this read had arrived (the peer left between messages), otherwise an IpiConnectionClosed naming `what`.
   */
  async read(n: number, what: string, atBoundary = false): Promise<Buffer | null> {
    while (this.have < n && !this.ended) {
      let next: IteratorResult<Buffer | string>;
      try {
        next = await this.source.next();
      } catch (e) {
        // A reset between messages is the peer leaving (e.g. a listener closed before it accepted us).
        const reset = (e as NodeJS.ErrnoException).code === 'ECONNRESET';
        if (!reset) throw e;
        this.ended = true;
        if (atBoundary && this.have === 0) return null;
        throw new IpiConnectionClosed(`the connection was reset in the middle of ${what} (${this.have} of ${n} bytes arrived)`, true);
      }
      if (next.done) {
        this.ended = true;
        break;
      }
      const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      this.chunks.push(chunk);
      this.have += chunk.length;
    }
    if (this.have < n) {
      if (atBoundary && this.have === 0) return null;
      throw new IpiConnectionClosed(`the connection closed in the middle of ${what} (${this.have} of ${n} bytes arrived)`, true);
    }
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.have);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.have = rest.length;
    return out;
  }
}
