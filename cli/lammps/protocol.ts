/**
 * The wire protocol between `pair_style e3md` (C++, lammps/) and this side, its model server.
 * The layout of every message is specified once, in lammps/e3md_protocol.h; the numbers below
 * repeat that file's constants and test/lammps/protocol.test.ts checks that they agree.
 *
 * Messages are a 16-byte header (uint32 magic, uint32 kind, uint64 payload bytes, little-endian)
 * and a payload. The reader hands each payload over in a buffer of its own that starts on an
 * 8-byte boundary, so that Float64Array views of it need no copy.
 */

/** "E3MD" in memory order. */
export const MAGIC = 0x444d3345;

/** Message kinds: requests from the pair style, replies from the server. */
export const Kind = {
  load: 1,
  compute: 2,
  done: 3,
  ready: 17,
  forces: 18,
  failed: 31,
} as const;

/** COMPUTE's graph: owned atoms in a periodic cell, or owned + ghost atoms as one open graph. */
export const Mode = { periodic: 0, ghosts: 1 } as const;

export const HEADER_BYTES = 16;
/** Bytes of COMPUTE before the positions: 4 int32, cell[9] and the previous call's seconds. */
export const COMPUTE_FIXED_BYTES = 96;
/** Bytes of FORCES before the atomic energies: energy, virial[9], two timings. */
export const FORCES_FIXED_BYTES = 96;

/** One message read off the socket. `payload` is this message's alone (8-byte aligned). */
export interface Message {
  readonly kind: number;
  readonly payload: Uint8Array;
}

/**
 * Splits a byte stream into messages. Feed it every chunk the socket delivers; it returns the
 * messages completed by that chunk.
 * @throws when a header does not start with MAGIC (the peer does not speak this protocol)
 * @example
 * const reader = new MessageReader();
 * socket.on('data', (chunk) => { for (const m of reader.push(chunk)) handle(m); });
 */
export class MessageReader {
  private readonly header = new Uint8Array(HEADER_BYTES);
  private headerFill = 0;
  private payload: Uint8Array | null = null;
  private payloadFill = 0;
  private kind = 0;

  push(chunk: Uint8Array): Message[] {
    const out: Message[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (this.payload === null) {
        const k = Math.min(HEADER_BYTES - this.headerFill, chunk.length - at);
        this.header.set(chunk.subarray(at, at + k), this.headerFill);
        this.headerFill += k;
        at += k;
        if (this.headerFill < HEADER_BYTES) break;
        const view = new DataView(this.header.buffer);
        if (view.getUint32(0, true) !== MAGIC) throw new Error('e3md lammps: the pair style sent bytes that are not of the e3md protocol (bad magic number)');
        this.kind = view.getUint32(4, true);
        const bytes = Number(view.getBigUint64(8, true));
        if (!Number.isSafeInteger(bytes)) throw new Error(`e3md lammps: message of ${bytes} bytes`);
        // A fresh ArrayBuffer starts 8-byte aligned; the handler may keep it.
        this.payload = new Uint8Array(new ArrayBuffer(bytes));
        this.payloadFill = 0;
        this.headerFill = 0;
      }
      const need = this.payload.length - this.payloadFill;
      const k = Math.min(need, chunk.length - at);
      this.payload.set(chunk.subarray(at, at + k), this.payloadFill);
      this.payloadFill += k;
      at += k;
      if (this.payloadFill === this.payload.length) {
        out.push({ kind: this.kind, payload: this.payload });
        this.payload = null;
      }
    }
    return out;
  }
}

/**
 * A message as bytes: header then payload.
 * @example socket.write(encodeMessage(Kind.failed, new TextEncoder().encode('no such file')));
 */
export function encodeMessage(kind: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, kind, true);
  view.setBigUint64(8, BigInt(payload.length), true);
  out.set(payload, HEADER_BYTES);
  return out;
}

/**
 * A message of `payloadBytes` whose payload the caller fills in place (offset 16: 8-byte aligned).
 * @example const m = allocateMessage(Kind.forces, 8 * k); new Float64Array(m.payload.buffer, m.payload.byteOffset, k).set(values);
 */
export function allocateMessage(kind: number, payloadBytes: number): { bytes: Uint8Array; payload: Uint8Array } {
  const bytes = new Uint8Array(HEADER_BYTES + payloadBytes);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, kind, true);
  view.setBigUint64(8, BigInt(payloadBytes), true);
  return { bytes, payload: bytes.subarray(HEADER_BYTES) };
}

/** The `key=value` lines of LOAD and READY. */
export function parseLines(payload: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of new TextDecoder().decode(payload).split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return out;
}

/** `key=value` lines as bytes. */
export function formatLines(entries: Record<string, string | number>): Uint8Array {
  return new TextEncoder().encode(Object.entries(entries).map(([k, v]) => `${k}=${v}\n`).join(''));
}
