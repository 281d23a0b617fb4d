/**
 * `e3md model import`: a model trained with nequip 0.6.x (a deployed file, or a checkpoint and its
 * config) as an e3md ONNX potential. Python reads the PyTorch file (tools/nequip-dump.py, with the
 * interpreter of --python); models/nequip maps what it dumps onto e3md's NequIP, whose forces and
 * virial come from e3md's own autodiff. Only the conversion needs Python, never the run.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option, type Command } from 'commander';
import { OutputError, writeFileAtomic } from '../../io/index.js';
import { exportPotential, importNequip, type NequipDump } from '../../models/index.js';
import { allegroFromRecord, allegroRecordFromDump } from '../../models/index.js';
import { modelOutputProblem } from '../model-file.js';
import { EXIT, type CliStreams } from '../exit-codes.js';

/** Flags of `e3md model import`. */
export interface ModelImportFlags {
  out: string;
  config?: string;
  python: string;
  dtype?: 'float32' | 'float64';
  /** Replace an existing --out file. */
  force?: boolean;
}

/** tools/nequip-dump.py of this installation, found upward from this file (sources and dist/). */
export function nequipDumpScript(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let k = 0; k < 5; k++) {
    const p = join(dir, 'tools', 'nequip-dump.py');
    if (existsSync(p)) return p;
    dir = dirname(dir);
  }
  throw new Error('tools/nequip-dump.py is missing from this e3md installation');
}

/** Registers `e3md model import` on the `model` command. */
export function registerModelImport(model: Command, io: CliStreams, setExit: (code: number) => void): void {
  model
    .command('import')
    .summary('convert a model trained with nequip 0.6.x (NequIP, or Allegro 0.3.x) into an e3md ONNX potential')
    .description(
      'Reads a model deployed by nequip-deploy (needs only PyTorch), or a training checkpoint with its config.yaml ' +
      '(needs nequip too), with the Python of --python, and writes the same network with the same weights as an e3md ' +
      'ONNX potential: forces and virial from e3md\'s own autodiff, no Python needed to run it. Supported: nequip\'s ' +
      'NequIP energy model (gate nonlinearities, Bessel basis with polynomial cutoff, self-connection, resnet, ' +
      'avg_num_neighbors, per-species energy scales and shifts and a global scale, l_max/num_features/parity: true irreps). ' +
      'Allegro 0.3.x models map onto e3md\'s Allegro (allegro 0.3\'s architecture: tensors_mixing_mode p or uuulin, o3_full or ' +
      'o3_restricted, latent resnet, per-edge-type cutoffs). Anything else is refused with a message naming the option.',
    )
    .argument('<model>', 'deployed.pth (nequip-deploy build), or with --config a checkpoint (best_model.pth)')
    .requiredOption('--out <file.onnx>', 'the e3md potential to write')
    .option('--config <config.yaml>', 'the training config of a checkpoint (its training directory\'s config.yaml)')
    .option('--python <python>', 'Python interpreter with PyTorch (and nequip, for a checkpoint)', 'python3')
    .addOption(new Option('--dtype <dtype>', 'float type of the e3md model (default: nequip\'s model_dtype)').choices(['float32', 'float64']))
    .option('--force', 'replace --out when it exists')
    .addHelpText('after', '\nExamples:\n  e3md model import results/water/deployed.pth --out water.onnx\n  e3md model import results/water/best_model.pth --config results/water/config.yaml --out water.onnx --python ~/venvs/nequip/bin/python\n')
    .action(async (input: string, flags: ModelImportFlags) => {
      setExit(await importCommand(input, flags, io));
    });
}

/** Whether a dump holds an allegro model (its first builder, or an Allegro module). */
function isAllegroDump(dump: NequipDump): boolean {
  const builders = (dump.config['model_builders'] as unknown[] | undefined) ?? [];
  return builders.some((b) => typeof b === 'string' && /allegro/i.test(b)) || dump.modules.some((m) => m.type === 'Allegro_Module');
}

