import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allocateMessage, COMPUTE_FIXED_BYTES, encodeMessage, FORCES_FIXED_BYTES, formatLines, HEADER_BYTES, Kind, MAGIC, MessageReader, Mode, parseLines } from '../../cli/lammps/protocol.js';

// The protocol is specified in lammps/e3md_protocol.h; cli/lammps/protocol.ts repeats its numbers.
const header = readFileSync(new URL('../../lammps/e3md_protocol.h', import.meta.url), 'utf8');
const constants = new Map([...header.matchAll(/constexpr std::\w+ (\w+) = (0x[0-9a-f]+|\d+);/g)].map((m) => [m[1]!, Number(m[2])]));

describe('the pair style and the model server speak one protocol', () => {
  it('declare the same constants', () => {
    expect(constants.size).toBe(12);
    expect({
      MAGIC, KIND_LOAD: Kind.load, KIND_COMPUTE: Kind.compute, KIND_DONE: Kind.done, KIND_READY: Kind.ready, KIND_FORCES: Kind.forces, KIND_FAILED: Kind.failed,
      MODE_PERIODIC: Mode.periodic, MODE_GHOSTS: Mode.ghosts, HEADER_BYTES, COMPUTE_FIXED_BYTES, FORCES_FIXED_BYTES,
    }).toEqual(Object.fromEntries(constants));
    // "E3MD" in memory order.
    expect(new TextDecoder().decode(new Uint32Array([MAGIC]))).toBe('E3MD');
  });

  it('reads messages split anywhere and hands each payload over 8-byte aligned', () => {
    const a = encodeMessage(Kind.load, formatLines({ model: 'm.onnx', elements: 'O H' }));
    const b = allocateMessage(Kind.forces, 24);
    new Float64Array(b.payload.buffer, b.payload.byteOffset, 3).set([1.5, -2, 3e-300]);
    const stream = new Uint8Array([...a, ...b.bytes, ...encodeMessage(Kind.done, new Uint8Array(0))]);
    for (const step of [1, 7, 16, 1000]) {
      const reader = new MessageReader();
      const got = [];
      for (let at = 0; at < stream.length; at += step) got.push(...reader.push(stream.subarray(at, at + step)));
      expect(got.map((m) => m.kind)).toEqual([Kind.load, Kind.forces, Kind.done]);
      expect(parseLines(got[0]!.payload)).toEqual(new Map([['model', 'm.onnx'], ['elements', 'O H']]));
      expect(got[1]!.payload.byteOffset % 8).toBe(0);
      expect(Array.from(new Float64Array(got[1]!.payload.buffer, got[1]!.payload.byteOffset, 3))).toEqual([1.5, -2, 3e-300]);
      expect(got[2]!.payload.length).toBe(0);
    }
  });

  it('refuses a stream that is not of the protocol', () => {
    expect(() => new MessageReader().push(new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n'))).toThrow(/not of the e3md protocol/);
  });
});
