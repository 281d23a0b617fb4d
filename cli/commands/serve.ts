/**
 * `e3md serve`: e3md as an i-PI driver (client). It connects to the socket an i-PI server or
 * ASE's SocketIOCalculator listens on and computes energy, forces and virial for every geometry it
 * is sent, so ASE's optimisers, NEB and MD, and i-PI's path-integral and replica-exchange methods,
 * run on any e3md potential. The protocol sends positions and a cell only: a template structure
 * gives the species, the atom order and the periodic axes.
 *
 * A session ends when the server sends EXIT or closes the connection; then the command exits (as
 * i-PI's drivers do), or with `--reconnect` waits for the next server at the same address (one
 * e3md process for several ASE calculators in turn). Exit codes: 0 the server ended the session,
 * 1 protocol or evaluation failure, 2 bad input (template, potential, atom count), 130 Ctrl-C.
 */
import { dirname, resolve } from 'node:path';
import type { Socket } from 'node:net';
import { Command, InvalidArgumentError, Option } from 'commander';
import { atomicUnits, Box, createCellList, createForceOutput, type Potential, type System } from '../../engine/index.js';
import {
  connectIpi,
  describeAddress,
  InputError,
  IpiAtomCountError,
  IpiConnectionClosed,
  IpiProtocolError,
  IPI_DEFAULT_PORT,
  parseConfig,
  potentialSchema,
  readConfigText,
  readExtxyz,
  runIpiDriver,
  systemOfFrame,
  unixSocketPath,
  type IpiAddress,
  type IpiSession,
  type IpiPositions,
  type IpiResult,
} from '../../io/index.js';
import { createOnnxPotential, defaultModelThreads, lennardJones, type OnnxPotential } from '../../potentials/index.js';
import { positiveInteger } from '../arguments.js';
import { EXIT, type CliStreams } from '../exit-codes.js';

/** Flags of `e3md serve` as commander parses them. */
export interface ServeFlags {
  structure: string;
  model?: string;
  potential?: string;
  device?: string;
  threads?: number;
  unix?: string;
  host?: string;
  port?: number;
  wait: number;
  reconnect?: boolean;
  codata: '2014' | '2018';
  quiet?: boolean;
}

function nonNegative(text: string): number {
  const v = Number(text);
  if (!(v >= 0) || !Number.isFinite(v)) throw new InvalidArgumentError(`expected a number ≥ 0, got "${text}"`);
  return v;
}

function port(text: string): number {
  const v = Number(text);
  if (!/^\d+$/.test(text.trim()) || v < 1 || v > 65535) throw new InvalidArgumentError(`expected a TCP port (1–65535), got "${text}"`);
  return v;
}

/** Registers `e3md serve` on `program`. */
export function registerServeCommand(program: Command, io: CliStreams, setExit: (code: number) => void): void {
  program
    .command('serve')
    .summary('compute forces for i-PI or ASE (SocketIOCalculator) over the i-PI socket protocol')
    .description(
      'Connects as a driver to an i-PI server or to ASE\'s SocketIOCalculator and computes energy, forces and ' +
      'virial of every geometry sent (atomic units on the wire, converted exactly). The template structure gives ' +
      'species, atom order and periodic axes (a template without Lattice= is an open cluster: cells sent are ignored). ' +
      'The potential is an ONNX model (--model) or an input.json-style potential block (--potential: a JSON file or ' +
      'inline JSON, e.g. Lennard-Jones). Exits when the server sends EXIT or closes the connection (--reconnect: waits ' +
      'for the next server instead).',
    )
    .requiredOption('--structure <template.extxyz>', 'species and atom order (the last frame of the file), periodic axes from its pbc')
    .option('--model <file.onnx>', 'an e3md ONNX potential')
    .option('--potential <block.json|json>', 'a potential block as in input.json ("kind": "onnx" or "lennard-jones"), from a file or inline')
    .option('--device <device>', 'with --model: auto | cpu | cuda | cuda:N | webgpu', 'auto')
    .option('--threads <n>', 'onnxruntime threads (default: 1 below 100 atoms, else every core; repeatable at any count; README, "Threads")', positiveInteger)
    .option('--unix <name>', 'UNIX socket: /tmp/ipi_NAME as i-PI (address NAME) and ASE (unixsocket=NAME) create it; an absolute path is taken as is')
    .option('--host <host>', `TCP server host (default localhost)`)
    .option('--port <port>', `TCP server port (default ${IPI_DEFAULT_PORT}, as i-PI and ASE)`, port)
    .option('--wait <seconds>', 'keep trying to connect while no server listens yet, up to this long (0: one try)', nonNegative, 60)
    .option('--reconnect', 'after a server closes the connection, wait (--wait) for the next one at the same address instead of exiting')
    .addOption(new Option('--codata <year>', 'CODATA set of the Bohr radius and Hartree energy (ASE\'s default is 2014)').choices(['2014', '2018']).default('2014'))
    .option('-q, --quiet', 'print nothing but errors')
    .addHelpText('after', `
Examples:
  e3md serve --model examples/water/water-nequip.onnx --structure examples/water/hexamer.extxyz --unix water
      (beside an ASE script with SocketIOCalculator(unixsocket="water"), or i-PI with <address>water</address>)
  e3md serve --potential '{"kind":"lennard-jones","epsilon_eV":0.0104,"sigma_A":3.405,"cutoff_A":8.5}' --structure argon.extxyz --host node7 --port 31415
`)
    .action(async (flags: ServeFlags) => {
      setExit(await serveCommand(flags, io));
    });
}

