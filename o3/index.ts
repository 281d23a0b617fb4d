/**
 * o3/ — the equivariant mathematics of e3md in e3nn 0.5's conventions (DESIGN.md §6): irreps,
 * spherical harmonics, Wigner 3j and D, rotations, and tensor-product / linear / gate plans.
 * Pure float64 TypeScript; imports nothing else of e3md.
 */
export { Irrep, type IrrepLike, type Parity } from './irrep.js';
export { Irreps, type IrrepsFilter, type IrrepsLike, type MulIrrep, type Slice, type SortResult } from './irreps.js';
export {
  SH_LMAX,
  shNormalizationFactor,
  shPolynomials,
  sphericalHarmonics,
  type ShMonomial,
  type ShNormalization,
  type ShPolynomial,
  type SphericalHarmonicsOptions,
} from './spherical-harmonics.js';
export {
  anglesToMatrix,
  checkOrthogonal,
  matrixToAngles,
  matrixX,
  matrixY,
  matrixZ,
  randomOrthogonal,
  randomRotation,
  seededUniform,
  vectorToAngles,
  type UniformSource,
} from './rotation.js';
export { wignerD, wignerDFromMatrix } from './wigner-d.js';
export { clebschGordan, wigner3j, wigner3jNonzero, type W3jEntry } from './wigner-3j.js';
export { gaussLegendre, sphereQuadrature, type Quadrature1D, type SphereQuadrature } from './quadrature.js';
export {
  TensorProduct,
  type ConnectionMode,
  type InstructionSpec,
  type IrrepNormalization,
  type PathNormalization,
  type TensorProductOptions,
  type TpInstruction,
} from './tensor-product.js';
export { channelwise, elementwise, fullyConnected, type ChannelwiseOptions, type TpNormalization } from './tp-constructors.js';
export { Linear, type LinearBias, type LinearInstruction, type LinearOptions } from './linear.js';
export { activations, normalize2mom, type Activation, type ActivationParity } from './activation.js';
export { Gate, type GateActivatedTerm, type GatedTerm, type GateOptions } from './gate.js';
export { NormActivation, type NormActivationOptions } from './norm-activation.js';
