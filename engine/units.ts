/**
 * Every physical constant e3md uses, in one place (DESIGN.md §3).
 *
 * Base units: length Å, energy eV, time fs, mass amu (u), temperature K, charge e.
 * Derived: force eV/Å, velocity Å/fs, pressure bar.
 */

/** Boltzmann constant, eV/K. CODATA 2018 (exact since the 2019 SI redefinition). */
export const kB_eV_per_K = 8.617333262e-5;

/**
 * Kinetic energy of 1 amu moving at 1 Å/fs, in eV: 1 amu·Å²/fs² = 103.642697 eV.
 * From CODATA 2018: 1.66053906660e-27 kg × 1e10 m²/s² / 1.602176634e-19 J/eV.
 */
export const amuA2fs2_in_eV = 103.642697;

/** 1 eV/Å³ in bar: 1.602176634e-19 J / 1e-30 m³ / 1e5 Pa/bar (CODATA 2018). */
export const eV_per_A3_in_bar = 1.602176634e6;

/** A mass density of 1 amu/Å³ in g/cm³: 1.66053906660e-24 g / 1e-24 cm³ (CODATA 2018 atomic mass constant). */
export const amu_per_A3_in_g_per_cm3 = 1.6605390666;

/**
 * ASE's time unit in fs: ASE measures time in Å·sqrt(amu/eV), so 1 ASE time unit =
 * 1e15 · 1e-10 m · sqrt(1.66053906660e-27 kg / 1.602176634e-19 J) fs = 10.1805055 fs.
 * Momenta in ASE files are amu·Å/(ASE time unit); velocity Å/fs = p / m / ase_time_fs.
 */
export const aseTimeUnit_fs = 10.180505462;

/** Standard atomic weights (IUPAC 2021 abridged, as ASE tabulates them), amu, by chemical symbol. */
export const atomicMasses_amu: Readonly<Record<string, number>> = Object.freeze({
  H: 1.008, He: 4.002602, Li: 6.94, Be: 9.0121831, B: 10.81, C: 12.011, N: 14.007, O: 15.999,
  F: 18.998403163, Ne: 20.1797, Na: 22.98976928, Mg: 24.305, Al: 26.9815385, Si: 28.085,
  P: 30.973761998, S: 32.06, Cl: 35.45, Ar: 39.948, K: 39.0983, Ca: 40.078, Sc: 44.955908,
  Ti: 47.867, V: 50.9415, Cr: 51.9961, Mn: 54.938044, Fe: 55.845, Co: 58.933194, Ni: 58.6934,
  Cu: 63.546, Zn: 65.38, Ga: 69.723, Ge: 72.63, As: 74.921595, Se: 78.971, Br: 79.904,
  Kr: 83.798, Rb: 85.4678, Sr: 87.62, Y: 88.90584, Zr: 91.224, Nb: 92.90637, Mo: 95.95,
  Ru: 101.07, Rh: 102.9055, Pd: 106.42, Ag: 107.8682, Cd: 112.414, In: 114.818, Sn: 118.71,
  Sb: 121.76, Te: 127.6, I: 126.90447, Xe: 131.293, Cs: 132.90545196, Ba: 137.327,
  La: 138.90547, Ce: 140.116, Hf: 178.49, Ta: 180.94788, W: 183.84, Re: 186.207, Os: 190.23,
  Ir: 192.217, Pt: 195.084, Au: 196.966569, Hg: 200.592, Tl: 204.38, Pb: 207.2, Bi: 208.9804,
});

/** Mass of a chemical symbol in amu, or undefined when the element has no tabulated mass. */
export function atomicMass(symbol: string): number | undefined {
  return Object.prototype.hasOwnProperty.call(atomicMasses_amu, symbol) ? atomicMasses_amu[symbol] : undefined;
}

/**
 * Base constants of a CODATA adjustment (SI): speed of light c (m/s), magnetic constant μ0 (N/A²),
 * Planck constant h (J·s), elementary charge e (C), electron mass m_e (kg).
 */
export interface CodataConstants {
  readonly c_m_per_s: number;
  readonly mu0_N_per_A2: number;
  readonly h_J_s: number;
  readonly e_C: number;
  readonly me_kg: number;
}

/**
 * CODATA 2014 (Mohr, Newell, Taylor, Rev. Mod. Phys. 88, 035009 (2016); arXiv:1507.07956), the set
 * ASE uses by default (`ase.units`, `__codata_version__ = '2014'`), μ0 = 4π·10⁻⁷ N/A².
 */
export const CODATA_2014: CodataConstants = Object.freeze({
  c_m_per_s: 299792458, mu0_N_per_A2: 4e-7 * Math.PI, h_J_s: 6.626070040e-34, e_C: 1.6021766208e-19, me_kg: 9.10938356e-31,
});

/**
 * CODATA 2018 (Tiesinga et al., Rev. Mod. Phys. 93, 025010 (2021)), with μ0 = 4π·10⁻⁷ N/A² as
 * `ase.units.create_units('2018')` takes it. Since 2019 μ0 is measured (1.00000000055 times that), so
 * the a0 and E_h derived from this set differ from CODATA 2018's tabulated ones (0.529177210903 Å,
 * 27.211386245988 eV) by 6·10⁻¹⁰ and 1.1·10⁻⁹ relative; they are what ASE uses with this set.
 */
export const CODATA_2018: CodataConstants = Object.freeze({
  c_m_per_s: 299792458, mu0_N_per_A2: 4e-7 * Math.PI, h_J_s: 6.62607015e-34, e_C: 1.602176634e-19, me_kg: 9.1093837015e-31,
});

/** Hartree atomic units in e3md's units: the Bohr radius a0 in Å and the Hartree energy E_h in eV. */
export interface AtomicUnits {
  /** Which CODATA adjustment they come from. */
  readonly codata: '2014' | '2018';
  /** a0 = 4πε0ħ²/(m_e e²), Å. */
  readonly bohr_A: number;
  /** E_h = m_e e⁴/((4πε0)² ħ²), eV. */
  readonly hartree_eV: number;
}

/**
 * The Bohr radius (Å) and Hartree energy (eV) derived from the base constants of a CODATA set,
 * ε0 = 1/(μ0 c²), ħ = h/2π: the values ASE derives from the same set, so a length or energy sent
 * in atomic units by ASE and read back by e3md (i-PI protocol) returns to within an ulp.
 * CODATA 2014 gives a0 = 0.52917721056 Å, E_h = 27.2113860244 eV (tabulated: 0.52917721067 Å,
 * 27.21138602 eV; they differ by the rounding of the tabulated base constants).
 *
 * @example atomicUnits('2014').hartree_eV; // 27.211386024367…
 */
export function atomicUnits(codata: '2014' | '2018' = '2014'): AtomicUnits {
  const k = codata === '2014' ? CODATA_2014 : CODATA_2018;
  const eps0 = 1 / k.mu0_N_per_A2 / k.c_m_per_s ** 2;
  const hbar = k.h_J_s / (2 * Math.PI);
  // Written in the order ASE evaluates them, so that the doubles agree bit for bit as well.
  const bohr_A = (4e10 * Math.PI * eps0 * hbar ** 2) / k.me_kg / k.e_C ** 2;
  const hartree_eV = (k.me_kg * k.e_C ** 3) / 16 / Math.PI ** 2 / eps0 ** 2 / hbar ** 2;
  return Object.freeze({ codata, bohr_A, hartree_eV });
}
