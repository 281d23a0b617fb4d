/**
 * The memory and calls of the cell list's WebAssembly pair search (./wat.ts). One instance per
 * CellList: it owns one WebAssembly memory, laid out afresh at each build for that build's atoms,
 * bins and stencil, and grown (never shrunk) when a build needs more. The list a build returns
 * reads its offsets, firstImaged, neighbors and images straight from this memory, which is what
 * engine/neighbor-list.ts allows ("reused by the next build"): no copy of the pairs is made.
 */
import { alignedOffsets, compileOnce, growTo } from '../wasm-memory.js';
import { CELL_SEARCH_WASM_BASE64 } from './binary.js';

type SearchBin = (sorted: number, sortedWrap: number, order: number, binStart: number, offsets: number, firstImaged: number,
  nbBin: number, nbImg: number, nbShift: number, nbId: number, m: number, tmpJ: number, tmpImg: number, tmpCap: number,
  neighbors: number, images: number, a0: number, a1: number, slotLo: number, slotHi: number, p0: number,
  r2: number, inner2: number, half: number, Rx: number, Ry: number, Rz: number, stride: number) => number;

const module = compileOnce(CELL_SEARCH_WASM_BASE64);

/**
 * Slots past the end of each coordinate column of `sorted` (SearchViews): the search reads
 * candidates two at a time, and the second of a bin's last pair may be one past the last slot.
 */
export const SORTED_PAD = 2;

/** Byte offsets of one build's arrays, each 64-byte aligned; the pairs come last so that they can grow in place. */
interface Layout {
  n: number; nBins: number; nStencil: number; tmpCap: number; pairCap: number;
  sorted: number; sortedWrap: number; order: number; binStart: number; offsets: number; firstImaged: number;
  nbBin: number; nbImg: number; nbShift: number; nbId: number; tmpJ: number; tmpImg: number; neighbors: number; images: number; end: number;
}

function layoutFor(n: number, nBins: number, nStencil: number, tmpCap: number, pairCap: number): Layout {
  const { take, end } = alignedOffsets();
  const l = {
    n, nBins, nStencil, tmpCap, pairCap,
    sorted: take(24 * (n + SORTED_PAD)), sortedWrap: take(12 * n), order: take(4 * n), binStart: take(4 * (nBins + 1)), offsets: take(4 * (n + 1)), firstImaged: take(4 * n),
    nbBin: take(4 * nStencil), nbImg: take(12 * nStencil), nbShift: take(24 * nStencil), nbId: take(4 * nStencil),
    tmpJ: take(12 * tmpCap), tmpImg: take(4 * tmpCap), neighbors: take(4 * pairCap), images: 0, end: 0,
  };
  l.images = take(2 * pairCap);
  l.end = end();
  return l;
}

/** Typed views of the current layout (remade whenever the memory grows or the layout changes). */
export interface SearchViews {
  /** (3, N + SORTED_PAD) wrapped positions in slot order, as columns x, y, z. */
  sorted: Float64Array; sortedWrap: Int32Array; order: Int32Array; binStart: Int32Array; offsets: Int32Array; firstImaged: Int32Array;
  nbBin: Int32Array; nbImg: Int32Array; nbShift: Float64Array; nbId: Int32Array; neighbors: Int32Array; images: Uint16Array;
}

export class CellSearch {
  private readonly memory = new WebAssembly.Memory({ initial: 1 });
  private readonly searchBinWasm: SearchBin;
  private layout: Layout = layoutFor(0, 0, 0, 0, 0);
  /** Pair capacity kept between builds, so that a build of the same system does not regrow. */
  pairCap = 0;
  views!: SearchViews;

  constructor() {
    this.searchBinWasm = (new WebAssembly.Instance(module(), { env: { memory: this.memory } }).exports as { searchBin: SearchBin }).searchBin;
    this.makeViews();
  }

  /**
   * Lays out a build of `n` atoms in `nBins` bins with a stencil of `nStencil` entries (the bin
   * itself included), holding areas of `tmpCap` and room for at least `pairs` pairs.
   */
  begin(n: number, nBins: number, nStencil: number, tmpCap: number, pairs: number): void {
    this.pairCap = Math.max(this.pairCap, pairs);
    this.place(layoutFor(n, nBins, nStencil, tmpCap, this.pairCap));
  }

  /** Room for `need` pairs, keeping the first `keep` (the images move up behind the larger neighbour area). */
  ensurePairs(need: number, keep: number): void {
    if (need <= this.layout.pairCap) return;
    const old = this.layout;
    this.pairCap = Math.max(need, Math.ceil(old.pairCap * 1.5), 1024);
    const next = layoutFor(old.n, old.nBins, old.nStencil, old.tmpCap, this.pairCap);
    this.place(next);
    // Only the images' start moved (the neighbours and everything before them stay in place).
    new Uint8Array(this.memory.buffer).copyWithin(next.images, old.images, old.images + 2 * keep);
  }

