/**
 * The LAMMPS runs the pair_style e3md tests share: tiny float64 models, the structures as data
 * files, one LAMMPS input per structure and rank count, and the engine's own single points as
 * references. Each input is run once per test file, whatever number of tests read its output.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Box, createSystem, type System } from '../../engine/index.js';
import { formatLammpsData, readExtxyz } from '../../io/index.js';
import { exportPotential } from '../../models/index.js';
import { evaluate, potentialOf, tinyAllegro, tinyNequip } from '../models/helpers.js';
import { buildLammps, hasMpirun, ROOT, runLammps, type LammpsResult } from '../../bench/lammps-run.js';

/** Why LAMMPS with pair_style e3md cannot run here (null: it can), and whether mpirun is missing. Printed loudly. */
export const unavailable = buildLammps();
export const noMpi = unavailable === null && !hasMpirun();
if (unavailable !== null) console.warn(`\n*** SKIPPED: pair_style e3md tests: LAMMPS with pair_style e3md cannot be built here:\n${unavailable}\n`);
else if (noMpi) console.warn('\n*** SKIPPED: pair_style e3md tests on 2 MPI ranks: mpirun is not on PATH\n');

export const MODELS = { allegro: tinyAllegro(), nequip: tinyNequip() };
export type ModelName = keyof typeof MODELS;
export type StructureName = 'water' | 'triclinic';
const SKIN_A = 1.0;

/**
 * The periodic water box (64 molecules, 12.4 Å) and a small triclinic one: the box's 2 × 2 × 2
 * corner of molecules (24 atoms, 6.2 Å of lattice) in a sheared cell — narrower than twice
 * r_max, so LAMMPS's ghosts include several images of one atom and 2 ranks exchange them over
 * two hops.
 */
export function structures(): Record<StructureName, System> {
  const f = readExtxyz(join(ROOT, 'examples', 'water', 'boxes', 'water-64.extxyz'))[0]!;
  const mass = (s: string): number => (s === 'O' ? 15.999 : 1.008);
  const water = createSystem({ symbols: f.symbols, positions: f.positions, masses: f.symbols.map(mass), box: f.box });
  const L = f.box.cell[0]! / 2;
  const symbols: string[] = [], frac: number[] = [];
  // Molecules are O, H, H in order; keep those whose oxygen lies in the corner half-box.
  for (let i = 0; i < f.symbols.length; i += 3) {
    if ([0, 1, 2].every((k) => f.positions[3 * i + k]! < L)) {
      for (let a = i; a < i + 3; a++) { symbols.push(f.symbols[a]!); frac.push(...[0, 1, 2].map((k) => f.positions[3 * a + k]! / L)); }
    }
  }
  const tri = new Box([L, 0, 0, 1.1, 0.97 * L, 0, -0.8, 0.6, 1.03 * L], [true, true, true]);
  const triclinic = createSystem({ symbols, positions: tri.toCartesian(Float64Array.from(frac)), masses: symbols.map(mass), box: tri });
  return { water, triclinic };
}

/** `comm_modify cutoff` for a model: depth · r_max + skin on 2 ranks, else 0 (LAMMPS's default, r_max + skin). */
function ghostCutoff(model: ModelName, ranks: number): number {
  const m = MODELS[model];
  return m.interactionDepth > 1 && ranks > 1 ? m.interactionDepth * m.rMax_A + SKIN_A + 0.01 : 0;
}

/**
 * One LAMMPS input per structure and rank count: a `run 0` per model, each printing
 * "E3MD tag pe Wxx Wyy Wzz Wxy Wxz Wyz vol" and dumping forces and per-atom energies; the water box
 * triclinic one then runs 100 NVE steps with each model. Models are swapped by a new pair_style, not by `clear`:
 * `clear` rebuilds LAMMPS's style table, which forgets a style the executable added.
 */
