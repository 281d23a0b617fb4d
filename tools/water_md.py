"""MD-sampled water clusters for e3md's dataset: Langevin runs of e3md with a shipped model.

Trajectory `seed` of an MD kind (md-tetramer ... md-hexamer, md2-tetramer ... md2-hexamer)
starts from the random generator's cluster of the same size and seed
(water_clusters.start_geometry), draws its temperature from the seed, and runs `e3md run`
(Langevin, one onnxruntime thread) with the water model of its kind, pinned by its git blob hash
(MODEL_BLOBS), so the snapshots are what MD with that model visits.  Snapshots
every SNAPSHOT_EVERY steps are kept unless a molecule broke or two molecules clash.  psi4-free; make-water-dataset.py labels the snapshots.
"""

import json
import os
import shutil
import subprocess
import tempfile

import numpy as np

from water_clusters import (
    MD_KINDS,
    Configuration,
    WATER_SPECIES,
    broken_molecule,
    clash_problem,
    molecules_of,
    start_geometry,
)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# --- MD settings (recorded in every snapshot's comment line; the README quotes them) -------
TIMESTEP_FS = 0.5
FRICTION_PER_PS = 2.0  # velocity relaxation 0.5 ps: hot starts cool within the first snapshot
TEMPERATURE_RANGE_K = (300.0, 500.0)
STEPS = 4000  # 2 ps
SNAPSHOT_EVERY = 1000  # 500 fs between snapshots: far beyond the ~10 fs of O–H vibrations
SNAPSHOT_STEPS = tuple(range(SNAPSHOT_EVERY, STEPS + 1, SNAPSHOT_EVERY))
# The models MD runs with, each examples/water/water-nequip.onnx as shipped at one commit and
# pinned by its git blob hash, so that a retrained model in the same path does not silently
# change what the seeds mean.  md-*: the model of commit 7f7d3df (issue 6's, trained on
# monomers to trimers, re-exported by issue 9 with deterministic segment sums).  md2-*: the
# model of commit ce6855d (issue 17's, trained on 2,264 frames of every kind up to md-hexamer),
# so the second round samples what MD with the improved model visits.
MODEL_PATH = os.path.join(REPO, "examples", "water", "water-nequip.onnx")
MODEL_BLOBS = {
    "md": "abf8ead2baf91ce4dee02fa080e224ae1dceada2",
    "md2": "1176ba86217a3d4b7b4e842db9876fa4d3dedd00",
}


def model_blob(kind):
    """Git blob hash of the model that MD kind `kind` runs with (its prefix before '-')."""
    blob = MODEL_BLOBS.get(kind.split("-")[0]) if kind in MD_KINDS else None
    if blob is None:
        raise ValueError(f"unknown MD kind {kind!r}; expected one of {', '.join(MD_KINDS)}")
    return blob


def temperature_K(seed):
    """Thermostat temperature of trajectory `seed`: uniform in TEMPERATURE_RANGE_K, 0.1 K
    resolution, from its own stream (the geometry stream default_rng(seed) stays untouched)."""
    u = np.random.default_rng([seed, 1]).uniform()
    low, high = TEMPERATURE_RANGE_K
    return round(low + (high - low) * u, 1)


def git_blob_hash(path):
    """Git's blob hash of a file (sha1 of 'blob <size>\\0' + content), without git."""
    import hashlib

    with open(path, "rb") as handle:
        data = handle.read()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def pinned_model(kind, workdir):
    """Path of `kind`'s pinned model: the shipped file while it is still that blob, else the
    blob extracted from the repository's history into `workdir`."""
    blob = model_blob(kind)
    if os.path.exists(MODEL_PATH) and git_blob_hash(MODEL_PATH) == blob:
        return MODEL_PATH
    target = os.path.join(workdir, "model.onnx")
    with open(target, "wb") as handle:
        result = subprocess.run(["git", "-C", REPO, "cat-file", "blob", blob], stdout=handle)
    if result.returncode != 0:
        raise RuntimeError(f"model blob {blob} of {kind} is not in {REPO}'s git history (shallow clone?)")
    return target


def code_version():
    """'g' + short hash of the last commit that changed e3md's code (anything but examples/,
    tools/, bench/, test/), recorded as md_code: the dataset's own commits do not change it.
    The 'g' (as in git describe) keeps an all-digit or '1e5…' hash from reading as a number."""
    paths = [".", ":!examples", ":!tools", ":!bench", ":!test", ":!.gitignore"]
    command = ["git", "-C", REPO, "log", "-1", "--format=%h", "--abbrev=10", "--"] + paths
    result = subprocess.run(command, capture_output=True, text=True)
    return "g" + result.stdout.strip() if result.returncode == 0 else "unknown"


