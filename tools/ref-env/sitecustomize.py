"""Start-up hook of the reference environment (tools/ref-env): lets nequip 0.6.2 run on Debian's torch.

Debian's python3-torch 1.13 reports the version "1.13.0a0", a pre-release by PEP 440, which nequip's
import-time check (`>= 1.13`) rejects. The wheel-free sources are not edited; instead, the first time
`nequip` is imported, torch.__version__ is relabelled "1.13.0" (the release this build is). Nothing
else is changed, and torch is not imported at all by processes that never import nequip.
Debian's own sitecustomize (the apport hook) is chained first, as this file shadows it.
"""
import importlib.abc
import importlib.machinery
import sys

try:  # what /etc/python3.11/sitecustomize.py does
    import apport_python_hook
except ImportError:
    pass
else:
    apport_python_hook.install()


def _relabel_torch():
    import torch
    from torch.torch_version import TorchVersion

    if str(torch.__version__) == "1.13.0a0":
        torch.__version__ = TorchVersion("1.13.0")


class _BeforeNequip(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != "nequip":
            return None
        sys.meta_path.remove(self)
        _relabel_torch()
        return importlib.machinery.PathFinder.find_spec(name, path)


sys.meta_path.insert(0, _BeforeNequip())