  /** Lists the pairs of slots [a0, a1) (one bin) against the `m` stencil entries in views.nb*; returns the pair count after them. */
  searchBin(m: number, a0: number, a1: number, slotLo: number, slotHi: number, p0: number, r2: number, inner2: number, half: boolean, R: readonly number[]): number {
    const L = this.layout;
    return this.searchBinWasm(L.sorted, L.sortedWrap, L.order, L.binStart, L.offsets, L.firstImaged, L.nbBin, L.nbImg, L.nbShift, L.nbId, m,
      L.tmpJ, L.tmpImg, L.tmpCap, L.neighbors, L.images, a0, a1, slotLo, slotHi, p0, r2, inner2, half ? 1 : 0, R[0], R[1], R[2], 8 * (L.n + SORTED_PAD));
  }

  private place(next: Layout): void {
    growTo(this.memory, next.end, { owner: 'neighbor list', place: 'the cell search', sizes: `${next.n} atoms with ${next.pairCap} pairs` });
    this.layout = next;
    this.makeViews();
  }

  private makeViews(): void {
    const b = this.memory.buffer, L = this.layout;
    this.views = {
      sorted: new Float64Array(b, L.sorted, 3 * (L.n + SORTED_PAD)), sortedWrap: new Int32Array(b, L.sortedWrap, 3 * L.n), order: new Int32Array(b, L.order, L.n),
      binStart: new Int32Array(b, L.binStart, L.nBins + 1), offsets: new Int32Array(b, L.offsets, L.n + 1), firstImaged: new Int32Array(b, L.firstImaged, L.n),
      nbBin: new Int32Array(b, L.nbBin, L.nStencil), nbImg: new Int32Array(b, L.nbImg, 3 * L.nStencil), nbShift: new Float64Array(b, L.nbShift, 3 * L.nStencil),
      nbId: new Int32Array(b, L.nbId, L.nStencil), neighbors: new Int32Array(b, L.neighbors, L.pairCap), images: new Uint16Array(b, L.images, L.pairCap),
    };
  }
}

type Renumber = (neighbors: number, count: number, localOf: number, atoms: number, m: number, out: number) => number;

/**
 * The module's `renumber` (./wat.ts) in a memory of its own, for the parts of a half list that
 * workers evaluate in their own atoms (engine/parallel/domain-lists.ts localPartList). Holds, for
 * a system of `n` atoms, `localOf` (n,; −1 for atoms not in the part, as the caller must leave it)
 * and `atoms` (n,), then the pairs' atoms in and their local indices out; the typed views are
 * remade when the memory grows.
 */
export class PartRenumber {
  private readonly memory = new WebAssembly.Memory({ initial: 1 });
  private readonly renumberWasm: Renumber;
  private capacity = 0;
  private readonly localOfAt: number;
  private readonly atomsAt: number;
  private inputAt = 0;
  private outputAt = 0;
  localOf!: Int32Array;
  atoms!: Int32Array;

  constructor(readonly n: number) {
    this.renumberWasm = (new WebAssembly.Instance(module(), { env: { memory: this.memory } }).exports as { renumber: Renumber }).renumber;
    const { take } = alignedOffsets();
    this.localOfAt = take(4 * n);
    this.atomsAt = take(4 * n);
    this.reserve(0);
    this.localOf.fill(-1);
  }

  /** Room for `pairs` pairs (grown by a fifth more than asked, never shrunk); localOf and atoms keep their contents. */
  reserve(pairs: number): void {
    if (pairs <= this.capacity && this.localOf) return;
    if (pairs > this.capacity) this.capacity = Math.ceil(1.2 * pairs);
    const { take, end } = alignedOffsets();
    take(4 * this.n);
    take(4 * this.n);
    this.inputAt = take(4 * this.capacity);
    this.outputAt = take(4 * this.capacity);
    growTo(this.memory, end(), { owner: 'decomposed potential', place: 'the renumbering of a part', sizes: `${this.n} atoms with ${this.capacity} pairs` });
    this.localOf = new Int32Array(this.memory.buffer, this.localOfAt, this.n);
    this.atoms = new Int32Array(this.memory.buffer, this.atomsAt, this.n);
  }

  /**
   * Local indices of `neighbors` (at most the reserved pairs), numbering unnumbered atoms from
   * `m` on; returns the local atom count and the indices (a view, valid until the next call).
   */
  run(neighbors: Int32Array, m: number): { m: number; local: Int32Array } {
    const count = neighbors.length;
    if (count > this.capacity) throw new Error(`PartRenumber.run: ${count} pairs, room for ${this.capacity} (reserve first)`);
    new Int32Array(this.memory.buffer, this.inputAt, count).set(neighbors);
    const total = this.renumberWasm(this.inputAt, count, this.localOfAt, this.atomsAt, m, this.outputAt);
    return { m: total, local: new Int32Array(this.memory.buffer, this.outputAt, count) };
  }
}
