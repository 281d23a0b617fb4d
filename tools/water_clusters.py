"""Water-cluster geometries of e3md's dataset, psi4-free: seeds, placement rules, splits, files.

Every configuration of a random kind (monomer ... hexamer; short-dimer: the repulsive wall;
stretched-monomer and stretched-tetramer: one O–H bond pulled out) is fully determined by one integer seed: `make_configuration(kind, seed)` rebuilds it
exactly (numpy's PCG64).  The MD kinds
(md-tetramer ...) start from the same generator (`start_geometry`) and are then moved by
e3md's Langevin dynamics (see water_md.py).  This module needs numpy only, so the tests can
check the generator on machines without psi4.  See examples/water/dataset/README.md.
"""

import hashlib
import os
import re
import sys
from dataclasses import dataclass, field

import numpy as np

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
# An MD snapshot with an O–H bond (within one molecule) longer than this is a broken
# molecule (equilibrium 0.96-0.97 Å; 500 K vibrations stay below ~1.15 Å).
OH_BOND_MAX_A = 1.3

# short-dimer: two molecules much closer than the clusters above ever come, so that a model
# learns the repulsive wall (issue 17: a model trained on O–O >= 2.5 Å only let two oxygens
# of a 20-molecule cluster merge at 1.8 Å; its dimer energy fell again below 1.8 Å).  The O–O
# distance is drawn uniformly from SHORT_OO_RANGE_A.  The floors for O···H and H···H are
# lowered to where a collapsing cluster goes (a linear hydrogen bond compressed to O–O =
# 2.1 Å has O···H ≈ 1.15 Å) but no further: below them the H is shared by two oxygens
# (proton transfer, H3O+ OH-, a different chemistry that breaks the notion of a molecule),
# or two nuclei overlap at energies far above anything MD reaches.
SHORT_OO_RANGE_A = (1.6, 2.6)
SHORT_OH_INTER_MIN_A = 1.15
SHORT_HH_INTER_MIN_A = 1.1

# stretched-*: a random cluster with one O–H bond pulled out along itself to a length drawn
# uniformly from STRETCHED_OH_RANGE_A (issue 17: a hexamer that MD with the model shipped at
# ce6855d started far from equilibrium heated to ~1,250 K and lost a hydrogen atom, which flew
# off, at energies far below the ~5 eV an O–H bond costs to break: the longest of the 21,854
# O–H bonds in the data was 1.16 Å, so the model never learned how steeply the energy rises
# beyond).  A monomer
# with one O–H at 1.6 Å lies 3.3 eV above the minimum (B3LYP/def2-SVP), 30 kT at 1,250 K: as
# far as MD ever stretches a bond that it does not break.  (Restricted Kohn–Sham, which every
# frame uses, still holds there: an unrestricted calculation from a mixed guess falls back to
# the same energy up to 2.2 Å.)  Only the stretched hydrogen
# moves, so only its contacts are checked again, against the short-dimer floors (a stretched
# hydrogen bond puts the H nearer the acceptor), and it must stay nearer its own oxygen than
# any other (closer to another, it is a proton transfer: H3O+ OH-, another chemistry).
STRETCHED_OH_RANGE_A = (1.1, 1.6)

# Each kind owns a seed range: configuration i of a kind has seed = base + i.  The ranges
# are 10^6 wide and never overlap.
KINDS = {
    "monomer": 1, "dimer": 2, "trimer": 3, "tetramer": 4, "pentamer": 5, "hexamer": 6, "short-dimer": 2,
    "stretched-monomer": 1, "stretched-tetramer": 4,
}  # -> molecules
SHORT_KINDS = ("short-dimer",)  # random kinds placed by _short_dimer, not _random_cluster
STRETCHED_KINDS = ("stretched-monomer", "stretched-tetramer")  # placed by _stretched_cluster
# MD kinds: md-* ran with the model shipped at 7f7d3df (trained on monomers to trimers), md2-*
# with the one shipped at ce6855d (trained on every kind above): what MD with the model users
# now run visits (water_md.MODEL_BLOBS).
MD_KINDS = {"md-tetramer": 4, "md-pentamer": 5, "md-hexamer": 6, "md2-tetramer": 4, "md2-pentamer": 5, "md2-hexamer": 6}
SEED_BASE = {
    "monomer": 1_000_000,
    "dimer": 2_000_000,
    "trimer": 3_000_000,
    "tetramer": 4_000_000,
    "pentamer": 5_000_000,
    "hexamer": 6_000_000,
    "short-dimer": 22_000_000,
    "stretched-monomer": 31_000_000,
    "stretched-tetramer": 34_000_000,
    "md-tetramer": 14_000_000,
    "md-pentamer": 15_000_000,
    "md-hexamer": 16_000_000,
    "md2-tetramer": 24_000_000,
    "md2-pentamer": 25_000_000,
    "md2-hexamer": 26_000_000,
}
ALL_KINDS = {**KINDS, **MD_KINDS}
SPLITS = ("train", "val", "test")


