/**
 * The option schemas both builders share (species, cutoff, neighbour normalization, radial basis,
 * output scale and shift, activations, seed), and how an architecture's schema checks the options
 * a builder is given. Each architecture's whole schema (nequip/options.ts, allegro/options.ts) is
 * the one source of its option names, types, defaults and messages: the builder's TypeScript types,
 * the `model` section of `e3md train`'s config, the JSON file of `e3md model create --options`, the
 * flags of `e3md model create`, and the `e3md.settings` metadata of an exported model all come
 * from it, so a model's `e3md.settings` can be handed back to any of them.
 */
import { z } from 'zod';
import { activations } from '../o3/index.js';

const SYMBOL = /^[A-Z][a-z]?$/;

/** A chemical symbol such as `"O"`. */
export const symbolSchema = z.string().regex(SYMBOL, 'must be a chemical symbol such as "O"');

/** Species in type-index order (`atom_types` indexes this list): at least one, no duplicates. */
export const typeNamesSchema = z
  .array(symbolSchema)
  .min(1)
  .superRefine((names, ctx) => {
    const first = names.findIndex((s, k) => names.indexOf(s) !== k);
    if (first >= 0) ctx.addIssue({ code: 'custom', path: [first], message: `lists '${names[first]}' twice` });
  })
  .readonly()
  .describe('Chemical symbols in type-index order, e.g. ["H", "O"]');

/** Cutoff radius r_max, Å. */
export const rMaxSchema = z.number().gt(0).lt(Infinity).default(5).describe('Cutoff radius r_max, Å');

/** Neighbour-sum normalization 1/√avgNumNeighbors (null: off). */
export const avgNumNeighborsSchema = z
  .union([z.number().gt(0).lt(Infinity), z.null()])
  .default(20)
  .describe('Sums over neighbours are divided by √avgNumNeighbors (typical of condensed phases at r_max ≈ 5 Å; set it from training data); null disables it');

/** Names of o3's activations. */
export const activationSchema = z.enum(Object.keys(activations) as [keyof typeof activations, ...(keyof typeof activations)[]]);

/** An activation with a default. */
export const activationOption = (fallback: keyof typeof activations, what: string) => activationSchema.default(fallback).describe(what);

/** An integer ≥ `min` with a default. */
export const intOption = (fallback: number, what: string, min = 1) => z.number().int().min(min).default(fallback).describe(what);

/** The radial edge embedding: Bessel basis × polynomial cutoff envelope (models/radial.ts). */
export const radialSchema = z
  .strictObject({
    numBasis: intOption(8, 'Number of Bessel functions'),
    trainableFrequencies: z.boolean().default(true).describe('Train the Bessel frequencies w_n (as NequIP)'),
    cutoffP: z.number().min(2).lt(Infinity).default(6).describe('Exponent p of the polynomial cutoff envelope'),
  })
  .prefault({})
  .describe('Bessel basis and cutoff envelope');

/** Resolved radial options. */
export type RadialSettings = z.output<typeof radialSchema>;

const perSpecies = (what: string) => z.union([z.number().lt(Infinity).gt(-Infinity), z.array(z.number().lt(Infinity).gt(-Infinity)).readonly()]).optional().describe(what);

/** Per-species affine map of the atomic energies: E_i ← scale[t_i] · E_i + shift[t_i] (eV). */
export const scaleShiftSchema = z
  .strictObject({
    scales: perSpecies('One scale per species, or one number for all (default 1)'),
    shifts: perSpecies('One shift per species, eV, or one number for all (default 0)'),
    trainable: z
      .union([z.boolean(), z.strictObject({ scales: z.boolean().describe('Train the scales'), shifts: z.boolean().describe('Train the shifts') })])
      .optional()
      .describe('Train the scales and shifts (default true), or each on its own: { "scales": true, "shifts": false } keeps given energy references fixed'),
  })
  .prefault({})
  .describe('Per-species energy scale and shift');

/** Per-species scale and shift as given. */
export type ScaleShiftOptions = z.input<typeof scaleShiftSchema>;

/** Seed of the weight initialization. */
export const seedSchema = z.number().int().default(0).describe('Seed of the weight initialization');

/** A bad builder option: `path` is the option's key path, `detail` what is wrong with it. */
export class ModelOptionsError extends Error {
  constructor(
    readonly architecture: string,
    readonly path: readonly (string | number)[],
    readonly detail: string,
  ) {
    super(`${architecture}: ${path.length ? `${formatPath(path)}: ` : ''}${detail}`);
    this.name = 'ModelOptionsError';
  }
}

function formatPath(path: readonly (string | number)[]): string {
  return path.map((p, k) => (typeof p === 'number' ? `[${p}]` : k === 0 ? p : `.${p}`)).join('');
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  return v !== null && typeof v === 'object' ? 'an object' : String(v);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((v, p) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined), root);
}

/** One sentence for the first zod issue, in the words of the config files' messages (io/config-file). */
function detailOf(issue: z.core.$ZodIssue, got: unknown): string {
  switch (issue.code) {
    case 'unrecognized_keys': return 'is not an option';
    case 'invalid_type': return got === undefined ? 'is required' : `expected ${issue.expected === 'int' ? 'an integer' : `a ${issue.expected}`}, got ${describe(got)}`;
    case 'too_small': return issue.origin === 'array' ? `needs at least ${String(issue.minimum)} entries` : `must be ${issue.inclusive ? '≥' : '>'} ${String(issue.minimum)}, got ${describe(got)}`;
    case 'too_big': return `must be ${issue.inclusive ? '≤' : '<'} ${String(issue.maximum)}, got ${describe(got)}`;
    case 'invalid_value': return `must be ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${describe(got)}`;
    case 'invalid_format': return `${describe(got)} ${issue.message}`;
    case 'invalid_union': {
      // The member the value came closest to (right type, wrong range) says most; else list the types.
      const firsts = issue.errors.map((e) => e[0]).filter((e) => e !== undefined);
      const near = firsts.find((e) => e.code !== 'invalid_type' || e.path.length > 0);
      if (near) return detailOf(near, valueAt(got, near.path));
      return `expected ${firsts.map((e) => (e.code === 'invalid_type' ? e.expected : '?')).join(' or ')}, got ${describe(got)}`;
    }
    default: return issue.message;
  }
}

/**
 * Checks `options` against an architecture's schema and fills its defaults.
 * @throws ModelOptionsError naming the option, e.g. `nequip: numLayers: must be ≥ 1, got 0`
 * @example const s = parseModelOptions('nequip', nequipOptionsSchema, { typeNames: ['H', 'O'] });
 */
export function parseModelOptions<S extends z.ZodType>(architecture: string, schema: S, options: unknown): z.output<S> {
  const r = schema.safeParse(options);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
  throw new ModelOptionsError(architecture, path as (string | number)[], detailOf(issue, valueAt(options, issue.path)));
}
