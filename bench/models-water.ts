/**
 * Per-step cost of the equivariant potentials on periodic liquid water, split the way the engine
 * pays it: neighbor list (cell list with r_max + 1 Å skin), input preparation (pairs within r_max
 * → ONNX tensors) and the model (onnxruntime: energy, forces and virial in one graph), for the
 * 192- and 1536-atom boxes of examples/water/boxes. Models: NequIP (4 layers, lmax 2, 32
 * features, r_max 5 Å) and Allegro (2 layers, lmax 2, 16 tensor channels, 64 latents), float32,
 * random weights (cost does not depend on their values).
 *
 * The peer is the same NequIP built from e3nn 0.5.6 modules on PyTorch (CPU), with the same
 * weights read from the same ONNX file (tools/e3nn-nequip-reference.py), timed in the same run
 * with the same thread count: `ratio` = e3nn model time / e3md model time.
 *
 * Usage: npx tsx bench/models-water.ts [--sizes 192,1536] [--archs nequip,allegro] [--steps 3]
 *        [--threads 1] [--no-peer]
 * Prints one JSON object on stdout and a table on stderr. Best-of-steps (min) times are reported
 * with medians, because the machine is shared.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVerletList, type System } from '../engine/index.js';
import { readExtxyz, systemOfFrame } from '../io/index.js';
import { createAllegro, exportPotential, type PotentialModel, createNequip } from '../models/index.js';
import { createOnnxPotential } from '../potentials/index.js';
import { createForceOutput } from '../engine/index.js';
import { repoRoot } from './paths.js';

interface Args { sizes: number[]; archs: string[]; steps: number; threads: number; peer: boolean }

function parseArgs(argv: string[]): Args {
  const a: Args = { sizes: [192, 1536], archs: ['nequip', 'allegro'], steps: 3, threads: 1, peer: true };
  for (let k = 0; k < argv.length; k++) {
    const key = argv[k];
    const next = (): string => {
      const v = argv[++k];
      if (v === undefined) throw new Error(`models-water: ${key} needs a value`);
      return v;
    };
    if (key === '--sizes') a.sizes = next().split(',').map(Number);
    else if (key === '--archs') a.archs = next().split(',');
    else if (key === '--steps') a.steps = Number(next());
    else if (key === '--threads') a.threads = Number(next());
    else if (key === '--no-peer') a.peer = false;
    else throw new Error(`models-water: unknown argument ${key}`);
  }
  for (const s of a.sizes) if (s !== 192 && s !== 1536) throw new Error(`models-water: --sizes takes 192 and/or 1536, got ${s}`);
  for (const x of a.archs) if (x !== 'nequip' && x !== 'allegro') throw new Error(`models-water: --archs takes nequip and/or allegro, got ${x}`);
  if (!(a.steps >= 1) || !(a.threads >= 1)) throw new Error('models-water: --steps and --threads must be ≥ 1');
  return a;
}

// From the package root: this file also runs compiled, as dist/bench/models-water.js.
const root = repoRoot();
const min = (xs: number[]) => Math.min(...xs);
const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)]!;

function waterBox(atoms: number): System {
  const file = join(root, 'examples', 'water', 'boxes', `water-${atoms / 3}.extxyz`);
  return systemOfFrame(readExtxyz(file)[0]!, file);
}

function modelOf(arch: string): PotentialModel {
  return arch === 'nequip' ? createNequip({ typeNames: ['H', 'O'], numLayers: 4, lmax: 2, numFeatures: 32, rMax_A: 5 }) : createAllegro({ typeNames: ['H', 'O'], lmax: 2, rMax_A: 5 });
}

async function measure(arch: string, atoms: number, args: Args, tmp: string) {
  const system = waterBox(atoms);
  const model = modelOf(arch);
  const bytes = exportPotential(model, { dtype: 'float32' });
  const file = join(tmp, `${arch}.onnx`);
  writeFileSync(file, bytes);
  const pot = await createOnnxPotential({ model: bytes, typeNames: system.typeNames, device: 'cpu', intraOpThreads: args.threads });
  const verlet = createVerletList({ cutoff_A: pot.cutoff_A, skin_A: 1.0, kind: 'full' });
  const nl: number[] = [];
  for (let k = 0; k < 5; k++) {
    const t = performance.now();
    verlet.build(system.positions, system.box);
    nl.push(performance.now() - t);
  }
  const list = verlet.list!;
  const out = createForceOutput(system.n);
  await pot.compute(system, list, out); // warm-up: first run allocates
  const prep: number[] = [];
  const run: number[] = [];
  for (let s = 0; s < args.steps; s++) {
    pot.resetTimings();
    await pot.compute(system, list, out);
    prep.push(pot.timings.prepare_s * 1000);
    run.push(pot.timings.model_s * 1000);
  }
  await pot.dispose!();
  const total = min(nl) + min(prep) + min(run);
  const row: Record<string, unknown> = {
    arch, atoms, parameters: model.parameters.count(), listPairs: list.nPairs, edges: pot.lastEdgeCount,
    neighbor_ms: min(nl), prepare_ms: min(prep), model_ms: min(run), model_ms_median: median(run),
    step_ms: total,
    engineShare_rebuildEveryStep: (min(nl) + min(prep)) / total,
  };
  if (args.peer && arch === 'nequip') {
    const py = spawnSync('/usr/bin/python3', [join(root, 'tools', 'e3nn-nequip-reference.py'), 'bench', file, join(root, 'examples', 'water', 'boxes', `water-${atoms / 3}.extxyz`), '--steps', String(args.steps), '--threads', String(args.threads), '--dtype', 'float32'], {
      env: { ...process.env, PYTHONPATH: '/work/ref/e3nn:/work/ref/opt_einsum:/work/ref/opt_einsum_fx', OMP_NUM_THREADS: String(args.threads) },
      encoding: 'utf8', maxBuffer: 1 << 24,
    });
    if (py.status === 0) {
      const peer = JSON.parse(py.stdout) as { model_ms: number; model_ms_median: number; neighbor_ms: number; edges: number };
      row['peer'] = { name: 'e3nn 0.5.6 + PyTorch 1.13 (CPU)', ...peer };
      row['ratio_peer_over_e3md'] = peer.model_ms / min(run);
    } else row['peer'] = { error: py.stderr.split('\n').filter(Boolean).slice(-1)[0] ?? `exit ${py.status}` };
  }
  return row;
}

const args = parseArgs(process.argv.slice(2));
const tmp = mkdtempSync(join(tmpdir(), 'e3md-bench-'));
const rows: Record<string, unknown>[] = [];
for (const atoms of args.sizes) {
  for (const arch of args.archs) {
    const row = await measure(arch, atoms, args, tmp);
    rows.push(row);
    const f = (x: unknown) => (typeof x === 'number' ? x.toFixed(x < 10 ? 2 : 0) : String(x));
    const peer = row['peer'] as { model_ms?: number } | undefined;
    process.stderr.write(`${arch.padEnd(8)} ${String(atoms).padStart(5)} atoms ${String(row['edges']).padStart(7)} edges | neighbor ${f(row['neighbor_ms'])} ms  prepare ${f(row['prepare_ms'])} ms  model ${f(row['model_ms'])} ms | engine share ${(100 * (row['engineShare_rebuildEveryStep'] as number)).toFixed(2)} %` +
      (peer?.model_ms ? ` | e3nn ${f(peer.model_ms)} ms, ratio ${(row['ratio_peer_over_e3md'] as number).toFixed(2)}` : '') + '\n');
  }
}
process.stdout.write(JSON.stringify({ benchmark: 'models-water', threads: args.threads, steps: args.steps, dtype: 'float32', node: process.version, rows }, null, 2) + '\n');
