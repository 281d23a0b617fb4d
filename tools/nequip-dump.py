#!/usr/bin/env python3
"""Dump a model trained with nequip 0.6.x for `e3md model import` (run only at conversion time).

    python3 tools/nequip-dump.py deployed.pth OUT.json
    python3 tools/nequip-dump.py --checkpoint best_model.pth --config config.yaml OUT.json

A deployed model (`nequip-deploy build`) is TorchScript: reading it needs only PyTorch. A
checkpoint (a training directory's best_model.pth, a state dict) has no module tree of its own:
nequip itself must be importable to rebuild the model from the config and load the weights into it.

OUT.json holds what the TypeScript side maps onto e3md's NequIP (models/nequip/import-nequip.ts):
  config      the training config (YAML → JSON; a deployed file carries it in its metadata),
  metadata    the deployed file's metadata (r_max, type_names, model_dtype, …),
  modules     every submodule: its path, class and the few scalar attributes that decide the
              architecture (resnet, avg_num_neighbors, use_sc, p, r_max, irreps, …), so the
              importer checks what nequip actually built, whatever the config's defaults were,
  constants   the normalize2mom factor of each activation as the model uses it (e3nn estimates
              it by Monte Carlo, so it differs from the exact value by ~1e-3 relative),
  state_dict  every tensor: shape, dtype and float64 little-endian bytes in base64 (exact).
Nothing in it is code: this file reads numbers out of the PyTorch file.
"""
import argparse
import base64
import json
import math
import re
import sys

import numpy as np
import torch

FORMAT = "e3md-nequip-dump/1"
SCALARS = ("resnet", "avg_num_neighbors", "use_sc", "p", "r_max", "prefactor", "trainable", "num_types",
           "normalize", "normalization", "h_in", "var_in", "var_out", "has_scales", "has_shifts",
           "has_scale", "has_shift", "_is_id", "num_basis", "_factor")
LISTS = ("scale_keys", "shift_keys")
IRREPS = ("irreps_in", "irreps_out", "irreps_in1", "irreps_in2")
ACTIVATIONS = {"silu": r"torch\.silu\b|\bsilu\(", "tanh": r"torch\.tanh\b", "abs": r"torch\.abs\b", "ssp": r"softplus|ShiftedSoftPlus"}


def fail(msg):
    print(f"nequip-dump: {msg}", file=sys.stderr)
    sys.exit(2)


def irreps_text(v):
    """e3nn Irreps (eager) or its TorchScript tuple form ((mul, (l, p)), …) as '8x0e+8x1o'."""
    if hasattr(v, "__iter__") and not isinstance(v, (str, dict)):
        try:
            terms = [(int(mul), int(ir[0]), int(ir[1])) for mul, ir in v]
        except (TypeError, ValueError, IndexError):
            return None
        return "+".join(f"{m}x{l}{'e' if p == 1 else 'o'}" for m, l, p in terms)
    return None


def activation_of(mod, code):
    """Name and normalize2mom factor of an e3nn normalize2mom module (eager or TorchScript)."""
    f = getattr(mod, "f", None)
    if f is not None and not isinstance(mod, torch.jit.ScriptModule):
        # A TorchScript function (nequip's ShiftedSoftPlus) has .name rather than __name__.
        name = (getattr(f, "__name__", None) or getattr(f, "name", None) or type(f).__name__).lower()
        name = "ssp" if "softplus" in name else name
        return name, float(mod.cst)
    text, consts = code
    name = next((k for k, pat in ACTIVATIONS.items() if re.search(pat, text)), None)
    values = [float(v) if not torch.is_tensor(v) else float(v.item()) for v in consts.const_mapping.values()]
    # An activation whose factor rounds to 1 is applied bare (e3nn's _is_id).
    return name, (values[0] if len(values) == 1 else 1.0 if not values else math.nan)


