/**
 * The worker-thread module of e3md's decomposed potentials: piscina loads this file in every
 * worker, and its default export (engine/parallel's domain worker) makes Lennard-Jones or ONNX
 * domain potentials from their specs.
 */
import { createDomainWorker } from '../engine/parallel/index.js';
import { createDomainPotential, type DomainPotentialSpec } from './domain-potentials.js';

export default createDomainWorker((spec, context) => createDomainPotential(spec as DomainPotentialSpec, context));
