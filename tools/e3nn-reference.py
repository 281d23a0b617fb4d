#!/usr/bin/env python3
"""Writes the e3nn 0.5.6 reference numbers that test/o3/ checks against.

Run (from the repository root; e3nn from source with Debian's PyTorch):
    PYTHONPATH=/work/ref/e3nn:/work/ref/opt_einsum:/work/ref/opt_einsum_fx \
        /usr/bin/python3 tools/e3nn-reference.py test/fixtures/e3nn

Every input (vectors, angles, weights, features) is a closed-form deterministic
sequence, so the TypeScript tests rebuild the same inputs from the JSON itself.
"""
import json
import math
import os
import sys

import torch
import e3nn
import e3nn.nn
from e3nn import o3
from e3nn.math import normalize2mom

torch.set_default_dtype(torch.float64)
OUT = sys.argv[1] if len(sys.argv) > 1 else "test/fixtures/e3nn"
os.makedirs(OUT, exist_ok=True)


def r(x, digits=17):
    return float(f"{x:.{digits}g}")


def flat(t):
    return [r(v) for v in t.flatten().tolist()]


def det_seq(n, scale=1.0, phase=0.0):
    """A deterministic pseudo-random sequence in [-scale, scale] (sin of a golden-ratio walk)."""
    return [scale * math.sin(1.0 + phase + 2.399963229728653 * k) for k in range(n)]


def dump(name, obj):
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")


meta = {"e3nn": e3nn.__version__, "torch": torch.__version__}

# --- spherical harmonics ----------------------------------------------------------------------
vecs = torch.tensor(det_seq(3 * 12, 2.0)).reshape(12, 3).tolist()
vecs += [[0.0, 1.0, 0.0], [0.0, -3.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, -2.0],
         [0.5, 0.5, 0.5]]
# (e3nn itself under/overflows for |r| near 1e±200, so tiny and huge vectors are tested in
# TypeScript against the same directions at unit scale instead.)
sh = {"meta": meta, "vectors": vecs, "cases": []}
X = torch.tensor(vecs)
for normalization, lmax in (("component", 8), ("norm", 4), ("integral", 4)):
    ls = list(range(lmax + 1))
    Y = o3.spherical_harmonics(ls, X, normalize=True, normalization=normalization)
    sh["cases"].append({"ls": ls, "normalize": True, "normalization": normalization, "values": flat(Y)})
# raw (normalize=False) harmonics are homogeneous polynomials: only for moderate vectors
Y = o3.spherical_harmonics(list(range(5)), X[:12], normalize=False, normalization="component")
sh["cases"].append({"ls": list(range(5)), "normalize": False, "normalization": "component", "count": 12, "values": flat(Y)})
dump("spherical_harmonics.json", sh)

# --- Wigner 3j, l <= 4, sparse ----------------------------------------------------------------
w3j = {"meta": meta, "symbols": []}
for l1 in range(5):
    for l2 in range(5):
        for l3 in range(abs(l1 - l2), min(l1 + l2, 4) + 1):
            C = o3.wigner_3j(l1, l2, l3)
            nz = (C.abs() > 1e-13).nonzero().tolist()
            w3j["symbols"].append({"l": [l1, l2, l3], "nonzero": [[i, j, k, r(C[i, j, k].item())] for i, j, k in nz]})
dump("wigner_3j.json", w3j)

# --- rotations and D --------------------------------------------------------------------------
angles = [[0.3, 1.1, -0.7], [2.5, 0.2, 1.9], [-1.3, 2.9, 0.4], [0.0, 0.0, 0.0], [1.0, math.pi, 0.5]]
rot = {"meta": meta, "cases": []}
for a, b, g in angles:
    A, B, G = torch.tensor(a), torch.tensor(b), torch.tensor(g)
    R = o3.angles_to_matrix(A, B, G)
    back = o3.matrix_to_angles(R)
    rot["cases"].append({
        "angles": [a, b, g],
        "matrix": flat(R),
        "matrixToAngles": [r(t.item()) for t in back],
        "D": [flat(o3.wigner_D(l, A, B, G)) for l in range(5)],
    })
