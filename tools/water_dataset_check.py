"""summary and verify of tools/make-water-dataset.py: counting and checking the dataset files.

psi4-free (verify needs ASE, and e3md's built checkout for the MD reruns).  See
examples/water/dataset/README.md.
"""

import json
import os
import re
import time

import numpy as np

import water_md
from water_clusters import (
    ALL_KINDS,
    KINDS,
    MD_KINDS,
    SPLITS,
    connectivity_problem,
    dataset_path,
    drop_class,
    hydrogen_bonds_per_molecule,
    make_configuration,
    molecules_of,
    read_dropped,
    read_keys,
    split_of,
)


def read_positions(path):
    """Positions (N, 3) Å of each complete frame of a dataset file (none if it is missing)."""
    if not os.path.exists(path):
        return []
    lines, frames, i = open(path).read().splitlines(), [], 0
    while i < len(lines) and lines[i].strip():
        n = int(lines[i])
        if i + 2 + n > len(lines):
            break
        frames.append(np.array([[float(x) for x in line.split()[1:4]] for line in lines[i + 2 : i + 2 + n]]))
        i += 2 + n
    return frames


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
    rows = ["| kind | train | val | test | total | H-bonds per molecule |", "|---|---|---|---|---|---|"]
    totals = {split: 0 for split in SPLITS}
    for kind, row in counts.items():
        positions = [p for s in SPLITS for p in read_positions(dataset_path(args.out_dir, kind, s))]
        hbonds = np.mean([hydrogen_bonds_per_molecule(p) for p in positions])
        rows.append(f"| {kind} | " + " | ".join(str(row[s]) for s in SPLITS) + f" | {sum(row.values())} | {hbonds:.2f} |")
        for s in SPLITS:
            totals[s] += row[s]
    rows.append("| **all** | " + " | ".join(str(totals[s]) for s in SPLITS) + f" | {sum(totals.values())} | |")
    md_trajectories = {
        kind: len({seed for s in SPLITS for seed, _ in read_keys(dataset_path(args.out_dir, kind, s))}
                  | {seed for (k, seed, _step) in read_dropped(args.out_dir) if k == kind})
        for kind in MD_KINDS
    }
    rows += ["", "| MD kind | trajectories | snapshots kept | of which not one 3.5 Å cluster | dropped (why) |"]
    rows += ["|---|---|---|---|---|"]
    for kind in MD_KINDS:
        why = ", ".join(f"{n} {name}" for name, n in sorted(dropped.get(kind, {}).items())) or "none"
        positions = [p for s in SPLITS for p in read_positions(dataset_path(args.out_dir, kind, s))]
        loose = sum(connectivity_problem(molecules_of(p)) is not None for p in positions)
        n_dropped = sum(dropped.get(kind, {}).values())
        rows.append(f"| {kind} | {md_trajectories[kind]} | {len(positions)} | {loose} | {n_dropped} ({why}) |")
    table = "\n".join(rows)
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
    print(table)  # last: a closed stdout (summary | head) must not cost the README update


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
    first --md-rerun trajectories of each MD kind that this checkout's code made, md_code) rerunning
    the MD gives the same positions.  Only those: another engine version may round differently,
    and MD is chaotic, so its trajectories part after a few hundred steps; that is no fault of
    the data."""
    import ase.io  # only this subcommand needs ASE

    problems, seen, frames = [], set(), 0
    rerun_seeds, rerun_frames = {kind: set() for kind in MD_KINDS}, {}  # kind -> seeds; seed -> frames
    current_code, other_code = water_md.code_version(), set()  # other_code: (kind, seed) not rerun
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
                code = str(atoms.info.get("md_code", ""))
                if kind in MD_KINDS and code != current_code:
                    other_code.add((kind, seed))
                elif kind in MD_KINDS and (seed in rerun_seeds[kind] or len(rerun_seeds[kind]) < args.md_rerun):
                    if seed not in rerun_seeds[kind]:
                        rerun_seeds[kind].add(seed)
                        rerun_frames[seed] = water_md.run_trajectory(kind, seed)
                    rerun = rerun_frames[seed].get(step)
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
    skipped = f", {len(other_code)} made by other code than {current_code} not rerunnable" if other_code and args.md_rerun else ""
    print(f"verified {frames} frames ({rerun_count} MD trajectories rerun{skipped}): {len(problems)} problems")
    if problems:
        raise SystemExit(1)
