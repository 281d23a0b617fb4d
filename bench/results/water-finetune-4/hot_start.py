#!/usr/bin/python3
"""Reruns md2 trajectories of the water dataset with other models: does a molecule still break?

Trajectory seed 26000012 of md2-hexamer, run with the model shipped at ce6855d, lost a hydrogen
atom (examples/water/dataset/md-dropped.tsv): its random start is far from equilibrium, so it
heats to ~1,250 K in the first tens of femtoseconds and stretches O–H bonds beyond anything in
that model's data (../water-stretched/). This runs the same trajectories (tools/water_md.py:
same start, temperature, seed, steps, one onnxruntime thread) with each model given, and prints
per model and seed one JSON line: every snapshot's problem (None when it would be kept) and the
longest O–H bond (each H to its nearest O) over the trajectory's frames (every 100 steps).

    /usr/bin/python3 bench/results/water-finetune-4/hot_start.py MODEL.onnx [MODEL2.onnx ...] [--seeds 26000012,...]
"""

import json
import os
import shutil
import sys

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(REPO, "tools"))

import water_md  # noqa: E402


def longest_oh(positions_A):
    """Longest distance from an H to its nearest O, Å (a broken molecule shows as a long one)."""
    o, h = positions_A[0::3], np.concatenate([positions_A[1::3], positions_A[2::3]])
    return float(np.linalg.norm(h[:, None, :] - o[None, :, :], axis=2).min(axis=1).max())


def main(argv):
    seeds = [26000012]
    models = []
    k = 0
    while k < len(argv):
        if argv[k] == "--seeds":
            seeds = [int(s) for s in argv[k + 1].split(",")]
            k += 2
            continue
        models.append(os.path.abspath(argv[k]))
        k += 1
    if not models:
        raise SystemExit(__doc__)
    base_input = water_md.md_input
    for model in models:
        # The trajectory's model in place of the pinned one, and a frame every 100 steps instead
        # of every 1,000 (output only: the dynamics are the same).
        water_md.pinned_model = lambda kind, workdir, model=model: model
        water_md.md_input = lambda seed, path, base=base_input: {**base(seed, path), "trajectory": [{"path": "traj.xyz", "every": 100}]}
        for seed in seeds:
            keep = f"/tmp/hot-start-{seed}-{os.getpid()}"
            frames = water_md.run_trajectory("md2-hexamer", seed, keep_dir=keep)
            every_frame = water_md.read_trajectory(os.path.join(keep, "traj.xyz"))
            shutil.rmtree(keep, ignore_errors=True)
            print(json.dumps({
                "model": os.path.relpath(model, REPO),
                "seed": seed,
                "temperature_K": water_md.temperature_K(seed),
                "snapshots": {str(s): water_md.snapshot_problem(frames[s]) for s in sorted(frames)},
                "longest_OH_A": round(max(longest_oh(p) for p in every_frame.values()), 3),
                "frames": len(every_frame),
            }), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