/** Runs `serve`; returns the exit code. */
export async function serveCommand(flags: ServeFlags, io: CliStreams): Promise<number> {
  const fail = (code: number, message: string): number => {
    io.stderr.write(`e3md serve: ${message}\n`);
    return code;
  };
  const say = (line: string): void => {
    if (!flags.quiet) io.stdout.write(`${line}\n`);
  };

  let address: IpiAddress;
  let template: Template;
  let potential: Potential;
  try {
    address = addressOf(flags);
    template = readTemplate(flags.structure);
    potential = await loadPotential(flags, template.system.typeNames, template.system.n);
  } catch (e) {
    return fail(EXIT.badInput, (e as Error).message);
  }

  const units = atomicUnits(flags.codata);
  const evaluator = createEvaluator(template.system, potential, (note) => say(`note: ${note}`));
  const { provider, metadata } = potential as Partial<OnnxPotential>;
  const boundaries = template.system.box.isOpen ? 'open boundaries' : `periodic along ${['a', 'b', 'c'].filter((_, k) => template.system.box.pbc[k]).join(', ')}`;
  say(
    `e3md serve: ${template.system.n} atoms (${template.formula}) from ${flags.structure}, ${potential.name}${metadata ? ` ${metadata.dtype}` : ''}${provider ? ` (${provider})` : ''}, ` +
    `${boundaries}, atomic units of CODATA ${flags.codata}`,
  );

  const abort = new AbortController();
  let socket: Socket | null = null;
  const onSigint = (): void => {
    abort.abort();
    socket?.destroy();
  };
  process.once('SIGINT', onSigint);
  try {
    let sessions = 0;
    for (;;) {
      try {
        socket = await connectIpi(address, { wait_s: flags.wait, signal: abort.signal, onWait: () => say(`waiting for a server at ${describeAddress(address)} …`) });
      } catch (e) {
        // With --reconnect, no further server within the wait is the normal end.
        if (sessions > 0) {
          say(`no new server at ${describeAddress(address)} within ${flags.wait} s; stopping`);
          return EXIT.ok;
        }
        return fail(EXIT.failed, (e as Error).message);
      }
      if (socket === null || abort.signal.aborted) return fail(EXIT.interrupted, 'interrupted while waiting for a server');
      say(`connected to ${describeAddress(address)}`);
      // Write errors (EPIPE after the server left) also reach the reader, which reports them.
      socket.on('error', () => {});
      let ended: IpiSession;
      try {
        ended = await runIpiDriver({ stream: socket, natoms: template.system.n, units, evaluate: evaluator });
      } catch (e) {
        if (abort.signal.aborted) return fail(EXIT.interrupted, 'interrupted; connection closed');
        return fail(...describeFailure(e, flags.structure, template.system.n));
      } finally {
        socket.destroy();
        socket = null;
      }
      // Ctrl-C destroys the socket, which ends the stream as a server leaving would.
      if (abort.signal.aborted) return fail(EXIT.interrupted, `interrupted after ${ended.evaluations} evaluations; connection closed`);
      say(sessionSummary(ended));
      // A connection closed before any message is no session: a listener that closed after the
      // kernel had queued us (ASE closing while we reconnect). With --reconnect, wait on.
      if (ended.messages > 0) sessions++;
      if (ended.reason === 'exit' || !flags.reconnect) return EXIT.ok;
    }
  } finally {
    process.removeListener('SIGINT', onSigint);
    await potential.dispose?.();
  }
}

function sessionSummary(ended: IpiSession): string {
  if (ended.messages === 0) return 'the server closed the connection before sending anything';
  const each = ended.evaluations > 0 ? ` (${((1000 * ended.evaluate_s) / ended.evaluations).toFixed(2)} ms each)` : '';
  const how = ended.reason === 'exit' ? 'the server sent EXIT' : 'the server closed the connection';
  return `${how} after ${ended.evaluations} evaluation${ended.evaluations === 1 ? '' : 's'}${each}`;
}

/** An exit code and message for whatever ended a session badly. */
function describeFailure(e: unknown, structure: string, n: number): [number, string] {
  if (e instanceof IpiAtomCountError) {
    return [EXIT.badInput, `the server sent ${e.received} atoms, but the template ${structure} has ${n}; the template must hold the server's atoms in the server's order`];
  }
  if (e instanceof IpiProtocolError) return [EXIT.failed, `protocol error: ${e.message}`];
  if (e instanceof IpiConnectionClosed) return [EXIT.failed, `${e.message}; the server stopped mid-message`];
  if (e instanceof EvaluationError) return [EXIT.failed, e.message];
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ECONNRESET' || code === 'EPIPE') return [EXIT.failed, `the server broke the connection (${code})`];
  return [EXIT.failed, (e as Error).message];
}

