/**
 * The shipped water model (float64 NequIP) at 1 and 2 onnxruntime threads (README, "Threads"):
 * mean time per `singlePoint` over REPS calls, 2 rounds, for the hexamer (18 atoms) and the
 * 192-atom box; then how far energies and forces at 2, 3 and 4 threads are from 1 thread's.
 * Usage: npx tsx bench/threads-shipped.ts [REPS=20]
 */
import { singlePoint } from '../engine/index.js';
import { readExtxyz, systemOfFrame } from '../io/index.js';
import { createOnnxPotential } from '../potentials/index.js';

const model = 'examples/water/water-nequip.onnx';
const reps = Number(process.argv[2] ?? 20);
for (const file of ['examples/water/hexamer.extxyz', 'examples/water/boxes/water-64.extxyz']) {
  const sys = systemOfFrame(readExtxyz(file)[0]!, file);
  const times: string[] = [];
  for (const round of [1, 2]) {
    for (const threads of [1, 2]) {
      const pot = await createOnnxPotential({ model, typeNames: sys.typeNames, device: 'cpu', intraOpThreads: threads });
      await singlePoint(pot, sys);
      const t = performance.now();
      for (let k = 0; k < reps; k++) await singlePoint(pot, sys);
      times.push(`round ${round}, ${threads} thread(s): ${((performance.now() - t) / reps).toFixed(1)} ms`);
      await pot.dispose!();
    }
  }
  const res: { e: number; f: Float64Array }[] = [];
  for (const threads of [1, 2, 3, 4]) {
    const pot = await createOnnxPotential({ model, typeNames: sys.typeNames, device: 'cpu', intraOpThreads: threads });
    const sp = await singlePoint(pot, sys);
    res.push({ e: sp.energy_eV, f: sp.forces });
    await pot.dispose!();
  }
  const dE = res.map((r) => r.e - res[0]!.e);
  const dF = res.map((r) => Math.max(...r.f.map((x, i) => Math.abs(x - res[0]!.f[i]!))));
  console.log(`${file} (${sys.n} atoms): ${times.join('; ')}`);
  console.log(`  E(t) − E(1 thread) at 1–4 threads: ${dE.join(', ')} eV; max |ΔF|: ${dF.map((x) => x.toExponential(1)).join(', ')} eV/Å`);
}
