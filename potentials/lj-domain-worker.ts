/**
 * The worker-thread module of decomposed Lennard-Jones potentials: as domain-worker.ts, but it
 * loads only the pair potential, so a Lennard-Jones worker starts without onnxruntime and the
 * model code (about 0.3 s less module loading per worker, measured with bench/scaling-case.ts).
 */
import { createDomainWorker } from '../engine/parallel/index.js';
import type { DomainPotentialSpec } from './domain-potentials.js';
import { lennardJonesDomainPotential } from './lennard-jones.js';

export default createDomainWorker((spec, context) => {
  const s = spec as DomainPotentialSpec;
  if (s.kind !== 'lennard-jones') throw new Error(`lj-domain-worker: this worker makes Lennard-Jones potentials only, got kind '${s.kind}'`);
  return lennardJonesDomainPotential(s.options, context.typeNames);
});
