/**
 * Appending one extxyz frame so that the file is readable in full by ASE and MDAnalysis after a
 * kill -9 at any moment. A kill can cut a large write short at a page boundary; readers must then
 * not see a partial frame. The frame goes in as three writes:
 *
 * 1. everything but its last two lines, with the atom count replaced by spaces. ASE stops reading
 *    at a blank line, so it sees only the frames before; MDAnalysis counts frames by lines
 *    (N + 2 per frame) and this part has at most N lines, so it counts only the frames before.
 * 2. the last two lines, placed (by padding the line before them with spaces) inside one page, so
 *    they land whole or not at all. MDAnalysis now reads the complete frame (it ignores the count).
 * 3. the atom count, placed inside one page of the blank count line: one write of a few bytes
 *    that lands whole. ASE now reads the frame too.
 *
 * Padding spaces are invisible to every extxyz reader (fields are whitespace-separated).
 */
import { PAGE_BYTES } from './output-file.js';

/** One positioned write. */
export interface PositionedWrite {
  /** Byte offset in the file. */
  at: number;
  data: Buffer;
}

/**
 * The writes that append `frameText` (one frame as `formatExtxyz` returns it, ending in a newline)
 * to a file whose complete part is `end` bytes long, in the order they must be made, and the
 * file's size after them.
 *
 * @example
 * const { writes, size } = extxyzFrameWrites(formatExtxyz(frame), file.size);
 * for (const w of writes) file.write(w.data, w.at);
 * file.complete(size);
 */
export function extxyzFrameWrites(frameText: string, end: number): { writes: PositionedWrite[]; size: number } {
  const firstNewline = frameText.indexOf('\n');
  const count = Buffer.from(frameText.slice(0, firstNewline).trim(), 'latin1');
  if (!/^\d+$/.test(count.toString('latin1'))) throw new Error('extxyzFrameWrites: the frame does not start with an atom count');
  const rest = Buffer.from(frameText.slice(firstNewline + 1), 'utf8'); // comment line and atom lines
  if (rest.length === 0 || rest[rest.length - 1] !== 0x0a) throw new Error('extxyzFrameWrites: the frame must end with a newline');

  // Split off the last two lines (the last two atoms; the comment line and the atom when N = 1).
  const endOfThird = newlineBefore(rest, newlineBefore(rest, rest.length - 1));
  const body = rest.subarray(0, endOfThird + 1); // may be empty
  const tail = rest.subarray(endOfThird + 1);

  // The blank count line: twice the digits' width, so the digits can sit clear of a page boundary.
  const width = 2 * count.length;
  const room = PAGE_BYTES - (end % PAGE_BYTES);
  const countAt = room < count.length ? room : 0;

  // Pad the line before the tail so the tail does not straddle a page boundary.
  const tailStart = end + width + 1 + body.length;
  const straddles = tail.length <= PAGE_BYTES && Math.floor(tailStart / PAGE_BYTES) !== Math.floor((tailStart + tail.length - 1) / PAGE_BYTES);
  const pad = straddles ? PAGE_BYTES - (tailStart % PAGE_BYTES) : 0;

  const head = Buffer.alloc(width + 1 + body.length + pad, 0x20);
  if (body.length === 0) {
    head[width + pad] = 0x0a; // the padding extends the blank count line
  } else {
    head[width] = 0x0a;
    body.copy(head, width + 1, 0, body.length - 1); // body without its final newline
    head[head.length - 1] = 0x0a; // spaces in between are the padding
  }
  return {
    writes: [
      { at: end, data: head },
      { at: end + head.length, data: Buffer.from(tail) },
      { at: end + countAt, data: count },
    ],
    size: end + head.length + tail.length,
  };
}

/** Index of the last newline in `buf` before index `before`, or −1. (Buffer.lastIndexOf reads a negative offset from the end.) */
function newlineBefore(buf: Buffer, before: number): number {
  for (let k = before - 1; k >= 0; k--) if (buf[k] === 0x0a) return k;
  return -1;
}
