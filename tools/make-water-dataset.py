#!/usr/bin/python3
"""Generate e3md's ab initio water-cluster dataset with psi4 (B3LYP/def2-SVP).

Random kinds (monomer ... hexamer): rigid molecules of a fixed reference geometry, randomly
oriented, placed without clashes and kept connected, then every atom displaced by Gaussian
noise (water_clusters.py).  MD kinds (md-tetramer ... md-hexamer): snapshots of e3md Langevin
runs with the shipped model started from such clusters (water_md.py).  Each configuration is
determined by one integer seed (and, for MD, its step), so the dataset can be regenerated or
extended exactly.  Energies (absolute totals, eV) and forces (eV/Å) are appended to
ASE-dialect extxyz files one frame at a time, so a long run can be stopped at any moment and
resumed later: configurations already present in the files are skipped.

Run with Debian's Python (psi4's module lives under /usr/lib/x86_64-linux-gnu):

    nice -n 19 /usr/bin/python3 tools/make-water-dataset.py generate
    /usr/bin/python3 tools/make-water-dataset.py atoms        # isolated H and O atoms
    /usr/bin/python3 tools/make-water-dataset.py check-fd     # forces vs finite differences
    /usr/bin/python3 tools/make-water-dataset.py summary      # counts -> counts.json + README
    /usr/bin/python3 tools/make-water-dataset.py verify       # re-read and check every frame
    /usr/bin/python3 tools/make-water-dataset.py hexamer      # examples/water/hexamer.extxyz

See examples/water/dataset/README.md for the conventions (seeds, splits, files).
"""

import argparse
import json
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time

# One core means one core: Debian's psi4 links a threaded BLAS that would otherwise start
# a thread per core next to psi4's own (OpenMP) thread.  Must be set before numpy/psi4 load.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

from water_clusters import (  # noqa: E402  (the sibling module: sys.path[0] is this folder)
    ALL_KINDS,
    KINDS,
    MD_KINDS,
    SEED_BASE,
    SPLITS,
    WATER_SPECIES,
    Configuration,
    append_frame,
    cluster_problem,
    cyclic_hexamer,
    dataset_path,
    format_frame,
    make_configuration,
    molecules_of,
    read_keys,
    split_of,
)
import water_md  # noqa: E402

psi4 = None  # imported by load_psi4(): summary, verify and the batch driver run without it

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATASET_DIR = os.path.join(REPO, "examples", "water", "dataset")
DROPPED_FILE = "md-dropped.tsv"  # MD snapshots filtered out: kind, seed, md_step, reason

# --- Electronic-structure settings (the README quotes these; change both together) -------
METHOD = "b3lyp"
BASIS = "def2-svp"
PSI4_OPTIONS = {
    "basis": BASIS,
    "scf_type": "df",  # density fitting with psi4's default def2 JKFIT auxiliary basis
    "e_convergence": 1e-10,  # tight: forces come from a converged density, and the
    "d_convergence": 1e-9,  # finite-difference check needs ~1e-10 Eh energy noise
    "guess": "sad",
}

# What `generate` computes by default (seeds per kind; an MD seed is one trajectory and
# yields up to len(water_md.SNAPSHOT_STEPS) frames).  The monomer-trimer data of issue 6
# were made by earlier runs (monomer:209,dimer:418,trimer:416 reproduces them).
DEFAULT_TARGET = "tetramer:300,pentamer:250,hexamer:200,md-tetramer:30,md-pentamer:30,md-hexamer:30"
BATCH_FULL = 75  # exit status of a batch process that stopped at --batch (more to do)


# --- psi4 -------------------------------------------------------------------------------------
def load_psi4(threads, memory, output):
    global psi4
    if "/usr/lib/x86_64-linux-gnu" not in sys.path:
        sys.path.append("/usr/lib/x86_64-linux-gnu")  # Debian installs psi4's module here
    import psi4 as module

    psi4 = module
    psi4.set_num_threads(threads)
    psi4.set_memory(memory)
    psi4.core.set_output_file(output, False)


def psi4_molecule(species, positions_A, charge=0, multiplicity=1, fixed_frame=True):
    lines = [f"{charge} {multiplicity}"]
    lines += [f"{s} {x:.12f} {y:.12f} {z:.12f}" for s, (x, y, z) in zip(species, positions_A)]
    lines += ["units angstrom"]
    if fixed_frame:
        # Keep our frame: forces must be in the coordinates written to the file.
        lines += ["no_reorient", "no_com", "symmetry c1"]
    return psi4.geometry("\n".join(lines))


