/**
 * The driver side of one i-PI session: answer STATUS, take INIT, evaluate each POSDATA, send the
 * result on GETFORCE, until the server sends EXIT or goes away. The evaluation is injected, so the
 * loop knows nothing of potentials; the socket is any byte stream (tests use in-memory pairs).
 *
 * State follows i-PI's own Python driver: NEEDINIT until the first INIT (or POSDATA: ASE's comment
 * says some servers skip INIT), READY, HAVEDATA after POSDATA, READY again after FORCEREADY.
 */
import type { AtomicUnits } from '../engine/index.js';
import {
  ByteReader,
  decodeHeader,
  decodePosData,
  encodeForceReady,
  encodeHeader,
  initBatchSize,
  IPI_HEADER_BYTES,
  IPI_MAX_INIT_BYTES,
  IPI_SERVER_MESSAGES,
  IpiProtocolError,
  posDataAtomCount,
  POSDATA_HEAD_BYTES,
  type IpiInit,
  type IpiPositions,
} from './ipi-protocol.js';

/** What one evaluation returns, in e3md units. */
export interface IpiResult {
  energy_eV: number;
  /** (N,3) eV/Å. */
  forces: Float64Array;
  /** (3,3) row-major, eV, W = −stress × volume. */
  virial: Float64Array;
}

/** A byte stream to the server: what a `net.Socket` offers. */
export interface IpiStream extends AsyncIterable<Buffer | string> {
  write(data: Uint8Array): unknown;
}

/** Options of {@link runIpiDriver}. */
export interface IpiDriverOptions {
  /** The connection to the server. */
  stream: IpiStream;
  /** Atoms every POSDATA must carry (the template's). */
  natoms: number;
  /** Conversion to and from atomic units. */
  units: AtomicUnits;
  /** Energy, forces and virial of positions (Å, [N,3]) in a cell (Å, rows; from the server). */
  evaluate(positions: IpiPositions): IpiResult | Promise<IpiResult>;
  /** Called on INIT (after its checks). */
  onInit?(init: IpiInit): void;
}

/** How a session ended. */
export interface IpiSession {
  /** `exit`: the server sent EXIT; `closed`: it closed the connection between messages. */
  reason: 'exit' | 'closed';
  /** Messages received (0: the server closed the connection before saying anything). */
  messages: number;
  /** POSDATA messages evaluated. */
  evaluations: number;
  /** Wall time spent in `evaluate`, s. */
  evaluate_s: number;
}

/** The atom count of a POSDATA message is not the template's. */
export class IpiAtomCountError extends IpiProtocolError {
  constructor(readonly expected: number, readonly received: number) {
    super(`the server sent ${received} atoms; this driver was started for ${expected}`);
  }
}

/**
 * Serves one connection until EXIT or a clean close; resolves with how it ended.
 * @throws IpiProtocolError (bad header, message out of order, wrong atom count, INIT asking for
 *   batching), IpiConnectionClosed (closed mid-message), or whatever `evaluate` throws
 * @example
 * const session = await runIpiDriver({ stream: socket, natoms: 18, units: atomicUnits(), evaluate });
 */
export async function runIpiDriver(options: IpiDriverOptions): Promise<IpiSession> {
  const { stream, natoms, units } = options;
  const reader = new ByteReader(stream[Symbol.asyncIterator]());
  let state: 'NEEDINIT' | 'READY' | 'HAVEDATA' = 'NEEDINIT';
  let result: IpiResult | null = null;
  let messages = 0;
  let evaluations = 0;
  let evaluate_s = 0;
  const buffers: IpiPositions = { cell_A: new Float64Array(9), positions_A: new Float64Array(3 * natoms) };

  for (;;) {
    const header = await reader.read(IPI_HEADER_BYTES, 'a message header', true);
    if (header === null) return { reason: 'closed', messages, evaluations, evaluate_s };
    messages++;
    const name = decodeHeader(header);
    switch (name) {
      case 'STATUS':
        stream.write(encodeHeader(state));
        break;
      case 'INIT': {
        const head = (await reader.read(8, 'an INIT message'))!;
        const beadIndex = head.readInt32LE(0), length = head.readInt32LE(4);
        if (length < 0 || length > IPI_MAX_INIT_BYTES) throw new IpiProtocolError(`INIT: the initialisation text is said to be ${length} bytes long`);
        const text = length > 0 ? (await reader.read(length, 'an INIT message'))!.toString('utf8') : '';
        const batch = initBatchSize(text);
        if (batch > 1) {
          throw new IpiProtocolError(`INIT: the server asks for batches of ${batch} structures per message (batch_size); e3md serve speaks the plain protocol, one structure per POSDATA: remove batch_size from the forcefield`);
        }
        options.onInit?.({ beadIndex, text: text.replace(/\0+$/, '') });
        if (state === 'NEEDINIT') state = 'READY';
        break;
      }
      case 'POSDATA': {
        if (state === 'HAVEDATA') throw new IpiProtocolError('POSDATA arrived while the forces of the previous one were not collected (expected GETFORCE)');
        const head = (await reader.read(POSDATA_HEAD_BYTES, 'a POSDATA message (cell and atom count)'))!;
        const n = posDataAtomCount(head);
        if (n !== natoms) throw new IpiAtomCountError(natoms, n);
        const body = (await reader.read(24 * n, 'a POSDATA message (positions)'))!;
        const positions = decodePosData(head, body, units, buffers);
        const t0 = performance.now();
        result = await options.evaluate(positions);
        evaluate_s += (performance.now() - t0) / 1000;
        if (result.forces.length !== 3 * natoms) throw new Error(`evaluate returned ${result.forces.length / 3} forces for ${natoms} atoms`);
        evaluations++;
        state = 'HAVEDATA';
        break;
      }
      case 'GETFORCE':
        if (state !== 'HAVEDATA' || result === null) throw new IpiProtocolError('GETFORCE arrived before any POSDATA (nothing computed to send)');
        stream.write(encodeForceReady(result.energy_eV, result.forces, result.virial, units));
        state = 'READY';
        break;
      case 'EXIT':
        return { reason: 'exit', messages, evaluations, evaluate_s };
      default:
        throw new IpiProtocolError(`unknown message "${name}" from the server (an i-PI server sends ${IPI_SERVER_MESSAGES.join(', ')})`);
    }
  }
}
