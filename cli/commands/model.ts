/**
 * `e3md model create`: builds a NequIP or Allegro model with seeded random weights and writes it
 * as an e3md ONNX potential (DESIGN.md §5). Nested builder options that have no flag can come
 * from a JSON file (`--options`), flags win over the file.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { createAllegro, type AllegroOptions, exportPotential, type PotentialModel, createNequip, type NequipOptions, rebuildModel } from '../../models/index.js';
import { integer, positiveNumber } from '../arguments.js';
import { EXIT, type CliStreams } from '../run.js';
import { registerModelImport } from './model-import.js';

/** Flags of `e3md model create` as commander parses them. */
export interface ModelCreateFlags {
  arch: 'nequip' | 'allegro';
  types: string;
  out: string;
  rMax?: number;
  lmax?: number;
  layers?: number;
  features?: number;
  tensorFeatures?: number;
  latent?: number;
  avgNeighbors?: number;
  parity?: boolean;
  dtype: 'float32' | 'float64';
  seed?: number;
  options?: string;
}

/**
 * The model the flags describe (not yet exported).
 * @throws naming the flag or option that is wrong
 * @example const model = await modelFromFlags({ arch: 'nequip', types: 'H,O', out: 'm.onnx', dtype: 'float32' });
 */
export async function modelFromFlags(flags: ModelCreateFlags): Promise<PotentialModel> {
  let base: Record<string, unknown> = {};
  if (flags.options) {
    try {
      base = JSON.parse(await readFile(flags.options, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new Error(`--options ${flags.options}: ${(e as Error).message}`);
    }
    if (typeof base !== 'object' || base === null || Array.isArray(base)) throw new Error(`--options ${flags.options}: must hold a JSON object of builder options`);
  }
  const typeNames = flags.types.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const common = {
    ...base,
    typeNames,
    ...(flags.rMax !== undefined && { rMax_A: flags.rMax }),
    ...(flags.lmax !== undefined && { lmax: flags.lmax }),
    ...(flags.layers !== undefined && { numLayers: flags.layers }),
    ...(flags.avgNeighbors !== undefined && { avgNumNeighbors: flags.avgNeighbors }),
    ...(flags.parity !== undefined && { parity: flags.parity }),
    ...(flags.seed !== undefined && { seed: flags.seed }),
  };
  if (flags.arch === 'nequip') {
    if (flags.tensorFeatures !== undefined || flags.latent !== undefined) throw new Error('--tensor-features and --latent are Allegro options; NequIP uses --features');
    return createNequip({ ...common, ...(flags.features !== undefined && { numFeatures: flags.features }) } as NequipOptions);
  }
  if (flags.features !== undefined) throw new Error('--features is a NequIP option; Allegro uses --tensor-features and --latent');
  return createAllegro({
    ...common,
    ...(flags.tensorFeatures !== undefined && { numTensorFeatures: flags.tensorFeatures }),
    ...(flags.latent !== undefined && { latentDim: flags.latent }),
  } as AllegroOptions);
}

/**
 * Registers `e3md model create` on `program`.
 * @example registerModelCommand(program, io, (code) => { exitCode = code; });
 */
export function registerModelCommand(program: Command, io: CliStreams, setExit: (code: number) => void): void {
  const model = program.command('model').summary('create, upgrade or import equivariant potentials (NequIP, Allegro) as ONNX files').description('Build e3md potentials. See `e3md model create --help`, `e3md model upgrade --help` and `e3md model import --help`.');
  model
    .command('create')
    .summary('build a NequIP or Allegro model with seeded random weights and write it as ONNX')
    .description(
      'Builds a model in TypeScript and writes an ONNX file with energy, forces and virial (DESIGN.md §5) that ' +
      '`e3md run` (potential kind "onnx"), `e3md eval` and any ONNX runtime can use. Weights are random ' +
      '(seeded); train them with `e3md train`. Defaults follow NequIP (4 layers, lmax 2, 32 features, ' +
      'r_max 5 Å) and Allegro (2 layers, lmax 2, 16 tensor channels, 64 latents).',
    )
    .addOption(new Option('--arch <arch>', 'architecture').choices(['nequip', 'allegro']).makeOptionMandatory())
    .requiredOption('--types <symbols>', 'chemical symbols in type order, comma-separated, e.g. H,O')
    .requiredOption('--out <file.onnx>', 'output file')
    .option('--r-max <angstrom>', 'cutoff radius r_max, Å', positiveNumber)
    .option('--lmax <l>', 'largest degree of harmonics and features', integer)
    .option('--layers <n>', 'interaction layers', integer)
    .option('--features <n>', 'NequIP: channels per irrep', integer)
    .option('--tensor-features <n>', 'Allegro: channels of the edge tensors', integer)
    .option('--latent <n>', 'Allegro: width of the scalar edge latents', integer)
    .option('--avg-neighbors <n>', 'normalization of neighbour sums (average neighbour count within r_max)', positiveNumber)
    .option('--no-parity', 'hidden features of parity (-1)^l only (default: both parities)')
    .addOption(new Option('--dtype <dtype>', 'float type of the model').choices(['float32', 'float64']).default('float32'))
    .option('--seed <n>', 'seed of the weight initialization', integer)
    .option('--options <file.json>', 'JSON object of further builder options (e.g. {"radialMlp": {"neurons": 32}}); flags win')
    .addHelpText('after', '\nExamples:\n  e3md model create --arch nequip --types H,O --r-max 5 --lmax 2 --dtype float32 --out water-nequip.onnx\n  e3md model create --arch allegro --types H,O --tensor-features 16 --latent 64 --out water-allegro.onnx\n')
    .action(async (flags: ModelCreateFlags) => {
      setExit(await createCommand(flags, io));
    });
  model
    .command('upgrade')
    .summary('re-export a model written by an older e3md with the current compiler (same network and weights)')
    .description(
      'Rebuilds the network from the file\'s e3md.settings, loads its weights and writes it again. Files written ' +
      'before e3md 0.2 sum messages and forces with ONNX ScatterND, whose CPU kernel races across threads ' +
      '(forces then vary between identical calls); the upgraded file gives the same bits at any thread count. ' +
      'Training provenance and other extra metadata are kept.',
    )
    .argument('<model.onnx>', 'the model to upgrade (not changed)')
    .requiredOption('--out <file.onnx>', 'the upgraded model (a new file)')
    .addHelpText('after', '\nExample:\n  e3md model upgrade old-water.onnx --out water.onnx\n')
    .action(async (input: string, flags: { out: string }) => {
      setExit(await upgradeCommand(input, flags.out, io));
    });
  registerModelImport(model, io, setExit);
}

/** Runs `model create`; returns the exit code (bad options print one message and give 2). */
export async function createCommand(flags: ModelCreateFlags, io: CliStreams): Promise<number> {
  let m: PotentialModel;
  let bytes: Uint8Array;
  try {
    m = await modelFromFlags(flags);
    bytes = exportPotential(m, { dtype: flags.dtype });
  } catch (e) {
    io.stderr.write(`e3md model create: ${(e as Error).message}\n`);
    return EXIT.badInput;
  }
  try {
    await writeFile(flags.out, bytes);
  } catch (e) {
    io.stderr.write(`e3md model create: cannot write ${flags.out}: ${(e as Error).message}\n`);
    return EXIT.badInput;
  }
  const s = m.settings as Record<string, unknown>;
  const width = m.architecture === 'nequip' ? `${s['numFeatures']} features` : `${s['numTensorFeatures']} tensor channels, ${s['latentDim']} latents`;
  io.stdout.write(
    `wrote ${flags.out}: ${m.architecture}, ${s['numLayers']} layers, lmax ${s['lmax']}, ${width}, r_max ${m.rMax_A} Å, ` +
    `types ${m.typeNames.join(',')}, ${m.parameters.count().toLocaleString('en-US')} parameters, ${flags.dtype}, ${(bytes.length / 1024).toFixed(0)} KiB\n`,
  );
  return EXIT.ok;
}

/** Runs `e3md model upgrade`; returns the exit code. */
export async function upgradeCommand(input: string, out: string, io: CliStreams): Promise<number> {
  if (resolve(input) === resolve(out)) {
    io.stderr.write(`e3md model upgrade: --out ${out} is the model being upgraded; write the upgraded model to a new file\n`);
    return EXIT.badInput;
  }
  let bytes: Uint8Array;
  try {
    const { model, dtype, metadata } = rebuildModel(await readFile(input), `model ${input}`);
    bytes = exportPotential(model, { dtype, metadata });
  } catch (e) {
    io.stderr.write(`e3md model upgrade: ${(e as Error).message}\n`);
    return EXIT.badInput;
  }
  try {
    await writeFile(`${out}.tmp`, bytes);
    await rename(`${out}.tmp`, out);
  } catch (e) {
    io.stderr.write(`e3md model upgrade: cannot write ${out}: ${(e as Error).message}\n`);
    return EXIT.badInput;
  }
  io.stdout.write(`wrote ${out} (${(bytes.length / 1024).toFixed(0)} KiB)\n`);
  return EXIT.ok;
}
