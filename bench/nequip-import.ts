/**
 * An imported nequip model in e3md against nequip's own TorchScript model: the same deployed file
 * (`nequip-deploy build`), the same structure, the same CPU and thread count, in one run. e3md
 * imports the file (`e3md model import`), then times one energy + forces + virial call of the
 * ONNX model; nequip's frozen deployed model is timed in a Python child (nequip 0.6.2 on Debian
 * torch 1.13, the reference environment of issue 15) between two e3md rounds. Neighbour search is
 * excluded on both sides (e3md: the list is built once; nequip: AtomicData is built once).
 *
 * Usage: npx tsx bench/nequip-import.ts DEPLOYED.pth [--structure examples/water/boxes/water-64.extxyz]
 *        [--python /work/ref/bin/python] [--steps 10] [--threads 1]
 * The model of the README's number: tools/make-nequip-import-fixtures.py --bench DIR (NequIP,
 * 4 layers, l_max 2, 32 features, r_max 4 Å, float32). Prints JSON on stdout, a summary on stderr.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createCellList, createForceOutput, createSystem } from '../engine/index.js';
import { readExtxyz, systemOfFrame } from '../io/index.js';
import { createOnnxPotential } from '../potentials/index.js';
import { importCommand } from '../cli/commands/model-import.js';
import { repoRoot } from './paths.js';

const PEER = `
import json, sys, time, ase.io, torch
from nequip.data import AtomicData, AtomicDataDict
from nequip.data.transforms import TypeMapper
from nequip.scripts import deploy
path, structure, steps, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
model, meta = deploy.load_deployed_model(path, freeze=True, set_global_options=True)
types = meta[deploy.TYPE_NAMES_KEY].split(" ")
data = AtomicData.from_ase(atoms=ase.io.read(structure, 0), r_max=float(meta[deploy.R_MAX_KEY]))
data = AtomicData.to_AtomicDataDict(TypeMapper(chemical_symbol_to_type={s: i for i, s in enumerate(types)})(data))
for _ in range(int(meta.get(deploy.JIT_BAILOUT_KEY) or 2) + 4):  # TorchScript's profiling runs
    model(data.copy())[AtomicDataDict.TOTAL_ENERGY_KEY].item()
times = []
for _ in range(steps):
    t = time.perf_counter()
    e = model(data.copy())[AtomicDataDict.TOTAL_ENERGY_KEY].item()
    times.append(1000 * (time.perf_counter() - t))
print(json.dumps({"ms": times, "energy": e, "edges": int(data[AtomicDataDict.EDGE_INDEX_KEY].shape[1]), "torch": str(torch.__version__), "threads": torch.get_num_threads()}))
`;

function arg(argv: string[], key: string, fallback: string): string {
  const k = argv.indexOf(key);
  return k >= 0 && argv[k + 1] !== undefined ? argv[k + 1]! : fallback;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const deployed = argv[0];
  if (!deployed || deployed.startsWith('--')) throw new Error('usage: npx tsx bench/nequip-import.ts DEPLOYED.pth [--structure S] [--python PY] [--steps N] [--threads T]');
  const structure = resolve(arg(argv, '--structure', join(repoRoot(), 'examples/water/boxes/water-64.extxyz')));
  const python = arg(argv, '--python', '/work/ref/bin/python');
  const steps = Number(arg(argv, '--steps', '10'));
  const threads = Number(arg(argv, '--threads', '1'));

  const onnx = join(mkdtempSync(join(tmpdir(), 'e3md-bench-')), 'imported.onnx');
  const quiet = { stdout: { write: () => true }, stderr: { write: (s: string) => process.stderr.write(s) } };
  if ((await importCommand(deployed, { out: onnx, python }, quiet)) !== 0) throw new Error('import failed');

  const frame = readExtxyz(structure)[0]!;
  const system = systemOfFrame(frame, structure);
  const pot = await createOnnxPotential({ model: onnx, typeNames: system.typeNames, device: 'cpu', intraOpThreads: threads });
  const list = createCellList({ radius_A: pot.cutoff_A, kind: 'full' }).build(system.positions, system.box);
  const out = createForceOutput(system.n);
  const e3mdRound = async (): Promise<number[]> => {
    for (let k = 0; k < 2; k++) await pot.compute(system, list, out);
    const ms: number[] = [];
    for (let k = 0; k < steps; k++) {
      const t = performance.now();
      await pot.compute(system, list, out);
      ms.push(performance.now() - t);
    }
    return ms;
  };
  const first = await e3mdRound();
  const r = spawnSync(python, ['-W', 'ignore', '-c', PEER, resolve(deployed), structure, String(steps), String(threads)], { encoding: 'utf8', cwd: tmpdir(), env: { ...process.env, REF_THREADS: String(threads) } });
  if (r.status !== 0) throw new Error(`nequip peer failed: ${r.stderr}`);
  const peer = JSON.parse(r.stdout) as { ms: number[]; energy: number; edges: number; torch: string; threads: number };
  const second = await e3mdRound();
  const e3mdEnergy = out.energy_eV;
  await pot.dispose?.();

  const e3mdMs = [...first, ...second];
  const best = (v: number[]): number => Math.min(...v);
  const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
  const result = {
    model: resolve(deployed), structure, atoms: system.n, edges: pot.lastEdgeCount, threads, steps,
    e3md_ms: best(e3mdMs), e3md_ms_median: median(e3mdMs), nequip_ms: best(peer.ms), nequip_ms_median: median(peer.ms),
    speedup: best(peer.ms) / best(e3mdMs), energy_rel_diff: Math.abs(e3mdEnergy - peer.energy) / Math.abs(peer.energy),
    nequip_edges: peer.edges, torch: peer.torch,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.stderr.write(
    `${system.n} atoms, ${pot.lastEdgeCount} edges, ${threads} thread(s): e3md ${result.e3md_ms.toFixed(1)} ms (median ${result.e3md_ms_median.toFixed(1)}), ` +
    `nequip TorchScript ${result.nequip_ms.toFixed(1)} ms (median ${result.nequip_ms_median.toFixed(1)}) → nequip/e3md = ${result.speedup.toFixed(2)}; ` +
    `energies differ by ${result.energy_rel_diff.toExponential(1)} relative\n`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`nequip-import bench: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
