/**
 * `e3md model create`: builds a NequIP or Allegro model with seeded random weights and writes it
 * as an e3md ONNX potential (docs/onnx-contract.md). Every flag sets one builder option; the options come
 * from the architecture's schema (models/), which also gives the flags' help, defaults and
 * checks. Options without a flag can come from a JSON file (`--options`, the schema's names, as
 * in a model's `e3md.settings`); flags win over the file.
 */
import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { z } from 'zod';
import { isChemicalSymbol, OutputError, parseConfig, readConfigText, writeFileAtomic } from '../../io/index.js';
import { modelOutputProblem as outputProblem } from '../model-file.js';
import { ARCHITECTURES, createModel, exportPotential, ModelOptionsError, type PotentialModel, rebuildModel } from '../../models/index.js';
import { finiteNumber, integer } from '../arguments.js';
import { EXIT, type CliStreams } from '../exit-codes.js';
import { registerModelImport } from './model-import.js';

type Arch = keyof typeof ARCHITECTURES;

/** `1 layer`, `3 layers`. */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}


/** Flags of `e3md model create` as commander parses them. */
export interface ModelCreateFlags {
  arch: Arch;
  types: string;
  out: string;
  rMax?: number;
  lmax?: number;
  layers?: number;
  features?: number;
  tensorFeatures?: number;
  latent?: number;
  avgNeighbors?: number;
  /** false with --no-parity; absent otherwise (the option's default, or the --options file, decides). */
  parity?: boolean;
  dtype: 'float32' | 'float64';
  seed?: number;
  options?: string;
  /** Replace an existing --out file. */
  force?: boolean;
}

/** A flag that sets one builder option (checked by the architecture's schema, not by the flag). */
interface OptionFlag {
  /** commander's flag syntax. */
  readonly flag: string;
  /** The flag's property in {@link ModelCreateFlags}. */
  readonly property: keyof ModelCreateFlags;
  /** The builder option it sets. */
  readonly option: string;
  readonly parse?: (text: string) => number;
}

/** Every builder option with a flag. */
const OPTION_FLAGS: readonly OptionFlag[] = [
  { flag: '--r-max <angstrom>', property: 'rMax', option: 'rMax_A', parse: finiteNumber },
  { flag: '--lmax <l>', property: 'lmax', option: 'lmax', parse: integer },
  { flag: '--layers <n>', property: 'layers', option: 'numLayers', parse: integer },
  { flag: '--features <n>', property: 'features', option: 'numFeatures', parse: integer },
  { flag: '--tensor-features <n>', property: 'tensorFeatures', option: 'numTensorFeatures', parse: integer },
  { flag: '--latent <n>', property: 'latent', option: 'latentDim', parse: integer },
  { flag: '--avg-neighbors <n>', property: 'avgNeighbors', option: 'avgNumNeighbors', parse: finiteNumber },
  { flag: '--no-parity', property: 'parity', option: 'parity' },
  { flag: '--seed <n>', property: 'seed', option: 'seed', parse: integer },
];

const flagName = (f: OptionFlag) => f.flag.split(' ')[0]!;
const ARCH_NAMES: Record<Arch, string> = { nequip: 'NequIP', allegro: 'Allegro' };

/** The schema of option `key` of `arch`, or undefined when the architecture has no such option. */
function optionSchema(arch: Arch, key: string): z.ZodType | undefined {
  return (ARCHITECTURES[arch].optionsSchema.shape as Record<string, z.ZodType>)[key];
}

/** `description (default d)` of a builder option, per architecture when they differ. */
function helpOf(f: OptionFlag): string {
  const parts = (Object.keys(ARCHITECTURES) as Arch[]).flatMap((arch) => {
    const s = optionSchema(arch, f.option);
    if (!s) return [];
    const def = (s._zod.def as { defaultValue?: unknown }).defaultValue;
    return [{ arch, text: `${s.description ?? f.option}${def === undefined || f.parse === undefined ? '' : ` (default ${JSON.stringify(def)})`}` }];
  });
  if (parts.length === Object.keys(ARCHITECTURES).length && parts.every((p) => p.text === parts[0]!.text)) return parts[0]!.text;
  return parts.map((p) => `${ARCH_NAMES[p.arch]}: ${p.text}`).join('; ');
}

