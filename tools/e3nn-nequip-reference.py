#!/usr/bin/env python3
"""The e3nn 0.5.6 + PyTorch peer of e3md's NequIP: the same architecture built from e3nn modules.

Two uses, both reading an e3md NequIP ONNX file (its `e3md.settings` metadata and its weight
initializers), so the PyTorch model has exactly the TypeScript model's weights:

  check:  energy, atomic energies, forces and virial of the frames of an extxyz file, as JSON
          (float64) -- the numbers test/models/e3nn.test.ts compares against onnxruntime;
  bench:  time per step (energy + forces + virial through autograd) on a structure, as JSON.

Run (from the repository root; e3nn from source with Debian's PyTorch):
    PYTHONPATH=/work/ref/e3nn:/work/ref/opt_einsum:/work/ref/opt_einsum_fx \\
        /usr/bin/python3 tools/e3nn-nequip-reference.py check model.onnx frames.extxyz > out.json
    ... tools/e3nn-nequip-reference.py bench model.onnx water-64.extxyz --steps 5 --threads 1

e3nn's normalize2mom estimates activation constants by Monte Carlo (1e6 samples); e3md's o3 uses
the exact quadrature value. For `check`, e3nn is given the exact values so the two models are the
same function; the difference (~1e-3 relative) would otherwise hide real disagreements.
Nothing here is translated into e3md: this file only produces reference numbers.
"""
import argparse
import json
import math
import sys
import time

import numpy as np
import onnx
import onnx.numpy_helper
import torch

import e3nn.math._normalize_activation as _na


def _quadrature_moment(f, n, dtype=None, device=None):
    """<f(z)^n>, z ~ N(0,1), by composite 5-point Gauss-Legendre on [-12, 12] (480 panels)."""
    x, w = np.polynomial.legendre.leggauss(5)
    edges = np.linspace(-12.0, 12.0, 481)
    mids, half = 0.5 * (edges[1:] + edges[:-1]), 0.5 * (edges[1:] - edges[:-1])
    z = (mids[:, None] + half[:, None] * x[None, :]).ravel()
    ww = (half[:, None] * w[None, :]).ravel() * np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    with torch.no_grad():
        v = f(torch.tensor(z, dtype=torch.float64)).pow(n).numpy()
    return torch.tensor(float((ww * v).sum()), dtype=torch.float64)


from e3nn import o3  # noqa: E402
from e3nn.nn import FullyConnectedNet, Gate  # noqa: E402

ACTS = {"silu": torch.nn.functional.silu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "abs": torch.abs}


def tp_path_exists(a, b, ir_out):
    ir_out = o3.Irrep(ir_out)
    return any(ir_out in i1 * i2 for _, i1 in a for _, i2 in b)