def energy_and_forces(species, positions_A):
    """B3LYP/def2-SVP total energy (eV) and forces (N, 3) eV/Å of a closed-shell cluster."""
    psi4.core.clean_options()
    psi4.set_options({**PSI4_OPTIONS, "reference": "rks"})
    molecule = psi4_molecule(species, positions_A)
    gradient, wfn = psi4.gradient(METHOD, molecule=molecule, return_wfn=True)
    energy_eV = wfn.energy() * psi4.constants.hartree2ev
    forces = -np.asarray(gradient) * (psi4.constants.hartree2ev / psi4.constants.bohr2angstroms)
    psi4.core.clean()
    return energy_eV, forces


def energy_only(species, positions_A, charge=0, multiplicity=1):
    """Total energy (eV); RKS for singlets, UKS otherwise.  A single atom keeps its point
    group (D2h): in C1 the open p shell of triplet O lets DIIS rotate among degenerate
    p orbitals and the density never converges below ~3e-6."""
    psi4.core.clean_options()
    reference = "rks" if multiplicity == 1 else "uks"
    psi4.set_options({**PSI4_OPTIONS, "reference": reference})
    molecule = psi4_molecule(species, positions_A, charge, multiplicity, fixed_frame=len(species) > 1)
    energy = psi4.energy(METHOD, molecule=molecule) * psi4.constants.hartree2ev
    psi4.core.clean()
    return energy


# --- Work list ----------------------------------------------------------------------------------
def parse_target(text):
    target = {}
    for item in text.split(","):
        kind, _, count = item.strip().partition(":")
        if kind not in ALL_KINDS or not count.isdigit() or int(count) == 0:
            print(f"make-water-dataset: --target: bad item {item!r}; expected kind:count with kinds"
                  f" {', '.join(ALL_KINDS)}, e.g. {DEFAULT_TARGET}", file=sys.stderr)
            raise SystemExit(2)
        target[kind] = int(count)
    return target


def schedule(target):
    """Interleaved work list [(kind, seed)] holding seeds base + 0 ... base + target[kind] - 1
    of each kind; the next item goes to the kind furthest behind its share (ties: the order
    of `target`), so the data holds the target's mix whenever the run stops."""
    counters = {kind: 0 for kind in target}
    for _ in range(sum(target.values())):
        kind = min((k for k in target if counters[k] < target[k]), key=lambda k: (counters[k] + 0.5) / target[k])
        yield kind, SEED_BASE[kind] + counters[kind]
        counters[kind] += 1


def read_dropped(out_dir, repair=False):
    """{(kind, seed, md_step): reason} of the MD snapshots filtered out so far.  A last line
    cut by a kill is ignored (that snapshot is redone), and with repair cut off."""
    path = os.path.join(out_dir, DROPPED_FILE)
    dropped = {}
    if not os.path.exists(path):
        return dropped
    with open(path) as handle:
        lines = handle.readlines()
    for line in lines[1:]:  # after the header
        if line.endswith("\n"):
            kind, seed, step, reason = line.rstrip("\n").split("\t")
            dropped[(kind, int(seed), int(step))] = reason
    if repair and lines and not lines[-1].endswith("\n"):
        with open(path, "r+") as handle:
            handle.truncate(len("".join(lines[:-1]).encode()))
    return dropped


def record_dropped(out_dir, kind, seed, step, reason):
    path = os.path.join(out_dir, DROPPED_FILE)
    if not os.path.exists(path):
        append_frame(path, "kind\tseed\tmd_step\treason\n")
    append_frame(path, f"{kind}\t{seed}\t{step}\t{reason}\n")


# --- generate: a driver that runs batches in fresh psi4 processes ------------------------------
def label_and_append(args, config, started, made):
    """psi4 energy and forces of `config`, appended to its kind/split file; False when the
    SCF failed (logged; the configuration is retried by the next run)."""
    t0 = time.time()
    try:
        energy_eV, forces = energy_and_forces(config.species, config.positions_A)
    except Exception as error:  # an SCF that fails to converge: log, skip, go on
        psi4.core.clean()
        print(f"FAILED {config.kind} seed={config.seed} step={config.md_step}: {type(error).__name__}: {error}", flush=True)
        return False
    split = split_of(config.seed)
    append_frame(dataset_path(args.out_dir, config.kind, split), format_frame(config, energy_eV, forces))
    step = "" if config.md_step is None else f" md_step={config.md_step}"
    rss_MB = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{time.strftime('%H:%M:%S')} {config.kind} seed={config.seed}{step} split={split}"
        f" E={energy_eV:.6f} eV max|F|={np.abs(forces).max():.3f} eV/A {time.time() - t0:.1f}s"
        f" (#{made + 1}, {(time.time() - started) / (made + 1):.1f}s avg, max RSS {rss_MB:.0f} MB)",
        flush=True,
    )
    return True


