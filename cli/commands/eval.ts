/**
 * `e3md eval`: single-point energy, forces, per-atom energies, virial and stress of every frame of
 * a structure file with an ONNX potential, printed as a table, compared with the file's reference
 * labels (energy per atom and force MAE/RMSE, as `e3md train` reports them) when it has them, and
 * optionally written as extxyz. The written file is the input with predictions added under a
 * prefix (default `e3md_`, as MACE's `MACE_energy`): every info key, per-atom column and
 * reference label of the input is kept as it was.
 */
import { type Command, Option } from 'commander';
import { singlePoint, stressOf } from '../../engine/index.js';
import {
  checkWritable, clobberMessage, findClobber, formatExtxyz, OutputError, readStructure, STRUCTURE_FORMATS, writeFileAtomic,
  systemOfFrame, type ExtxyzColumnOut, type InfoValue, type StructureFormat, type XyzFrame,
} from '../../io/index.js';
import { createOnnxPotentialFor } from '../../potentials/index.js';
import { positiveInteger, positiveNumber } from '../arguments.js';
import { deviceProblem, onnxFileProblem } from '../model-file.js';
import { EXIT, type CliStreams } from '../exit-codes.js';

/** Default prefix of the predicted quantities in `--out`. */
export const PREDICTION_PREFIX = 'e3md_';

/** Flags of `e3md eval`. */
export interface EvalFlags {
  model: string;
  structure: string;
  out?: string;
  device?: string;
  /** onnxruntime intra-op threads (default: defaultModelThreads of the largest frame; 1 per worker). */
  threads?: number;
  /** Worker threads (domain decomposition; default 1). */
  workers?: number;
  /** Working memory of the model evaluations, GB (default 1): bigger frames are evaluated layer by layer (NequIP) or in chunks of atoms. */
  memoryGb?: number;
  quiet?: boolean;
  /** Prefix of the predicted keys and columns in --out (default `e3md_`). */
  prefix?: string;
  /** Structure format when the file name does not say it. */
  format?: StructureFormat;
}

/** How {@link evaluateFrames} places the model. */
export interface EvalPlacement {
  device?: string;
  threads?: number;
  workers?: number;
  memory_GB?: number;
  format?: StructureFormat;
  /** Receives notes (chunking, device fallbacks). */
  log?: (message: string) => void;
}

/** One evaluated frame. */
export interface EvaluatedFrame {
  frame: XyzFrame;
  /** (N,) amu: the file's masses, or the elements' (io's systemOfFrame). */
  masses: Float64Array;
  energy_eV: number;
  /** (N, 3) eV/Å. */
  forces: Float64Array;
  /** (3, 3) eV, −Σ r ⊗ ∂E/∂r. */
  virial: Float64Array;
  /** (N,) eV, when the model gives per-atom energies (the ONNX contract's `atomic_energy`). */
  energies?: Float64Array;
  /** (3, 3) eV/Å³, ASE's sign (−virial / volume), for a fully periodic frame. */
  stress?: Float64Array;
}

/**
 * Evaluates every frame of `structure` with `model`.
 * @throws naming the file, the frame or the model problem
 * @example const frames = await evaluateFrames('model.onnx', 'water.extxyz');
 */
export async function evaluateFrames(model: string, structure: string, placement: EvalPlacement = {}): Promise<EvaluatedFrame[]> {
  const device = placement.device ?? 'auto';
  const frames = readStructure(structure, placement.format);
  if (frames.length === 0) throw new Error(`${structure}: no frames`);
  // Every frame is converted (and checked) before the model is opened.
  const systems = frames.map((f) => systemOfFrame(f, structure));
  const species = [...new Set(frames.flatMap((f) => f.symbols))];
  const notOnnx = onnxFileProblem(model);
  if (notOnnx) throw new Error(`--model ${model} ${notOnnx}`);
  const largest = systems.reduce((a, b) => (b.n > a.n ? b : a));
  const fallback: string[] = [];
  const potential = await createOnnxPotentialFor({
    model, typeNames: species, largest, device, threads: placement.threads, workers: placement.workers, memory_GB: placement.memory_GB,
    log: (m) => { if (/unavailable/.test(m)) fallback.push(m); placement.log?.(m); },
  });
  try {
    const problem = deviceProblem(device, (potential as { provider?: string }).provider, fallback);
    if (problem) throw new Error(`--device ${problem}`);
    const out: EvaluatedFrame[] = [];
    for (const [k, frame] of frames.entries()) {
      const system = systems[k]!;
      // singlePoint returns arrays of its own for each call: nothing to copy; the per-atom
      // energies are the potential's buffer, reused by the next call: copied (a decomposed
      // potential has none: its atoms' energies live in the workers).
      const sp = await singlePoint(potential, system);
      const atomic = (potential as { lastAtomicEnergy?: Float64Array }).lastAtomicEnergy ?? new Float64Array(0);
      const box = frame.box;
      const stress = box.pbc.every(Boolean) && box.volume > 0 ? stressOf(sp.virial, box) : undefined;
      out.push({ frame, masses: system.masses, ...sp, energies: atomic.length === system.n ? Float64Array.from(atomic) : undefined, stress });
    }
    return out;
  } finally {
    await potential.dispose?.();
  }
}

