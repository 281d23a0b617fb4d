/**
 * The model server of one LAMMPS rank: answers `pair_style e3md` (lammps/pair_e3md.cpp) over a
 * socket with the engine's ONNX potential. LOAD opens a model for the elements of the LAMMPS
 * types; each COMPUTE carries positions and model types, the server builds the graph with the
 * engine's cell list (periodic images in the cell, or an open graph over owned + ghost atoms with
 * only the edges the owned energies depend on) and replies energy, virial, per-atom energies and
 * forces. Requests are handled one at a time, in order; the pair style waits for each reply.
 *
 * A request that fails (bad model, unknown element, onnxruntime error) is answered with FAILED
 * and its message, which LAMMPS prints as an ERROR; the server keeps serving.
 */
import type { Duplex } from 'node:stream';
import { Box, createCellList, createForceOutput, type CellList, type ForceOutput, type System } from '../../engine/index.js';
import { createOnnxPotential, mapSpecies, type OnnxPotential } from '../../potentials/index.js';
import {
  allocateMessage,
  COMPUTE_FIXED_BYTES,
  encodeMessage,
  FORCES_FIXED_BYTES,
  formatLines,
  Kind,
  MessageReader,
  Mode,
  parseLines,
  type Message,
} from './protocol.js';
import { createCentreScratch, restrictCentres } from './receptive-field.js';

/** Cumulative counts and times of one server, s. */
export interface ModelServerStats {
  /** COMPUTE requests answered. */
  calls: number;
  /** Time the pair style spent per evaluation, as it reported (packing, transfer, waiting). */
  pair_s: number;
  /** Time from a request's arrival to its reply. */
  server_s: number;
  /** Cell list and, for ghost graphs, the choice of centres. */
  neighbor_s: number;
  /** The potential's input preparation (pairs within r_max into the model's tensors). */
  prepare_s: number;
  /** onnxruntime. */
  model_s: number;
  /** CPU time of this process while answering (all its threads), s: wall time inflated by other load on the machine is not. */
  cpu_s: number;
  /** Σ over calls of atoms sent, owned atoms, and edges given to the model. */
  atoms: number;
  owned: number;
  edges: number;
  /** Bytes received and sent. */
  bytes_in: number;
  bytes_out: number;
  /** The same times call by call (the first calls include onnxruntime's warm-up), s; at most PER_CALL_LIMIT kept. */
  per_call: { pair_s: number[]; server_s: number[]; neighbor_s: number[]; prepare_s: number[]; model_s: number[]; cpu_s: number[] };
}

/** Calls whose times are kept one by one. */
const PER_CALL_LIMIT = 100_000;

/** Options of {@link serveModel}. */
export interface ModelServerOptions {
  /** Receives the server's own messages (device fallbacks, protocol errors). */
  log: (message: string) => void;
}

/**
 * Serves one pair style on `socket` until the socket ends; resolves with the statistics.
 * @example
 * const child = spawn(exe, args, { stdio: ['inherit', 'inherit', 'inherit', 'pipe'], env: { ...process.env, E3MD_LAMMPS_FD: '3' } });
 * const stats = await serveModel(child.stdio[3] as Duplex, { log: console.error });
 */
export function serveModel(socket: Duplex, options: ModelServerOptions): Promise<ModelServerStats> {
  const state = new ServerState(options.log);
  const reader = new MessageReader();
  const queue: Message[] = [];
  let busy = false;
  let ended = false;
  return new Promise((resolve) => {
    const finish = (): void => {
      if (busy) return;
      state.dispose().then(() => resolve(state.stats), () => resolve(state.stats));
    };
    const pump = async (): Promise<void> => {
      if (busy) return;
      busy = true;
      while (queue.length > 0) {
        const m = queue.shift()!;
        state.stats.bytes_in += 16 + m.payload.length;
        const reply = await state.handle(m);
        if (reply && !socket.destroyed) {
          state.stats.bytes_out += reply.length;
          socket.write(reply);
        }
      }
      busy = false;
      if (ended) finish();
    };
    socket.on('data', (chunk: Buffer) => {
      try {
        queue.push(...reader.push(chunk));
      } catch (e) {
        options.log((e as Error).message);
        socket.destroy();
        return;
      }
      void pump();
    });
    const end = (): void => {
      if (ended) return;
      ended = true;
      finish();
    };
    socket.on('end', end);
    socket.on('close', end);
    // A peer that vanishes mid-message is reported by LAMMPS; here it only ends the service.
    socket.on('error', end);
  });
}