@dataclass
class Configuration:
    """One cluster: species (N,), positions (N, 3) Å, and how it was made.

    `info` holds the extra comment-line keys in file order (random kinds: sigma_A; MD kinds:
    the md_* settings); `md_step` is the MD step of a snapshot (None for random kinds)."""

    kind: str
    seed: int
    species: tuple
    positions_A: np.ndarray
    info: dict = field(default_factory=dict)
    md_step: object = None

    @property
    def key(self):
        """Identity of a frame in the dataset: (seed, md_step)."""
        return (self.seed, self.md_step)


# --- Splits ---------------------------------------------------------------------------------
def split_of(seed):
    """Fixed split of a seed: first 8 hex digits of sha256(str(seed)) mod 10 -> 0-7 train,
    8 val, 9 test.  Depends on the seed only, so it never changes as the dataset grows (and
    all snapshots of one MD trajectory share their trajectory's split)."""
    bucket = int(hashlib.sha256(str(seed).encode()).hexdigest()[:8], 16) % 10
    return "train" if bucket < 8 else ("val" if bucket == 8 else "test")


def dataset_path(out_dir, kind, split):
    return os.path.join(out_dir, f"{kind}-{split}.extxyz")


def kind_of_seed(seed):
    """The kind whose seed range holds `seed`, or None."""
    for kind, base in SEED_BASE.items():
        if base <= seed < base + 1_000_000:
            return kind
    return None


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


def clash_problem(molecules, oo_min_A=OO_MIN_A, oh_min_A=OH_INTER_MIN_A, hh_min_A=HH_INTER_MIN_A):
    """Why a list of (3, 3) molecules [O, H, H] (Å) clashes (O–O, O···H or H···H between two
    molecules below the floors, by default those of the cluster kinds), or None."""
    for a in range(len(molecules)):
        for b in range(a + 1, len(molecules)):
            d = np.linalg.norm(molecules[a][:, None, :] - molecules[b][None, :, :], axis=-1)
            if d[0, 0] < oo_min_A:
                return f"O-O {d[0, 0]:.3f} A < {oo_min_A}"
            if min(d[0, 1:].min(), d[1:, 0].min()) < oh_min_A:
                return "intermolecular O-H overlap"
            if d[1:, 1:].min() < hh_min_A:
                return "intermolecular H-H overlap"
    return None


def short_dimer_problem(molecules):
    """Why two (3, 3) molecules break the short-dimer rules, or None: O–O inside
    SHORT_OO_RANGE_A, intermolecular O···H >= SHORT_OH_INTER_MIN_A, H···H >= SHORT_HH_INTER_MIN_A."""
    oo_A = np.linalg.norm(molecules[0][0] - molecules[1][0])
    if oo_A > SHORT_OO_RANGE_A[1]:
        return f"O-O {oo_A:.3f} A > {SHORT_OO_RANGE_A[1]}"
    return clash_problem(molecules, SHORT_OO_RANGE_A[0], SHORT_OH_INTER_MIN_A, SHORT_HH_INTER_MIN_A)


