"""psi4-free checks of the water dataset's geometry generator (tools/water_clusters.py,
tools/water_md.py, the schedule of tools/make-water-dataset.py).  Needs numpy only; run by
test/tools/water-dataset.test.ts, or directly:

    /usr/bin/python3 -m unittest discover -s test/tools -p 'water_clusters_test.py'
"""

import importlib.util
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tools"))

import water_clusters as wc  # noqa: E402
import water_md  # noqa: E402

DATASET = os.path.join(REPO, "examples", "water", "dataset")
NEW_KINDS = ("tetramer", "pentamer", "hexamer")


def load_cli():
    """tools/make-water-dataset.py as a module (its name has hyphens; psi4 loads lazily)."""
    spec = importlib.util.spec_from_file_location("make_water_dataset", os.path.join(REPO, "tools", "make-water-dataset.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_frames(path, limit=None):
    """[(info dict of raw strings, species, positions (N, 3))] of an extxyz file, minimal parser."""
    frames, lines = [], open(path).read().splitlines()
    i = 0
    while i < len(lines) and (limit is None or len(frames) < limit):
        n = int(lines[i])
        info = dict(t.split("=", 1) for t in lines[i + 1].split() if "=" in t and not t.startswith(("F", "pbc")))
        rows = [line.split() for line in lines[i + 2 : i + 2 + n]]
        frames.append((info, tuple(r[0] for r in rows), np.array([[float(x) for x in r[1:4]] for r in rows])))
        i += 2 + n
    return frames


def independent_rule_violations(positions):
    """The placement rules, re-implemented without water_clusters: a list of violations."""
    n = len(positions) // 3
    oxygen = positions[0::3]
    molecule = np.repeat(np.arange(n), 3)
    is_h = np.tile([False, True, True], n)
    d = np.linalg.norm(positions[:, None] - positions[None, :], axis=-1)
    inter = molecule[:, None] != molecule[None, :]
    bad = []
    if n > 1:
        oo = d[np.ix_(~is_h, ~is_h)][inter[np.ix_(~is_h, ~is_h)]]
        if oo.min() < 2.5:
            bad.append(f"O-O {oo.min():.3f}")
        oh = d[np.ix_(~is_h, is_h)][inter[np.ix_(~is_h, is_h)]]
        if oh.min() < 1.45:
            bad.append(f"O-H {oh.min():.3f}")
        hh = d[np.ix_(is_h, is_h)][inter[np.ix_(is_h, is_h)]]
        if hh.min() < 1.5:
            bad.append(f"H-H {hh.min():.3f}")
        # connected O–O <= 3.5 Å graph: repeated squaring of the adjacency matrix
        reach = (np.linalg.norm(oxygen[:, None] - oxygen[None, :], axis=-1) <= 3.5).astype(int)
        for _ in range(n):
            reach = np.minimum(reach @ reach, 1)
        if not reach.all():
            bad.append("not connected")
    return bad


class SeedsRegenerate(unittest.TestCase):
    def test_same_seed_same_geometry_other_seed_other_geometry(self):
        for kind in NEW_KINDS:
            a = wc.make_configuration(kind, wc.SEED_BASE[kind] + 7)
            b = wc.make_configuration(kind, wc.SEED_BASE[kind] + 7)
            c = wc.make_configuration(kind, wc.SEED_BASE[kind] + 8)
            self.assertEqual(a.positions_A.shape, (3 * wc.KINDS[kind], 3))
            self.assertEqual(a.species, ("O", "H", "H") * wc.KINDS[kind])
            np.testing.assert_array_equal(a.positions_A, b.positions_A)
            self.assertEqual(a.info, b.info)
            self.assertGreater(np.abs(a.positions_A - c.positions_A).max(), 0.1)

    def test_committed_frames_are_their_seeds_geometry(self):
        """The first frames of every committed random-kind file rebuild from their seeds."""
        checked = 0
        for kind in wc.KINDS:
            for split in wc.SPLITS:
                path = wc.dataset_path(DATASET, kind, split)
                if not os.path.exists(path):
                    continue
                for info, species, positions in read_frames(path, limit=3):
                    config = wc.make_configuration(kind, int(info["seed"]))
                    self.assertEqual(info["config_type"], kind)
                    self.assertEqual(wc.split_of(int(info["seed"])), split)
                    self.assertEqual(species, config.species)
                    self.assertLess(np.abs(positions - config.positions_A).max(), 1e-9, f"{path} seed {info['seed']}")
                    self.assertAlmostEqual(float(info["sigma_A"]), config.info["sigma_A"], places=6)
                    checked += 1
        self.assertGreaterEqual(checked, 9)  # at least monomer ... trimer in every split

    def test_md_start_is_the_generators_cluster_and_temperature_is_fixed_by_the_seed(self):
        for kind, n in wc.MD_KINDS.items():
            seed = wc.SEED_BASE[kind] + 3
            start = wc.start_geometry(kind, seed)
            self.assertEqual(start.shape, (3 * n, 3))
            np.testing.assert_array_equal(start, wc.start_geometry(kind, seed))
            self.assertEqual(independent_rule_violations(start), [])
        temperatures = [water_md.temperature_K(14_000_000 + i) for i in range(200)]
        self.assertEqual(temperatures, [water_md.temperature_K(14_000_000 + i) for i in range(200)])
        self.assertTrue(all(300 <= t <= 500 for t in temperatures))
        self.assertGreater(max(temperatures) - min(temperatures), 150)  # spread over the range

    def test_each_md_round_runs_its_own_pinned_model(self):
        self.assertEqual({water_md.model_blob(k) for k in ("md-tetramer", "md-pentamer", "md-hexamer")}, {water_md.MODEL_BLOBS["md"]})
        self.assertEqual({water_md.model_blob(k) for k in ("md2-tetramer", "md2-pentamer", "md2-hexamer")}, {water_md.MODEL_BLOBS["md2"]})
        self.assertNotEqual(water_md.MODEL_BLOBS["md"], water_md.MODEL_BLOBS["md2"])
        for kind in ("hexamer", "md3-hexamer", "md2-octamer"):
            with self.assertRaises(ValueError):
                water_md.model_blob(kind)
        shallow = subprocess.run(["git", "-C", REPO, "rev-parse", "--is-shallow-repository"], capture_output=True, text=True)
        if shallow.returncode != 0 or shallow.stdout.strip() != "false":
            self.skipTest("not a full git clone: the pinned blobs may be absent")
        for blob in water_md.MODEL_BLOBS.values():  # every pinned model can be extracted from the history
            self.assertEqual(subprocess.run(["git", "-C", REPO, "cat-file", "-e", blob]).returncode, 0, blob)


class PlacementRules(unittest.TestCase):
    def test_generated_clusters_obey_the_rules(self):
        """40 seeds of each new kind, checked by an independent implementation of the rules;
        the intramolecular geometry is the rigid water plus the configuration's small noise."""
        for kind in NEW_KINDS:
            for i in range(40):
                config = wc.make_configuration(kind, wc.SEED_BASE[kind] + i)
                self.assertEqual(independent_rule_violations(config.positions_A), [], f"{kind} seed {config.seed}")
                sigma = config.info["sigma_A"]
                self.assertTrue(0.02 <= sigma <= 0.05)
                for m in wc.molecules_of(config.positions_A):
                    r_oh = np.linalg.norm(m[1:] - m[0], axis=-1)
                    self.assertLess(np.abs(r_oh - wc.R_OH_A).max(), 10 * sigma)

    def test_rules_reject_clashes_overlaps_and_pieces(self):
        water = wc.WATER_A
        # A water with one O–H along +x (104.52° HOH), and its mirror image x -> -x.
        along_x = np.array([[0, 0, 0], [0.9572, 0, 0], [-0.2392, 0.9268, 0]])
        mirror = along_x * [-1, 1, 1]
        stretched = along_x * [[1], [1.1 / 0.9572], [1]]  # that O–H at 1.1 Å (noise does this)
        cases = {
            "O-O": [water, water + [0, 0, 2.4]],
            # O–O 2.5 Å; the stretched H 1.4 Å from the other O (rigid molecules cannot: >= 1.54 Å)
            "O-H overlap": [stretched, along_x + [2.5, 0, 0]],
            # O–O 3.0 Å, both hydrogens on the axis pointing at each other: H···H 1.09 Å
            "H-H overlap": [along_x, mirror + [3.0, 0, 0]],
            "disconnected": [water, water + [0, 0, 3.0], water + [0, 0, 9.0]],
            "pieces": [water, water + [0, 0, 3.0], water + [0, 0, 20.0], water + [0, 0, 23.0]],
        }
        for expected, molecules in cases.items():
            problem = wc.cluster_problem([np.asarray(m, dtype=float) for m in molecules])
            self.assertIsNotNone(problem, expected)
            self.assertIn(expected, problem)
        ok = [water + [0, 0, z] for z in (0.0, 3.0, 6.0, 9.0)]  # a chain is connected; stacked planes
        self.assertIsNone(wc.cluster_problem(ok))

    def test_hydrogen_bond_count(self):
        self.assertEqual(wc.hydrogen_bonds_per_molecule(wc.cyclic_hexamer()), 1.0)  # one donated each
        apart = np.concatenate([wc.WATER_A + [0, 0, z] for z in (0.0, 3.0, 6.0)])
        self.assertEqual(wc.hydrogen_bonds_per_molecule(apart), 0.0)

    def test_snapshot_filter_drops_broken_molecules_and_clashes_keeps_loose_clusters(self):
        positions = np.concatenate([wc.WATER_A, wc.WATER_A + [0, 0, 3.0]])
        self.assertIsNone(water_md.snapshot_problem(positions))
        loose = np.concatenate([wc.WATER_A, wc.WATER_A + [0, 0, 4.2]])  # a molecule wandering off
        self.assertIsNone(water_md.snapshot_problem(loose))
        self.assertIn("disconnected", wc.cluster_problem(wc.molecules_of(loose)))
        clash = np.concatenate([wc.WATER_A, wc.WATER_A + [0, 0, 2.3]])
        self.assertIn("O-O", water_md.snapshot_problem(clash))
        stretched = positions.copy()
        stretched[4] = stretched[3] + 1.35 * (stretched[4] - stretched[3]) / np.linalg.norm(stretched[4] - stretched[3])
        self.assertIn("broken", water_md.snapshot_problem(stretched))


def intermolecular_minima(positions):
    """(O–O, O···H, H···H) closest intermolecular distances of a dimer (6, 3), computed here."""
    a, b = positions[:3], positions[3:]
    d = np.linalg.norm(a[:, None] - b[None, :], axis=-1)
    return d[0, 0], min(d[0, 1:].min(), d[1:, 0].min()), d[1:, 1:].min()


class ShortDimer(unittest.TestCase):
    """The repulsive-wall kind: O–O uniform in 1.6-2.6 Å, its own (lower) O···H and H···H floors."""

    SEEDS = [wc.SEED_BASE["short-dimer"] + i for i in range(300)]

    def test_same_seed_same_geometry_and_its_own_seed_range(self):
        a, b = (wc.make_configuration("short-dimer", 22_000_011) for _ in range(2))
        np.testing.assert_array_equal(a.positions_A, b.positions_A)
        self.assertEqual(a.info, b.info)
        self.assertEqual(list(a.info), ["sigma_A", "oo_A"])
        self.assertEqual(a.species, ("O", "H", "H") * 2)
        c = wc.make_configuration("short-dimer", 22_000_012)
        self.assertGreater(np.abs(a.positions_A - c.positions_A).max(), 0.1)
        self.assertEqual(wc.kind_of_seed(22_000_011), "short-dimer")
        # Not the dimer of the same index: a different stream and different rules.
        self.assertGreater(np.abs(a.positions_A - wc.make_configuration("dimer", 2_000_011).positions_A).max(), 0.1)

    def test_oo_distance_is_uniform_in_its_range_and_recorded(self):
        oo = []
        for seed in self.SEEDS:
            config = wc.make_configuration("short-dimer", seed)
            r_oo, _oh, _hh = intermolecular_minima(config.positions_A)
            self.assertAlmostEqual(r_oo, config.info["oo_A"], places=12)
            oo.append(r_oo)
        oo = np.array(oo)
        self.assertGreaterEqual(oo.min(), 1.6)
        self.assertLessEqual(oo.max(), 2.6)
        # Uniform: 75 expected per quarter of the range (binomial σ ≈ 7.5); a draw biased by the
        # rejections (short distances rejected more often) would starve the first quarter.
        counts, _ = np.histogram(oo, bins=4, range=(1.6, 2.6))
        self.assertTrue(all(45 <= n <= 105 for n in counts), counts)
        self.assertGreater((oo < 2.0).sum(), 80)

    def test_floors_hold_are_lower_than_the_clusters_and_molecules_are_distorted_water(self):
        below_cluster_floors = 0
        for seed in self.SEEDS:
            config = wc.make_configuration("short-dimer", seed)
            r_oo, r_oh, r_hh = intermolecular_minima(config.positions_A)
            self.assertGreaterEqual(r_oh, 1.15, f"seed {seed}")
            self.assertGreaterEqual(r_hh, 1.1, f"seed {seed}")
            below_cluster_floors += r_oh < 1.45 or r_hh < 1.5
            if r_oo < 2.5:  # 90 % of them: what the cluster kinds never contain
                self.assertIn(f"O-O {r_oo:.3f}", independent_rule_violations(config.positions_A))
            sigma = config.info["sigma_A"]
            self.assertTrue(0.02 <= sigma <= 0.05)
            for m in wc.molecules_of(config.positions_A):
                r_oh_intra = np.linalg.norm(m[1:] - m[0], axis=-1)
                self.assertLess(np.abs(r_oh_intra - wc.R_OH_A).max(), 10 * sigma)
            self.assertLess(np.abs(config.positions_A.mean(axis=0)).max(), 1e-12)
        self.assertGreater(below_cluster_floors, 20)  # the lowered floors are used

    def test_short_dimer_rules_reject_and_accept(self):
        along_x = np.array([[0, 0, 0], [0.9572, 0, 0], [-0.2392, 0.9268, 0]])
        away = along_x * [-1, 1, 1]  # its O–H along -x
        cases = {
            "O-O 1.500": [away, along_x + [1.5, 0, 0]],  # below the range
            "O-O 2.700": [away, along_x + [2.7, 0, 0]],  # above it
            # O–O 1.95 Å (in range), the first's H on the axis: O···H 0.99 Å, a shared proton
            "O-H overlap": [along_x, along_x + [1.95, 0, 0]],
            # O–O 2.6 Å, both H on the axis pointing at each other: H···H 0.69 Å
            "H-H overlap": [along_x, away + [2.6, 0, 0]],
        }
        for expected, molecules in cases.items():
            problem = wc.short_dimer_problem([np.asarray(m, dtype=float) for m in molecules])
            self.assertIsNotNone(problem, expected)
            self.assertIn(expected, problem)
        ok = [away, along_x + [1.8, 0, 0]]  # hydrogens pointing away from each other
        self.assertIsNone(wc.short_dimer_problem([np.asarray(m, dtype=float) for m in ok]))
        linear_hbond = [along_x, along_x + [2.2, 0, 0]]  # a compressed linear hydrogen bond: O···H 1.24 Å
        self.assertIsNone(wc.short_dimer_problem([np.asarray(m, dtype=float) for m in linear_hbond]))
        # The cluster kinds' rules are unchanged: the same pair is a clash there.
        self.assertIn("O-O", wc.cluster_problem([np.asarray(m, dtype=float) for m in ok]))

    def test_generate_schedules_it_and_check_fd_offers_it(self):
        cli = load_cli()
        target = cli.parse_target("short-dimer:3")
        self.assertEqual(list(cli.schedule(target)), [("short-dimer", 22_000_000 + i) for i in range(3)])
        self.assertIn("short-dimer", cli.KINDS)


class Stretched(unittest.TestCase):
    """One O–H bond pulled out to a length uniform in 1.1-1.6 Å; everything else a random cluster."""

    SEEDS = {kind: [wc.SEED_BASE[kind] + i for i in range(200)] for kind in wc.STRETCHED_KINDS}

    def test_same_seed_same_geometry_own_seed_ranges_and_info(self):
        for kind, base, molecules in (("stretched-monomer", 31_000_000, 1), ("stretched-tetramer", 34_000_000, 4)):
            a, b = (wc.make_configuration(kind, base + 7) for _ in range(2))
            np.testing.assert_array_equal(a.positions_A, b.positions_A)
            self.assertEqual(list(a.info), ["sigma_A", "oh_A"])
            self.assertEqual(a.species, ("O", "H", "H") * molecules)
            self.assertEqual(wc.kind_of_seed(base + 7), kind)
            self.assertGreater(np.abs(a.positions_A - wc.make_configuration(kind, base + 8).positions_A).max(), 0.1)

    def test_one_bond_stretched_uniformly_the_rest_distorted_water(self):
        for kind, seeds in self.SEEDS.items():
            lengths = []
            for seed in seeds:
                config = wc.make_configuration(kind, seed)
                bonds = np.concatenate([np.linalg.norm(m[1:] - m[0], axis=-1) for m in wc.molecules_of(config.positions_A)])
                longest = int(np.argmax(bonds))
                self.assertAlmostEqual(bonds[longest], config.info["oh_A"], places=12)
                others = np.delete(bonds, longest)
                # Every other bond is the rigid water's plus the noise (σ ≤ 0.05 Å).
                self.assertLess(np.abs(others - wc.R_OH_A).max(), 10 * config.info["sigma_A"], f"seed {seed}")
                lengths.append(bonds[longest])
            lengths = np.array(lengths)
            self.assertGreaterEqual(lengths.min(), 1.1)
            self.assertLessEqual(lengths.max(), 1.6)
            # Uniform: 50 expected per quarter (binomial σ ≈ 6); rejections that cost long bonds
            # more often (they reach other molecules) would starve the last quarter.
            counts, _ = np.histogram(lengths, bins=4, range=(1.1, 1.6))
            self.assertTrue(all(30 <= n <= 70 for n in counts), (kind, counts))

    def test_the_stretched_hydrogen_keeps_its_oxygen_and_the_floors(self):
        for seed in self.SEEDS["stretched-tetramer"]:
            config = wc.make_configuration("stretched-tetramer", seed)
            molecules = wc.molecules_of(config.positions_A)
            flat = np.argmax([np.linalg.norm(m[1:] - m[0], axis=-1) for m in molecules])
            m, h = divmod(int(flat), 2)
            self.assertIsNone(wc.stretched_problem(molecules, m, h + 1), f"seed {seed}")
            hydrogen = molecules[m][h + 1]
            own = np.linalg.norm(hydrogen - molecules[m][0])
            for k, other in enumerate(molecules):
                if k != m:
                    self.assertGreater(np.linalg.norm(hydrogen - other[0]), max(own, 1.15), f"seed {seed}")
            # Its O–O network is that of a random tetramer: the same rules hold for the oxygens.
            oo = [np.linalg.norm(a[0] - b[0]) for i, a in enumerate(molecules) for b in molecules[i + 1 :]]
            self.assertGreaterEqual(min(oo), 2.5)

    def test_stretched_rules_reject_and_accept(self):
        along_x = np.array([[0, 0, 0], [0.9572, 0, 0], [-0.2392, 0.9268, 0]], dtype=float)
        acceptor = along_x + [2.8, 0, 0]  # its O 2.8 Å along +x, its hydrogens on the far side
        pulled = along_x.copy()
        pulled[1] = [1.5, 0, 0]  # O–H 1.5 Å toward the acceptor: 1.3 Å from the acceptor's O, a transferred proton
        self.assertIn("nearer molecule 1", wc.stretched_problem([pulled, acceptor], 0, 1))
        pulled[1] = [1.35, 0, 0]  # 1.35 Å from its own O, 1.45 Å from the acceptor's
        self.assertIsNone(wc.stretched_problem([pulled, acceptor], 0, 1))
        pulled[1] = [1.1, 0, 0]  # nearer its own O (1.1 Å) than the other (1.12 Å), but under the 1.15 Å floor
        self.assertIn("O-H overlap", wc.stretched_problem([pulled, acceptor + [-0.58, 0, 0]], 0, 1))
        self.assertIsNone(wc.stretched_problem([along_x], 0, 1))  # a monomer has nothing to clash with

    def test_generate_schedules_them_and_check_fd_offers_them(self):
        cli = load_cli()
        target = cli.parse_target("stretched-monomer:2,stretched-tetramer:2")
        self.assertEqual(sorted(cli.schedule(target)), [("stretched-monomer", 31_000_000), ("stretched-monomer", 31_000_001),
                                                        ("stretched-tetramer", 34_000_000), ("stretched-tetramer", 34_000_001)])
        self.assertIn("stretched-tetramer", cli.KINDS)


class SplitsScheduleFiles(unittest.TestCase):
    def test_split_is_a_fixed_80_10_10_hash_and_seed_ranges_do_not_overlap(self):
        self.assertEqual(wc.split_of(2_000_000), wc.split_of(2_000_000))
        splits = [wc.split_of(s) for s in range(4_000_000, 4_003_000)]
        self.assertAlmostEqual(splits.count("train") / 3000, 0.8, delta=0.03)
        self.assertAlmostEqual(splits.count("test") / 3000, 0.1, delta=0.02)
        bases = sorted(wc.SEED_BASE.values())
        self.assertTrue(all(b - a >= 1_000_000 for a, b in zip(bases, bases[1:])))
        for kind, base in wc.SEED_BASE.items():
            self.assertEqual(wc.kind_of_seed(base + 999_999), kind)

    def test_schedule_interleaves_consecutive_seeds_in_the_target_mix(self):
        cli = load_cli()
        target = cli.parse_target("tetramer:6,hexamer:3,md-hexamer:1")
        items = list(cli.schedule(target))
        self.assertEqual(len(items), 10)
        for kind, count in target.items():
            self.assertEqual([s for k, s in items if k == kind], [wc.SEED_BASE[kind] + i for i in range(count)])
        first_half = [k for k, _ in items[:5]]
        self.assertEqual(first_half.count("tetramer"), 3)  # the mix holds at any stopping point
        self.assertIsNone(cli.psi4)  # importing the tool did not load psi4

    def test_frames_round_trip_and_a_truncated_tail_is_cut(self):
        config = wc.make_configuration("tetramer", 4_000_001)
        snapshot = water_md.snapshot_configuration("md-tetramer", 14_000_002, 2000, config.positions_A, "gabc")
        forces = np.zeros_like(config.positions_A)
        text = wc.format_frame(config, -8310.0, forces) + wc.format_frame(snapshot, -8311.0, forces)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "x.extxyz")
            with open(path, "w") as handle:
                handle.write(text + text.splitlines(keepends=True)[0] + "O 1.0")  # a cut third frame
            self.assertEqual(wc.read_keys(path), {(4_000_001, None), (14_000_002, 2000)})
            self.assertEqual(wc.read_keys(path, repair=True), {(4_000_001, None), (14_000_002, 2000)})
            self.assertEqual(open(path).read(), text)
            info, _species, positions = read_frames(path)[1]
        self.assertEqual(info["md_temperature_K"], f"{water_md.temperature_K(14_000_002):.1f}")
        self.assertEqual((info["md_step"], info["md_time_fs"], info["md_timestep_fs"]), ("2000", "1000", "0.5"))
        np.testing.assert_allclose(positions, config.positions_A, atol=1e-10)

    def test_dropped_snapshots_are_remembered_and_a_cut_line_is_repaired(self):
        with tempfile.TemporaryDirectory() as tmp:
            wc.record_dropped(tmp, "md-hexamer", 16_000_004, 3000, "molecule 2 broken (O-H 1.412 A > 1.3)")
            wc.record_dropped(tmp, "md-hexamer", 16_000_005, 1000, "cluster in pieces (5 of 6 ...)")
            path = os.path.join(tmp, wc.DROPPED_FILE)
            whole = open(path).read()
            with open(path, "a") as handle:
                handle.write("md-hexamer\t16000006\t20")  # cut by a kill
            expected = {("md-hexamer", 16_000_004, 3000), ("md-hexamer", 16_000_005, 1000)}
            self.assertEqual(set(wc.read_dropped(tmp)), expected)
            self.assertEqual(set(wc.read_dropped(tmp, repair=True)), expected)
            self.assertEqual(open(path).read(), whole)
        self.assertEqual(wc.drop_class("molecule 2 broken (O-H 1.412 A > 1.3)"), "broken molecule")
        self.assertEqual(wc.drop_class("cluster in pieces (5 of 6 ...)"), "cluster in pieces")

    def test_committed_md_frames_pass_the_filters_and_carry_their_settings(self):
        for kind in wc.MD_KINDS:
            for split in wc.SPLITS:
                path = wc.dataset_path(DATASET, kind, split)
                if not os.path.exists(path):
                    continue
                for info, _species, positions in read_frames(path):
                    seed = int(info["seed"])
                    self.assertEqual((info["config_type"], wc.split_of(seed)), (kind, split))
                    self.assertIsNone(water_md.snapshot_problem(positions), f"{path} seed {seed}")
                    self.assertEqual(info["md_temperature_K"], f"{water_md.temperature_K(seed):.1f}")
                    self.assertIn(int(info["md_step"]), water_md.SNAPSHOT_STEPS)
                    self.assertEqual(info["md_model"], water_md.model_blob(kind)[:12])


if __name__ == "__main__":
    unittest.main()
