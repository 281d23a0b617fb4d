#!/usr/bin/env python3
"""Reference Lennard-Jones energy, forces, virial and pressure tensor from LAMMPS for test/potentials
and test/engine/stress.test.ts.

A two-species (Ar, Kr) jittered crystal in a triclinic periodic box narrower than twice the
cutoff, Lorentz-Berthelot mixing (pair_modify mix arithmetic), energies shifted at the cutoff.
LAMMPS `units metal`: Å, eV, bar. The virial is recovered from the virial-only pressure tensor:
W_ab = P_ab * V / nktv2p (nktv2p = 1.6021765e6 bar·Å³/eV in metal units). With velocities (Å/ps in
LAMMPS metal units), the full pressure tensor pxx … pyz (kinetic + virial, bar) is recorded too.

Run with Debian's Python and LAMMPS:  /usr/bin/python3 tools/lj-reference/make_fixture.py
Writes test/fixtures/lj/lammps-triclinic.json.
"""
import json
import os
import subprocess
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', '..', 'test', 'fixtures', 'lj', 'lammps-triclinic.json')

rng = np.random.default_rng(20261124)
a = 5.4
cells = 2
basis = np.array([[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]])
frac = np.array([(np.array([x, y, z]) + b) / cells for x in range(cells) for y in range(cells) for z in range(cells) for b in basis])
L = cells * a
cell = np.array([[L, 0, 0], [0.12 * L, 0.97 * L, 0], [-0.08 * L, 0.1 * L, 1.03 * L]])  # rows a, b, c (LAMMPS lower-triangular form)
pos = frac @ cell + rng.uniform(-0.25, 0.25, size=frac.shape)
n = len(pos)
types = np.array([2 if i % 3 == 0 else 1 for i in range(n)])  # 1 = Ar, 2 = Kr
params = {'Ar': {'epsilon_eV': 0.0104, 'sigma_A': 3.405}, 'Kr': {'epsilon_eV': 0.0141, 'sigma_A': 3.65}}
masses = {'Ar': 39.948, 'Kr': 83.798}
cutoff = 8.5
vel_A_per_ps = rng.normal(0.0, 3.0, size=pos.shape)  # drawn after the positions, so those are unchanged

with tempfile.TemporaryDirectory() as tmp:
    with open(os.path.join(tmp, 'data.lj'), 'w') as f:
        f.write('LJ reference\n\n%d atoms\n2 atom types\n\n' % n)
        f.write('0 %.17g xlo xhi\n0 %.17g ylo yhi\n0 %.17g zlo zhi\n' % (cell[0, 0], cell[1, 1], cell[2, 2]))
        f.write('%.17g %.17g %.17g xy xz yz\n\n' % (cell[1, 0], cell[2, 0], cell[2, 1]))
        f.write('Masses\n\n1 %.17g\n2 %.17g\n\nAtoms # atomic\n\n' % (masses['Ar'], masses['Kr']))
        for i in range(n):
            f.write('%d %d %.17g %.17g %.17g\n' % (i + 1, types[i], *pos[i]))
        f.write('\nVelocities\n\n')
        for i in range(n):
            f.write('%d %.17g %.17g %.17g\n' % (i + 1, *vel_A_per_ps[i]))
    with open(os.path.join(tmp, 'in.lj'), 'w') as f:
        f.write(f"""units metal
atom_style atomic
boundary p p p
box tilt large
read_data data.lj
pair_style lj/cut {cutoff}
pair_coeff 1 1 {params['Ar']['epsilon_eV']} {params['Ar']['sigma_A']}
pair_coeff 2 2 {params['Kr']['epsilon_eV']} {params['Kr']['sigma_A']}
pair_modify mix arithmetic shift yes
neighbor 1.0 bin
compute pv all pressure NULL virial
thermo_style custom step pe vol c_pv[1] c_pv[2] c_pv[3] c_pv[4] c_pv[5] c_pv[6] pxx pyy pzz pxy pxz pyz press
thermo_modify format float %.17g
dump d all custom 1 forces.dump id fx fy fz
dump_modify d sort id format float %.17g
run 0
""")
    log = subprocess.run(['lmp', '-in', 'in.lj', '-log', 'none', '-nocite'], cwd=tmp, check=True, capture_output=True, text=True).stdout
    lines = log.splitlines()
    k = next(i for i, l in enumerate(lines) if l.split()[:2] == ['Step', 'PotEng'])
    row = [float(v) for v in lines[k + 1].split()]
    pe, vol, pxx, pyy, pzz, pxy, pxz, pyz = row[1:9]
    txx, tyy, tzz, txy, txz, tyz, press = row[9:16]
    dump = open(os.path.join(tmp, 'forces.dump')).read().splitlines()
    start = dump.index(next(l for l in dump if l.startswith('ITEM: ATOMS'))) + 1
    forces = [[float(v) for v in l.split()[1:4]] for l in dump[start:start + n]]

nktv2p = 1.6021765e6
w = np.array([[pxx, pxy, pxz], [pxy, pyy, pyz], [pxz, pyz, pzz]]) * vol / nktv2p
fixture = {
    'source': 'LAMMPS (Debian package), pair_style lj/cut, pair_modify mix arithmetic shift yes, units metal; made by tools/lj-reference/make_fixture.py',
    'cutoff_A': cutoff,
    'shift': True,
    'species': params,
    'cell': cell.flatten().tolist(),
    'symbols': ['Kr' if t == 2 else 'Ar' for t in types],
    'positions': pos.flatten().tolist(),
    'energy_eV': pe,
    'forces': np.array(forces).flatten().tolist(),
    'virial': w.flatten().tolist(),
    'volume_A3': vol,
    'masses_amu': [masses['Kr'] if t == 2 else masses['Ar'] for t in types],
    'velocities_A_per_fs': (vel_A_per_ps / 1000.0).flatten().tolist(),
    'pressure_tensor_bar': [txx, txy, txz, txy, tyy, tyz, txz, tyz, tzz],
    'pressure_bar': press,
}
os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, 'w') as f:
    json.dump(fixture, f, indent=1)
print('wrote', OUT, 'energy', pe, 'eV')