def generate_batch(args):
    """One psi4 process: work through the schedule, skipping what is done, until the
    schedule is complete (exit 0) or --batch configurations were computed (exit BATCH_FULL)."""
    load_psi4(args.threads, args.memory, args.psi4_output)
    done = set()
    for kind in ALL_KINDS:
        for split in SPLITS:
            done |= {(kind,) + key for key in read_keys(dataset_path(args.out_dir, kind, split), repair=True)}
    done |= set(read_dropped(args.out_dir, repair=True))
    print(f"psi4 {psi4.__version__} (pid {os.getpid()}): {len(done)} configurations already present or dropped", flush=True)
    code = water_md.code_version()
    started, made = time.time(), 0
    for kind, seed in schedule(parse_target(args.target)):
        if made >= args.batch:
            print(f"batch of {made} done; a fresh process continues", flush=True)
            raise SystemExit(BATCH_FULL)
        if kind in KINDS:
            if (kind, seed, None) not in done:
                made += label_and_append(args, make_configuration(kind, seed), started, made)
            continue
        todo = [step for step in water_md.SNAPSHOT_STEPS if (kind, seed, step) not in done]
        if not todo:
            continue
        t0 = time.time()
        try:
            frames = water_md.run_trajectory(kind, seed)
        except Exception as error:
            print(f"FAILED MD {kind} seed={seed}: {type(error).__name__}: {error}", flush=True)
            continue
        print(f"{time.strftime('%H:%M:%S')} MD {kind} seed={seed} T={water_md.temperature_K(seed)} K {time.time() - t0:.1f}s", flush=True)
        for step in todo:
            problem = water_md.snapshot_problem(frames[step])
            if problem:
                record_dropped(args.out_dir, kind, seed, step, problem)
                print(f"DROPPED {kind} seed={seed} md_step={step}: {problem}", flush=True)
                continue
            made += label_and_append(args, water_md.snapshot_configuration(kind, seed, step, frames[step], code), started, made)
    print("schedule complete", flush=True)


_child = None  # the running batch process, for signal forwarding
_stop_signal = None  # set by a signal to the driver: stop once the batch process has stopped


def cmd_generate(args):
    if args.child:
        return generate_batch(args)
    parse_target(args.target)  # fail here, not in every child
    command = [sys.executable, os.path.abspath(__file__), "--out-dir", args.out_dir, "--threads", str(args.threads)]
    command += ["--memory", args.memory, "--psi4-output", args.psi4_output]
    command += ["generate", "--target", args.target, "--batch", str(args.batch), "--child"]
    global _child
    failures = 0
    while True:
        print(f"{time.strftime('%H:%M:%S')} driver: fresh psi4 process for at most {args.batch} configurations", flush=True)
        _child = subprocess.Popen(command)
        status = _child.wait()
        _child = None
        if _stop_signal is not None:
            print(f"{time.strftime('%H:%M:%S')} driver stopped by signal {signal.Signals(_stop_signal).name}", flush=True)
            raise SystemExit(128 + _stop_signal)
        if status == 0:
            return
        if status == BATCH_FULL:
            failures = 0
            continue
        failures += 1
        print(f"{time.strftime('%H:%M:%S')} driver: batch process exited with status {status}", flush=True)
        if failures >= 3:
            raise SystemExit(f"driver: {failures} batch processes in a row failed; stopping")


def _exit_on_signal(signum, _frame):
    global _stop_signal
    if _child is not None:
        # The driver, inside _child.wait(): pass the signal on (a no-op if the whole process
        # group got it) and let that wait return; waiting here would deadlock on its lock.
        _stop_signal = signum
        _child.send_signal(signum)
        return
    print(f"{time.strftime('%H:%M:%S')} stopped by signal {signal.Signals(signum).name}", flush=True)
    raise SystemExit(128 + signum)