def connectivity_problem(molecules):
    """Why a list of (3, 3) molecules is not one cluster, or None: every O must be within
    OO_CONNECT_A of another O, and the graph of those O–O links must be connected."""
    n = len(molecules)
    if n < 2:
        return None
    oxygens = np.array([m[0] for m in molecules])
    oo = np.linalg.norm(oxygens[:, None] - oxygens[None, :], axis=-1)
    np.fill_diagonal(oo, np.inf)
    for a in range(n):
        if oo[a].min() > OO_CONNECT_A:
            return f"molecule {a} disconnected (nearest O-O {oo[a].min():.3f} A)"
    # From four molecules on, every molecule can have a neighbour while the cluster is two
    # pieces (two dimers apart), hence the graph.  For n <= 3 the rule above implies it, so
    # the monomer-trimer seeds of issue 6 build the same geometries as before.
    reached, frontier = {0}, [0]
    while frontier:
        a = frontier.pop()
        for b in np.flatnonzero(oo[a] <= OO_CONNECT_A):
            if int(b) not in reached:
                reached.add(int(b))
                frontier.append(int(b))
    if len(reached) < n:
        return f"cluster in pieces ({len(reached)} of {n} molecules linked by O-O <= {OO_CONNECT_A} A)"
    return None


def cluster_problem(molecules):
    """Why a list of (3, 3) molecules [O, H, H] (Å) violates the placement rules (a clash, or
    not one connected cluster), or None."""
    return clash_problem(molecules) or connectivity_problem(molecules)


