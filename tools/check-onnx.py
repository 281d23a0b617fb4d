#!/usr/bin/python3
"""Checks ONNX files with the reference implementation (Debian python3-onnx):
onnx.checker.check_model(full_check=True) and strict shape inference with type checks.

Usage: /usr/bin/python3 tools/check-onnx.py model.onnx [more.onnx ...]
Prints one line per file ("OK <path> ir=<v> opset=<v> nodes=<n>" or "FAIL <path>: <reason>");
exits 1 if any file fails. Used by test/onnx/checker.test.ts (skipped where python3-onnx is absent).
"""
import sys

import onnx
from onnx import checker, shape_inference


def check(path: str) -> str:
    model = onnx.load(path)
    checker.check_model(model, full_check=True)
    inferred = shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    checker.check_model(inferred)
    opset = max((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), default=0)
    return f"OK {path} ir={model.ir_version} opset={opset} nodes={len(model.graph.node)}"


def main(paths: list[str]) -> int:
    if not paths:
        print(__doc__, file=sys.stderr)
        return 2
    failed = 0
    for path in paths:
        try:
            print(check(path))
        except Exception as e:  # report every file, then fail once
            failed += 1
            print(f"FAIL {path}: {type(e).__name__}: {e}".replace("\n", " "))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