const text = (message: string): Uint8Array => new TextEncoder().encode(message);

class ServerState {
  readonly stats: ModelServerStats = {
    calls: 0, pair_s: 0, server_s: 0, neighbor_s: 0, prepare_s: 0, model_s: 0, cpu_s: 0, atoms: 0, owned: 0, edges: 0, bytes_in: 0, bytes_out: 0,
    per_call: { pair_s: [], server_s: [], neighbor_s: [], prepare_s: [], model_s: [], cpu_s: [] },
  };
  /** Whether the pair style still owes the time of its last COMPUTE (it comes with the next request or DONE). */
  private pairTimeOwed = false;
  private potential: OnnxPotential | null = null;
  private typeNames: readonly string[] = [];
  private depth = 1;
  private search: CellList | null = null;
  private readonly centres = createCentreScratch();
  private system: System | null = null;
  private out: ForceOutput = createForceOutput(0);
  private box: Box = Box.open();

  constructor(private readonly log: (message: string) => void) {}

  async handle(m: Message): Promise<Uint8Array | null> {
    try {
      switch (m.kind) {
        case Kind.load:
          return await this.load(m.payload);
        case Kind.compute:
          return await this.compute(m.payload);
        case Kind.done:
          if (m.payload.length >= 8) this.pairTime(new Float64Array(m.payload.buffer, m.payload.byteOffset, 1)[0]!);
          this.pairTimeOwed = false;
          return null;
        default:
          return encodeMessage(Kind.failed, text(`e3md lammps: unknown request kind ${m.kind}`));
      }
    } catch (e) {
      return encodeMessage(Kind.failed, text((e as Error).message));
    }
  }

  async dispose(): Promise<void> {
    const p = this.potential;
    this.potential = null;
    await p?.dispose?.();
  }

  /** The pair style's time for its previous COMPUTE. */
  private pairTime(seconds: number): void {
    if (!this.pairTimeOwed) return;
    this.stats.pair_s += seconds;
    if (this.stats.per_call.pair_s.length < PER_CALL_LIMIT) this.stats.per_call.pair_s.push(seconds);
  }

  private async load(payload: Uint8Array): Promise<Uint8Array> {
    this.pairTimeOwed = false;
    const keys = parseLines(payload);
    const model = keys.get('model') ?? '';
    const elements = (keys.get('elements') ?? '').split(/\s+/).filter((s) => s !== '');
    const threads = Number(keys.get('threads') ?? '1');
    await this.dispose();
    this.system = null;
    const distinct = [...new Set(elements)];
    const potential = await createOnnxPotential({ model, typeNames: distinct, device: keys.get('device') ?? 'auto', intraOpThreads: threads, log: this.log });
    const meta = potential.metadata;
    this.potential = potential;
    this.typeNames = meta.typeNames;
    this.depth = meta.interactionDepth;
    this.search = createCellList({ radius_A: meta.rMax_A, kind: 'full' });
    return encodeMessage(Kind.ready, formatLines({
      r_max: meta.rMax_A,
      interaction_depth: meta.interactionDepth,
      dtype: meta.dtype,
      architecture: meta.architecture,
      type_names: meta.typeNames.join(','),
      type_ids: Array.from(mapSpecies(elements, meta.typeNames, `model '${model}'`)).join(' '),
      provider: potential.provider,
    }));
  }