function addressOf(flags: ServeFlags): IpiAddress {
  const tcp = flags.host !== undefined || flags.port !== undefined;
  if (flags.unix !== undefined && tcp) throw new Error('give either --unix NAME or --host/--port, not both');
  if (flags.unix !== undefined) {
    if (flags.unix === '') throw new Error('--unix needs a socket name');
    return { kind: 'unix', path: unixSocketPath(flags.unix) };
  }
  if (!tcp) throw new Error(`say where the server listens: --unix NAME (the socket /tmp/ipi_NAME) or --host HOST --port PORT (default port ${IPI_DEFAULT_PORT})`);
  return { kind: 'tcp', host: flags.host ?? 'localhost', port: flags.port ?? IPI_DEFAULT_PORT };
}

interface Template {
  system: System;
  /** e.g. `H12 O6`. */
  formula: string;
}

function readTemplate(path: string): Template {
  const frames = readExtxyz(path);
  const frame = frames[frames.length - 1];
  if (!frame || frame.symbols.length === 0) throw new InputError('the template has no atoms', { file: path });
  const system = systemOfFrame(frame, path);
  const counts = new Map<string, number>();
  for (const s of frame.symbols) counts.set(s, (counts.get(s) ?? 0) + 1);
  const formula = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([s, k]) => `${s}${k}`).join(' ');
  return { system, formula };
}

/** The potential of `--model` or `--potential`, checked against the template's species. */
async function loadPotential(flags: ServeFlags, typeNames: readonly string[], n: number): Promise<Potential> {
  if ((flags.model === undefined) === (flags.potential === undefined)) throw new Error('give the potential as --model FILE.onnx or as --potential BLOCK (one of them)');
  if (flags.model !== undefined) return openOnnx(flags.model, flags.device ?? 'auto', flags.threads ?? defaultModelThreads(n), typeNames, '--model');
  const text = flags.potential!.trim();
  const inline = text.startsWith('{');
  const file = inline ? '--potential' : flags.potential!;
  const { value: block } = parseConfig(inline ? text : readConfigText(file, 'potential file'), file, potentialSchema);
  if (block.kind === 'onnx') {
    // As in input.json: a model path is relative to the file that names it.
    const model = resolve(inline ? process.cwd() : dirname(resolve(file)), block.model);
    return openOnnx(model, block.device, flags.threads ?? block.threads ?? defaultModelThreads(n), typeNames, `${file}: model`);
  }
  const all = block.epsilon_eV !== undefined && block.sigma_A !== undefined ? { epsilon_eV: block.epsilon_eV, sigma_A: block.sigma_A } : undefined;
  try {
    return lennardJones({ cutoff_A: block.cutoff_A, shift: block.shift, all, species: block.species }, typeNames);
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message} (species of the template: ${typeNames.join(', ')})`);
  }
}

async function openOnnx(model: string, device: string, threads: number, typeNames: readonly string[], what: string): Promise<Potential> {
  try {
    return await createOnnxPotential({ model, typeNames, device, intraOpThreads: threads });
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message}`);
  }
}

/** A failure of the evaluation itself (bad cell from the server, non-finite energy). */
class EvaluationError extends Error {}

/**
 * Energy, forces and virial of the template's atoms at the positions and cell of a POSDATA. A fresh
 * neighbor search per call: consecutive calls may be far apart (i-PI sends the beads of a ring
 * polymer, or replicas, in turn), so a Verlet list would rarely be reused. Buffers are reused.
 */
function createEvaluator(system: System, potential: Potential, note: (text: string) => void): (p: IpiPositions) => Promise<IpiResult> {
  const search = createCellList({ radius_A: potential.cutoff_A, kind: potential.neighborKind });
  const out = createForceOutput(system.n);
  const pbc = system.box.pbc;
  const periodic = !system.box.isOpen;
  const lastCell = new Float64Array(9).fill(Number.NaN);
  let calls = 0;
  let warnedCell = false;
  return async ({ cell_A, positions_A }) => {
    calls++;
    if (periodic) {
      if (cell_A.some((v, k) => v !== lastCell[k])) {
        try {
          system.box = new Box(cell_A, pbc);
        } catch (e) {
          throw new EvaluationError(`evaluation ${calls}: the server sent the cell [${Array.from(cell_A, (v) => v.toPrecision(6)).join(' ')}] Å: ${(e as Error).message}`);
        }
        lastCell.set(cell_A);
      }
    } else if (!warnedCell && cell_A.some((v) => v !== 0)) {
      warnedCell = true;
      note('the server sends a cell, but the template has no periodic axis: computing an open cluster (give the template a Lattice= and pbc="T T T" to make it periodic)');
    }
    system.positions.set(positions_A);
    const list = search.build(system.positions, system.box);
    await potential.compute(system, list, out);
    if (!Number.isFinite(out.energy_eV)) throw new EvaluationError(`evaluation ${calls}: the energy is ${out.energy_eV} (atoms on top of each other, or far outside the model's data?)`);
    return out;
  };
}
