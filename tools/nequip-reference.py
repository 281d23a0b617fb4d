#!/usr/bin/env python3
"""Reference numbers from the real nequip 0.6.2 / allegro 0.3.0 (PyTorch, TorchScript-deployed).

Runs in the reference environment (tools/ref-env: Debian torch 1.13 with e3nn 0.5.6, nequip 0.6.2,
allegro 0.3.0 from their unmodified sources):

    tools/ref-env/python.sh tools/nequip-reference.py build CONFIG.yaml DIR [--set key=yaml ...]
        [--types H,O] [--seed 0] [--dtype float32|float64] [--perturb 0.1]
    tools/ref-env/python.sh tools/nequip-reference.py eval DIR/deployed.pth frames.extxyz
    tools/ref-env/python.sh tools/nequip-reference.py weights DIR|deployed.pth
    tools/ref-env/python.sh tools/nequip-reference.py fixture CONFIG.yaml DIR frames.extxyz [build options]
    tools/ref-env/python.sh tools/nequip-reference.py bench DIR/deployed.pth box.extxyz [--steps 5]

build    a model from a nequip/allegro YAML config (e.g. /work/ref/allegro/configs/example.yaml)
         with random weights, as a training directory (DIR/config.yaml, DIR/best_model.pth) that
         nequip-deploy then turns into DIR/deployed.pth (`nequip-deploy build --train-dir DIR`).
         The data-set statistics a config asks for (avg_num_neighbors: auto, per-species shifts,
         global scale) are replaced by fixed numbers, as there is no data set: avg_num_neighbors 20,
         shifts 0, scale 1 unless --set gives them. --perturb s multiplies every floating parameter
         and buffer that is trainable or a scale/shift by (1 + s·N(0,1)), so that a fixture tests
         the use of each one (Bessel frequencies, resnet coefficients, per-species scales).
eval     energy, per-atom energies, forces and virial of each frame, as JSON (float64 numbers);
         neighbours from nequip's own AtomicData.from_ase (ASE neighbour list, r < r_max).
weights  {config, constants, state_dict} of a training directory or a deployed model file, as JSON:
         the state dict as {name: {shape, values}} (float64), and the constants an importer needs
         that are not in it (e3nn's Monte-Carlo normalize2mom factor of each activation).
fixture  build, then eval on a structure and weights, as one JSON (an importer test's fixture).
bench    time of one energy + forces + virial call of the deployed (frozen) model on a structure,
         after the TorchScript profiling warm-up — wall and CPU time (process_time: robust when the
         machine is shared) — and the peak resident memory of the process.

Prints JSON on stdout. Nothing here is translated into e3md: this file only produces numbers.
"""
import argparse
import json
import math
import pathlib
import resource
import statistics
import sys
import time

import ase.io
import numpy as np
import torch
import yaml

from nequip.data import AtomicData, AtomicDataDict
from nequip.data.transforms import TypeMapper
from nequip.model import model_from_config
from nequip.scripts import deploy
from nequip.scripts.train import default_config
from nequip.utils import Config
from nequip.utils._global_options import _set_global_options

# Data-set statistics a config may ask for, replaced by fixed numbers when there is no data set.
NO_DATASET_DEFAULTS = {
    "avg_num_neighbors": 20.0,
    "per_species_rescale_shifts": 0.0,
    "per_species_rescale_scales": None,
    "global_rescale_scale": 1.0,
}


def fail(msg):
    print(f"nequip-reference: {msg}", file=sys.stderr)
    sys.exit(2)


def parse_sets(pairs):
    out = {}
    for p in pairs:
        if "=" not in p:
            fail(f"--set takes key=yaml-value, got {p!r}")
        k, v = p.split("=", 1)
        out[k] = yaml.safe_load(v)
    return out


