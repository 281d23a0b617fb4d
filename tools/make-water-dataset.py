#!/usr/bin/python3
"""Generate e3md's ab initio water-cluster dataset with psi4 (B3LYP/def2-SVP).

Configurations are water monomers, dimers and trimers: rigid molecules of a fixed
reference geometry, randomly oriented, placed without clashes and kept connected,
then every atom is displaced by Gaussian noise.  Each configuration is fully
determined by one integer seed, so the dataset can be regenerated or extended
exactly.  Energies (absolute totals, eV) and forces (eV/Å) are appended to ASE-dialect
extxyz files, one frame at a time, so a long run can be stopped at any moment and
resumed later: seeds already present in the files are skipped.

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
import hashlib
import json
import os
import re
import signal
import sys
import tempfile
import time
from dataclasses import dataclass

# One core means one core: Debian's psi4 links a threaded BLAS that would otherwise start
# a thread per core next to psi4's own (OpenMP) thread.  Must be set before numpy/psi4 load.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

if "/usr/lib/x86_64-linux-gnu" not in sys.path:
    sys.path.append("/usr/lib/x86_64-linux-gnu")  # Debian installs psi4's module here
import psi4  # noqa: E402

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

# --- Geometry conventions -----------------------------------------------------------------
# Gas-phase experimental water geometry (Benedict, Gailar & Plyler, J. Chem. Phys. 24, 1139
# (1956)): r(OH) = 0.9572 Å, angle HOH = 104.52°.  Columns x, y, z in Å, rows O, H, H.
R_OH_A = 0.9572
ANGLE_HOH_DEG = 104.52
_HALF = np.radians(ANGLE_HOH_DEG / 2)
WATER_A = np.array(
    [
        [0.0, 0.0, 0.0],
        [R_OH_A * np.sin(_HALF), R_OH_A * np.cos(_HALF), 0.0],
        [-R_OH_A * np.sin(_HALF), R_OH_A * np.cos(_HALF), 0.0],
    ]
)
WATER_SPECIES = ("O", "H", "H")

OO_MIN_A = 2.5  # no two oxygens closer than this (the clash criterion of issue 6)
OO_CONNECT_A = 3.5  # every molecule's O within this of some other molecule's O
# Intermolecular O···H and H···H floors: random orientations at O–O = 2.5 Å can put two
# hydrogens 0.6 Å apart, a nuclear overlap no 300 K trajectory visits.  A linear
# hydrogen bond compressed to O–O = 2.5 Å still has O···H ≈ 1.54 Å, so these floors only
# remove unphysical overlaps.
OH_INTER_MIN_A = 1.45
HH_INTER_MIN_A = 1.5
SIGMA_RANGE_A = (0.02, 0.05)  # per-configuration σ of the Gaussian atom displacements

# Each kind owns a seed range: configuration i of a kind has seed = base + i.
KINDS = {"monomer": 1, "dimer": 2, "trimer": 3}  # kind -> number of molecules
SEED_BASE = {"monomer": 1_000_000, "dimer": 2_000_000, "trimer": 3_000_000}
SPLITS = ("train", "val", "test")


@dataclass
class Configuration:
    """One cluster: species (N,), positions (N, 3) Å, and how it was made."""

    kind: str
    seed: int
    sigma_A: float
    species: tuple
    positions_A: np.ndarray


# --- Splits ---------------------------------------------------------------------------------
def split_of(seed):
    """Fixed split of a seed: first 8 hex digits of sha256(str(seed)) mod 10 -> 0-7 train,
    8 val, 9 test.  Depends on the seed only, so it never changes as the dataset grows."""
    bucket = int(hashlib.sha256(str(seed).encode()).hexdigest()[:8], 16) % 10
    return "train" if bucket < 8 else ("val" if bucket == 8 else "test")


def dataset_path(out_dir, kind, split):
    return os.path.join(out_dir, f"{kind}-{split}.extxyz")


# --- Geometry generation ---------------------------------------------------------------------
def random_rotation(rng):
    """Uniformly distributed rotation matrix (normalized Gaussian quaternion)."""
    q = rng.normal(size=4)
    w, x, y, z = q / np.linalg.norm(q)
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
            [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
            [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
        ]
    )


def random_unit_vector(rng):
    v = rng.normal(size=3)
    return v / np.linalg.norm(v)


def cluster_problem(molecules):
    """Why a list of (3, 3) molecules [O, H, H] violates the placement rules, or None."""
    n = len(molecules)
    for a in range(n):
        nearest_oo = np.inf
        for b in range(n):
            if a == b:
                continue
            d = np.linalg.norm(molecules[a][:, None, :] - molecules[b][None, :, :], axis=-1)
            nearest_oo = min(nearest_oo, d[0, 0])
            if b < a:
                continue
            if d[0, 0] < OO_MIN_A:
                return f"O-O {d[0, 0]:.3f} A < {OO_MIN_A}"
            if min(d[0, 1:].min(), d[1:, 0].min()) < OH_INTER_MIN_A:
                return "intermolecular O-H overlap"
            if d[1:, 1:].min() < HH_INTER_MIN_A:
                return "intermolecular H-H overlap"
        if n > 1 and nearest_oo > OO_CONNECT_A:
            return f"molecule {a} disconnected (nearest O-O {nearest_oo:.3f} A)"
    return None


def make_configuration(kind, seed):
    """Build the configuration of `kind` for `seed` (deterministic for numpy's PCG64).

    Molecules are added one by one: each new O sits at a uniform distance in
    [OO_MIN_A, OO_CONNECT_A] in a uniform direction from a randomly chosen earlier O, with
    a uniform random orientation; then every coordinate gets N(0, σ²) noise with σ uniform
    in SIGMA_RANGE_A.  The rules are checked on the final, distorted geometry; a draw that
    breaks them is redrawn from the same random stream.
    """
    n_molecules = KINDS[kind]
    rng = np.random.default_rng(seed)
    sigma_A = float(rng.uniform(*SIGMA_RANGE_A))
    for _attempt in range(10_000):
        molecules = [WATER_A @ random_rotation(rng).T]
        for _try in range(1000 * n_molecules):
            if len(molecules) == n_molecules:
                break
            anchor = molecules[int(rng.integers(len(molecules)))][0]
            oxygen = anchor + rng.uniform(OO_MIN_A, OO_CONNECT_A) * random_unit_vector(rng)
            candidate = WATER_A @ random_rotation(rng).T + oxygen
            if cluster_problem(molecules + [candidate]) is None:
                molecules.append(candidate)
        if len(molecules) < n_molecules:
            continue
        positions = np.concatenate(molecules)
        positions = positions - positions.mean(axis=0)
        positions = positions + rng.normal(scale=sigma_A, size=positions.shape)
        if cluster_problem([positions[3 * m : 3 * m + 3] for m in range(n_molecules)]) is None:
            return Configuration(kind, seed, sigma_A, WATER_SPECIES * n_molecules, positions)
    raise RuntimeError(f"{kind} seed {seed}: no valid geometry after 10000 attempts")


# --- psi4 -------------------------------------------------------------------------------------
def setup_psi4(threads, memory, output):
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


# --- extxyz -----------------------------------------------------------------------------------
def format_frame(config, energy_eV, forces):
    """One ASE-dialect extxyz frame (no Lattice: an isolated cluster)."""
    header = (
        "Properties=species:S:1:pos:R:3:forces:R:3"
        f" energy={energy_eV:.10f} config_type={config.kind} seed={config.seed}"
        f" sigma_A={config.sigma_A:.6f} pbc=\"F F F\""
    )
    rows = [
        f"{s:<2s} {p[0]:15.10f} {p[1]:15.10f} {p[2]:15.10f} {f[0]:15.10f} {f[1]:15.10f} {f[2]:15.10f}"
        for s, p, f in zip(config.species, config.positions_A, forces)
    ]
    return "\n".join([str(len(config.species)), header] + rows) + "\n"


SEED_RE = re.compile(r"(?:^|\s)seed=(\d+)(?:\s|$)")


def read_seeds(path, repair=False):
    """Seeds of the complete frames of an extxyz file.  With repair, a truncated last
    frame (the run was killed mid-write) is cut off so appending can continue; without,
    it is ignored (the file may be growing under a running generator)."""
    if not os.path.exists(path):
        return set()
    with open(path) as handle:
        lines = handle.readlines()
    seeds, i, good_chars = set(), 0, 0
    while i < len(lines):
        try:
            n = int(lines[i])
        except ValueError:
            break
        if i + 2 + n > len(lines) or not lines[i + 1 + n].endswith("\n"):
            break
        match = SEED_RE.search(lines[i + 1])
        if match is None:
            raise ValueError(f"{path}: frame at line {i + 1} has no seed= in its comment")
        seeds.add(int(match.group(1)))
        good_chars += sum(len(line) for line in lines[i : i + 2 + n])
        i += 2 + n
    if i < len(lines):
        if not repair:
            # A running generator may be mid-write: count what is complete, touch nothing.
            print(f"note: {path}: ignoring an incomplete frame from line {i + 1}", file=sys.stderr)
            return seeds
        print(f"repair: cutting {path} after line {i} (incomplete last frame)", flush=True)
        with open(path, "r+") as handle:
            handle.truncate(len("".join(lines[:i]).encode()))
    return seeds


# --- Subcommands -------------------------------------------------------------------------------
def schedule(ratio, rounds):
    """Round-robin work list [(kind, seed)], `ratio[kind]` configurations of each kind per
    round, so that the data holds a useful mix whenever the run stops."""
    counters = {kind: 0 for kind in ratio}
    for _round in range(rounds):
        for kind, per_round in ratio.items():
            for _ in range(per_round):
                yield kind, SEED_BASE[kind] + counters[kind]
                counters[kind] += 1


def parse_ratio(text):
    ratio = {}
    for item in text.split(","):
        kind, _, count = item.partition(":")
        if kind not in KINDS or not count.isdigit():
            raise SystemExit(f"--ratio: bad item {item!r}; expected e.g. monomer:1,dimer:2,trimer:2")
        ratio[kind] = int(count)
    return ratio


def cmd_generate(args):
    os.makedirs(args.out_dir, exist_ok=True)
    done = set()
    for kind in KINDS:
        for split in SPLITS:
            done |= read_seeds(dataset_path(args.out_dir, kind, split), repair=True)
    print(f"psi4 {psi4.__version__}: {len(done)} configurations already present", flush=True)
    started, made = time.time(), 0
    for kind, seed in schedule(parse_ratio(args.ratio), args.rounds):
        if seed in done:
            continue
        config = make_configuration(kind, seed)
        t0 = time.time()
        try:
            energy_eV, forces = energy_and_forces(config.species, config.positions_A)
        except Exception as error:  # an SCF that fails to converge: log, skip, go on
            psi4.core.clean()
            print(f"FAILED {kind} seed={seed}: {type(error).__name__}: {error}", flush=True)
            continue
        with open(dataset_path(args.out_dir, kind, split_of(seed)), "a") as handle:
            handle.write(format_frame(config, energy_eV, forces))  # one write: whole frame
            handle.flush()
            os.fsync(handle.fileno())
        made += 1
        print(
            f"{time.strftime('%H:%M:%S')} {kind} seed={seed} split={split_of(seed)}"
            f" E={energy_eV:.6f} eV max|F|={np.abs(forces).max():.3f} eV/A"
            f" {time.time() - t0:.1f}s (#{made}, {(time.time() - started) / made:.1f}s avg)",
            flush=True,
        )
    print("schedule complete", flush=True)


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


def count_frames(out_dir):
    counts = {kind: {split: len(read_seeds(dataset_path(out_dir, kind, split))) for split in SPLITS} for kind in KINDS}
    return counts


def cmd_summary(args):
    """Write counts.json and rewrite the counts table in the dataset README."""
    counts = count_frames(args.out_dir)
    with open(os.path.join(args.out_dir, "counts.json"), "w") as handle:
        json.dump(counts, handle, indent=2)
        handle.write("\n")
    rows = ["| kind | train | val | test | total |", "|---|---|---|---|---|"]
    totals = {split: 0 for split in SPLITS}
    for kind in KINDS:
        row = counts[kind]
        rows.append(f"| {kind} | " + " | ".join(str(row[s]) for s in SPLITS) + f" | {sum(row.values())} |")
        for s in SPLITS:
            totals[s] += row[s]
    rows.append("| **all** | " + " | ".join(str(totals[s]) for s in SPLITS) + f" | {sum(totals.values())} |")
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


def cmd_verify(args):
    """Check every frame with ASE's reader: finite energy and forces, the file name's kind
    and split match the frame's config_type and seed, no seed twice, and the positions are
    exactly what make_configuration(kind, seed) builds (so the seeds really regenerate)."""
    import ase.io  # only this subcommand needs ASE

    problems, seen, frames = [], set(), 0
    for kind in KINDS:
        for split in SPLITS:
            path = dataset_path(args.out_dir, kind, split)
            if not os.path.exists(path):
                continue
            complete = len(read_seeds(path))  # a growing file's partial tail is left out
            for index, atoms in enumerate(ase.io.read(path, index=f":{complete}")):
                frames += 1
                where = f"{os.path.basename(path)} frame {index}"
                seed = atoms.info.get("seed")
                config = make_configuration(kind, seed)
                energy, forces = atoms.get_potential_energy(), atoms.get_forces()
                if atoms.info.get("config_type") != kind:
                    problems.append(f"{where}: config_type {atoms.info.get('config_type')!r}")
                if split_of(seed) != split:
                    problems.append(f"{where}: seed {seed} belongs to split {split_of(seed)}")
                if seed in seen:
                    problems.append(f"{where}: seed {seed} appears twice")
                seen.add(seed)
                if tuple(atoms.get_chemical_symbols()) != config.species:
                    problems.append(f"{where}: species {atoms.get_chemical_symbols()}")
                elif np.abs(atoms.positions - config.positions_A).max() > 1e-9:
                    problems.append(f"{where}: positions differ from seed {seed}'s geometry")
                if not (np.isfinite(energy) and np.isfinite(forces).all()):
                    problems.append(f"{where}: non-finite energy or forces")
                # A distorted cluster lies within a few eV of n × the monomer minimum.
                if abs(energy / KINDS[kind] - (-2077.9)) > 5.0:
                    problems.append(f"{where}: energy {energy:.3f} eV implausible for a {kind}")
    for problem in problems:
        print(problem)
    print(f"verified {frames} frames: {len(problems)} problems")
    if problems:
        raise SystemExit(1)


def cyclic_hexamer():
    """Puckered cyclic (S6-like) water hexamer: O ring with O–O = 2.75 Å, each molecule
    donating one hydrogen bond to the next along the ring, free H alternating up/down."""
    oo_A, pucker_A, r_oh_A = 2.75, 0.35, 0.97
    ring_A = np.sqrt(oo_A**2 - 4 * pucker_A**2)
    oxygens = [
        np.array([ring_A * np.cos(k * np.pi / 3), ring_A * np.sin(k * np.pi / 3), pucker_A * (-1) ** k])
        for k in range(6)
    ]
    positions = []
    for k, oxygen in enumerate(oxygens):
        donor = oxygens[(k + 1) % 6] - oxygen
        donor /= np.linalg.norm(donor)
        up = np.array([0.0, 0.0, (-1) ** k]) + 0.3 * oxygen / np.linalg.norm(oxygen)
        side = up - np.dot(up, donor) * donor
        side /= np.linalg.norm(side)
        theta = np.radians(ANGLE_HOH_DEG)
        positions += [oxygen, oxygen + r_oh_A * donor, oxygen + r_oh_A * (np.cos(theta) * donor + np.sin(theta) * side)]
    return np.array(positions)


def cmd_hexamer(args):
    positions = cyclic_hexamer()
    species = WATER_SPECIES * 6
    molecules = [positions[3 * m : 3 * m + 3] for m in range(6)]
    problem = cluster_problem(molecules)
    if problem:
        raise SystemExit(f"hexamer geometry breaks the placement rules: {problem}")
    energy_eV, forces = energy_and_forces(species, positions)
    monomers_eV = sum(energy_only(WATER_SPECIES, m) for m in molecules)
    binding = energy_eV - monomers_eV
    print(f"hexamer E = {energy_eV:.6f} eV; E - sum(monomers at the same geometry) = {binding:.4f} eV")
    config = Configuration("hexamer", 0, 0.0, species, positions)
    frame = format_frame(config, energy_eV, forces).replace(" seed=0 sigma_A=0.000000", "")
    frame = frame.replace('pbc="F F F"', f'interaction_energy={binding:.6f} pbc="F F F"')
    with open(args.path, "w") as handle:
        handle.write(frame)


def _exit_on_signal(signum, _frame):
    print(f"{time.strftime('%H:%M:%S')} stopped by signal {signal.Signals(signum).name}", flush=True)
    raise SystemExit(128 + signum)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out-dir", default=DATASET_DIR, help="dataset folder (default: %(default)s)")
    parser.add_argument("--threads", type=int, default=1, help="psi4 threads (default 1)")
    parser.add_argument("--memory", default="1 GB", help="psi4 memory (default 1 GB)")
    parser.add_argument("--psi4-output", default=os.devnull, help="psi4 text output (default: discarded)")
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="compute configurations, appending; resumable")
    gen.add_argument("--ratio", default="monomer:1,dimer:2,trimer:2", help="configurations per round")
    gen.add_argument("--rounds", type=int, default=2000, help="rounds of the schedule (default 2000)")
    sub.add_parser("atoms", help="isolated H (doublet) and O (triplet) energies -> atom_energies.json")
    fd = sub.add_parser("check-fd", help="analytic forces vs central finite differences")
    fd.add_argument("--kind", default="monomer", choices=list(KINDS))
    fd.add_argument("--index", type=int, default=0)
    fd.add_argument("--step-A", type=float, default=1e-3)
    sub.add_parser("summary", help="count frames; write counts.json and the README table")
    sub.add_parser("verify", help="re-read every frame with ASE and check it against its seed")
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
    if args.command not in ("summary", "verify"):
        setup_psi4(args.threads, args.memory, args.psi4_output)
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
