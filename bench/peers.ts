/**
 * The PyTorch peers of the water benchmark, run where their sources are (ref-env, see
 * tools/ref-env/setup.sh): the real nequip 0.6.2 and allegro 0.3.0 (TorchScript-deployed, built
 * from their own configs by tools/nequip-reference.py), and e3md's NequIP rebuilt from e3nn 0.5.6
 * modules (tools/e3nn-nequip-reference.py). Built models are cached in a folder, so a second run
 * only times.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

const root = repoRoot();
const refDir = process.env['E3MD_REF'] ?? '/work/ref';

/** Whether nequip, allegro and e3nn sources are where tools/ref-env/python.sh looks for them. */
export function referenceAvailable(): boolean {
  return ['nequip/nequip/__init__.py', 'allegro/allegro/__init__.py', 'e3nn/e3nn/__init__.py'].every((f) => existsSync(join(refDir, f)));
}

/** Timing of a peer on one structure (tools/nequip-reference.py bench). */
export interface PeerTiming {
  readonly model_ms: number;
  readonly model_ms_median: number;
  /** CPU time of the process during the call (robust when the machine is shared). */
  readonly model_cpu_ms: number;
  readonly edges: number;
  readonly peak_rss_MB: number;
  readonly parameters: number;
}

/** One frame as the peer computes it. */
export interface PeerFrame {
  readonly energy: number;
  readonly forces: number[];
  readonly edges: number;
}

function refPython(args: string[], threads: number): string {
  const r = spawnSync(join(root, 'tools', 'ref-env', 'python.sh'), ['-W', 'ignore', join(root, 'tools', 'nequip-reference.py'), ...args], {
    cwd: refDir, // not the repository: its onnx/ folder would shadow the onnx package
    env: { ...process.env, REF_THREADS: String(threads) },
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Error(`nequip-reference.py ${args[0]}: ${r.stderr.split('\n').filter(Boolean).slice(-1)[0] ?? `exit ${r.status}`}`);
  return r.stdout;
}

/** A real nequip/allegro model with random weights, built once from a config and overrides. */
export interface ReferenceModel {
  readonly dir: string;
  /** {config, constants, state_dict} (tools/nequip-reference.py weights). */
  record(): unknown;
  eval(structure: string): PeerFrame;
  bench(structure: string, steps: number, threads: number): PeerTiming;
}

/**
 * Builds (or finds in `cacheDir`) the model of `config` (a YAML file under the reference
 * sources, e.g. 'allegro/configs/example.yaml') with `sets` (`key=yaml` overrides).
 */
export function referenceModel(cacheDir: string, config: string, sets: readonly string[], seed = 0): ReferenceModel {
  const key = createHash('sha256').update(JSON.stringify([config, sets, seed])).digest('hex').slice(0, 12);
  const dir = join(cacheDir, `${config.replace(/[^A-Za-z0-9]+/g, '_')}-${key}`);
  if (!existsSync(join(dir, 'deployed.pth'))) {
    mkdirSync(dir, { recursive: true });
    refPython(['build', join(refDir, config), dir, '--types', 'H,O', '--seed', String(seed), '--dtype', 'float32', ...sets.flatMap((s) => ['--set', s])], 1);
  }
  const deployed = join(dir, 'deployed.pth');
  return {
    dir,
    record: () => JSON.parse(refPython(['weights', dir], 1)),
    eval(structure) {
      const out = JSON.parse(refPython(['eval', deployed, structure], 1)) as { frames: PeerFrame[] };
      return out.frames[0]!;
    },
    bench: (structure, steps, threads) => JSON.parse(refPython(['bench', deployed, structure, '--steps', String(steps), '--threads', String(threads)], threads)) as PeerTiming,
  };
}

/** e3md's NequIP ONNX file rebuilt from e3nn 0.5.6 modules with the same weights, timed (tools/e3nn-nequip-reference.py). */
export function e3nnPeer(onnxFile: string, structure: string, steps: number, threads: number): PeerTiming | { error: string } {
  const py = spawnSync('/usr/bin/python3', [join(root, 'tools', 'e3nn-nequip-reference.py'), 'bench', onnxFile, structure, '--steps', String(steps), '--threads', String(threads), '--dtype', 'float32'], {
    env: { ...process.env, PYTHONPATH: [join(refDir, 'e3nn'), join(refDir, 'opt_einsum'), join(refDir, 'opt_einsum_fx')].join(':'), OMP_NUM_THREADS: String(threads) },
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (py.status !== 0) return { error: py.stderr.split('\n').filter(Boolean).slice(-1)[0] ?? `exit ${py.status}` };
  return JSON.parse(py.stdout) as PeerTiming;
}