ir = o3.Irreps("2x0e+1x1o+1x1e+1x2o")
R = -o3.angles_to_matrix(torch.tensor(0.3), torch.tensor(1.1), torch.tensor(-0.7))
rot["irrepsD"] = {"irreps": str(ir), "matrix": flat(R), "D": flat(ir.D_from_matrix(R))}
dump("rotations.json", rot)

# --- irreps -----------------------------------------------------------------------------------
irreps = {"meta": meta, "cases": []}
for s in ["16x0e+8x1o+4x2e", "1e+0e+1e+1x1e", "0e+0o+1o+1e+0e", "2x1o+0x0e+3x1o+1x0e", "1x0e+2x1o+1x0e", ""]:
    I = o3.Irreps(s)
    srt = I.sort()
    irreps["cases"].append({"input": s, "str": str(I), "dim": I.dim, "num_irreps": I.num_irreps, "lmax": I.lmax if len(I) else None,
                            "simplify": str(I.simplify()), "sort": str(srt.irreps), "p": list(srt.p), "inv": list(srt.inv)})
irreps["sh"] = [str(o3.Irreps.spherical_harmonics(3)), str(o3.Irreps.spherical_harmonics(3, p=1))]
dump("irreps.json", irreps)

# --- tensor products --------------------------------------------------------------------------
def tp_case(tp, batch, shared, phase):
    x1 = torch.tensor(det_seq(batch * tp.irreps_in1.dim, 1.0, phase)).reshape(batch, -1)
    x2 = torch.tensor(det_seq(batch * tp.irreps_in2.dim, 1.0, phase + 0.5)).reshape(batch, -1)
    wn = tp.weight_numel if shared else batch * tp.weight_numel
    w = torch.tensor(det_seq(wn, 1.0, phase + 0.25))
    if not shared:
        w = w.reshape(batch, -1)
    out = tp(x1, x2, w)
    return {
        "irreps_in1": str(tp.irreps_in1), "irreps_in2": str(tp.irreps_in2), "irreps_out": str(tp.irreps_out),
        "instructions": [[i.i_in1, i.i_in2, i.i_out, i.connection_mode, i.has_weight, r(i.path_weight)] for i in tp.instructions],
        "weight_numel": tp.weight_numel, "batch": batch, "shared": shared, "phase": phase,
        "x1": flat(x1), "x2": flat(x2), "weights": flat(w), "out": flat(out),
    }

tps = {"meta": meta, "cases": []}
tp = o3.FullyConnectedTensorProduct("2x0e+1x1o+1x2e", "1x0e+2x1o", "2x0e+2x1o+1x2e+1x1e", shared_weights=True, internal_weights=False)
tps["cases"].append(dict(tp_case(tp, 3, True, 0.0), kind="fullyConnected"))
tp = o3.FullyConnectedTensorProduct("1x0e+1x1o", "1x0e+1x1o", "1x0e+1x1o+1x1e+1x2e", irrep_normalization="norm", path_normalization="path", shared_weights=True, internal_weights=False)
tps["cases"].append(dict(tp_case(tp, 2, True, 0.3), kind="fullyConnected", irrep_normalization="norm", path_normalization="path"))

# NequIP-style channelwise ('uvu') convolution: mid irreps sorted, instruction outputs permuted
feat, edge, target = o3.Irreps("3x0e+2x1o+1x2e"), o3.Irreps.spherical_harmonics(2), o3.Irreps("0e+1o+2e")
mid, ins = [], []
for i, (mul, ir_in) in enumerate(feat):
    for j, (_, ir_edge) in enumerate(edge):
        for ir_out in ir_in * ir_edge:
            if ir_out in target or ir_out == o3.Irrep(0, 1):
                ins.append((i, j, len(mid), "uvu", True))
                mid.append((mul, ir_out))
