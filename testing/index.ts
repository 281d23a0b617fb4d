/**
 * e3md/testing: the checks e3md's own tests use, for anyone who builds or trains a potential —
 * equivariance of a map between irreps (e3nn's `assert_equivariant`) and of a whole potential
 * (nequip's `assert_AtomicData_equivariant`), forces and virial against finite differences, energy
 * conservation and a thermostat's mean temperature. Each throws {@link AssertionError}, a plain
 * Error, so they work under any test runner. docs/testing.md describes them.
 *
 * @example
 * import { assertPotentialEquivariant, assertPotentialForces } from 'e3md/testing';
 * await assertPotentialEquivariant(potential, system, { dtype: 'float32' });
 */
export { AssertionError } from './assertion.js';
export { assertEquivariant, normals, type EquivarianceOptions, type EquivarianceReport } from './equivariance.js';
export {
  assertForcesMatchFiniteDifference,
  assertVirialMatchesFiniteStrain,
  energyRoundoff,
  FORCE_DEFAULTS,
  VIRIAL_DEFAULTS,
  type CheckDType,
  type DerivativeReport,
  type EnergyAndForces,
  type EnergyAndVirial,
  type FiniteDifferenceOptions,
  type FiniteStrainOptions,
} from './derivatives.js';
export { assertEnergyConserved, assertMeanTemperature, type EnergyConservationOptions, type MeanTemperatureOptions } from './trajectory.js';
export {
  assertPotentialEquivariant,
  assertPotentialForces,
  assertPotentialVirial,
  EQUIVARIANCE_TOLERANCE,
  type PotentialEquivarianceOptions,
  type PotentialEquivarianceReport,
} from './potential.js';