/** Errors of predictions against reference labels, with the definitions of `e3md train`. */
export interface LabelErrors {
  /** Frames with a reference `energy`, and their mean |ΔE|/N and √mean (ΔE/N)², meV/atom. */
  energyFrames: number;
  energyMae_meV_per_atom: number;
  energyRmse_meV_per_atom: number;
  /** Frames with reference `forces`, and the MAE and RMSE over their force components, meV/Å. */
  forceFrames: number;
  forceMae_meV_per_A: number;
  forceRmse_meV_per_A: number;
}

/** Errors against the labels the frames carry (NaN where no frame has the label). */
export function labelErrors(results: readonly EvaluatedFrame[]): LabelErrors {
  let eFrames = 0, eAbs = 0, eSq = 0, fFrames = 0, comps = 0, fAbs = 0, fSq = 0;
  for (const r of results) {
    const n = r.frame.symbols.length;
    if (r.frame.energy_eV !== undefined) {
      const d = (r.energy_eV - r.frame.energy_eV) / n;
      eFrames++;
      eAbs += Math.abs(d);
      eSq += d * d;
    }
    const ref = r.frame.forces;
    if (ref) {
      fFrames++;
      for (let k = 0; k < ref.length; k++) {
        const d = r.forces[k]! - ref[k]!;
        fAbs += Math.abs(d);
        fSq += d * d;
      }
      comps += ref.length;
    }
  }
  return {
    energyFrames: eFrames,
    energyMae_meV_per_atom: (1000 * eAbs) / eFrames,
    energyRmse_meV_per_atom: 1000 * Math.sqrt(eSq / eFrames),
    forceFrames: fFrames,
    forceMae_meV_per_A: (1000 * fAbs) / comps,
    forceRmse_meV_per_A: 1000 * Math.sqrt(fSq / comps),
  };
}

/** Columns an e3md extxyz reader turns into fields of its own (XyzFrame), and how it names them. */
const STANDARD_COLUMNS = new Set(['species', 'pos', 'positions', 'masses', 'mass', 'forces', 'force', 'velocities', 'vel', 'velo', 'momenta']);

/**
 * One evaluated frame as extxyz: the input frame unchanged (info keys, per-atom columns, reference
 * `energy`/`forces`), then `<prefix>energy`, `<prefix>virial`, `<prefix>stress` on the comment line
 * and `<prefix>forces`, `<prefix>energies` columns. Keys already carrying the prefix (an earlier
 * evaluation) are replaced.
 */
export function formatEvaluatedFrame(r: EvaluatedFrame, prefix = PREDICTION_PREFIX): string {
  const f = r.frame;
  const info: Record<string, InfoValue> = {};
  for (const [k, v] of f.info) if (!k.startsWith(prefix)) info[k] = v;
  info[`${prefix}energy`] = r.energy_eV;
  info[`${prefix}virial`] = Array.from(r.virial);
  if (r.stress) info[`${prefix}stress`] = Array.from(r.stress);
  const columns: ExtxyzColumnOut[] = [];
  for (const c of f.columns) {
    const data = f.arrays.get(c.name);
    if (STANDARD_COLUMNS.has(c.name) || c.name.startsWith(prefix) || !data) continue;
    columns.push({ column: c, data });
  }
  columns.push({ column: { name: `${prefix}forces`, type: 'R', count: 3 }, data: r.forces });
  if (r.energies) columns.push({ column: { name: `${prefix}energies`, type: 'R', count: 1 }, data: r.energies });
  const momenta = f.columns.some((c) => c.name === 'momenta');
  const masses = f.masses ?? (momenta ? r.masses : undefined);
  return formatExtxyz(
    { symbols: f.symbols, positions: f.positions, box: f.box, velocities: f.velocities, masses, forces: f.forces, energy_eV: f.energy_eV, info, columns },
    { velocityColumn: momenta ? 'momenta' : 'velocities', writeMasses: f.masses !== undefined },
  );
}

