#!/usr/bin/python3
"""Generate e3md's ab initio water-cluster dataset with psi4 (B3LYP/def2-SVP).

Random kinds (monomer ... hexamer): rigid molecules of a fixed reference geometry, randomly
oriented, placed without clashes and kept connected, then every atom displaced by Gaussian
noise (water_clusters.py).  short-dimer: two such distorted molecules with their O–O
distance uniform in 1.6-2.6 Å (the repulsive wall the clusters never reach).
stretched-monomer, stretched-tetramer: such clusters with one O–H bond pulled out to a length
uniform in 1.1-1.6 Å (bonds that hot MD stretches, which no other kind holds).  MD kinds
(md-tetramer ... md-hexamer, md2-tetramer ... md2-hexamer): snapshots of e3md Langevin runs
started from such clusters, with the model shipped at 7f7d3df (md-*) or at ce6855d (md2-*),
each pinned by its git blob hash (water_md.py).  summary and verify live in
water_dataset_check.py.  Each configuration is
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
    read_dropped,
    read_keys,
    record_dropped,
    split_of,
)
import water_md  # noqa: E402
from water_dataset_check import cmd_summary, cmd_verify  # noqa: E402

psi4 = None  # imported by load_psi4(): summary, verify and the batch driver run without it

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATASET_DIR = os.path.join(REPO, "examples", "water", "dataset")

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
# were made by earlier runs (monomer:209,dimer:418,trimer:416 reproduces them), the
# short-dimers by short-dimer:150, the stretched kinds by
# stretched-monomer:200,stretched-tetramer:300 (stopped where the README's counts say).
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
    ver.add_argument("--md-rerun", type=int, default=1, help="MD trajectories per MD kind to rerun, among those this code made (md_code; default 1)")
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