def build(args):
    out = pathlib.Path(args.dir)
    out.mkdir(parents=True, exist_ok=True)
    raw = yaml.load(open(args.config), Loader=yaml.Loader)
    raw.update(parse_sets(args.set))
    types = args.types.split(",")
    raw.pop("chemical_symbol_to_type", None)
    raw["chemical_symbols"] = types
    raw["seed"] = args.seed
    raw["default_dtype"] = "float64"
    raw["model_dtype"] = args.dtype
    for k, v in NO_DATASET_DEFAULTS.items():
        if k not in raw or raw[k] == "auto":
            raw[k] = v
    # no data set keys: the model does not need them, and nequip would try to download it
    for k in [k for k in raw if k.startswith("dataset") or k in ("key_mapping", "npz_fixed_field_keys")]:
        del raw[k]
    # a training directory's config.yaml holds every key, defaults included (nequip-deploy reads them)
    (out / "config.yaml").write_text(yaml.dump(Config.as_dict(Config.from_dict(raw, defaults=default_config))))
    config = Config.from_file(str(out / "config.yaml"))
    _set_global_options(config)
    torch.manual_seed(args.seed)
    model = model_from_config(config, initialize=True, dataset=None)
    if args.perturb > 0:
        g = torch.Generator().manual_seed(args.seed + 1)
        with torch.no_grad():
            for name, t in list(model.named_parameters()) + list(model.named_buffers()):
                if not t.is_floating_point():
                    continue
                if name.endswith(("scales", "shifts", "_latent_resnet_coefficients_params", "bessel_weights")) or t.requires_grad:
                    t.mul_(1 + args.perturb * torch.randn(t.shape, generator=g, dtype=t.dtype))
                    if name.endswith("shifts"):
                        t.add_(args.perturb * torch.randn(t.shape, generator=g, dtype=t.dtype))
    torch.save(model.state_dict(), out / "best_model.pth")
    # allegro 0.3.0's AllegroBesselBasis writes the deploy metadata key per_edge_type_cutoff, which
    # nequip 0.6.2 does not know (later allegro versions register it); register it as they do.
    if "per_edge_type_cutoff" not in deploy._ALL_METADATA_KEYS:
        deploy._register_metadata_key("per_edge_type_cutoff")
    deploy.main(["--verbose", "WARNING", "build", "--train-dir", str(out), str(out / "deployed.pth")])
    n = sum(p.numel() for p in model.parameters())
    print(json.dumps({"dir": str(out), "deployed": str(out / "deployed.pth"), "parameters": n, "model_dtype": args.dtype}))


def load(path):
    """The deployed model, frozen as pair_allegro / the ASE calculator run it, its metadata and weight count."""
    model, meta = deploy.load_deployed_model(path, freeze=False, set_global_options=True)
    n = sum(p.numel() for p in model.parameters())
    return torch.jit.freeze(model), meta, n


def frame_data(atoms, meta):
    r_max = float(meta[deploy.R_MAX_KEY])
    type_names = meta[deploy.TYPE_NAMES_KEY].split(" ")
    data = AtomicData.from_ase(atoms=atoms, r_max=r_max)
    for k in AtomicDataDict.ALL_ENERGY_KEYS:
        if k in data:
            del data[k]
    unknown = sorted(set(atoms.get_chemical_symbols()) - set(type_names))
    if unknown:
        fail(f"species {unknown} are not among the model's type names {type_names}")
    data = TypeMapper(chemical_symbol_to_type={s: i for i, s in enumerate(type_names)})(data)
    return AtomicData.to_AtomicDataDict(data)


def frame_result(model, meta, atoms):
    out = model(frame_data(atoms, meta))
    f = {
        "energy": float(out[AtomicDataDict.TOTAL_ENERGY_KEY].detach().reshape(())),
        "atomic_energy": out[AtomicDataDict.PER_ATOM_ENERGY_KEY].detach().reshape(-1).double().tolist(),
        "forces": out[AtomicDataDict.FORCE_KEY].detach().double().reshape(-1).tolist(),
        "edges": int(out[AtomicDataDict.EDGE_INDEX_KEY].shape[1]),
    }
    if AtomicDataDict.VIRIAL_KEY in out:
        f["virial"] = out[AtomicDataDict.VIRIAL_KEY].detach().double().reshape(-1).tolist()
    return f


def evaluate(args):
    model, meta, _ = load(args.model)
    frames = [frame_result(model, meta, atoms) for atoms in ase.io.read(args.structure, ":")]
    print(json.dumps({"model": str(args.model), "frames": frames}))


