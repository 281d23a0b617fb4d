/**
 * `e3md run` with input.json `replicas: K` (DESIGN.md §7): K independent copies of the system,
 * each a complete run of its own — its own velocities and thermostat noise (seeds offset by the
 * replica index), its own outputs and checkpoints with a "-r<k>" suffix — stepping side by side,
 * with an ONNX potential's K evaluations merged into one model call per step (more when the merged
 * graph would exceed parallel.memory_GB). Replica 0 prints
 * the thermo table; the others write their files. If one replica stops, the others stop too.
 */
import type { Potential } from '../engine/index.js';
import { createReplicaBatch, DEFAULT_MEMORY_GB, estimateModelMemory, type OnnxPotential, type ReplicaBatch } from '../potentials/index.js';
import { prepareRun, type PreparedRun } from './prepare.js';
import { EXIT, type CliStreams } from './exit-codes.js';
import { noteLine, type RunCommandOptions } from './run-types.js';

/** Runs one prepared run to its end and returns its exit code (cli/run.ts's `runPrepared`). */
export type RunPrepared = (prepared: PreparedRun, options: RunCommandOptions, io: CliStreams) => Promise<number>;

function isOnnxPotential(p: Potential): p is OnnxPotential {
  return 'lastAtomicEnergy' in p && 'setOwnedAtoms' in p;
}

/**
 * Prepares and runs `count` replicas of the input; resolves with the worst exit code. Bad input
 * throws InputError (before any output file is opened).
 * @example const code = await runReplicas('input.json', 8, {}, io, runPrepared);
 */
export async function runReplicas(inputPath: string, count: number, options: RunCommandOptions, io: CliStreams, run: RunPrepared): Promise<number> {
  const overrides = { steps: options.steps, restartPath: options.restart, threads: options.threads, workers: options.workers };
  const first = await prepareRun(inputPath, { ...overrides, replica: { index: 0, count } });
  let batch: ReplicaBatch | null = null;
  const prepared: PreparedRun[] = [first];
  try {
    const p = first.spec.potential;
    if (p.kind === 'onnx') {
      if (!isOnnxPotential(first.potential)) {
        throw first.spec.keyError(['replicas'], `${first.system.n} atoms are evaluated in chunks (parallel.memory_GB): replicas are for small systems`);
      }
      // Replicas share one call per step while their merged graph fits the memory budget; more calls when not.
      const memory = await estimateModelMemory(p.model);
      batch = createReplicaBatch(first.potential, count, { estimateBytes: (a, e, d) => memory.bytes(a, e, d), budget_bytes: (first.spec.parallel?.memory_GB ?? DEFAULT_MEMORY_GB) * 1e9 });
      first.potential = batch.views[0];
    }
    for (let k = 1; k < count; k++) prepared.push(await prepareRun(inputPath, { ...overrides, replica: { index: k, count, potential: batch?.views[k] } }));
  } catch (e) {
    if (batch) await batch.dispose();
    else for (const p of prepared) await p.potential.dispose?.();
    throw e;
  }
  for (const note of first.notes) io.stderr.write(`${noteLine(note)}\n`);
  if (!options.quiet) {
    io.stdout.write(`e3md run: ${count} replicas of ${first.system.n} atoms${batch ? ', one merged model call per step' : ''}; replica 0 below, every replica's outputs with a -r<k> suffix\n`);
  }
  // Every replica listens for Ctrl-C (each checkpoints and stops after the step).
  process.setMaxListeners(Math.max(process.getMaxListeners(), count + 10));
  const quietIo = (k: number): CliStreams => ({ stdout: { write: () => true }, stderr: { write: (s: string) => io.stderr.write(`replica ${k}: ${s}`) } });
  const t0 = performance.now();
  try {
    const codes = await Promise.all(prepared.map((p, k) => run(p, { ...options, quiet: options.quiet || k > 0 }, k === 0 ? io : quietIo(k)).then((code) => {
      // The others would wait for this one's forces forever: stop them with it.
      if (code !== EXIT.ok) batch?.abort(new Error(`replica ${k} stopped (exit code ${code})`));
      return code;
    }, (e: unknown) => {
      batch?.abort(new Error(`replica ${k} failed: ${e instanceof Error ? e.message : String(e)}`));
      throw e;
    })));
    const worst = codes.find((c) => c !== EXIT.ok) ?? EXIT.ok;
    if (!options.quiet && worst === EXIT.ok) {
      const steps = first.untilStep - (first.restart?.state.step ?? 0);
      const s = (performance.now() - t0) / 1000;
      io.stdout.write(`replicas: ${count} × ${first.system.n} atoms × ${steps} steps in ${s.toFixed(2)} s (${((count * first.system.n * steps) / s).toExponential(2)} atom-steps/s${batch ? `, ${batch.calls} model calls, ${batch.groups} per step` : ''})\n`);
    }
    return worst;
  } finally {
    await batch?.dispose();
  }
}