# --- Other subcommands ---------------------------------------------------------------------------
def cmd_atoms(args):
    """Isolated-atom energies with UKS: H doublet, O triplet."""
    result = {
        "program": f"psi4 {psi4.__version__}",
        "method": "B3LYP",
        "basis": "def2-SVP",
        "reference": "UKS",
        "scf_type": "DF",
        "units": "eV",
        "hartree2ev": psi4.constants.hartree2ev,
        "atoms": {},
    }
    for symbol, multiplicity in (("H", 2), ("O", 3)):
        energy = energy_only([symbol], np.zeros((1, 3)), 0, multiplicity)
        result["atoms"][symbol] = {"multiplicity": multiplicity, "energy_eV": energy}
        print(f"{symbol} (2S+1={multiplicity}): {energy:.10f} eV", flush=True)
    with open(os.path.join(args.out_dir, "atom_energies.json"), "w") as handle:
        json.dump(result, handle, indent=2)
        handle.write("\n")


def cmd_check_fd(args):
    """Analytic forces against central differences of the energy, for one configuration."""
    config = make_configuration(args.kind, SEED_BASE[args.kind] + args.index)
    energy_eV, forces = energy_and_forces(config.species, config.positions_A)
    h = args.step_A
    worst = 0.0
    for atom in range(len(config.species)):
        for axis in range(3):
            plus, minus = config.positions_A.copy(), config.positions_A.copy()
            plus[atom, axis] += h
            minus[atom, axis] -= h
            fd = -(energy_only(config.species, plus) - energy_only(config.species, minus)) / (2 * h)
            worst = max(worst, abs(fd - forces[atom, axis]))
            print(f"atom {atom} axis {axis}: analytic {forces[atom, axis]:+.6f}  fd {fd:+.6f} eV/A", flush=True)
    print(f"{config.kind} seed={config.seed}: max |F_analytic - F_fd| = {worst:.2e} eV/A (h = {h} A)")


def drop_class(reason):
    """'molecule 2 broken (O-H 1.41 A > 1.3)' -> 'broken molecule'; 'O-O 2.31 A < 2.5' -> 'O-O clash'."""
    for pattern, name in (("broken", "broken molecule"), ("O-O", "O-O clash"), ("disconnected", "disconnected"),
                          ("pieces", "cluster in pieces"), ("O-H overlap", "O-H overlap"),
                          ("H-H overlap", "H-H overlap")):
        if pattern in reason:
            return name
    return reason


def cmd_summary(args):
    """Write counts.json and rewrite the counts tables in the dataset README.  Refuses (exit 1)
    while a file ends in a half-written frame, so what it counts can be committed as is."""
    try:
        counts = {k: {s: len(read_keys(dataset_path(args.out_dir, k, s), strict=True)) for s in SPLITS} for k in ALL_KINDS}
    except ValueError as error:
        raise SystemExit(f"summary: {error}; run it again in a moment")
    counts = {kind: row for kind, row in counts.items() if sum(row.values()) > 0}
    dropped = {}
    for (kind, _seed, _step), reason in sorted(read_dropped(args.out_dir).items()):
        dropped.setdefault(kind, {}).setdefault(drop_class(reason), 0)
        dropped[kind][drop_class(reason)] += 1
    with open(os.path.join(args.out_dir, "counts.json"), "w") as handle:
        json.dump({**counts, "md_dropped": dropped}, handle, indent=2)
        handle.write("\n")
    rows = ["| kind | train | val | test | total |", "|---|---|---|---|---|"]
    totals = {split: 0 for split in SPLITS}
    for kind, row in counts.items():
        rows.append(f"| {kind} | " + " | ".join(str(row[s]) for s in SPLITS) + f" | {sum(row.values())} |")
        for s in SPLITS:
            totals[s] += row[s]
    rows.append("| **all** | " + " | ".join(str(totals[s]) for s in SPLITS) + f" | {sum(totals.values())} |")
    md_trajectories = {
        kind: len({seed for s in SPLITS for seed, _ in read_keys(dataset_path(args.out_dir, kind, s))}
                  | {seed for (k, seed, _step) in read_dropped(args.out_dir) if k == kind})
        for kind in MD_KINDS
    }
    rows += ["", "| MD kind | trajectories | snapshots kept | dropped (why) |", "|---|---|---|---|"]
    for kind in MD_KINDS:
        why = ", ".join(f"{n} {name}" for name, n in sorted(dropped.get(kind, {}).items())) or "none"
        kept = sum(counts.get(kind, {}).values())
        rows.append(f"| {kind} | {md_trajectories[kind]} | {kept} | {sum(dropped.get(kind, {}).values())} ({why}) |")
    table = "\n".join(rows)
    print(table)
    readme = os.path.join(args.out_dir, "README.md")
    if os.path.exists(readme):
        with open(readme) as handle:
            text = handle.read()
        pattern = re.compile(r"(<!-- counts:begin -->\n).*?(<!-- counts:end -->)", re.S)
        if not pattern.search(text):
            raise SystemExit(f"{readme}: no <!-- counts:begin --> ... <!-- counts:end --> block")
        stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        text = pattern.sub(lambda m: f"{m.group(1)}{table}\n\n(counted {stamp})\n{m.group(2)}", text)
        with open(readme, "w") as handle:
            handle.write(text)