function script(structure: StructureName, ranks: number, plan: Plan): string {
  let text = `units metal
atom_style atomic
boundary p p p
read_data ${structure}.data
neighbor ${SKIN_A} bin
neigh_modify every 1 delay 0 check yes
compute pea all pe/atom
compute vir all pressure NULL virial
thermo_style custom step pe c_vir[1] c_vir[2] c_vir[3] c_vir[4] c_vir[5] c_vir[6] vol
`;
  for (const model of plan.singlePoints ? (Object.keys(MODELS) as ModelName[]) : []) {
    const tag = `${model}-${structure}-${ranks}`;
    // NequIP's second layer needs ghosts of ghosts: LAMMPS's ghost cutoff must reach 2 r_max + skin.
    text += `comm_modify cutoff ${ghostCutoff(model, ranks)}\n`;
    text += `pair_style e3md threads 1 device cpu
pair_coeff * * ${model}.onnx O H
dump d all custom 1 ${tag}.dump id fx fy fz c_pea
dump_modify d sort id format float %.17g
run 0
print "E3MD ${tag} $(pe:%.17g) $(c_vir[1]:%.17g) $(c_vir[2]:%.17g) $(c_vir[3]:%.17g) $(c_vir[4]:%.17g) $(c_vir[5]:%.17g) $(c_vir[6]:%.17g) $(vol:%.17g)"
undump d
`;
  }
  if (plan.nve.length > 0) {
    // Each model starts from the same positions and velocities (no `clear`: read_dump restores them).
    text += `write_dump all custom start-${ranks}.dump id x y z ix iy iz modify sort id format float %.17g
timestep 0.0005
fix 1 all nve
thermo 50
`;
    for (const model of plan.nve) {
      // Each model gets the ghost shell it needs and no more (0: LAMMPS's default, r_max + skin).
      text += `comm_modify cutoff ${ghostCutoff(model, ranks)}\n`;
      text += `read_dump start-${ranks}.dump 0 x y z ix iy iz box no
reset_timestep 0
velocity all create 300 4928459 dist gaussian
pair_style e3md threads 1 device cpu
pair_coeff * * ${model}.onnx O H
run 100
write_dump all custom nve-${model}-${ranks}.dump id xu yu zu modify sort id format float %.17g
`;
    }
  }
  if (plan.npt) {
    // The virial drives the barostat: 20 steps of NPT with a fully flexible (triclinic) cell.
    text += `read_dump start-${ranks}.dump 0 x y z ix iy iz box no
reset_timestep 0
velocity all create 300 4928459 dist gaussian
unfix 1
fix 2 all npt temp 300 300 0.05 tri 1000 1000 0.5
thermo_style custom step temp pe press vol
comm_modify cutoff ${ghostCutoff(plan.npt, ranks)}
pair_style e3md threads 1 device cpu
pair_coeff * * ${plan.npt}.onnx O H
run 20
print "E3MD npt-${plan.npt}-${ranks} $(vol:%.17g) $(xy:%.17g) $(xz:%.17g) $(yz:%.17g) $(press:%.17g)"
write_dump all custom npt-${plan.npt}-${ranks}.dump id xu yu zu modify sort id format float %.17g
`;
  }
  return text;
}

/** What one LAMMPS input does: a `run 0` per model, 100 NVE steps per listed model (needs nve non-empty for npt), 20 NPT steps with `npt`. */
export interface Plan { singlePoints: boolean; nve: readonly ModelName[]; npt?: ModelName }

/** LAMMPS runs in one temporary folder, started on demand and shared by the tests that read them. */
export function createScenario(plans: Partial<Record<StructureName, Plan>>) {
  const dir = mkdtempSync(join(tmpdir(), 'e3md-lammps-'));
  const systems = structures();
  const runs = new Map<string, Promise<LammpsResult>>();
  const references = new Map<string, ReturnType<typeof evaluate>>();
  let written = false;
  const prepare = (): void => {
    if (written) return;
    written = true;
    for (const [name, model] of Object.entries(MODELS)) writeFileSync(join(dir, `${name}.onnx`), exportPotential(model, { dtype: 'float64' }));
    for (const [name, s] of Object.entries(systems)) writeFileSync(join(dir, `${name}.data`), formatLammpsData({ symbols: Array.from(s.typeIds, (t) => s.typeNames[t]!), positions: s.positions, box: s.box }, { typeNames: ['O', 'H'] }));
  };
  return {
    dir,
    systems,
    /** Runs the structure's input on `ranks` ranks (once); throws with LAMMPS's output when it fails. */
    launch(structure: StructureName, ranks: 1 | 2): Promise<LammpsResult> {
      const key = `${structure}-${ranks}`;
      let run = runs.get(key);
      if (!run) {
        prepare();
        run = (async () => {
          writeFileSync(join(dir, `in.${key}`), script(structure, ranks, plans[structure]!));
          const r = await runLammps(['-in', `in.${key}`, '-log', `log.${key}`, '-nocite'], dir, ranks);
          if (r.code !== 0) throw new Error(`e3md lammps -in in.${key} on ${ranks} rank(s) exited ${r.code}:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
          return r;
        })();
        runs.set(key, run);
      }
      return run;
    },
    /** The engine's single point (what `e3md eval` prints) of a structure with a model. */
    reference(model: ModelName, structure: StructureName): ReturnType<typeof evaluate> {
      const key = `${model}-${structure}`;
      let ref = references.get(key);
      if (!ref) {
        ref = (async () => {
          const pot = await potentialOf(MODELS[model], 'float64', systems[structure].typeNames);
          try {
            return await evaluate(pot, systems[structure]);
          } finally {
            await pot.dispose!();
          }
        })();
        references.set(key, ref);
      }
      return ref;
    },
  };
}