def model_record(path):
    """{config, constants, state_dict} of a training directory or a deployed model file.

    `constants` are the numbers the model uses that are not in its state dict: e3nn's normalize2mom
    factor of each activation (a Monte-Carlo estimate, seed 0, 10^6 samples — not the exact
    second moment, so an importer must use these values to be exact).
    """
    path = pathlib.Path(path)
    if path.is_dir():
        sd = torch.load(path / "best_model.pth", map_location="cpu")
        config = yaml.load((path / "config.yaml").read_text(), Loader=yaml.Loader)
        # type_names are derived when the model is built (chemical_symbols are sorted by Z)
        from nequip.utils import instantiate

        config["type_names"] = instantiate(TypeMapper, all_args=config)[0].type_names
    else:
        meta = {deploy.CONFIG_KEY: ""}
        sd = torch.jit.load(str(path), map_location="cpu", _extra_files=meta).state_dict()
        config = yaml.load(meta[deploy.CONFIG_KEY], Loader=yaml.Loader)
    from e3nn.math import normalize2mom
    from nequip.nn.nonlinearities import ShiftedSoftPlus

    acts = {"silu": torch.nn.functional.silu, "ssp": ShiftedSoftPlus, "tanh": torch.tanh, "abs": torch.abs}
    constants = {f"normalize2mom.{k}": normalize2mom(f).cst for k, f in acts.items()}
    state = {k: {"shape": list(v.shape), "values": v.double().reshape(-1).tolist()} for k, v in sd.items() if v.is_floating_point()}
    keep = (str, int, float, bool, list, dict, type(None))
    config = {k: v for k, v in config.items() if isinstance(v, keep)}
    return {"config": config, "constants": constants, "state_dict": state}


def weights(args):
    print(json.dumps(model_record(args.dir)))


def fixture(args):
    """build + weights + eval in one JSON: the fixture of an importer test."""
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        build(args)
    out = pathlib.Path(args.dir)
    rec = model_record(out)
    model, meta, _ = load(str(out / "deployed.pth"))
    rec["frames"] = [frame_result(model, meta, atoms) for atoms in ase.io.read(args.structure, ":")]
    rec["generator"] = "tools/nequip-reference.py fixture " + " ".join(sys.argv[2:])
    import allegro, e3nn, nequip

    rec["versions"] = {"nequip": nequip.__version__, "allegro": allegro.__version__, "e3nn": e3nn.__version__, "torch": str(torch.__version__)}
    print(json.dumps(rec))


def bench(args):
    torch.set_num_threads(args.threads)
    model, meta, n = load(args.model)
    data = frame_data(ase.io.read(args.structure, 0), meta)
    edges = int(data[AtomicDataDict.EDGE_INDEX_KEY].shape[1])
    warmup = int(meta.get(deploy.JIT_BAILOUT_KEY) or 2) + 4
    for _ in range(warmup):
        model(data.copy())[AtomicDataDict.TOTAL_ENERGY_KEY].item()
    times, cpu = [], []
    for _ in range(args.steps):
        t, c = time.perf_counter(), time.process_time()
        model(data.copy())[AtomicDataDict.TOTAL_ENERGY_KEY].item()
        cpu.append((time.process_time() - c) * 1000)
        times.append((time.perf_counter() - t) * 1000)
    print(json.dumps({
        "model_ms": min(times), "model_ms_median": statistics.median(times), "model_cpu_ms": min(cpu), "model_cpu_ms_median": statistics.median(cpu), "edges": edges,
        "atoms": len(data[AtomicDataDict.POSITIONS_KEY]), "threads": torch.get_num_threads(),
        "peak_rss_MB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "parameters": n, "torch": str(torch.__version__),
    }))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("build", "fixture"):
        b = sub.add_parser(name)
        b.add_argument("config")
        b.add_argument("dir")
        if name == "fixture":
            b.add_argument("structure")
        b.add_argument("--set", action="append", default=[], metavar="KEY=YAML")
        b.add_argument("--types", default="H,O")
        b.add_argument("--seed", type=int, default=0)
        b.add_argument("--dtype", choices=["float32", "float64"], default="float32")
        b.add_argument("--perturb", type=float, default=0.0)
    e = sub.add_parser("eval")
    e.add_argument("model")
    e.add_argument("structure")
    w = sub.add_parser("weights")
    w.add_argument("dir")
    m = sub.add_parser("bench")
    m.add_argument("model")
    m.add_argument("structure")
    m.add_argument("--steps", type=int, default=5)
    m.add_argument("--threads", type=int, default=1)
    args = p.parse_args()
    {"build": build, "fixture": fixture, "eval": evaluate, "weights": weights, "bench": bench}[args.cmd](args)


if __name__ == "__main__":
    main()