/** Runs `model import`; returns the exit code (2 for an unusable file or an unsupported option). */
export async function importCommand(input: string, flags: ModelImportFlags, io: CliStreams): Promise<number> {
  const fail = (message: string): number => {
    io.stderr.write(`e3md model import: ${message}\n`);
    return EXIT.badInput;
  };
  if (!existsSync(input)) return fail(`${input}: no such file`);
  if (flags.config !== undefined && !existsSync(flags.config)) return fail(`--config ${flags.config}: no such file`);
  const refused = modelOutputProblem('--out', flags.out, [{ key: 'the model being imported', path: input }, ...(flags.config !== undefined ? [{ key: '--config', path: flags.config }] : [])], flags.force === true);
  if (refused) return fail(refused);

  let dump: NequipDump;
  const work = mkdtempSync(join(tmpdir(), 'e3md-import-'));
  try {
    const out = join(work, 'dump.json');
    const args = flags.config !== undefined ? ['--checkpoint', resolve(input), '--config', resolve(flags.config), out] : [resolve(input), out];
    const r = await runPython(flags.python, [nequipDumpScript(), ...args], work);
    if (r.error) return fail(`cannot run ${flags.python} (${r.error}); give --python the interpreter that has PyTorch`);
    if (r.code !== 0) {
      const why = r.stderr.trim().split('\n').filter(Boolean);
      const last = why.at(-1) ?? `exit status ${r.code}`;
      return fail(/^nequip-dump: /.test(last) ? last.replace(/^nequip-dump: /, '') : /No module named 'torch'/.test(r.stderr) ? `${flags.python} has no PyTorch (give --python the interpreter that has it)` : `reading ${input} with ${flags.python} failed: ${last}`);
    }
    dump = JSON.parse(readFileSync(out, 'utf8')) as NequipDump;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  let bytes: Uint8Array;
  let summary: string;
  try {
    if (isAllegroDump(dump)) {
      // allegro 0.3.x: models/allegro/import.ts maps it onto e3md's Allegro (allegro 0.3's architecture).
      const model = allegroFromRecord(allegroRecordFromDump(dump));
      const nequipDtype = dump.metadata['model_dtype'] === 'float64' ? 'float64' : 'float32';
      const dtype = flags.dtype ?? nequipDtype;
      bytes = exportPotential(model, { dtype, metadata: { 'e3md.imported_from': `allegro ${dump.source} model, nequip ${dump.metadata['nequip_version'] ?? '?'} (torch ${dump.torch_version ?? '?'})` } });
      const s = model.settings as Record<string, unknown>;
      summary = `allegro ${dump.source} model: Allegro, ${String(s['numLayers'])} layers, lmax ${String(s['lmax'])}, ${String(s['numTensorFeatures'])} tensor channels, ` +
        `${String(s['latentDim'])} latents, mixing ${String(s['tensorsMixingMode'])}, r_max ${model.rMax_A} Å, types ${model.typeNames.join(',')}, ` +
        `${model.parameters.count().toLocaleString('en-US')} parameters, ${dtype}${dtype === nequipDtype ? '' : ` (nequip's model_dtype: ${nequipDtype})`}`;
    } else {
      const imported = importNequip(dump);
      const dtype = flags.dtype ?? imported.dtype;
      bytes = exportPotential(imported.model, {
        dtype,
        metadata: { 'e3md.imported_from': `nequip ${imported.nequipVersion} ${dump.source} model (torch ${dump.torch_version ?? '?'})` },
      });
      const s = imported.model.settings as Record<string, unknown>;
      summary = `nequip ${imported.nequipVersion} ${dump.source} model: NequIP, ${String(s['numLayers'])} layers, lmax ${String(s['lmax'])}, ` +
        `${String(s['numFeatures'])} features, r_max ${imported.model.rMax_A} Å, types ${imported.model.typeNames.join(',')}, ` +
        `${imported.model.parameters.count().toLocaleString('en-US')} parameters, ${dtype}${dtype === imported.dtype ? '' : ` (nequip's model_dtype: ${imported.dtype})`}`;
    }
  } catch (e) {
    return fail(`${input}: ${(e as Error).message}`);
  }
  try {
    writeFileAtomic(flags.out, bytes);
  } catch (e) {
    if (!(e instanceof OutputError)) throw e;
    return fail(e.message);
  }
  io.stdout.write(`wrote ${flags.out} from ${summary}, ${(bytes.length / 1024).toFixed(0)} KiB\n`);
  return EXIT.ok;
}

function runPython(python: string, args: string[], cwd: string): Promise<{ code: number; stderr: string; error?: string }> {
  return new Promise((done) => {
    // From a temporary folder: Python puts the working directory on its path.
    const p = spawn(python, ['-W', 'ignore', ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', (e) => done({ code: -1, stderr, error: (e as NodeJS.ErrnoException).code ?? e.message }));
    p.on('close', (code) => done({ code: code ?? -1, stderr }));
  });
}