def expected_configuration(kind, atoms, rerun, code):
    """What the frame should be: rebuilt from its seed (random kinds), or, for MD kinds, the
    frame itself with the settings the seed implies (positions from a rerun when given)."""
    seed = int(atoms.info.get("seed", -1))
    if kind in KINDS:
        return make_configuration(kind, seed)
    step = int(atoms.info.get("md_step", -1))
    positions = rerun if rerun is not None else atoms.positions
    return water_md.snapshot_configuration(kind, seed, step, positions, code)


def cmd_verify(args):
    """Check every frame with ASE's reader: finite energy and forces, the file name's kind
    and split match the frame's config_type and seed, no frame twice, the positions are
    exactly what make_configuration(kind, seed) builds (so the seeds really regenerate), MD
    frames carry the settings their seed implies and pass the snapshot filters, and (for the
    first --md-rerun trajectories of each MD kind) rerunning the MD gives the same positions."""
    import ase.io  # only this subcommand needs ASE

    problems, seen, frames = [], set(), 0
    rerun_seeds, rerun_frames = {kind: set() for kind in MD_KINDS}, {}  # kind -> seeds; seed -> frames
    for kind in ALL_KINDS:
        for split in SPLITS:
            path = dataset_path(args.out_dir, kind, split)
            if not os.path.exists(path):
                continue
            complete = len(read_keys(path))  # a growing file's partial tail is left out
            for index, atoms in enumerate(ase.io.read(path, index=f":{complete}")):
                frames += 1
                where = f"{os.path.basename(path)} frame {index}"
                seed, step = int(atoms.info.get("seed", -1)), atoms.info.get("md_step")
                step = None if step is None else int(step)
                rerun = None
                if kind in MD_KINDS and (seed in rerun_seeds[kind] or len(rerun_seeds[kind]) < args.md_rerun):
                    if seed not in rerun_seeds[kind]:
                        rerun_seeds[kind].add(seed)
                        rerun_frames[seed] = water_md.run_trajectory(kind, seed)
                    rerun = rerun_frames[seed].get(step)
                code = str(atoms.info.get("md_code", ""))
                config = expected_configuration(kind, atoms, rerun, code)
                energy, forces = atoms.get_potential_energy(), atoms.get_forces()
                if atoms.info.get("config_type") != kind:
                    problems.append(f"{where}: config_type {atoms.info.get('config_type')!r}")
                if split_of(seed) != split:
                    problems.append(f"{where}: seed {seed} belongs to split {split_of(seed)}")
                if (kind, seed, step) in seen:
                    problems.append(f"{where}: seed {seed} step {step} appears twice")
                seen.add((kind, seed, step))
                for key, value in config.info.items():
                    if str(atoms.info.get(key)) != str(value) and not (
                        isinstance(atoms.info.get(key), float) and abs(atoms.info[key] - float(value)) < 1e-6
                    ):
                        problems.append(f"{where}: {key}={atoms.info.get(key)!r}, expected {value!r}")
                if tuple(atoms.get_chemical_symbols()) != config.species:
                    problems.append(f"{where}: species {atoms.get_chemical_symbols()}")
                elif np.abs(atoms.positions - config.positions_A).max() > 1e-9:
                    what = "the MD rerun" if rerun is not None else f"seed {seed}'s geometry"
                    problems.append(f"{where}: positions differ from {what}")
                if kind in MD_KINDS:
                    problem = water_md.snapshot_problem(atoms.positions)
                    if problem:
                        problems.append(f"{where}: {problem}")
                if not (np.isfinite(energy) and np.isfinite(forces).all()):
                    problems.append(f"{where}: non-finite energy or forces")
                # A distorted cluster lies within a few eV of n × the monomer minimum.
                if abs(energy / ALL_KINDS[kind] - (-2077.9)) > 5.0:
                    problems.append(f"{where}: energy {energy:.3f} eV implausible for a {kind}")
    for problem in problems:
        print(problem)
    rerun_count = sum(len(seeds) for seeds in rerun_seeds.values())
    print(f"verified {frames} frames ({rerun_count} MD trajectories rerun): {len(problems)} problems")
    if problems:
        raise SystemExit(1)


