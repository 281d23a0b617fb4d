/**
 * What the engine's WebAssembly modules (engine/cell-search, potentials/lj-kernel) share: a module
 * compiled once per thread from its committed base64 bytes, arrays laid out at 64-byte (cache-line)
 * offsets in one memory, and a memory grown to a layout's size with a message that names the
 * owner and the sizes when it cannot be (WebAssembly's 32-bit address space, or the host's memory).
 */

/** WebAssembly's page, bytes. */
export const WASM_PAGE = 65536;
/** WebAssembly's 32-bit address space: 4 GiB. */
export const WASM_MAX_BYTES = 65536 * WASM_PAGE;

/**
 * A getter of the module `base64` holds, compiled at the first call and kept (per thread: a
 * worker compiles its own).
 * @example
 * const module = compileOnce(LJ_KERNEL_WASM_BASE64);
 * new WebAssembly.Instance(module(), { env: { memory } });
 */
export function compileOnce(base64: string): () => WebAssembly.Module {
  let compiled: WebAssembly.Module | null = null;
  return () => (compiled ??= new WebAssembly.Module(Buffer.from(base64, 'base64')));
}

/**
 * Offsets for arrays placed one after another from byte 0, each starting on a 64-byte boundary.
 * @example
 * const at = alignedOffsets();
 * const layout = { x: at.take(24 * n), f: at.take(24 * n), end: 0 };
 * layout.end = at.end();
 */
export function alignedOffsets(): { take(bytes: number): number; end(): number } {
  let offset = 0;
  return {
    take(bytes) {
      const o = offset;
      offset += Math.ceil(bytes / 64) * 64;
      return o;
    },
    end: () => offset,
  };
}

/** Who asks for the memory, for the messages: "`owner`: `sizes` need … in `place`". */
export interface WasmMemoryUser {
  /** The component the user knows, e.g. 'neighbor list'. */
  owner: string;
  /** Where the memory is, e.g. 'the cell search'. */
  place: string;
  /** What needs it, e.g. '32000 atoms with 1200000 pairs'. */
  sizes: string;
}

/**
 * Grows `memory` (never shrinks it) so that it holds `bytes`.
 * @throws when `bytes` exceeds WebAssembly's 4 GiB or the host refuses to grow the memory; the
 *   message names `user`'s owner, place and sizes, and what to change
 */
export function growTo(memory: WebAssembly.Memory, bytes: number, user: WasmMemoryUser): void {
  if (bytes > WASM_MAX_BYTES) {
    throw new Error(`${user.owner}: ${user.sizes} need ${(bytes / 2 ** 30).toFixed(1)} GiB in ${user.place}, more than WebAssembly's 4 GiB; split the system over workers ("parallel": {"workers": N}) or shorten the cutoff or skin`);
  }
  const have = memory.buffer.byteLength;
  if (bytes <= have) return;
  try {
    memory.grow(Math.ceil((bytes - have) / WASM_PAGE));
  } catch (e) {
    throw new Error(`${user.owner}: cannot grow ${user.place}'s memory to ${(bytes / 2 ** 30).toFixed(2)} GiB for ${user.sizes} (${(e as Error).message}); free memory, split the system over workers or shorten the cutoff or skin`);
  }
}
