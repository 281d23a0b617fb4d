/**
 * Per-step cost of the equivariant potentials on periodic liquid water, split the way the engine
 * pays it: neighbor list (cell list with r_max + 1 Å skin), input preparation (pairs within r_max
 * → ONNX tensors) and the model (onnxruntime: energy, forces and virial in one graph), for the
 * 192- and 1536-atom boxes of examples/water/boxes, float32, with each network's FLOPs per edge
 * (forward, backward), the GFLOP/s it achieves against this machine's GEMM rate at the same
 * thread count (by CPU time: a shared machine inflates wall time), and the peak memory of a process
 * that only runs the model.
 *
 * Networks (r_max 5 Å, lmax 2, random weights — cost does not depend on their values):
 *   nequip           e3md's NequIP, 4 layers, 32 features;
 *   allegro          e3md's default Allegro (2 layers, 16 tensor channels, 64 latents);
 *   allegro-minimal  allegro 0.3.0's configs/minimal.yaml network (l_max raised to 2);
 *   allegro-example  allegro 0.3.0's configs/example.yaml network.
 *
 * Peers, timed in the same run with the same thread count where their sources are (ref-env,
 * tools/ref-env/setup.sh), `ratio` = peer time / e3md time:
 *   allegro-*: the real allegro 0.3.0 (TorchScript-deployed) built from its config; e3md runs the
 *              SAME weights (imported, models/allegro/import.ts), and its energy and forces are
 *              compared with allegro's;
 *   nequip:    the real nequip 0.6.2 with the same hyperparameters (configs/minimal.yaml with 4
 *              layers, 32 features; its own random weights), and e3md's NequIP rebuilt from e3nn
 *              0.5.6 modules with e3md's weights.
 *
 * Usage: npx tsx bench/models-water.ts [--sizes 192,1536] [--archs nequip,allegro,allegro-minimal,allegro-example]
 *        [--steps 3] [--threads 1] [--no-peer] [--no-memory] [--peer-dir DIR]
 * Prints one JSON object on stdout and a table on stderr. Best-of-steps (min) times are reported
 * with medians, because the machine is shared.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createForceOutput, createVerletList, type System } from '../engine/index.js';
import { readExtxyz, systemOfFrame } from '../io/index.js';
import { allegroFromRecord, createAllegro, createNequip, exportPotential, type AllegroOptions, type NequipModelRecord, type PotentialModel } from '../models/index.js';
import { createOnnxPotential } from '../potentials/index.js';
import { flopsPerEdge, gemmPeak_GFLOPs, modelPeakMemory_MB } from './cost.js';
import { repoRoot } from './paths.js';
import { e3nnPeer, referenceAvailable, referenceModel, type ReferenceModel } from './peers.js';

const ARCHS = ['nequip', 'allegro', 'allegro-minimal', 'allegro-example'] as const;
type Arch = (typeof ARCHS)[number];

interface Args { sizes: number[]; archs: Arch[]; steps: number; threads: number; peer: boolean; memory: boolean; peerDir: string }

function parseArgs(argv: string[]): Args {
  const a: Args = { sizes: [192, 1536], archs: ['nequip', 'allegro'], steps: 3, threads: 1, peer: true, memory: true, peerDir: join(tmpdir(), 'e3md-bench-peers') };
  for (let k = 0; k < argv.length; k++) {
    const key = argv[k];
    const next = (): string => {
      const v = argv[++k];
      if (v === undefined) throw new Error(`models-water: ${key} needs a value`);
      return v;
    };
    if (key === '--sizes') a.sizes = next().split(',').map(Number);
    else if (key === '--archs') a.archs = next().split(',') as Arch[];
    else if (key === '--steps') a.steps = Number(next());
    else if (key === '--threads') a.threads = Number(next());
    else if (key === '--no-peer') a.peer = false;
    else if (key === '--no-memory') a.memory = false;
    else if (key === '--peer-dir') a.peerDir = next();
    else throw new Error(`models-water: unknown argument ${key}`);
  }
  for (const s of a.sizes) if (s !== 192 && s !== 1536) throw new Error(`models-water: --sizes takes 192 and/or 1536, got ${s}`);
  for (const x of a.archs) if (!ARCHS.includes(x)) throw new Error(`models-water: --archs takes ${ARCHS.join(', ')}, got ${x}`);
  if (!(a.steps >= 1) || !(a.threads >= 1)) throw new Error('models-water: --steps and --threads must be ≥ 1');
  return a;
}

// From the package root: this file also runs compiled, as dist/bench/models-water.js.
const root = repoRoot();
const min = (xs: number[]) => Math.min(...xs);
const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)]!;
const boxFile = (atoms: number) => join(root, 'examples', 'water', 'boxes', `water-${atoms / 3}.extxyz`);

function waterBox(atoms: number): System {
  return systemOfFrame(readExtxyz(boxFile(atoms))[0]!, boxFile(atoms));
}

/** allegro 0.3.0's two config networks at r_max 5 Å and l_max 2, as e3md options (the same architecture). */
const ALLEGRO_NETWORKS: Record<'allegro-minimal' | 'allegro-example', { config: string; sets: string[]; options: AllegroOptions }> = {
  'allegro-minimal': {
    config: 'allegro/configs/minimal.yaml',
    sets: ['r_max=5.0', 'l_max=2'],
    options: { typeNames: ['H', 'O'], rMax_A: 5, numLayers: 2, lmax: 2, numTensorFeatures: 32, latentDim: 64, twoBodyMlp: { hidden: [32] }, latentMlp: { hidden: [64] }, edgeEnergyMlp: { hidden: [32], activation: 'identity' }, radial: { numBasis: 8 }, tensorsMixingMode: 'uuulin', avgNumNeighbors: 20 },
  },
  'allegro-example': {
    config: 'allegro/configs/example.yaml',
    sets: ['r_max=5.0'],
    options: { typeNames: ['H', 'O'], rMax_A: 5, numLayers: 2, lmax: 2, numTensorFeatures: 32, latentDim: 1024, twoBodyMlp: { hidden: [128, 256, 512] }, latentMlp: { hidden: [1024, 1024] }, edgeEnergyMlp: { hidden: [128], activation: 'identity' }, radial: { numBasis: 7 }, tensorsMixingMode: 'p', avgNumNeighbors: 20 },
  },
};

