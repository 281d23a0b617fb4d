/** Assembles potentials/lj-kernel/wat.ts with wabt (a development dependency): the build tool and the test share it. */
import wabt from 'wabt';
import { ljKernelWat } from '../potentials/lj-kernel/wat.js';

/** The kernel module's bytes. Throws wabt's message (line and column in the text) when the text does not assemble or validate. */
export async function assembleLjKernel(): Promise<Uint8Array> {
  const w = await wabt();
  const module = w.parseWat('lj-kernel.wat', ljKernelWat());
  try {
    module.validate();
    return module.toBinary({ log: false, write_debug_names: false }).buffer;
  } finally {
    module.destroy();
  }
}
