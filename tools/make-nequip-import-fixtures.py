#!/usr/bin/env python3
"""Fixtures of `e3md model import`: small models built and deployed by nequip 0.6.2 itself, and
nequip's own energies, forces and virials on periodic water (test/models/import-nequip.test.ts).

Runs in the reference environment (Debian torch 1.13 with nequip 0.6.2 / e3nn 0.5.6 from their
unmodified sources, e.g. /work/ref/bin/python of issue 15), from a folder outside the repository:

    /work/ref/bin/python -W ignore tools/make-nequip-import-fixtures.py test/fixtures/nequip-import
    /work/ref/bin/python -W ignore tools/make-nequip-import-fixtures.py --bench DIR     # bench/nequip-import.ts's model

For each model below: a config (nequip's defaults for every key not given), random weights from
nequip's initialization perturbed by (1 + 0.1·N(0,1)) (so that every scale, shift, Bessel frequency
and weight is used with a value of its own), the training directory (config.yaml, best_model.pth),
`nequip-deploy build` → NAME.pth, then nequip's deployed model on the frames of
test/fixtures/models/nequip-e3nn-frames.extxyz (a 192-atom water box, a thin triclinic cell, a
cluster) → NAME.reference.json. Only numbers and nequip's own files are written.
"""
import json
import pathlib
import shutil
import sys
import tempfile

import ase.io
import torch
import yaml

from nequip.data import AtomicData, AtomicDataDict
from nequip.data.transforms import TypeMapper
from nequip.model import model_from_config
from nequip.scripts import deploy
from nequip.scripts.train import default_config
from nequip.utils import Config
from nequip.utils._global_options import _set_global_options

ROOT = pathlib.Path(__file__).resolve().parent.parent
FRAMES = ROOT / "test/fixtures/models/nequip-e3nn-frames.extxyz"

COMMON = dict(chemical_symbols=["H", "O"], default_dtype="float64", seed=0, root="unused", run_name="fixture")
MODELS = {
    # float64: three layers (resnet from the second on), two hidden radial layers, ssp/abs gates,
    # per-species scales and shifts, a global scale, stress output.
    "nequip-f64": dict(
        model_builders=["SimpleIrrepsConfig", "EnergyModel", "PerSpeciesRescale", "StressForceOutput", "RescaleEnergyEtc"],
        model_dtype="float64", r_max=4.0, l_max=2, parity=True, num_features=8, num_layers=3, resnet=True,
        num_basis=6, BesselBasis_trainable=True, PolynomialCutoff_p=5, invariant_layers=2, invariant_neurons=16,
        avg_num_neighbors=12.5, use_sc=True, nonlinearity_type="gate",
        nonlinearity_scalars={"e": "silu", "o": "tanh"}, nonlinearity_gates={"e": "ssp", "o": "abs"},
        per_species_rescale_scales=[1.1, 0.9], per_species_rescale_shifts=[-13.6, -432.1],
        global_rescale_scale=2.5,
    ),
    # float32: l_max 1, defaults for the radial network (1 hidden layer of 8, ssp from
    # nonlinearity_scalars.e), no neighbour normalization, shifts only, forces without stress.
    "nequip-f32": dict(
        model_builders=["SimpleIrrepsConfig", "EnergyModel", "PerSpeciesRescale", "ForceOutput", "RescaleEnergyEtc"],
        model_dtype="float32", r_max=3.5, l_max=1, parity=True, num_features=16, num_layers=2,
        avg_num_neighbors=None, nonlinearity_scalars={"e": "ssp", "o": "tanh"},
        per_species_rescale_shifts=[-13.6, -432.1], per_species_rescale_scales=None, global_rescale_scale=None,
    ),
}


