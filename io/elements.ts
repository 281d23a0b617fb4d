/**
 * The chemical element symbols (IUPAC, Z = 1…118), for checking names users give as species:
 * `model create --types`, POSCAR species lines, LAMMPS type labels.
 */

/** Element symbols in order of atomic number (index Z − 1). */
export const CHEMICAL_SYMBOLS: readonly string[] = Object.freeze((
  'H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr ' +
  'Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb ' +
  'Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es Fm Md No Lr Rf ' +
  'Db Sg Bh Hs Mt Ds Rg Cn Nh Fl Mc Lv Ts Og'
).split(' '));

const SYMBOLS = new Set(CHEMICAL_SYMBOLS);

/**
 * True for a chemical element symbol, spelt as IUPAC does (`O`, `Fe`; not `fe`, `Xx`).
 * @example isChemicalSymbol('Xx') // false
 */
export function isChemicalSymbol(s: string): boolean {
  return SYMBOLS.has(s);
}
