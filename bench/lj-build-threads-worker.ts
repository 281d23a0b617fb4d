/**
 * The builds bench/lj-build-threads.ts times, and its worker thread (`threads`; the default
 * export, a task of the project's pool): sets up its own melt, says so, then builds in step with
 * the main thread (shared-memory signals) and returns its median build time.
 */
import { createCellList } from '../engine/index.js';
import { MELT, meltSystem } from './lj-melt-system.js';

const WARM_UP = 10;

/** A melt and a search to build its list with. */
export function setUp(): { melt: ReturnType<typeof meltSystem>; search: ReturnType<typeof createCellList> } {
  return { melt: meltSystem(20, { velocities: false }), search: createCellList({ radius_A: MELT.cutoff_A + MELT.skin_A, cutoff_A: MELT.cutoff_A, kind: 'half' }) };
}

/** Median ms of `builds` builds after the warm-up; `before` and `after` run around each build (the threads' signals). */
export function timeBuilds(builds: number, before: (k: number) => void = () => {}, after: (k: number) => void = () => {}, { melt, search } = setUp()): number {
  const t: number[] = [];
  for (let k = 0; k < WARM_UP + builds; k++) {
    before(k);
    const t0 = performance.now();
    search.build(melt.positions, melt.box, { index: 0, count: 2 });
    if (k >= WARM_UP) t.push(performance.now() - t0);
    after(k);
  }
  return t.sort((a, b) => a - b)[t.length >> 1];
}

export default function build(task: { control: Int32Array; builds: number }): number {
  const { control, builds } = task;
  const ready = setUp();
  Atomics.store(control, 2, 1);
  return timeBuilds(
    builds,
    (k) => { Atomics.wait(control, 0, k); },
    (k) => { Atomics.store(control, 1, k + 1); Atomics.notify(control, 1); },
    ready,
  );
}