def molecules_of(positions_A):
    """(3M, 3) positions in [O, H, H] order -> list of M (3, 3) molecules."""
    return [positions_A[3 * m : 3 * m + 3] for m in range(len(positions_A) // 3)]


def broken_molecule(positions_A):
    """Why a snapshot has a broken molecule (an O–H bond > OH_BOND_MAX_A), or None."""
    for m, molecule in enumerate(molecules_of(positions_A)):
        r = np.linalg.norm(molecule[1:] - molecule[0], axis=-1)
        if r.max() > OH_BOND_MAX_A:
            return f"molecule {m} broken (O-H {r.max():.3f} A > {OH_BOND_MAX_A})"
    return None


def _random_cluster(n_molecules, rng, label):
    """σ and positions (3n, 3) of a random cluster drawn from `rng` (see make_configuration)."""
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
        if cluster_problem(molecules_of(positions)) is None:
            return sigma_A, positions
    raise RuntimeError(f"{label}: no valid geometry after 10000 attempts")


def _short_dimer(rng, label):
    """σ, the O–O distance (Å) and positions (6, 3) of a short-dimer drawn from `rng`.

    The O–O distance r is drawn once, uniformly in SHORT_OO_RANGE_A; then two distorted
    molecules (rigid water + N(0, σ²) per coordinate, σ uniform in SIGMA_RANGE_A) with uniform
    random orientations are put with their oxygens exactly r apart along a uniform direction,
    redrawn (orientations, direction and noise, not r) until the O···H and H···H floors hold.
    Keeping r fixed while redrawing keeps it uniform: short r are rejected more often."""
    sigma_A = float(rng.uniform(*SIGMA_RANGE_A))
    oo_A = float(rng.uniform(*SHORT_OO_RANGE_A))
    for _attempt in range(10_000):
        a, b = (
            (WATER_A + rng.normal(scale=sigma_A, size=WATER_A.shape)) @ random_rotation(rng).T for _ in range(2)
        )
        a = a - a[0]
        b = b - b[0] + oo_A * random_unit_vector(rng)
        if short_dimer_problem([a, b]) is None:
            positions = np.concatenate([a, b])
            return sigma_A, oo_A, positions - positions.mean(axis=0)
    raise RuntimeError(f"{label}: no valid geometry after 10000 attempts")


def stretched_problem(molecules, molecule, hydrogen):
    """Why a cluster whose molecule `molecule` has its hydrogen `hydrogen` (1 or 2) stretched
    breaks the stretched-* rules, or None: that H's intermolecular contacts at least the
    short-dimer floors (O···H >= SHORT_OH_INTER_MIN_A, H···H >= SHORT_HH_INTER_MIN_A), and
    its own oxygen nearer than any other (no proton transfer)."""
    h = molecules[molecule][hydrogen]
    own_A = np.linalg.norm(h - molecules[molecule][0])
    for m, other in enumerate(molecules):
        if m == molecule:
            continue
        oh_A = np.linalg.norm(h - other[0])
        if oh_A < SHORT_OH_INTER_MIN_A:
            return "intermolecular O-H overlap"
        if oh_A <= own_A:
            return f"stretched H nearer molecule {m}'s O ({oh_A:.3f} A) than its own ({own_A:.3f} A)"
        if np.linalg.norm(other[1:] - h, axis=-1).min() < SHORT_HH_INTER_MIN_A:
            return "intermolecular H-H overlap"
    return None


def _stretched_cluster(n_molecules, rng, label):
    """σ, the stretched O–H length (Å) and positions (3n, 3) of a stretched-* cluster.

    The length r is drawn once, uniformly in STRETCHED_OH_RANGE_A; then a cluster is drawn as
    for the random kinds (_random_cluster: rules, noise, centroid), one of its molecules and
    one of that molecule's hydrogens uniformly, and the hydrogen moved along its (noisy) O–H
    direction to r from its oxygen.  A draw that breaks stretched_problem redraws the cluster
    and the choice, not r, so r stays uniform."""
    oh_A = float(rng.uniform(*STRETCHED_OH_RANGE_A))
    for _attempt in range(10_000):
        sigma_A, positions = _random_cluster(n_molecules, rng, label)
        molecule, hydrogen = int(rng.integers(n_molecules)), int(rng.integers(1, 3))
        o, h = positions[3 * molecule], positions[3 * molecule + hydrogen]
        positions[3 * molecule + hydrogen] = o + oh_A * (h - o) / np.linalg.norm(h - o)
        if stretched_problem(molecules_of(positions), molecule, hydrogen) is None:
            return sigma_A, oh_A, positions
    raise RuntimeError(f"{label}: no valid geometry after 10000 attempts")


HBOND_OH_MAX_A = 2.2  # a hydrogen bond, for statistics only: intermolecular O···H below this


def hydrogen_bonds_per_molecule(positions_A):
    """Intermolecular O···H contacts < HBOND_OH_MAX_A per molecule: 0 for isolated molecules,
    1 for a cyclic cluster (one donated bond each), 1.33 and 1.5 for the cage and prism hexamers."""
    molecules = molecules_of(positions_A)
    bonds = sum(
        int(np.linalg.norm(donor[h] - acceptor[0]) < HBOND_OH_MAX_A)
        for a, donor in enumerate(molecules)
        for b, acceptor in enumerate(molecules)
        if a != b
        for h in (1, 2)
    )
    return bonds / len(molecules)


def make_configuration(kind, seed):
    """Build the configuration of random `kind` for `seed` (deterministic for numpy's PCG64).

    Molecules are added one by one: each new O sits at a uniform distance in
    [OO_MIN_A, OO_CONNECT_A] in a uniform direction from a randomly chosen earlier O, with
    a uniform random orientation; then every coordinate gets N(0, σ²) noise with σ uniform
    in SIGMA_RANGE_A.  The rules are checked on the final, distorted geometry; a draw that
    breaks them is redrawn from the same random stream.  short-dimer: see _short_dimer (its
    O–O distance is recorded as `oo_A`, after sigma_A).  stretched-*: see _stretched_cluster
    (the stretched bond's length is recorded as `oh_A`).

    >>> make_configuration("dimer", 2_000_000).positions_A.shape
    (6, 3)
    """
    if kind not in KINDS:
        raise ValueError(f"unknown random kind {kind!r}; expected one of {', '.join(KINDS)}")
    if kind in SHORT_KINDS:
        sigma_A, oo_A, positions = _short_dimer(np.random.default_rng(seed), f"{kind} seed {seed}")
        return Configuration(kind, seed, WATER_SPECIES * 2, positions, {"sigma_A": sigma_A, "oo_A": oo_A})
    if kind in STRETCHED_KINDS:
        sigma_A, oh_A, positions = _stretched_cluster(KINDS[kind], np.random.default_rng(seed), f"{kind} seed {seed}")
        return Configuration(kind, seed, WATER_SPECIES * KINDS[kind], positions, {"sigma_A": sigma_A, "oh_A": oh_A})
    sigma_A, positions = _random_cluster(KINDS[kind], np.random.default_rng(seed), f"{kind} seed {seed}")
    return Configuration(kind, seed, WATER_SPECIES * KINDS[kind], positions, {"sigma_A": sigma_A})


def start_geometry(md_kind, seed):
    """Start geometry (3n, 3) Å of the MD trajectory `seed` of `md_kind`: the random
    generator's cluster of the same size for the same seed, so it obeys the same rules."""
    if md_kind not in MD_KINDS:
        raise ValueError(f"unknown MD kind {md_kind!r}; expected one of {', '.join(MD_KINDS)}")
    _sigma, positions = _random_cluster(MD_KINDS[md_kind], np.random.default_rng(seed), f"{md_kind} seed {seed}")
    return positions


# --- extxyz -----------------------------------------------------------------------------------
def _format_info_value(value):
    if isinstance(value, float):
        return f"{value:.6f}" if abs(value) < 1e6 else repr(value)
    return str(value)


def format_frame(config, energy_eV, forces):
    """One ASE-dialect extxyz frame (no Lattice: an isolated cluster)."""
    extra = "".join(f" {k}={_format_info_value(v)}" for k, v in config.info.items())
    header = (
        "Properties=species:S:1:pos:R:3:forces:R:3"
        f" energy={energy_eV:.10f} config_type={config.kind} seed={config.seed}{extra} pbc=\"F F F\""
    )
    rows = [
        f"{s:<2s} {p[0]:15.10f} {p[1]:15.10f} {p[2]:15.10f} {f[0]:15.10f} {f[1]:15.10f} {f[2]:15.10f}"
        for s, p, f in zip(config.species, config.positions_A, forces)
    ]
    return "\n".join([str(len(config.species)), header] + rows) + "\n"


SEED_RE = re.compile(r"(?:^|\s)seed=(\d+)(?:\s|$)")
MD_STEP_RE = re.compile(r"(?:^|\s)md_step=(\d+)(?:\s|$)")


def read_keys(path, repair=False, strict=False):
    """Keys (seed, md_step or None) of the complete frames of an extxyz file.  With repair, a
    truncated last frame (the run was killed mid-write) is cut off so appending can
    continue; without, it is ignored (the file may be growing under a running generator),
    or, with strict, raises ValueError (so that a half-written frame is never committed)."""
    if not os.path.exists(path):
        return set()
    with open(path) as handle:
        lines = handle.readlines()
    keys, i = set(), 0
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
        step = MD_STEP_RE.search(lines[i + 1])
        keys.add((int(match.group(1)), int(step.group(1)) if step else None))
        i += 2 + n
    if i < len(lines):
        if strict:
            raise ValueError(f"{path}: incomplete frame from line {i + 1} (being written, or cut by a kill)")
        if not repair:
            # A running generator may be mid-write: count what is complete, touch nothing.
            print(f"note: {path}: ignoring an incomplete frame from line {i + 1}", file=sys.stderr)
            return keys
        print(f"repair: cutting {path} after line {i} (incomplete last frame)", flush=True)
        with open(path, "r+") as handle:
            handle.truncate(len("".join(lines[:i]).encode()))
    return keys


def append_frame(path, text):
    """Append one whole frame with a single write, flushed to disk (a kill leaves at most
    one truncated frame, which read_keys(repair=True) cuts off)."""
    with open(path, "a") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


DROPPED_FILE = "md-dropped.tsv"  # MD snapshots filtered out: kind, seed, md_step, reason (tab-separated)


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


def drop_class(reason):
    """'molecule 2 broken (O-H 1.41 A > 1.3)' -> 'broken molecule'; 'O-O 2.31 A < 2.5' -> 'O-O clash'."""
    for pattern, name in (("broken", "broken molecule"), ("O-O", "O-O clash"), ("disconnected", "disconnected"),
                          ("pieces", "cluster in pieces"), ("O-H overlap", "O-H overlap"),
                          ("H-H overlap", "H-H overlap")):
        if pattern in reason:
            return name
    return reason


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
