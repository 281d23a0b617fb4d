import { describe, expect, it } from 'vitest';
import { CELL_SEARCH_WASM_BASE64 } from '../../engine/cell-search/binary.js';
import { alignedOffsets, compileOnce, growTo, WASM_MAX_BYTES, WASM_PAGE } from '../../engine/wasm-memory.js';

const user = { owner: 'lennard-jones', place: 'the kernel', sizes: '10 atoms with 20 listed pairs' };

describe('engine/wasm-memory', () => {
  it('lays arrays out one after another on 64-byte boundaries', () => {
    const at = alignedOffsets();
    expect([at.take(24), at.take(0), at.take(64), at.take(65), at.take(1)]).toEqual([0, 64, 64, 128, 256]);
    expect(at.end()).toBe(320);
  });

  it('compiles a module once and hands the same one back', () => {
    const module = compileOnce(CELL_SEARCH_WASM_BASE64);
    const a = module();
    expect(a).toBeInstanceOf(WebAssembly.Module);
    expect(module()).toBe(a);
    const instance = new WebAssembly.Instance(a, { env: { memory: new WebAssembly.Memory({ initial: 1 }) } });
    expect(typeof instance.exports.searchBin).toBe('function');
  });

  it('grows a memory to whole pages and never shrinks it', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    growTo(memory, 3 * WASM_PAGE + 1, user);
    expect(memory.buffer.byteLength).toBe(4 * WASM_PAGE);
    growTo(memory, 10, user);
    expect(memory.buffer.byteLength).toBe(4 * WASM_PAGE);
  });

  it('refuses more than 4 GiB with a message naming the owner, the sizes and what to change', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    expect(() => growTo(memory, WASM_MAX_BYTES + 1, user)).toThrow(/^lennard-jones: 10 atoms with 20 listed pairs need 4\.0 GiB in the kernel, more than WebAssembly's 4 GiB; split the system over workers/);
    expect(memory.buffer.byteLength).toBe(WASM_PAGE);
  });

  it('names the owner and the cause when the memory cannot grow', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 2 });
    expect(() => growTo(memory, 3 * WASM_PAGE, { ...user, owner: 'neighbor list', place: 'the cell search' }))
      .toThrow(/^neighbor list: cannot grow the cell search's memory to 0\.00 GiB for 10 atoms with 20 listed pairs \(.+\); free memory/);
  });
});