class Layer(torch.nn.Module):
    """nequip 0.5's ConvNetLayer + InteractionBlock, written with e3nn modules."""

    def __init__(self, s, irreps_in, weights, name):
        super().__init__()
        lmax, mul = s["lmax"], s["numFeatures"]
        sh = o3.Irreps.spherical_harmonics(lmax)
        nt = len(s["typeNames"])
        attrs = o3.Irreps(f"{nt}x0e")
        parities = [1, -1] if s["parity"] else [1]
        hidden = o3.Irreps([(mul, (l, p if s["parity"] else (-1) ** l)) for p in parities for l in range(lmax + 1)])
        scalars = o3.Irreps([(m, ir) for m, ir in hidden if ir.l == 0 and tp_path_exists(irreps_in, sh, ir)])
        gated = o3.Irreps([(m, ir) for m, ir in hidden if ir.l > 0 and tp_path_exists(irreps_in, sh, ir)])
        ir = "0e" if tp_path_exists(irreps_in, sh, "0e") else "0o"
        gates = o3.Irreps([(m, ir) for m, _ in gated])
        nl = s["nonlinearity"]
        self.gate = Gate(scalars, [ACTS[nl["scalars"]["even" if i.p == 1 else "odd"]] for _, i in scalars],
                         gates, [ACTS[nl["gates"]["even" if i.p == 1 else "odd"]] for _, i in gates], gated)
        out = self.gate.irreps_in
        self.linear_1 = o3.Linear(irreps_in, irreps_in)
        mid, instr = [], []
        for i, (m, ir_in) in enumerate(irreps_in):
            for j, (_, ir_edge) in enumerate(sh):
                for ir_out in ir_in * ir_edge:
                    if ir_out in out or ir_out == o3.Irrep(0, 1):
                        instr.append((i, j, len(mid), "uvu", True))
                        mid.append((m, ir_out))
        mid = o3.Irreps(mid)
        mid, p, _ = mid.sort()
        instr = [(a, b, p[c], mode, tr) for a, b, c, mode, tr in instr]
        self.tp = o3.TensorProduct(irreps_in, sh, mid, instr, shared_weights=False, internal_weights=False)
        rm = s["radialMlp"]
        nb = s["radial"]["numBasis"]
        self.fc = FullyConnectedNet([nb] + rm["layers"] * [rm["neurons"]] + [self.tp.weight_numel], ACTS[rm["activation"]])
        self.linear_2 = o3.Linear(mid.simplify(), out)
        self.sc = o3.FullyConnectedTensorProduct(irreps_in, attrs, out)
        self.resnet = s["resnet"] and irreps_in == self.gate.irreps_out
        avg = s["avgNumNeighbors"]
        self.scale = 1.0 if avg is None else 1.0 / math.sqrt(avg)
        self.irreps_out = self.gate.irreps_out
        with torch.no_grad():
            if weights is not None:
                self.linear_1.weight.copy_(cat(weights, f"{name}.linear_1", len(self.linear_1.instructions)))
                for k in range(len(self.fc) if hasattr(self.fc, "__len__") else rm["layers"] + 1):
                    getattr(self.fc, f"layer{k}").weight.copy_(torch.tensor(weights[f"{name}.radial_mlp.w{k}"]))
                self.linear_2.weight.copy_(cat(weights, f"{name}.linear_2", len(self.linear_2.instructions)))
                self.sc.weight.copy_(cat(weights, f"{name}.self_connection", len(self.sc.instructions)))

    def forward(self, x, attrs, sh, emb, center, neighbor):
        w = self.fc(emb)
        h = self.linear_1(x)
        msg = self.tp(h[neighbor], sh, w)
        agg = torch.zeros(x.shape[0], msg.shape[1], dtype=msg.dtype).index_add_(0, center, msg) * self.scale
        y = self.gate(self.linear_2(agg) + self.sc(x, attrs))
        return x + y if self.resnet else y


def cat(weights, prefix, n):
    return torch.cat([torch.tensor(weights[f"{prefix}.w{k}"]).reshape(-1) for k in range(n)])


class Nequip(torch.nn.Module):
    def __init__(self, s, weights):
        super().__init__()
        self.s = s
        nt = len(s["typeNames"])
        mul = s["numFeatures"]
        rad = s["radial"]
        nb = rad["numBasis"]
        self.r_max, self.p = s["rMax_A"], rad["cutoffP"]
        bw = torch.tensor(weights["radial_basis.bessel_weights"]) if weights and rad["trainableFrequencies"] else torch.arange(1, nb + 1) * math.pi
        self.bessel = torch.nn.Parameter(bw.to(torch.get_default_dtype()))
        self.embed = o3.Linear(f"{nt}x0e", f"{mul}x0e")
        layers, irreps = [], o3.Irreps(f"{mul}x0e")
        for k in range(s["numLayers"]):
            layer = Layer(s, irreps, weights, f"layer{k}_convnet")
            layers.append(layer)
            irreps = layer.irreps_out
        self.layers = torch.nn.ModuleList(layers)
        hid = s["readout"]["hiddenFeatures"]
        self.out1 = o3.Linear(irreps, f"{hid}x0e")
        self.out2 = o3.Linear(f"{hid}x0e", "0e")
        self.scales = torch.nn.Parameter(torch.ones(nt))
        self.shifts = torch.nn.Parameter(torch.zeros(nt))
        if weights is not None:
            with torch.no_grad():
                self.embed.weight.copy_(cat(weights, "chemical_embedding", len(self.embed.instructions)))
                self.out1.weight.copy_(cat(weights, "conv_to_output_hidden", len(self.out1.instructions)))
                self.out2.weight.copy_(cat(weights, "output_hidden_to_scalar", 1))
                self.scales.copy_(torch.tensor(weights["per_species_scale_shift.scales"]))
                self.shifts.copy_(torch.tensor(weights["per_species_scale_shift.shifts"]))

    def forward(self, pos, types, center, neighbor, shift):
        vec = pos[neighbor] - pos[center] + shift
        vec.retain_grad() if vec.requires_grad else None
        return vec, self.energy_of(vec, types, center, neighbor)

    def energy_of(self, vec, types, center, neighbor):
        nt = len(self.s["typeNames"])
        attrs = torch.nn.functional.one_hot(types, nt).to(vec.dtype)
        r = vec.norm(dim=1, keepdim=True)
        sh = o3.spherical_harmonics(list(range(self.s["lmax"] + 1)), vec, normalize=True, normalization="component")
        x = r / self.r_max
        p = self.p
        u = 1 - (p + 1) * (p + 2) / 2 * x**p + p * (p + 2) * x ** (p + 1) - p * (p + 1) / 2 * x ** (p + 2)
        u = u * (x < 1)
        emb = 2 / self.r_max * torch.sin(self.bessel * x) / r * u
        h = self.embed(attrs)
        for layer in self.layers:
            h = layer(h, attrs, sh, emb, center, neighbor)
        e = self.out2(self.out1(h))[:, 0]
        return e * self.scales[types] + self.shifts[types]


