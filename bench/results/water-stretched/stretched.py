#!/usr/bin/python3
"""A water model's errors on the stretched-O–H kinds of examples/water/dataset, by bond length.

Runs `e3md eval --out` (this checkout's bin/e3md.js, one thread) for each model given on every
stretched-monomer and stretched-tetramer frame (all splits: the shipped model never saw any of
them), then bins the frames by the stretched bond's length (`oh_A`) and prints one JSON object:
per model, kind and bin the frame count, the median of model − DFT energy (eV per frame) and the
force MAE (meV/Å). Needs ASE (Debian's python3-ase).

    /usr/bin/python3 bench/results/water-stretched/stretched.py examples/water/water-nequip.onnx > OUT.json
"""

import json
import os
import subprocess
import sys
import tempfile

import ase.io
import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
DATASET = os.path.join(REPO, "examples", "water", "dataset")
KINDS = ("stretched-monomer", "stretched-tetramer")
BINS = ((1.1, 1.2), (1.2, 1.3), (1.3, 1.4), (1.4, 1.5), (1.5, 1.6))


def frames_of(kind, work):
    """All complete frames of a kind, in one file (train, val, test in that order)."""
    path = os.path.join(work, f"{kind}.extxyz")
    with open(path, "w") as out:
        for split in ("train", "val", "test"):
            source = os.path.join(DATASET, f"{kind}-{split}.extxyz")
            if os.path.exists(source):
                with open(source) as handle:
                    out.write(handle.read())
    return path


def evaluate(model, structure, work):
    out = os.path.join(work, "predicted.extxyz")
    subprocess.run(["node", os.path.join(REPO, "bin", "e3md.js"), "eval", "--model", model, "--structure", structure,
                    "--threads", "1", "--out", out, "-q"], check=True)
    return ase.io.read(out, ":")


def main(models):
    if not models:
        raise SystemExit(__doc__)
    result = {"binned_by": "oh_A (the stretched O-H bond, A)", "models": {}}
    with tempfile.TemporaryDirectory() as work:
        structures = {kind: frames_of(kind, work) for kind in KINDS}
        for model in models:
            per_kind = {}
            for kind, structure in structures.items():
                frames = evaluate(model, structure, work)
                oh = np.array([a.info["oh_A"] for a in frames])
                de = np.array([a.info["e3md_energy"] - a.info["energy"] for a in frames])
                df = np.array([np.abs(a.arrays["e3md_forces"] - a.arrays["forces"]).mean() for a in frames])
                rows = []
                for lo, hi in BINS:
                    m = (oh >= lo) & (oh < hi)
                    rows.append({"oh_A": [lo, hi], "frames": int(m.sum()),
                                 "energy_error_eV_median": float(np.median(de[m])) if m.any() else None,
                                 "force_mae_meV_per_A": float(1000 * df[m].mean()) if m.any() else None})
                per_kind[kind] = {"frames": len(frames), "force_mae_meV_per_A": float(1000 * df.mean()), "bins": rows}
            result["models"][model] = per_kind
    json.dump(result, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main(sys.argv[1:])