/** nequip 0.6.2's minimal.yaml at the size of e3md's NequIP row. */
const NEQUIP_PEER = { config: 'nequip/configs/minimal.yaml', sets: ['r_max=5.0', 'num_layers=4', 'num_features=32', 'l_max=2'] };

/** The e3md model of a row, and the real peer whose weights it carries (allegro rows with the reference present). */
function modelOf(arch: Arch, args: Args, peers: Map<string, ReferenceModel>): { model: PotentialModel; reference?: ReferenceModel } {
  if (arch === 'nequip') return { model: createNequip({ typeNames: ['H', 'O'], numLayers: 4, lmax: 2, numFeatures: 32, rMax_A: 5 }) };
  if (arch === 'allegro') return { model: createAllegro({ typeNames: ['H', 'O'], lmax: 2, rMax_A: 5 }) };
  const net = ALLEGRO_NETWORKS[arch];
  if (!args.peer || !referenceAvailable()) return { model: createAllegro(net.options) };
  let reference = peers.get(arch);
  if (!reference) peers.set(arch, (reference = referenceModel(args.peerDir, net.config, net.sets)));
  return { model: allegroFromRecord(reference.record() as NequipModelRecord), reference };
}

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  let s = 0;
  for (let i = 0; i < b.length; i++) { s = Math.max(s, Math.abs(b[i]!)); m = Math.max(m, Math.abs(a[i]! - b[i]!)); }
  return m / s;
}

async function measure(arch: Arch, atoms: number, args: Args, tmp: string, peers: Map<string, ReferenceModel>, gemm: { wall: number; cpu: number }) {
  const system = waterBox(atoms);
  const { model, reference } = modelOf(arch, args, peers);
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
  const cpu: number[] = [];
  for (let s = 0; s < args.steps; s++) {
    pot.resetTimings();
    const c0 = process.cpuUsage();
    await pot.compute(system, list, out);
    const c = process.cpuUsage(c0);
    prep.push(pot.timings.prepare_s * 1000);
    run.push(pot.timings.model_s * 1000);
    cpu.push((c.user + c.system) / 1000 - pot.timings.prepare_s * 1000);
  }
  await pot.dispose!();
  const edges = pot.lastEdgeCount;
  const total = min(nl) + min(prep) + min(run);
  const flops = flopsPerEdge(model, atoms, edges);
  const row: Record<string, unknown> = {
    arch, atoms, parameters: model.parameters.count(), listPairs: list.nPairs, edges,
    neighbor_ms: min(nl), prepare_ms: min(prep), model_ms: min(run), model_ms_median: median(run), model_cpu_ms: min(cpu),
    step_ms: total,
    engineShare_rebuildEveryStep: (min(nl) + min(prep)) / total,
    flopsPerEdge: { forward_MFLOP: flops.forward_MFLOP, backward_MFLOP: flops.backward_MFLOP, contractionShare: flops.contractionShare },
    achieved_GFLOPs: flops.total / (min(run) * 1e6),
    achieved_GFLOPs_cpu: flops.total / (min(cpu) * 1e6),
    shareOfGemmPeak: flops.total / (min(cpu) * 1e6) / gemm.cpu,
  };
  if (args.memory) row['peak_rss_MB'] = modelPeakMemory_MB(file, boxFile(atoms), args.threads);
  if (!args.peer) return row;
  try {
    if (reference) {
      const peer = reference.bench(boxFile(atoms), args.steps, args.threads);
      const frame = reference.eval(boxFile(atoms));
      row['peer'] = { name: 'allegro 0.3.0 + nequip 0.6.2, TorchScript, PyTorch 1.13 (CPU), same weights', ...peer };
      row['ratio_peer_over_e3md'] = peer.model_ms / min(run);
      row['cpu_ratio_peer_over_e3md'] = peer.model_cpu_ms / min(cpu);
      row['agreement_float32'] = { energy: Math.abs(out.energy_eV - frame.energy) / Math.abs(frame.energy), forces: relErr(out.forces, frame.forces) };
      if (typeof row['peak_rss_MB'] === 'number') row['memory_e3md_over_peer'] = (row['peak_rss_MB'] as number) / peer.peak_rss_MB;
    } else if (arch === 'nequip') {
      if (referenceAvailable()) {
        let nq = peers.get('nequip');
        if (!nq) peers.set('nequip', (nq = referenceModel(args.peerDir, NEQUIP_PEER.config, NEQUIP_PEER.sets)));
        const peer = nq.bench(boxFile(atoms), args.steps, args.threads);
        row['peer'] = { name: 'nequip 0.6.2, TorchScript, PyTorch 1.13 (CPU), same hyperparameters', ...peer };
        row['ratio_peer_over_e3md'] = peer.model_ms / min(run);
        row['cpu_ratio_peer_over_e3md'] = peer.model_cpu_ms / min(cpu);
        if (typeof row['peak_rss_MB'] === 'number') row['memory_e3md_over_peer'] = (row['peak_rss_MB'] as number) / peer.peak_rss_MB;
      }
      const e3nn = e3nnPeer(file, boxFile(atoms), args.steps, args.threads);
      row['peer_e3nn'] = { name: 'e3nn 0.5.6 + PyTorch 1.13 (CPU), same weights', ...e3nn };
      if ('model_ms' in e3nn) row['ratio_e3nn_over_e3md'] = e3nn.model_ms / min(run);
    }
  } catch (e) {
    row['peer'] = { error: (e as Error).message };
  }
  return row;
}