/**
 * The builder options the flags (and the --options file) describe, not yet checked.
 * @throws InputError locating a bad --options file; Error for a flag of the other architecture
 */
export function optionsFromFlags(flags: ModelCreateFlags): Record<string, unknown> {
  // The file is checked on its own, to locate its mistakes; --types gives the species.
  const schema: z.ZodObject = ARCHITECTURES[flags.arch].optionsSchema;
  const file = flags.options ? parseConfig(readConfigText(flags.options, 'options file'), flags.options, schema.partial({ typeNames: true })).value : {};
  const typeNames = flags.types.split(',').map((s) => s.trim()).filter((s) => s !== '');
  // The schema checks the spelling of a symbol; an element that does not exist is caught here.
  const unknown = typeNames.find((t) => /^[A-Z][a-z]?$/.test(t) && !isChemicalSymbol(t));
  if (unknown !== undefined) throw new Error(`--types: "${unknown}" is not a chemical element symbol (such as H, O, Fe)`);
  const options: Record<string, unknown> = { ...file, typeNames };
  for (const f of OPTION_FLAGS) {
    const v = flags[f.property];
    if (v === undefined) continue;
    if (!optionSchema(flags.arch, f.option)) {
      const others = (Object.keys(ARCHITECTURES) as Arch[]).filter((a) => optionSchema(a, f.option)).map((a) => ARCH_NAMES[a]);
      throw new Error(`${flagName(f)} is ${others.length === 1 ? `a ${others[0]} option` : 'not an option of this architecture'}; ${ARCH_NAMES[flags.arch]} does not take it`);
    }
    options[f.option] = v;
  }
  return options;
}

/**
 * The model the flags describe (not yet exported).
 * @throws naming the flag, or the key and line of the --options file, that is wrong
 * @example const model = modelFromFlags({ arch: 'nequip', types: 'H,O', out: 'm.onnx', dtype: 'float32' });
 */
export function modelFromFlags(flags: ModelCreateFlags): PotentialModel {
  const options = optionsFromFlags(flags);
  try {
    return createModel(flags.arch, options as never);
  } catch (e) {
    if (!(e instanceof ModelOptionsError)) throw e;
    // Name what the user typed: the flag that set the option; an option from --options keeps its name.
    const key = e.path[0];
    const set = OPTION_FLAGS.find((o) => o.option === key && flags[o.property] !== undefined);
    const flag = key === 'typeNames' ? '--types' : set && flagName(set);
    if (!flag) throw e;
    throw new Error(`${flag}: ${e.detail}`);
  }
}

/**
 * Registers `e3md model create` on `program`.
 * @example registerModelCommand(program, io, (code) => { exitCode = code; });
 */
