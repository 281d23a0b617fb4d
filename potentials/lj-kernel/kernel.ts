/**
 * Runs the Lennard-Jones WebAssembly kernel (./wat.ts) over a half list. Each kernel owns one
 * WebAssembly memory holding a copy of what the loop reads: the list (copied when a new list comes,
 * i.e. after each rebuild), the positions, image shifts and type ids (copied at every call), and
 * the forces it writes (copied out at every call). The copies are O(N) per step against the
 * O(pairs) loop; 32,000 argon atoms: 0.8 MB each way per step.
 */
import { alignedOffsets, compileOnce, growTo, type NeighborList } from '../../engine/index.js';
import { LJ_KERNEL_WASM_BASE64 } from './binary.js';

/** Per-type-pair parameters, indexed by ti × nTypes + tj (LAMMPS pair_lj_cut's lj1…lj4 and offset). */
export interface LjPairTable {
  nTypes: number;
  /** 48εσ¹², eV·Å¹². */
  lj1: Float64Array;
  /** 24εσ⁶, eV·Å⁶. */
  lj2: Float64Array;
  /** 4εσ¹², eV·Å¹². */
  lj3: Float64Array;
  /** 4εσ⁶, eV·Å⁶. */
  lj4: Float64Array;
  /** Energy at the cutoff subtracted per pair (0 without shift), eV. */
  eShift: Float64Array;
}

/** One kernel instance (one memory); not shared between threads. */
export interface LjKernel {
  /**
   * Zeroes and fills `forces` (N, 3) with the forces of the pairs of `list` closer than the cutoff,
   * and sets acc[0] to their energy (eV) and acc[1..9] to their virial W = Σ_atoms x ⊗ f +
   * Σ_imaged shift ⊗ F_j (row-major, eV; not symmetrized). `list` must be a half list over these N atoms.
   * @throws when the copies would need more than WebAssembly's 4 GiB of memory
   */
  run(positions: Float64Array, typeIds: Int32Array, list: NeighborList, forces: Float64Array, acc: Float64Array): void;
}

/** Rows per call into the module: V8 first runs WebAssembly in a baseline tier and swaps in optimized code only between calls. */
const ROWS_PER_CALL = 2048;

type PairsOneType = (x: number, f: number, rowAtoms: number, offsets: number, firstImaged: number, neighbors: number, images: number, shifts: number, acc: number,
  r0: number, r1: number, rc2: number, lj1: number, lj2: number, lj3: number, lj4: number, eShift: number) => void;
type PairsMixed = (x: number, f: number, rowAtoms: number, offsets: number, firstImaged: number, neighbors: number, images: number, shifts: number, acc: number,
  r0: number, r1: number, rc2: number, typeIds: number, table: number, nTypes: number) => void;

const module = compileOnce(LJ_KERNEL_WASM_BASE64);

/** Byte offsets of the arrays in memory, each 64-byte aligned (a cache line). */
interface Layout {
  n: number; pairs: number;
  x: number; f: number; acc: number; table: number; shiftsAt: number; typeIds: number;
  rowAtoms: number; offsets: number; firstImaged: number; neighbors: number; images: number; end: number;
}

function layoutFor(n: number, pairs: number, shifts: number, nTypes: number): Layout {
  const { take, end } = alignedOffsets();
  return {
    n, pairs,
    x: take(24 * n), f: take(24 * n), acc: take(80), table: take(40 * nTypes * nTypes), shiftsAt: take(24 * shifts), typeIds: take(4 * n),
    rowAtoms: take(4 * n), offsets: take(4 * (n + 1)), firstImaged: take(4 * n), neighbors: take(4 * pairs), images: take(2 * pairs),
    end: end(),
  };
}

/**
 * A kernel for the parameters `table` and squared cutoff `rc2_A2` (Å²).
 * @example
 * const kernel = createLjKernel(table, 8.5 ** 2);
 * kernel.run(system.positions, system.typeIds, list, out.forces, acc);
 */
