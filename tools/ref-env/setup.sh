#!/bin/sh
# Builds the reference environment under $E3MD_REF (default /work/ref) from git mirrors fetched into
# $E3MD_MIRROR (default /work/.mirror, one <owner>+<name>/repo per repository): the tagged source
# trees, unmodified, one folder each; site/ with the start-up hook and the package metadata that
# nequip's plugin discovery reads (allegro registers its fields through the `nequip.extension`
# entry point); bin/python, this folder's wrapper. Idempotent: trees already present are kept.
set -eu
REF=${E3MD_REF:-/work/ref}
M=${E3MD_MIRROR:-/work/.mirror}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$REF/site" "$REF/bin"
tree() { # folder mirror tag
  if [ ! -d "$REF/$1" ]; then
    [ -d "$M/$2/repo" ] || { echo "setup.sh: no mirror $M/$2/repo (fetch github:$(echo "$2" | tr + /) first)" >&2; exit 2; }
    mkdir -p "$REF/$1.tmp" && git --git-dir="$M/$2/repo" archive "$3" | tar -x -C "$REF/$1.tmp" && mv "$REF/$1.tmp" "$REF/$1"
    echo "$1 $2 $3 $(git --git-dir="$M/$2/repo" rev-parse "$3^{commit}")" >> "$REF/VERSIONS"
  fi
}
tree e3nn e3nn+e3nn 0.5.6
tree opt_einsum dgasmith+opt_einsum v3.4.0
tree opt_einsum_fx Linux-cpp-lisp+opt_einsum_fx v0.1.4
tree nequip mir-group+nequip v0.6.2
tree allegro mir-group+allegro v0.3.0
tree pytorch_runstats mir-group+pytorch_runstats v0.2.0
tree pytorch_ema fadel+pytorch_ema v0.3.0
dist() { # distribution version [entry-points text]
  d="$REF/site/$1-$2.dist-info"; mkdir -p "$d"
  printf 'Metadata-Version: 2.1\nName: %s\nVersion: %s\n' "$1" "$2" > "$d/METADATA"
  [ $# -lt 3 ] || printf '%s\n' "$3" > "$d/entry_points.txt"
}
dist e3nn 0.5.6; dist opt_einsum 3.4.0; dist opt_einsum_fx 0.1.4; dist nequip 0.6.2
dist torch_runstats 0.2.0; dist torch_ema 0.3.0
dist nequip_allegro 0.3.0 "[nequip.extension]
init_always = allegro"
cp "$HERE/sitecustomize.py" "$REF/site/sitecustomize.py"
cp "$HERE/python.sh" "$REF/bin/python"
echo "reference environment ready: $REF/bin/python"