def load(model_path):
    m = onnx.load(model_path)
    meta = {p.key: p.value for p in m.metadata_props}
    if meta.get("e3md.architecture") != "nequip":
        sys.exit(f"{model_path}: not an e3md NequIP model (e3md.architecture = {meta.get('e3md.architecture')})")
    weights = {t.name: onnx.numpy_helper.to_array(t).astype(np.float64) for t in m.graph.initializer}
    return json.loads(meta["e3md.settings"]), weights


def read_frames(path):
    import ase.io
    return ase.io.read(path, index=":")


def edges(atoms, r_max):
    from ase.neighborlist import primitive_neighbor_list
    i, j, S = primitive_neighbor_list("ijS", atoms.pbc, atoms.cell.array, atoms.positions, r_max, self_interaction=False)
    shift = S @ atoms.cell.array
    return i, j, shift


def evaluate(model, atoms, types_of, dtype):
    i, j, shift = edges(atoms, model.r_max)
    pos = torch.tensor(atoms.positions, dtype=dtype)
    types = torch.tensor([types_of[s] for s in atoms.get_chemical_symbols()])
    center, neighbor = torch.tensor(i), torch.tensor(j)
    vec = (pos[neighbor] - pos[center] + torch.tensor(shift, dtype=dtype)).requires_grad_(True)
    ae = model.energy_of(vec, types, center, neighbor)
    energy = ae.sum()
    (g,) = torch.autograd.grad(energy, vec)
    forces = torch.zeros_like(pos).index_add_(0, center, g).index_add_(0, neighbor, -g)
    virial = -(vec.detach().T @ g)
    return energy.detach(), ae.detach(), forces.detach(), virial.detach(), len(i)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["check", "bench"])
    ap.add_argument("model")
    ap.add_argument("structure")
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--dtype", choices=["float32", "float64"], default=None)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    settings, weights = load(args.model)
    dtype = torch.float64 if (args.dtype or settings.get("dtype") or ("float64" if args.mode == "check" else "float32")) == "float64" else torch.float32
    if args.mode == "check":
        _na.moment = _quadrature_moment
    torch.set_default_dtype(dtype)
    model = Nequip(settings, weights).to(dtype)
    types_of = {s: k for k, s in enumerate(settings["typeNames"])}
    frames = read_frames(args.structure)
    if args.mode == "check":
        out = []
        for atoms in frames:
            e, ae, f, w, ne = evaluate(model, atoms, types_of, dtype)
            out.append({"energy": e.item(), "atomic_energy": ae.tolist(), "forces": f.reshape(-1).tolist(), "virial": w.reshape(-1).tolist(), "edges": ne})
        json.dump({"e3nn": __import__("e3nn").__version__, "torch": torch.__version__, "frames": out}, sys.stdout)
        return
    atoms = frames[0]
    t0 = time.perf_counter()
    for _ in range(2):
        evaluate(model, atoms, types_of, dtype)
    times, nl = [], []
    for _ in range(args.steps):
        t = time.perf_counter()
        i, j, shift = edges(atoms, model.r_max)
        t1 = time.perf_counter()
        evaluate(model, atoms, types_of, dtype)
        t2 = time.perf_counter()
        nl.append(t1 - t)
        times.append(t2 - t1 - (t1 - t))  # evaluate() builds its own list: subtract one list build
    json.dump({"atoms": len(atoms), "edges": int(len(i)), "threads": args.threads, "dtype": str(dtype).replace("torch.", ""),
               "model_ms": 1000 * min(times), "model_ms_median": 1000 * float(np.median(times)), "neighbor_ms": 1000 * min(nl),
               "warmup_s": time.perf_counter() - t0 - sum(times) - sum(nl), "e3nn": __import__("e3nn").__version__, "torch": torch.__version__}, sys.stdout)


if __name__ == "__main__":
    main()