export function createLjKernel(table: LjPairTable, rc2_A2: number): LjKernel {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const kernels = new WebAssembly.Instance(module(), { env: { memory } }).exports as { pairsOneType: PairsOneType; pairsMixed: PairsMixed; xDotF: (x: number, f: number, n: number, acc: number) => void };
  const nt = table.nTypes;
  let layout: Layout | null = null;
  let list: NeighborList | null = null;

  /** Room for `next`; growing the memory detaches the old views, so every copy is redone after. */
  function place(next: Layout): void {
    growTo(memory, next.end, { owner: 'lennard-jones', place: 'the kernel', sizes: `${next.n} atoms with ${next.pairs} listed pairs` });
    layout = next;
    const buffer = memory.buffer;
    const t = new Float64Array(buffer, next.table, 5 * nt * nt);
    for (let k = 0; k < nt * nt; k++) {
      t[5 * k] = table.lj1[k]; t[5 * k + 1] = table.lj2[k]; t[5 * k + 2] = table.lj3[k]; t[5 * k + 3] = table.lj4[k]; t[5 * k + 4] = table.eShift[k];
    }
  }

  /** Copies a new list's arrays (a list is immutable until the next build, which makes a new object; engine/neighbor-list.ts). */
  function copyList(next: NeighborList): void {
    const n = next.n;
    place(layoutFor(n, next.nPairs, next.imageShifts.length / 3, nt));
    const L = layout!, buffer = memory.buffer;
    new Int32Array(buffer, L.rowAtoms, n).set(next.rowAtoms.subarray(0, n));
    new Int32Array(buffer, L.offsets, n + 1).set(next.offsets.subarray(0, n + 1));
    new Int32Array(buffer, L.firstImaged, n).set(next.firstImaged.subarray(0, n));
    new Int32Array(buffer, L.neighbors, next.nPairs).set(next.neighbors.subarray(0, next.nPairs));
    new Uint16Array(buffer, L.images, next.nPairs).set(next.images.subarray(0, next.nPairs));
    list = next;
  }

  function run(positions: Float64Array, typeIds: Int32Array, next: NeighborList, forces: Float64Array, acc: Float64Array): void {
    const n = next.n;
    if (next !== list) copyList(next);
    const L = layout!, buffer = memory.buffer;
    // The image shifts follow the cell (setImageShifts rewrites them in place under NPT): copied every call.
    new Float64Array(buffer, L.shiftsAt, next.imageShifts.length).set(next.imageShifts);
    new Float64Array(buffer, L.x, 3 * n).set(positions.subarray(0, 3 * n));
    const f = new Float64Array(buffer, L.f, 3 * n);
    f.fill(0);
    const a = new Float64Array(buffer, L.acc, 10);
    a.fill(0);
    if (nt === 1) {
      const { lj1, lj2, lj3, lj4, eShift } = table;
      for (let r0 = 0; r0 < n; r0 += ROWS_PER_CALL) {
        kernels.pairsOneType(L.x, L.f, L.rowAtoms, L.offsets, L.firstImaged, L.neighbors, L.images, L.shiftsAt, L.acc, r0, Math.min(n, r0 + ROWS_PER_CALL), rc2_A2, lj1[0], lj2[0], lj3[0], lj4[0], eShift[0]);
      }
    } else {
      new Int32Array(buffer, L.typeIds, n).set(typeIds.subarray(0, n));
      for (let r0 = 0; r0 < n; r0 += ROWS_PER_CALL) {
        kernels.pairsMixed(L.x, L.f, L.rowAtoms, L.offsets, L.firstImaged, L.neighbors, L.images, L.shiftsAt, L.acc, r0, Math.min(n, r0 + ROWS_PER_CALL), rc2_A2, L.typeIds, L.table, nt);
      }
    }
    kernels.xDotF(L.x, L.f, n, L.acc);
    forces.set(f);
    acc.set(a);
  }

  return { run };
}
