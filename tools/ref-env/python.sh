#!/bin/sh
# Python of the reference environment: Debian's /usr/bin/python3 and torch 1.13 with e3nn 0.5.6,
# opt_einsum 3.4, opt_einsum_fx 0.1.4, nequip 0.6.2, allegro 0.3.0, torch-runstats 0.2, torch-ema 0.3
# from their sources under $E3MD_REF (default /work/ref, made by tools/ref-env/setup.sh).
# Threads: REF_THREADS (default 1) sets OMP/MKL/OpenBLAS threads; tcmalloc is preloaded (as the
# allegro/nequip authors recommend for CPU timing). Usage: python.sh script.py args…  |  python.sh -m nequip.scripts.deploy …
REF=${E3MD_REF:-/work/ref}
T=${REF_THREADS:-1}
export PYTHONPATH="$REF/site:$REF/allegro:$REF/nequip:$REF/e3nn:$REF/opt_einsum:$REF/opt_einsum_fx:$REF/pytorch_runstats:$REF/pytorch_ema${PYTHONPATH:+:$PYTHONPATH}"
export OMP_NUM_THREADS=$T MKL_NUM_THREADS=$T OPENBLAS_NUM_THREADS=$T
TCM=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
[ -e "$TCM" ] && export LD_PRELOAD="$TCM${LD_PRELOAD:+:$LD_PRELOAD}"
exec /usr/bin/python3 "$@"