mid = o3.Irreps(mid)
mid_sorted, p, _ = mid.sort()
ins = [(a, b, p[c], m, t) for a, b, c, m, t in ins]
tp = o3.TensorProduct(feat, edge, mid_sorted, ins, shared_weights=False, internal_weights=False)
tps["cases"].append(dict(tp_case(tp, 3, False, 0.7), kind="channelwise", filter=str(target)))

tp = o3.FullyConnectedTensorProduct("1x0e+1x3o+1x4e", "1x2e+1x3o", "1x1o+1x2e+1x4e+1x4o+1x7e", shared_weights=True, internal_weights=False)
tps["cases"].append(dict(tp_case(tp, 2, True, 0.8), kind="fullyConnected"))
tp = o3.ElementwiseTensorProduct("2x0e+3x1o", "3x1e+2x0o")
case = tp_case(tp, 2, True, 0.9)
tps["cases"].append(dict(case, kind="elementwise"))
dump("tensor_product.json", tps)

# --- Linear and activations --------------------------------------------------------------------
lin = {"meta": meta, "cases": []}
for a, b in [("3x0e+2x1o+1x2e+2x0e", "2x0e+3x1o+1x1e"), ("4x1o", "2x1o")]:
    L = o3.Linear(a, b, shared_weights=True, internal_weights=False)
    x = torch.tensor(det_seq(2 * L.irreps_in.dim, 1.0, 0.1)).reshape(2, -1)
    w = torch.tensor(det_seq(L.weight_numel, 1.0, 0.2))
    lin["cases"].append({"irreps_in": a, "irreps_out": b, "weight_numel": L.weight_numel,
                         "instructions": [[i.i_in, i.i_out, r(i.path_weight)] for i in L.instructions],
                         "x": flat(x), "weights": flat(w), "out": flat(L(x, w))})
L = o3.Linear("2x0e+3x1o+1x0e", "3x0e+2x1o", biases=True, path_normalization="path", shared_weights=True, internal_weights=False)
x = torch.tensor(det_seq(2 * L.irreps_in.dim, 1.0, 0.3)).reshape(2, -1)
w = torch.tensor(det_seq(L.weight_numel, 1.0, 0.4))
b = torch.tensor(det_seq(L.bias_numel, 1.0, 0.5))
lin["cases"].append({"irreps_in": "2x0e+3x1o+1x0e", "irreps_out": "3x0e+2x1o", "biases": True, "path_normalization": "path",
                     "weight_numel": L.weight_numel, "bias_numel": L.bias_numel,
                     "instructions": [[i.i_in, i.i_out, r(i.path_weight)] for i in L.instructions if i.i_in != -1],
                     "x": flat(x), "weights": flat(w), "bias": flat(b), "out": flat(L(x, w, b))})
dump("linear.json", lin)

acts = {"meta": meta, "note": "e3nn's normalize2mom: Monte Carlo over 1e6 normals (seed 0)",
        "cst": {"silu": normalize2mom(torch.nn.functional.silu).cst, "tanh": normalize2mom(torch.tanh).cst,
                "sigmoid": normalize2mom(torch.sigmoid).cst, "abs": normalize2mom(torch.abs).cst}}
gate = e3nn.nn.Gate("2x0e+1x0o", [torch.nn.functional.silu, torch.tanh], "3x0e", [torch.sigmoid], "2x1o+1x2e")
x = torch.tensor(det_seq(2 * gate.irreps_in.dim, 1.5, 0.4)).reshape(2, -1)
acts["gate"] = {"irreps_in": str(gate.irreps_in), "irreps_out": str(gate.irreps_out), "x": flat(x), "out": flat(gate(x))}
dump("activations.json", acts)
print("wrote", OUT)