  private async compute(payload: Uint8Array): Promise<Uint8Array> {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const potential = this.potential;
    if (!potential || !this.search) throw new Error('e3md lammps: COMPUTE before a model was loaded');
    const head = new Int32Array(payload.buffer, payload.byteOffset, 4);
    const n = head[0]!, owned = head[1]!, mode = head[2]!, pbcBits = head[3]!;
    if (!(n >= 0 && owned >= 0 && owned <= n) || (mode !== Mode.periodic && mode !== Mode.ghosts) || (mode === Mode.periodic && owned !== n)) {
      throw new Error(`e3md lammps: malformed COMPUTE (atoms ${n}, owned ${owned}, mode ${mode})`);
    }
    if (payload.length !== COMPUTE_FIXED_BYTES + 28 * n) throw new Error(`e3md lammps: COMPUTE of ${n} atoms has ${payload.length} bytes, expected ${COMPUTE_FIXED_BYTES + 28 * n}`);
    const fixed = new Float64Array(payload.buffer, payload.byteOffset + 16, 10);
    this.pairTime(fixed[9]!);
    const positions = new Float64Array(payload.buffer, payload.byteOffset + COMPUTE_FIXED_BYTES, 3 * n);
    const types = new Int32Array(payload.buffer, payload.byteOffset + COMPUTE_FIXED_BYTES + 24 * n, n);
    for (let i = 0; i < n; i++) {
      if (!(types[i]! >= 0 && types[i]! < this.typeNames.length)) throw new Error(`e3md lammps: atom ${i} has model type ${types[i]}, the model has ${this.typeNames.length}`);
    }
    const system = this.systemFor(n, positions, types);
    if (mode === Mode.periodic) {
      system.box = this.periodicBox(fixed.subarray(0, 9), pbcBits);
    } else {
      system.box = Box.open();
    }

    const modelBefore = potential.timings.model_s, prepareBefore = potential.timings.prepare_s;
    const out = this.out;
    let edges = 0;
    let neighbor_s = 0;
    if (owned > 0) {
      const t1 = performance.now();
      let list = this.search.build(positions, system.box);
      if (mode === Mode.ghosts) list = restrictCentres(list, owned, this.depth, this.centres);
      neighbor_s = (performance.now() - t1) / 1000;
      potential.setOwnedAtoms(mode === Mode.ghosts ? owned : null);
      await potential.compute(system, list, out);
      edges = potential.lastEdgeCount;
    } else {
      // Nothing owned here (an empty subdomain): no energy, no forces, no model call.
      out.energy_eV = 0;
      out.forces.fill(0);
      out.virial.fill(0);
    }
    const model_s = potential.timings.model_s - modelBefore;

    const reply = allocateMessage(Kind.forces, FORCES_FIXED_BYTES + 8 * (owned + 3 * n));
    const r = new Float64Array(reply.payload.buffer, reply.payload.byteOffset, 12 + owned + 3 * n);
    r[0] = out.energy_eV;
    r.set(out.virial, 1);
    r[11] = model_s;
    if (owned > 0) r.set(potential.lastAtomicEnergy.subarray(0, owned), 12);
    r.set(out.forces, 12 + owned);
    const server_s = (performance.now() - t0) / 1000;
    r[10] = server_s;

    const s = this.stats;
    const prepare_s = potential.timings.prepare_s - prepareBefore;
    const cpu = process.cpuUsage(cpu0);
    const cpu_s = (cpu.user + cpu.system) / 1e6;
    s.calls++;
    s.cpu_s += cpu_s;
    s.server_s += server_s;
    s.neighbor_s += neighbor_s;
    s.model_s += model_s;
    s.prepare_s += prepare_s;
    if (s.calls <= PER_CALL_LIMIT) {
      const c = s.per_call;
      c.server_s.push(server_s);
      c.neighbor_s.push(neighbor_s);
      c.prepare_s.push(prepare_s);
      c.model_s.push(model_s);
      c.cpu_s.push(cpu_s);
    }
    this.pairTimeOwed = true;
    s.atoms += n;
    s.owned += owned;
    s.edges += edges;
    return reply.bytes;
  }

  /** The system the potential sees: positions are a view of the request, types a copy kept while they do not change. */
  private systemFor(n: number, positions: Float64Array, types: Int32Array): System {
    let s = this.system;
    if (!s || s.n !== n) {
      this.out = createForceOutput(n);
      s = { n, positions, velocities: new Float64Array(3 * n), forces: this.out.forces, masses: new Float64Array(n), typeIds: Int32Array.from(types), typeNames: this.typeNames, box: Box.open() };
      this.system = s;
      return s;
    }
    s.positions = positions;
    // The potential re-reads species when typeIds is a new array: give it one only when they changed (atoms are re-sorted at LAMMPS's neighbor-list builds).
    const ids = s.typeIds;
    for (let i = 0; i < n; i++) {
      if (ids[i] !== types[i]) {
        s.typeIds = Int32Array.from(types);
        break;
      }
    }
    return s;
  }

  private periodicBox(cell: Float64Array, pbcBits: number): Box {
    const b = this.box;
    const pbc: [boolean, boolean, boolean] = [(pbcBits & 1) !== 0, (pbcBits & 2) !== 0, (pbcBits & 4) !== 0];
    let same = b.pbc[0] === pbc[0] && b.pbc[1] === pbc[1] && b.pbc[2] === pbc[2];
    for (let k = 0; k < 9 && same; k++) same = b.cell[k] === cell[k];
    if (!same) this.box = new Box(cell, pbc);
    return this.box;
  }
}