def cmd_hexamer(args):
    positions = cyclic_hexamer()
    species = WATER_SPECIES * 6
    molecules = molecules_of(positions)
    problem = cluster_problem(molecules)
    if problem:
        raise SystemExit(f"hexamer geometry breaks the placement rules: {problem}")
    energy_eV, forces = energy_and_forces(species, positions)
    monomers_eV = sum(energy_only(WATER_SPECIES, m) for m in molecules)
    binding = energy_eV - monomers_eV
    print(f"hexamer E = {energy_eV:.6f} eV; E - sum(monomers at the same geometry) = {binding:.4f} eV")
    config = Configuration("hexamer", 0, species, positions, {"interaction_energy": f"{binding:.6f}"})
    frame = format_frame(config, energy_eV, forces).replace(" seed=0", "")
    with open(args.path, "w") as handle:
        handle.write(frame)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out-dir", default=DATASET_DIR, help="dataset folder (default: %(default)s)")
    parser.add_argument("--threads", type=int, default=1, help="psi4 threads (default 1)")
    parser.add_argument("--memory", default="1 GB", help="psi4 memory (default 1 GB)")
    parser.add_argument("--psi4-output", default=os.devnull, help="psi4 text output (default: discarded)")
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="compute configurations, appending; resumable")
    gen.add_argument("--target", default=DEFAULT_TARGET, help="seeds per kind (default %(default)s)")
    gen.add_argument("--batch", type=int, default=100, help="configurations per psi4 process (default 100)")
    gen.add_argument("--child", action="store_true", help=argparse.SUPPRESS)  # one batch, in-process
    sub.add_parser("atoms", help="isolated H (doublet) and O (triplet) energies -> atom_energies.json")
    fd = sub.add_parser("check-fd", help="analytic forces vs central finite differences")
    fd.add_argument("--kind", default="monomer", choices=list(KINDS))
    fd.add_argument("--index", type=int, default=0)
    fd.add_argument("--step-A", type=float, default=1e-3)
    sub.add_parser("summary", help="count frames; write counts.json and the README tables")
    ver = sub.add_parser("verify", help="re-read every frame with ASE and check it against its seed")
    ver.add_argument("--md-rerun", type=int, default=1, help="MD trajectories per MD kind to rerun (default 1)")
    hexamer = sub.add_parser("hexamer", help="write the cyclic water hexamer with its DFT energy and forces")
    hexamer.add_argument("--path", default=os.path.join(REPO, "examples", "water", "hexamer.extxyz"))
    args = parser.parse_args()
    args.out_dir = os.path.abspath(args.out_dir)
    args.psi4_output = os.path.abspath(args.psi4_output)
    if hasattr(args, "path"):
        args.path = os.path.abspath(args.path)
    # Importing psi4 is enough for it to drop timer.dat (at exit) and psi.<pid>.clean into
    # the working directory: keep them out of the repository (every path is absolute now).
    os.chdir(tempfile.mkdtemp(prefix="make-water-dataset-"))
    # Say why a long background run stopped: a signal otherwise leaves no trace in the log.
    for signum in (signal.SIGTERM, signal.SIGINT):  # not SIGHUP: nohup ignores it
        signal.signal(signum, _exit_on_signal)
    if args.command in ("atoms", "check-fd", "hexamer"):
        load_psi4(args.threads, args.memory, args.psi4_output)
    commands = {
        "generate": cmd_generate,
        "atoms": cmd_atoms,
        "check-fd": cmd_check_fd,
        "summary": cmd_summary,
        "verify": cmd_verify,
        "hexamer": cmd_hexamer,
    }
    commands[args.command](args)


if __name__ == "__main__":
    main()
