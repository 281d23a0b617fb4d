/**
 * Assembles the project's WebAssembly modules (tools/wasm-assembler.ts lists them: the
 * Lennard-Jones kernel, potentials/lj-kernel/wat.ts, and the cell list's pair search,
 * engine/cell-search/wat.ts) and writes each one's bytes to the binary.ts next to its source. Run
 * after editing a wat.ts:
 *
 *   npx tsx tools/build-wasm.ts
 *
 * test/potentials/lj-kernel.test.ts and test/engine/cell-search.test.ts fail while the committed
 * bytes differ from a fresh build.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assembleWasm, binaryFileText, WASM_MODULES } from './wasm-assembler.js';

for (const module of WASM_MODULES) {
  const bytes = await assembleWasm(module);
  const out = fileURLToPath(new URL(`../${module.binary}`, import.meta.url));
  writeFileSync(out, binaryFileText(module, bytes));
  console.log(`wrote ${out} (${bytes.length} bytes of WebAssembly)`);
}