def build(name, spec, out):
    num_parameters = None
    with tempfile.TemporaryDirectory() as tmp:
        train_dir = pathlib.Path(tmp)
        raw = dict(COMMON, **spec)
        (train_dir / "config.yaml").write_text(yaml.dump(Config.as_dict(Config.from_dict(raw, defaults=default_config))))
        config = Config.from_file(str(train_dir / "config.yaml"))
        _set_global_options(config)
        torch.manual_seed(0)
        model = model_from_config(config, initialize=True, dataset=None)
        g = torch.Generator().manual_seed(1)
        with torch.no_grad():
            for key, t in list(model.named_parameters()) + list(model.named_buffers()):
                if t.is_floating_point() and t.numel() > 0 and (t.requires_grad or key.endswith(("scales", "shifts", "scale_by", "bessel_weights"))):
                    t.mul_(1 + 0.1 * torch.randn(t.shape, generator=g, dtype=t.dtype))
        torch.save(model.state_dict(), train_dir / "best_model.pth")
        num_parameters = sum(p.numel() for p in model.parameters())
        deploy.main(["--verbose", "WARNING", "build", "--train-dir", str(train_dir), str(out / f"{name}.pth")])
        shutil.copy(train_dir / "config.yaml", out / f"{name}.config.yaml")
        shutil.copy(train_dir / "best_model.pth", out / f"{name}.ckpt.pth")
    model, meta = deploy.load_deployed_model(str(out / f"{name}.pth"), freeze=True, set_global_options=True)
    types = meta[deploy.TYPE_NAMES_KEY].split(" ")
    frames = []
    for atoms in ase.io.read(str(FRAMES), ":"):
        data = AtomicData.from_ase(atoms=atoms, r_max=float(meta[deploy.R_MAX_KEY]))
        data = TypeMapper(chemical_symbol_to_type={s: i for i, s in enumerate(types)})(data)
        r = model(AtomicData.to_AtomicDataDict(data))
        f = {
            "energy": float(r[AtomicDataDict.TOTAL_ENERGY_KEY].detach().reshape(())),
            "atomic_energy": r[AtomicDataDict.PER_ATOM_ENERGY_KEY].detach().double().reshape(-1).tolist(),
            "forces": r[AtomicDataDict.FORCE_KEY].detach().double().reshape(-1).tolist(),
            "edges": int(r[AtomicDataDict.EDGE_INDEX_KEY].shape[1]),
        }
        if AtomicDataDict.VIRIAL_KEY in r:
            f["virial"] = r[AtomicDataDict.VIRIAL_KEY].detach().double().reshape(-1).tolist()
        frames.append(f)
    import e3nn, nequip

    ref = {"model": f"{name}.pth", "frames_file": "../models/nequip-e3nn-frames.extxyz", "frames": frames,
           "parameters": num_parameters,
           "versions": {"nequip": nequip.__version__, "e3nn": e3nn.__version__, "torch": str(torch.__version__)},
           "generator": "tools/make-nequip-import-fixtures.py"}
    (out / f"{name}.reference.json").write_text(json.dumps(ref))


# Not a fixture: a model of a realistic size for bench/nequip-import.ts (`--bench DIR`).
BENCH = {
    "nequip-bench": dict(
        model_builders=["SimpleIrrepsConfig", "EnergyModel", "PerSpeciesRescale", "StressForceOutput", "RescaleEnergyEtc"],
        model_dtype="float32", r_max=4.0, l_max=2, parity=True, num_features=32, num_layers=4, resnet=False,
        invariant_layers=2, invariant_neurons=64, avg_num_neighbors=20.0, per_species_rescale_shifts=[-13.6, -432.1],
        global_rescale_scale=1.0,
    ),
}


def main():
    bench = sys.argv[1] == "--bench"
    out = pathlib.Path(sys.argv[2 if bench else 1]).resolve()
    out.mkdir(parents=True, exist_ok=True)
    for name, spec in (BENCH if bench else MODELS).items():
        build(name, spec, out)
        print(f"wrote {out / name}.pth, .reference.json, .config.yaml, .ckpt.pth")


if __name__ == "__main__":
    main()
