/**
 * `e3md eval`: single-point energy, forces and virial of every frame of an extxyz file with an
 * ONNX potential, printed as a table and optionally written as extxyz (`energy=`, `virial=`,
 * `forces:R:3`, full float64 precision) that ASE reads back.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { singlePoint } from '../../engine/index.js';
import { formatExtxyz, readExtxyz, systemOfFrame, type XyzFrame } from '../../io/index.js';
import { createOnnxPotential, defaultModelThreads } from '../../potentials/index.js';
import { positiveInteger } from '../arguments.js';
import { EXIT, type CliStreams } from '../run.js';

/** Flags of `e3md eval`. */
export interface EvalFlags {
  model: string;
  structure: string;
  out?: string;
  device?: string;
  /** onnxruntime intra-op threads (default: defaultModelThreads of the largest frame). */
  threads?: number;
  quiet?: boolean;
}

/** One evaluated frame. */
export interface EvaluatedFrame {
  frame: XyzFrame;
  energy_eV: number;
  forces: Float64Array;
  virial: Float64Array;
}

/**
 * Evaluates every frame of `structure` with `model`.
 * @throws naming the file, the frame or the model problem
 * @example const frames = await evaluateFrames('model.onnx', 'water.extxyz');
 */
export async function evaluateFrames(model: string, structure: string, device = 'auto', threads?: number): Promise<EvaluatedFrame[]> {
  const frames = readExtxyz(structure);
  if (frames.length === 0) throw new Error(`${structure}: no frames`);
  // Every frame is converted (and checked) before the model is opened.
  const systems = frames.map((f) => systemOfFrame(f, structure));
  const species = [...new Set(frames.flatMap((f) => f.symbols))];
  const intraOpThreads = threads ?? defaultModelThreads(Math.max(...frames.map((f) => f.symbols.length)));
  const potential = await createOnnxPotential({ model, typeNames: species, device, intraOpThreads });
  try {
    const out: EvaluatedFrame[] = [];
    for (const [k, frame] of frames.entries()) {
      // singlePoint returns arrays of its own for each call: nothing to copy.
      out.push({ frame, ...(await singlePoint(potential, systems[k]!)) });
    }
    return out;
  } finally {
    await potential.dispose?.();
  }
}

/** Registers `e3md eval` on `program`. */
export function registerEvalCommand(program: Command, io: CliStreams, setExit: (code: number) => void): void {
  program
    .command('eval')
    .summary('single-point energy, forces and virial of every frame of an extxyz file')
    .description('Evaluates an ONNX potential (any model following the e3md contract) on each frame of an extxyz file. Prints one row per frame; with --out, writes the frames with energy=, virial= and forces:R:3 at full precision.')
    .requiredOption('--model <file.onnx>', 'the potential')
    .requiredOption('--structure <file.extxyz>', 'frames to evaluate')
    .option('--out <file.extxyz>', 'write the frames with the model\'s energy, forces and virial')
    .option('--device <device>', 'auto | cpu | cuda | cuda:N | webgpu', 'auto')
    .option('--threads <n>', 'onnxruntime threads (default: 1 below 100 atoms, else every core; results are the same bits at any count)', positiveInteger)
    .option('-q, --quiet', 'print nothing but errors')
    .addHelpText('after', '\nExample:\n  e3md eval --model water-nequip.onnx --structure examples/water/dataset/dimer-train.extxyz --out predicted.extxyz\n')
    .action(async (flags: EvalFlags) => {
      setExit(await evalCommand(flags, io));
    });
}

/** Runs `eval`; returns the exit code. */
export async function evalCommand(flags: EvalFlags, io: CliStreams): Promise<number> {
  let results: EvaluatedFrame[];
  try {
    results = await evaluateFrames(flags.model, flags.structure, flags.device ?? 'auto', flags.threads);
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
  }
  if (flags.out) {
    const text = results
      .map((r) => formatExtxyz({ symbols: r.frame.symbols, positions: r.frame.positions, box: r.frame.box, forces: r.forces, energy_eV: r.energy_eV, info: { virial: Array.from(r.virial) } }))
      .join('');
    try {
      await writeFile(flags.out, text);
    } catch (e) {
      io.stderr.write(`e3md eval: cannot write ${flags.out}: ${(e as Error).message}\n`);
      return EXIT.badInput;
    }
  }
  return EXIT.ok;
}
