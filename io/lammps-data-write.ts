/**
 * LAMMPS data files (`read_data`, atom_style atomic, units metal) from e3md structures, so that the
 * same configuration can be run by `e3md run` and by LAMMPS with `pair_style e3md`.
 *
 * LAMMPS keeps cells in its restricted triclinic form: a along x, b in the xy plane
 * (a = (lx, 0, 0), b = (xy, ly, 0), c = (xz, yz, lz), lx, ly, lz > 0). A cell in that form is
 * written as it is, with the origin at 0 and positions unchanged, so forces and virials compare
 * component by component; any other cell is refused rather than rotated.
 */
import { atomicMass, type Box } from '../engine/index.js';

/** What a data file holds. */
export interface LammpsDataInput {
  /** Chemical symbol of each atom, length N. */
  symbols: readonly string[];
  /** (N, 3) positions, Å. */
  positions: ArrayLike<number>;
  /** The cell; must be in LAMMPS's restricted triclinic form. */
  box: Box;
  /** (N, 3) velocities, Å/fs (written in LAMMPS metal units, Å/ps). */
  velocities?: ArrayLike<number>;
}

/** Options of {@link formatLammpsData}. */
export interface LammpsDataOptions {
  /** Element of each LAMMPS type, in type order (default: first appearance); `pair_coeff * * model.onnx` must list them in this order. */
  typeNames?: readonly string[];
  /** First line of the file. */
  title?: string;
}

/**
 * The data file as text, every number at full double precision.
 * @throws when the cell is not in LAMMPS's form, or an element has no type or no known mass
 * @example writeFileSync('water.data', formatLammpsData(frame, { typeNames: ['O', 'H'] }));
 */
export function formatLammpsData(input: LammpsDataInput, options: LammpsDataOptions = {}): string {
  const n = input.symbols.length;
  if (input.positions.length !== 3 * n) throw new Error(`formatLammpsData: ${input.positions.length} position entries for ${n} atoms`);
  const c = input.box.cell;
  if (input.box.isOpen || input.box.volume === 0) throw new Error('formatLammpsData: LAMMPS needs a cell; this structure has none');
  if (c[1] !== 0 || c[2] !== 0 || c[5] !== 0 || !(c[0]! > 0 && c[4]! > 0 && c[8]! > 0)) {
    throw new Error(`formatLammpsData: the cell [${Array.from(c).join(', ')}] is not in LAMMPS's form (a along +x, b in the xy plane with b_y > 0, c_z > 0); rotate the structure first`);
  }
  const typeNames = options.typeNames ?? [...new Set(input.symbols)];
  const typeOf = new Map(typeNames.map((s, k) => [s, k + 1]));
  const lines = [options.title ?? 'e3md structure', '', `${n} atoms`, `${typeNames.length} atom types`, ''];
  lines.push(`0 ${c[0]} xlo xhi`, `0 ${c[4]} ylo yhi`, `0 ${c[8]} zlo zhi`);
  if (c[3] !== 0 || c[6] !== 0 || c[7] !== 0) lines.push(`${c[3]} ${c[6]} ${c[7]} xy xz yz`);
  lines.push('', 'Masses', '');
  typeNames.forEach((s, k) => {
    const m = atomicMass(s);
    if (m === undefined) throw new Error(`formatLammpsData: no standard atomic mass for element '${s}'`);
    lines.push(`${k + 1} ${m} # ${s}`);
  });
  lines.push('', 'Atoms # atomic', '');
  const x = input.positions;
  for (let i = 0; i < n; i++) {
    const t = typeOf.get(input.symbols[i]!);
    if (t === undefined) throw new Error(`formatLammpsData: atom ${i + 1} is '${input.symbols[i]}', which is not among the types ${typeNames.join(', ')}`);
    lines.push(`${i + 1} ${t} ${x[3 * i]} ${x[3 * i + 1]} ${x[3 * i + 2]}`);
  }
  if (input.velocities) {
    const v = input.velocities;
    if (v.length !== 3 * n) throw new Error(`formatLammpsData: ${v.length} velocity entries for ${n} atoms`);
    // metal units: Å/ps.
    lines.push('', 'Velocities', '');
    for (let i = 0; i < n; i++) lines.push(`${i + 1} ${1000 * v[3 * i]!} ${1000 * v[3 * i + 1]!} ${1000 * v[3 * i + 2]!}`);
  }
  return `${lines.join('\n')}\n`;
}