export function registerModelCommand(program: Command, io: CliStreams, setExit: (code: number) => void): void {
  const model = program.command('model').summary('create, upgrade or import equivariant potentials (NequIP, Allegro) as ONNX files').description('Build e3md potentials. See `e3md model create --help`, `e3md model upgrade --help` and `e3md model import --help`.');
  const create = model
    .command('create')
    .summary('build a NequIP or Allegro model with seeded random weights and write it as ONNX')
    .description(
      'Builds a model in TypeScript and writes an ONNX file with energy, forces and virial (docs/onnx-contract.md) that ' +
      '`e3md run` (potential kind "onnx"), `e3md eval` and any ONNX runtime can use. Weights are random ' +
      '(seeded); train them with `e3md train`. Defaults follow NequIP and Allegro (each flag says its own).',
    )
    .addOption(new Option('--arch <arch>', 'architecture').choices(Object.keys(ARCHITECTURES)).makeOptionMandatory())
    .requiredOption('--types <symbols>', 'chemical symbols in type order, comma-separated, e.g. H,O')
    .requiredOption('--out <file.onnx>', 'output file');
  for (const f of OPTION_FLAGS) {
    if (f.parse) create.option(f.flag, helpOf(f), f.parse);
    else create.option(f.flag, `sets ${f.option} to false (${helpOf(f)})`);
  }
  create
    .addOption(new Option('--dtype <dtype>', 'float type of the model').choices(['float32', 'float64']).default('float32'))
    .option('--options <file.json>', 'JSON object of further builder options, named as in a model\'s e3md.settings (e.g. {"radialMlp": {"neurons": 32}}); flags win')
    .option('--force', 'replace --out when it exists (it may be a trained model: by default e3md refuses)')
    .addHelpText('after', '\nExamples:\n  e3md model create --arch nequip --types H,O --r-max 5 --lmax 2 --dtype float32 --out water-nequip.onnx\n  e3md model create --arch allegro --types H,O --tensor-features 16 --latent 64 --out water-allegro.onnx\n')
    .action(async (flags: ModelCreateFlags, cmd: Command) => {
      // commander defaults a lone --no-parity to true; only a typed flag may override the file or the schema.
      if (cmd.getOptionValueSource('parity') !== 'cli') delete flags.parity;
      setExit(await createCommand(flags, io));
    });
  model
    .command('upgrade')
    .summary('re-export a model written by an older e3md with the current compiler (same network and weights)')
    .description(
      'Rebuilds the network from the file\'s e3md.settings, loads its weights and writes it again. Files written ' +
      'before e3md 0.2 sum messages and forces with ONNX ScatterND, whose CPU kernel races across threads ' +
      '(forces then vary between identical calls); the upgraded file gives the same bits on every call at any thread count. ' +
      'Training provenance and other extra metadata are kept.',
    )
    .argument('<model.onnx>', 'the model to upgrade (not changed)')
    .requiredOption('--out <file.onnx>', 'the upgraded model (a new file)')
    .option('--force', 'replace --out when it exists')
    .addHelpText('after', '\nExample:\n  e3md model upgrade old-water.onnx --out water.onnx\n')
    .action(async (input: string, flags: { out: string; force?: boolean }) => {
      setExit(await upgradeCommand(input, flags.out, io, flags.force === true));
    });
  registerModelImport(model, io, setExit);
}

/** Runs `model create`; returns the exit code (bad options print one message and give 2). */
export async function createCommand(flags: ModelCreateFlags, io: CliStreams): Promise<number> {
  const refused = outputProblem('--out', flags.out, flags.options ? [{ key: '--options', path: flags.options }] : [], flags.force === true);
  if (refused) {
    io.stderr.write(`e3md model create: ${refused}\n`);
    return EXIT.badInput;
  }
  let m: PotentialModel;
  let bytes: Uint8Array;
  try {
    m = modelFromFlags(flags);
    bytes = exportPotential(m, { dtype: flags.dtype });
  } catch (e) {
    io.stderr.write(`e3md model create: ${(e as Error).message}\n`);
    return EXIT.badInput;
  }
  try {
    writeFileAtomic(flags.out, bytes);
  } catch (e) {
    if (!(e instanceof OutputError)) throw e;
    io.stderr.write(`e3md model create: ${e.message}\n`);
    return EXIT.badInput;
  }
  const s = m.settings as Record<string, unknown>;
  const width = m.architecture === 'nequip' ? `${s['numFeatures']} features` : `${s['numTensorFeatures']} tensor channels, ${s['latentDim']} latents`;
  io.stdout.write(
    `wrote ${flags.out}: ${m.architecture}, ${plural(Number(s['numLayers']), 'layer')}, lmax ${s['lmax']}, ${width}, r_max ${m.rMax_A} Å, ` +
    `types ${m.typeNames.join(',')}, ${m.parameters.count().toLocaleString('en-US')} parameters, ${flags.dtype}, ${(bytes.length / 1024).toFixed(0)} KiB\n`,
  );
  return EXIT.ok;
}

/** Runs `e3md model upgrade`; returns the exit code. */
export async function upgradeCommand(input: string, out: string, io: CliStreams, force = false): Promise<number> {
  const refused = outputProblem('--out', out, [{ key: 'the model being upgraded', path: input }], force);
  if (refused) {
    io.stderr.write(`e3md model upgrade: ${refused}; write the upgraded model to a new file\n`);
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
    writeFileAtomic(out, bytes);
  } catch (e) {
    if (!(e instanceof OutputError)) throw e;
    io.stderr.write(`e3md model upgrade: ${e.message}\n`);
    return EXIT.badInput;
  }
  io.stdout.write(`wrote ${out} (${(bytes.length / 1024).toFixed(0)} KiB)\n`);
  return EXIT.ok;
}
