#!/usr/bin/env bash
# Builds lammps/build/e3md-lammps: Debian's LAMMPS library (liblammps, which has no PLUGIN package)
# with pair_style e3md registered before the input is read. `npm run build:lammps` runs this.
#
# Needs (Debian bookworm): lammps liblammps-dev libfmt-dev g++   (liblammps-dev brings MPI's headers)
#   sudo apt-get install lammps liblammps-dev libfmt-dev g++
# Does nothing when the executable is newer than every source. Exit 2 with the missing piece named.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/build"
exe="$out/e3md-lammps"
include="${LAMMPS_INCLUDE:-/usr/include/lammps}"

missing=()
[[ -f "$include/pair.h" ]] || missing+=("LAMMPS headers ($include/pair.h: Debian package liblammps-dev)")
[[ -f /usr/include/fmt/format.h ]] || missing+=("{fmt} headers (/usr/include/fmt/format.h: Debian package libfmt-dev)")
command -v mpicxx >/dev/null || missing+=("the MPI C++ compiler wrapper mpicxx (Debian packages libopenmpi-dev and g++)")
if ((${#missing[@]})); then
  echo "build:lammps: cannot build pair_style e3md, missing:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  echo "  on Debian: apt-get install lammps liblammps-dev libfmt-dev g++" >&2
  exit 2
fi

sources=(main.cpp pair_e3md.cpp server_link.cpp)
cd "$here"  # relative source names: LAMMPS prints them in its ERROR lines
if [[ -x "$exe" ]]; then
  stale=0
  for f in "${sources[@]}" ./*.h compat/fmt/format.h build.sh; do
    [[ "$f" -nt "$exe" ]] && stale=1
  done
  if ((stale == 0)); then
    echo "build:lammps: $exe is up to date"
    exit 0
  fi
fi

mkdir -p "$out"
# LAMMPS_SMALLBIG: the integer sizes Debian's liblammps was built with (its CMake config says so).
# OMPI_SKIP_MPICXX: the deprecated MPI C++ bindings are not used.
echo "build:lammps: compiling $exe"
mpicxx -std=c++17 -O2 -Wall -Wextra -DLAMMPS_SMALLBIG -DOMPI_SKIP_MPICXX \
  -Icompat -I"$include" "${sources[@]}" -o "$exe.tmp" -llammps
mv "$exe.tmp" "$exe"
echo "build:lammps: built $exe"