def module_record(path, mod):
    kind = getattr(mod, "original_name", None) or type(mod).__name__
    rec = {"path": path, "type": kind, "attrs": {}}
    for k in SCALARS:
        try:
            v = getattr(mod, k)
        except Exception:
            continue
        if isinstance(v, (bool, int, float, str)) or v is None:
            rec["attrs"][k] = v
    for k in LISTS:
        try:
            v = getattr(mod, k)
        except Exception:
            continue
        if isinstance(v, (list, tuple)) and all(isinstance(x, str) for x in v):
            rec["attrs"][k] = list(v)
    for k in IRREPS:
        try:
            t = irreps_text(getattr(mod, k))
        except Exception:
            t = None
        if t is not None:
            rec["attrs"][k] = t
    if kind == "normalize2mom":
        code = mod.code_with_constants if isinstance(mod, torch.jit.ScriptModule) else None
        rec["attrs"]["activation"], rec["attrs"]["cst"] = activation_of(mod, code)
    return rec


def tensor_record(t):
    t = t.detach().cpu()
    if not (t.is_floating_point() or t.dtype in (torch.int64, torch.int32, torch.bool)):
        return None
    a = np.ascontiguousarray(t.double().numpy().reshape(-1)).astype("<f8")
    return {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""), "values": base64.b64encode(a.tobytes()).decode("ascii")}


def json_safe(v):
    if isinstance(v, dict):
        return {str(k): json_safe(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [json_safe(x) for x in v]
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    return str(v)


def load_deployed(path):
    import yaml

    meta = {k: "" for k in ("config", "nequip_version", "r_max", "type_names", "n_species", "model_dtype", "default_dtype", "per_edge_type_cutoff")}
    try:
        model = torch.jit.load(path, map_location="cpu", _extra_files=meta)
    except Exception as e:
        fail(f"{path}: not a TorchScript file that PyTorch {torch.__version__} can load ({e}); for a training checkpoint use --checkpoint FILE --config config.yaml")
    meta = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in meta.items()}
    if not meta.get("nequip_version"):
        fail(f"{path}: a TorchScript file without nequip's deploy metadata (nequip_version); is it a model deployed by nequip-deploy?")
    config = yaml.load(meta.pop("config"), Loader=yaml.Loader) if meta.get("config") else {}
    return model, config, meta


def load_checkpoint(path, config_path):
    try:
        from nequip.model import model_from_config
        from nequip.utils import Config
        from nequip.utils._global_options import _set_global_options
        import nequip
    except ImportError as e:
        fail(f"reading a checkpoint needs nequip (and e3nn) importable by this Python ({e}); deploy the model with nequip-deploy and import deployed.pth instead, which needs only PyTorch")
    config = Config.from_file(config_path)
    _set_global_options(config)
    model = model_from_config(config, initialize=False, dataset=None)
    state = torch.load(path, map_location="cpu")
    if isinstance(state, dict) and "state_dict" in state:
        state = state["state_dict"]
    model.load_state_dict(state)
    # model_from_config resolved the species into config["type_names"], as nequip-deploy reads them.
    meta = {"nequip_version": nequip.__version__, "r_max": str(config["r_max"]), "type_names": " ".join(config["type_names"]),
            "model_dtype": str(config.get("model_dtype", "float32"))}
    return model, dict(config), meta


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("model", nargs="?", help="deployed model file (nequip-deploy build)")
    p.add_argument("out", help="output JSON file")
    p.add_argument("--checkpoint", help="a state-dict checkpoint (best_model.pth) instead of a deployed model")
    p.add_argument("--config", help="the training config.yaml of --checkpoint")
    a = p.parse_args()
    if (a.model is None) == (a.checkpoint is None):
        fail("give a deployed model file, or --checkpoint FILE --config config.yaml")
    if a.checkpoint and not a.config:
        fail("--checkpoint needs --config (the config.yaml of its training run)")
    model, config, meta = load_deployed(a.model) if a.model else load_checkpoint(a.checkpoint, a.config)
    modules = [module_record(name, mod) for name, mod in model.named_modules()]
    constants = {}
    for m in modules:
        if m["type"] == "normalize2mom":
            name, cst = m["attrs"]["activation"], m["attrs"]["cst"]
            if name in constants and constants[name] != cst:
                fail(f"activation {name} is normalized by two different factors ({constants[name]}, {cst})")
            constants[name] = cst
    state = {}
    for k, v in model.state_dict().items():
        r = tensor_record(v)
        if r is not None:
            state[k] = r
    out = {
        "format": FORMAT, "source": "deployed" if a.model else "checkpoint", "torch_version": str(torch.__version__),
        "metadata": json_safe(meta), "config": json_safe(config), "modules": json_safe(modules),
        "constants": constants, "state_dict": state,
    }
    with open(a.out, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
