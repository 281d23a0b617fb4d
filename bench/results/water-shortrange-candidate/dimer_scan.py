#!/usr/bin/python3
"""Rigid water-dimer O–O scans, 2.8 -> 1.4 Å: ONNX water models (e3md eval) against psi4.

Two orientations of the rigid reference water (r(OH) 0.9572 Å, HOH 104.52°, as
tools/water_clusters.py), O–O along z:
  back-to-back  each molecule's bisector points away from the other, H planes crossed:
                the bare O–O wall (the merge of issue 17's cluster20 run);
  h-bond        a linear hydrogen bond: one O–H of the donor on the O–O axis, the acceptor's
                bisector pointing away; O···H = r − 0.9572 Å.
psi4 (B3LYP/def2-SVP, the dataset's settings from tools/make-water-dataset.py) at the points of
PSI4_POINTS, cached in CACHE so a rerun with other models costs nothing.  Energies are printed
relative to each scan's 2.8 Å point, in eV.

    /usr/bin/python3 dimer_scan.py OUT_DIR NAME=MODEL.onnx [NAME=MODEL.onnx ...]

writes OUT_DIR/scan-frames.extxyz, OUT_DIR/scan.csv and prints a markdown table.
"""

import csv
import importlib.util
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(REPO, "tools"))
from water_clusters import WATER_A  # noqa: E402  rows O, H, H; bisector along +y

DISTANCES_A = [round(2.8 - 0.1 * k, 1) for k in range(15)]  # 2.8 ... 1.4
PSI4_POINTS = {"back-to-back": [2.8, 2.6, 2.4, 2.2, 2.0, 1.8, 1.6, 1.4], "h-bond": [2.8, 2.6, 2.4, 2.2, 2.0, 1.8]}


def rotation(axis, angle_deg):
    """Rotation matrix about x, y or z."""
    c, s = np.cos(np.radians(angle_deg)), np.sin(np.radians(angle_deg))
    i, j = {"x": (1, 2), "y": (2, 0), "z": (0, 1)}[axis]
    m = np.eye(3)
    m[i, i], m[i, j], m[j, i], m[j, j] = c, -s, s, c
    return m


def dimer(orientation, r_A):
    """(6, 3) positions Å: molecule A with O at the origin, molecule B with O at (0, 0, r)."""
    if orientation == "back-to-back":
        a = WATER_A @ rotation("x", 90).T  # bisector +y -> +z
        a = a * [1, 1, -1]  # bisector -z: away from B
        b = (WATER_A @ rotation("x", 90).T) @ rotation("z", 90).T + [0, 0, r_A]  # bisector +z, plane crossed
        return np.concatenate([a, b])
    # h-bond: rotate the donor so that its first O–H points along +z.
    h = WATER_A[1] / np.linalg.norm(WATER_A[1])
    axis = np.cross(h, [0, 0, 1.0])
    angle = np.arccos(h[2])
    k = axis / np.linalg.norm(axis)
    kx = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    donor = WATER_A @ (np.eye(3) + np.sin(angle) * kx + (1 - np.cos(angle)) * kx @ kx).T
    acceptor = (WATER_A @ rotation("x", 90).T) @ rotation("z", 90).T + [0, 0, r_A]
    return np.concatenate([donor, acceptor])


def write_frames(path, frames):
    with open(path, "w") as handle:
        for orientation, r_A, positions in frames:
            handle.write(f"6\nProperties=species:S:1:pos:R:3 scan={orientation} r_OO_A={r_A:.2f} pbc=\"F F F\"\n")
            for s, p in zip(("O", "H", "H") * 2, positions):
                handle.write(f"{s} {p[0]:.10f} {p[1]:.10f} {p[2]:.10f}\n")


def psi4_energies(frames, cache_path):
    """{(orientation, r): energy eV} at PSI4_POINTS, from the cache or computed."""
    cache = json.load(open(cache_path)) if os.path.exists(cache_path) else {}
    todo = [(o, r, p) for o, r, p in frames if r in PSI4_POINTS[o] and f"{o} {r:.2f}" not in cache]
    if todo:
        spec = importlib.util.spec_from_file_location("mwd", os.path.join(REPO, "tools", "make-water-dataset.py"))
        tool = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(tool)
        os.chdir(tempfile.mkdtemp(prefix="dimer-scan-"))  # psi4 drops timer.dat into the cwd
        tool.load_psi4(1, "1 GB", os.devnull)
        for o, r, p in todo:
            cache[f"{o} {r:.2f}"] = tool.energy_only(("O", "H", "H") * 2, p)
            print(f"psi4 {o} {r:.2f} A: {cache[f'{o} {r:.2f}']:.6f} eV", file=sys.stderr, flush=True)
            with open(cache_path, "w") as handle:
                json.dump(cache, handle, indent=1)
    return {(o, r): cache[f"{o} {r:.2f}"] for o, r, _p in frames if f"{o} {r:.2f}" in cache}


def model_energies(model, frames_path, out_path):
    """Energies (eV) of every frame, in order, as `e3md eval` predicts them."""
    subprocess.run(["node", os.path.join(REPO, "bin", "e3md.js"), "eval", "--model", model, "--structure", frames_path,
                    "--out", out_path, "--threads", "1", "-q"], check=True)
    energies = []
    for line in open(out_path):
        if "e3md_energy=" in line:
            energies.append(float(line.split("e3md_energy=")[1].split()[0]))
    return energies


def main():
    out_dir = os.path.abspath(sys.argv[1])
    models = {name: os.path.abspath(path) for name, path in (arg.split("=", 1) for arg in sys.argv[2:])}
    os.makedirs(out_dir, exist_ok=True)
    frames = [(o, r, dimer(o, r)) for o in PSI4_POINTS for r in DISTANCES_A]
    frames_path = os.path.join(out_dir, "scan-frames.extxyz")
    write_frames(frames_path, frames)
    reference = psi4_energies(frames, os.path.join(out_dir, "scan-psi4.json"))
    predicted = {name: model_energies(path, frames_path, os.path.join(out_dir, f"scan-{name}.extxyz"))
                 for name, path in models.items()}
    rows = []
    for index, (o, r, _p) in enumerate(frames):
        first = frames.index(next(f for f in frames if f[0] == o))  # the scan's 2.8 Å frame
        row = {"scan": o, "r_OO_A": f"{r:.1f}"}
        row["psi4_eV"] = f"{reference[(o, r)] - reference[(o, 2.8)]:.3f}" if (o, r) in reference else ""
        for name, energies in predicted.items():
            row[f"{name}_eV"] = f"{energies[index] - energies[first]:.3f}"
        rows.append(row)
    with open(os.path.join(out_dir, "scan.csv"), "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print("| scan | O–O (Å) | psi4 | " + " | ".join(models) + " |")
    print("|---|---|---|" + "---|" * len(models))
    for row in rows:
        print("| " + " | ".join(str(v) for v in row.values()) + " |")


if __name__ == "__main__":
    main()