def md_input(seed, model_path):
    """The input.json of trajectory `seed` (paths relative to its folder, except the model)."""
    seed = int(seed)  # numpy integers (as ASE reads them) are not JSON
    return {
        "structure": "start.extxyz",
        # One onnxruntime thread: one core, and the same bits whatever the machine's core count.
        "potential": {"kind": "onnx", "model": model_path, "device": "cpu", "threads": 1},
        "integrator": {
            "kind": "langevin",
            "timestep_fs": TIMESTEP_FS,
            "temperature_K": temperature_K(seed),
            "friction_per_ps": FRICTION_PER_PS,
            "seed": seed,
        },
        "initial_velocities": {"temperature_K": temperature_K(seed), "seed": seed},
        "steps": STEPS,
        "thermo": {"every": SNAPSHOT_EVERY // 10, "path": "thermo.csv"},
        "trajectory": [{"path": "traj.xyz", "every": SNAPSHOT_EVERY}],
    }


def read_trajectory(path):
    """{step: positions (N, 3) Å} of an e3md extxyz trajectory (species then pos columns)."""
    frames = {}
    with open(path) as handle:
        lines = handle.read().splitlines()
    i = 0
    while i < len(lines):
        n = int(lines[i])
        step = int(next(t for t in lines[i + 1].split() if t.startswith("step=")).split("=")[1])
        rows = [line.split() for line in lines[i + 2 : i + 2 + n]]
        if tuple(r[0] for r in rows) != WATER_SPECIES * (n // 3):
            raise ValueError(f"{path}: frame at step {step} is not [O, H, H] molecules")
        frames[step] = np.array([[float(x) for x in r[1:4]] for r in rows])
        i += 2 + n
    return frames


def run_trajectory(kind, seed, keep_dir=None):
    """Run trajectory `seed` of MD `kind` with e3md; returns {step: positions (N, 3) Å} for
    SNAPSHOT_STEPS (one onnxruntime thread); raises with e3md's message on failure."""
    workdir = tempfile.mkdtemp(prefix=f"water-md-{kind}-{seed}-")
    try:
        positions = start_geometry(kind, seed)
        species = WATER_SPECIES * MD_KINDS[kind]
        with open(os.path.join(workdir, "start.extxyz"), "w") as handle:
            handle.write(f"{len(species)}\nProperties=species:S:1:pos:R:3 pbc=\"F F F\"\n")
            handle.writelines(f"{s} {x!r} {y!r} {z!r}\n" for s, (x, y, z) in zip(species, positions))
        with open(os.path.join(workdir, "input.json"), "w") as handle:
            json.dump(md_input(seed, pinned_model(kind, workdir)), handle, indent=2)
        command = ["node", os.path.join(REPO, "bin", "e3md.js"), "run", os.path.join(workdir, "input.json")]
        result = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"e3md run failed ({result.returncode}): {result.stderr.strip()[-2000:]}")
        frames = read_trajectory(os.path.join(workdir, "traj.xyz"))
        missing = [s for s in SNAPSHOT_STEPS if s not in frames]
        if missing:
            raise RuntimeError(f"{kind} seed {seed}: trajectory lacks steps {missing}")
        return {s: frames[s] for s in SNAPSHOT_STEPS}
    finally:
        if keep_dir:
            shutil.copytree(workdir, keep_dir, dirs_exist_ok=True)
        shutil.rmtree(workdir, ignore_errors=True)


def snapshot_problem(positions_A):
    """Why an MD snapshot is dropped, or None: a broken molecule, or a clash (O–O, O···H or
    H···H below the generator's floors).  A molecule that has wandered beyond the generator's
    3.5 Å connectivity (a stretched hydrogen bond, the start of an evaporation) is kept: MD
    visits it, and the model has to get it right (summary counts those snapshots)."""
    return broken_molecule(positions_A) or clash_problem(molecules_of(positions_A))


def snapshot_configuration(kind, seed, step, positions_A, code):
    """The Configuration of snapshot `step` of trajectory `seed`, positions rounded to the
    file's 10 decimals (so psi4 sees exactly what the file holds), MD settings in `info`."""
    info = {
        "md_step": str(step),
        "md_time_fs": f"{step * TIMESTEP_FS:g}",
        "md_temperature_K": f"{temperature_K(seed):.1f}",
        "md_timestep_fs": f"{TIMESTEP_FS:g}",
        "md_friction_per_ps": f"{FRICTION_PER_PS:g}",
        "md_model": model_blob(kind)[:12],
        "md_code": code,
    }
    species = WATER_SPECIES * MD_KINDS[kind]
    return Configuration(kind, seed, species, np.round(positions_A, 10), info, md_step=step)