const args = parseArgs(process.argv.slice(2));
const tmp = mkdtempSync(join(tmpdir(), 'e3md-bench-'));
const peers = new Map<string, ReferenceModel>();
const gemm = await gemmPeak_GFLOPs(args.threads);
process.stderr.write(`onnxruntime MatMul [2048, 1024] × [1024, 1024] at ${args.threads} thread(s): ${gemm.wall.toFixed(1)} GFLOP/s by wall time, ${gemm.cpu.toFixed(1)} by CPU time${args.peer && !referenceAvailable() ? ' (nequip/allegro sources not found: no PyTorch peers; see tools/ref-env/setup.sh)' : ''}\n`);
const rows: Record<string, unknown>[] = [];
for (const atoms of args.sizes) {
  for (const arch of args.archs) {
    const row = await measure(arch, atoms, args, tmp, peers, gemm);
    rows.push(row);
    const f = (x: unknown) => (typeof x === 'number' ? x.toFixed(x < 10 ? 2 : 0) : String(x));
    const fl = row['flopsPerEdge'] as { forward_MFLOP: number; backward_MFLOP: number };
    const peer = row['peer'] as { model_ms?: number; error?: string } | undefined;
    const agree = row['agreement_float32'] as { energy: number; forces: number } | undefined;
    process.stderr.write(`${arch.padEnd(16)} ${String(atoms).padStart(5)} atoms ${String(row['edges']).padStart(7)} edges | neighbor ${f(row['neighbor_ms'])} ms  prepare ${f(row['prepare_ms'])} ms  model ${f(row['model_ms'])} ms` +
      ` | ${(fl.forward_MFLOP + fl.backward_MFLOP).toFixed(3)} MFLOP/edge, ${f(row['achieved_GFLOPs_cpu'])} GFLOP/s of CPU time (${(100 * (row['shareOfGemmPeak'] as number)).toFixed(0)} % of GEMM)` +
      (typeof row['peak_rss_MB'] === 'number' ? ` | ${f(row['peak_rss_MB'])} MB` : '') +
      (peer?.model_ms ? ` | peer ${f(peer.model_ms)} ms, e3md/peer ${(1 / (row['ratio_peer_over_e3md'] as number)).toFixed(2)} (CPU time ${f(row['model_cpu_ms'])} / ${f((peer as { model_cpu_ms?: number }).model_cpu_ms)} ms = ${(1 / (row['cpu_ratio_peer_over_e3md'] as number)).toFixed(2)})` : peer?.error ? ` | peer: ${peer.error}` : '') +
      (agree ? ` | ΔE ${agree.energy.toExponential(1)}, ΔF ${agree.forces.toExponential(1)}` : '') +
      (typeof row['ratio_e3nn_over_e3md'] === 'number' ? ` | e3nn/e3md ${(row['ratio_e3nn_over_e3md'] as number).toFixed(2)}` : '') + '\n');
  }
}
process.stdout.write(JSON.stringify({ benchmark: 'models-water', threads: args.threads, steps: args.steps, dtype: 'float32', node: process.version, gemm_GFLOPs: gemm, rows }, null, 2) + '\n');
