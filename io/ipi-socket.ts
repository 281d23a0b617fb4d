/**
 * Where an i-PI server listens and how a driver reaches it. UNIX sockets follow i-PI's and ASE's
 * naming (`address NAME` in i-PI, `SocketIOCalculator(unixsocket=NAME)` in ASE: the file
 * `/tmp/ipi_NAME`); TCP takes a host and port (both default to i-PI's and ASE's: localhost, 31415).
 * A driver is often started before its server has created the socket (a job script starting
 * both), so connecting retries until a deadline.
 */
import { createConnection, type Socket } from 'node:net';

/** The prefix i-PI and ASE put before a UNIX socket's name. */
export const IPI_UNIX_PREFIX = '/tmp/ipi_';

/** The TCP port i-PI's examples and ASE's SocketIOCalculator use by default. */
export const IPI_DEFAULT_PORT = 31415;

/** A server address. */
export type IpiAddress = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

/**
 * The socket file of a UNIX-socket name: `/tmp/ipi_NAME`, or the name itself when it is an
 * absolute path.
 * @example unixSocketPath('water'); // '/tmp/ipi_water'
 */
export function unixSocketPath(name: string): string {
  return name.startsWith('/') ? name : `${IPI_UNIX_PREFIX}${name}`;
}

/** How an address reads in messages. */
export function describeAddress(a: IpiAddress): string {
  return a.kind === 'unix' ? `UNIX socket ${a.path}` : `${a.host}:${a.port} (TCP)`;
}

/** Options of {@link connectIpi}. */
export interface ConnectOptions {
  /** Keep retrying while the server is not there yet, up to this many seconds (0: one try). */
  wait_s: number;
  /** Cancels the wait. */
  signal?: AbortSignal;
  /** Called once when the first try finds no server (to say that it waits). */
  onWait?(): void;
}

/** Errors that mean "no server there yet": worth another try. */
const NOT_YET = new Set(['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EAGAIN']);
const RETRY_MS = 100;

/**
 * Connects to the server, retrying while it is not listening yet.
 * @returns the connected socket, or null when the wait was aborted
 * @throws naming the address and the system error when no server came within `wait_s`, or at once
 *   for errors a wait cannot cure (unknown host, permission denied)
 * @example const socket = await connectIpi({ kind: 'unix', path: unixSocketPath('water') }, { wait_s: 60 });
 */
export async function connectIpi(address: IpiAddress, options: ConnectOptions): Promise<Socket | null> {
  const deadline = performance.now() + 1000 * options.wait_s;
  let waited = false;
  for (;;) {
    if (options.signal?.aborted) return null;
    try {
      return await tryConnect(address);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (!NOT_YET.has(code) || performance.now() + RETRY_MS > deadline) {
        const why = code === 'ENOENT' ? 'no such socket file' : code === 'ECONNREFUSED' ? 'connection refused' : (e as Error).message;
        const hint = NOT_YET.has(code) ? `: no server is listening${options.wait_s > 0 ? ` (waited ${options.wait_s} s)` : ''}; start i-PI or the ASE script first, or raise --wait` : '';
        throw new Error(`cannot connect to ${describeAddress(address)} (${why})${hint}`);
      }
      if (!waited) options.onWait?.();
      waited = true;
      await sleep(RETRY_MS, options.signal);
    }
  }
}

function tryConnect(address: IpiAddress): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = address.kind === 'unix' ? createConnection({ path: address.path }) : createConnection({ host: address.host, port: address.port });
    const fail = (e: Error): void => {
      socket.destroy();
      reject(e);
    };
    socket.once('error', fail);
    socket.once('connect', () => {
      socket.removeListener('error', fail);
      // Messages are small and strictly alternating: Nagle's algorithm would delay each by tens of ms.
      if (address.kind === 'tcp') socket.setNoDelay(true);
      resolve(socket);
    });
  });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