/** Registers `e3md eval` on `program`. */
export function registerEvalCommand(program: Command, io: CliStreams, setExit: (code: number) => void): void {
  program
    .command('eval')
    .summary('single-point energy, forces and stress of every frame; errors against the file\'s labels')
    .description(
      'Evaluates an ONNX potential (any model following the e3md contract, docs/onnx-contract.md) on each frame of an ' +
      'extxyz file. Prints one row per frame and, when the frames carry reference energy= or forces, the energy (per atom) ' +
      'and force MAE and RMSE. With --out, writes the input frames unchanged — every info key, per-atom column and ' +
      'reference label kept — with the predictions added as <prefix>energy, <prefix>forces, <prefix>energies (per atom), ' +
      '<prefix>virial and <prefix>stress (periodic frames), full precision; see docs/formats.md.',
    )
    .requiredOption('--model <file.onnx>', 'the potential')
    .requiredOption('--structure <file>', 'frames to evaluate: extxyz/xyz, POSCAR/CONTCAR or LAMMPS data')
    .addOption(new Option('--format <format>', 'structure format when the file name does not say it').choices([...STRUCTURE_FORMATS]))
    .option('--out <file.extxyz>', 'write the frames with the model\'s predictions added (never the --structure file itself)')
    .option('--prefix <text>', 'prefix of the predicted keys in --out', PREDICTION_PREFIX)
    .option('--device <device>', 'auto | cpu | cuda | cuda:N | webgpu', 'auto')
    .option('--threads <n>', 'onnxruntime threads (default: 1 below 100 atoms, else every core; 1 per worker; repeatable at any count; README, "Threads")', positiveInteger)
    .option('--workers <n>', 'worker threads: each frame is cut into this many domains, one per thread', positiveInteger)
    .option('--memory-gb <GB>', 'working memory of the model evaluations, all workers together (default 1); bigger frames are evaluated layer by layer (NequIP) or in chunks of atoms (Allegro)', positiveNumber)
    .option('-q, --quiet', 'print nothing but errors')
    .addHelpText('after', '\nExample:\n  e3md eval --model examples/water/water-nequip.onnx --structure examples/water/dataset/dimer-test.extxyz --out predicted.extxyz\n  (then in Python: a = ase.io.read("predicted.extxyz", ":"); a[0].info["e3md_energy"], a[0].get_potential_energy() is the reference)\n')
    .action(async (flags: EvalFlags) => {
      setExit(await evalCommand(flags, io));
    });
}

/** Runs `eval`; returns the exit code. */
export async function evalCommand(flags: EvalFlags, io: CliStreams): Promise<number> {
  const prefix = flags.prefix ?? PREDICTION_PREFIX;
  if (!/^[A-Za-z_][\w\-.]*$/.test(prefix)) {
    io.stderr.write(`e3md eval: --prefix "${prefix}" must start with a letter or _ and hold only letters, digits, _, - and .\n`);
    return EXIT.badInput;
  }
  if (flags.out !== undefined) {
    const clobber = findClobber([{ key: '--structure', path: flags.structure }, { key: '--model', path: flags.model }], [{ key: '--out', path: flags.out }]);
    if (clobber) {
      io.stderr.write(`e3md eval: --out ${flags.out} ${clobberMessage(clobber)}\n`);
      return EXIT.badInput;
    }
    try {
      checkWritable(flags.out); // before the evaluation, which may take long
    } catch (e) {
      io.stderr.write(`e3md eval: ${(e as Error).message}\n`);
      return EXIT.badInput;
    }
  }
  let results: EvaluatedFrame[];
  try {
    const notes: string[] = [];
    results = await evaluateFrames(flags.model, flags.structure, { device: flags.device ?? 'auto', threads: flags.threads, workers: flags.workers, memory_GB: flags.memoryGb, format: flags.format, log: (m) => void notes.push(m) });
    for (const note of notes) if (!/unavailable/.test(note)) io.stderr.write(`e3md eval: note: ${note}\n`);
  } catch (e) {
    io.stderr.write(`e3md eval: ${(e as Error).message}\n`);
    return EXIT.badInput;
  }
  if (!flags.quiet) {
    io.stdout.write(`${'frame'.padStart(6)} ${'atoms'.padStart(6)} ${'energy_eV'.padStart(18)} ${'eV/atom'.padStart(14)} ${'max|F|_eV/A'.padStart(12)}\n`);
    results.forEach((r, k) => {
      let fmax = 0;
      for (let i = 0; i < r.forces.length; i += 3) fmax = Math.max(fmax, Math.hypot(r.forces[i]!, r.forces[i + 1]!, r.forces[i + 2]!));
      const n = r.frame.symbols.length;
      io.stdout.write(`${String(k).padStart(6)} ${String(n).padStart(6)} ${r.energy_eV.toFixed(8).padStart(18)} ${(r.energy_eV / n).toFixed(8).padStart(14)} ${fmax.toFixed(5).padStart(12)}\n`);
    });
    const e = labelErrors(results);
    if (e.energyFrames > 0) io.stdout.write(`energy vs labels (${e.energyFrames} frames): MAE ${e.energyMae_meV_per_atom.toFixed(3)} meV/atom, RMSE ${e.energyRmse_meV_per_atom.toFixed(3)} meV/atom\n`);
    if (e.forceFrames > 0) io.stdout.write(`forces vs labels (${e.forceFrames} frames): MAE ${e.forceMae_meV_per_A.toFixed(2)} meV/Å, RMSE ${e.forceRmse_meV_per_A.toFixed(2)} meV/Å\n`);
  }
  if (flags.out) {
    try {
      writeFileAtomic(flags.out, results.map((r) => formatEvaluatedFrame(r, prefix)).join(''));
    } catch (e) {
      if (!(e instanceof OutputError)) throw e;
      io.stderr.write(`e3md eval: ${e.message}\n`);
      return EXIT.failed;
    }
  }
  return EXIT.ok;
}
