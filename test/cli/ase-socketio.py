"""ASE drives `e3md serve` through ase.calculators.socketio.SocketIOCalculator (test/cli/serve-ase.test.ts).

Three calculators in turn, as a user script would use them:
  1. BFGS relaxation of the water hexamer (socket NAME_A),
  2. a short velocity-Verlet MD from the relaxed geometry with a new calculator on the same socket
     (one `e3md serve --reconnect` serves both; this one ends with EXIT, as i-PI does),
  3. energy, forces and stress of a periodic water box, sheared (socket NAME_B, a second serve).
Every evaluation's geometry and ASE's results are printed as one JSON document on stdout.

usage: ase-socketio.py NAME_A NAME_B hexamer.extxyz box.extxyz
"""
import json
import sys

import numpy as np
from ase.calculators.socketio import SocketIOCalculator
from ase.io import read
from ase.md.velocitydistribution import MaxwellBoltzmannDistribution
from ase.md.verlet import VelocityVerlet
from ase.optimize import BFGS
from ase import units

name_a, name_b, hexamer_path, box_path = sys.argv[1:5]
frames = []


def record(atoms, stage):
    frame = dict(stage=stage, symbols=atoms.get_chemical_symbols(), positions=atoms.positions.tolist(),
                 cell=atoms.cell.array.tolist(), pbc=[bool(p) for p in atoms.pbc],
                 energy=atoms.get_potential_energy(), forces=atoms.get_forces().tolist())
    if stage == 'md':
        frame['kinetic_energy'] = atoms.get_kinetic_energy()
    if atoms.pbc.all():
        frame['stress'] = atoms.get_stress(voigt=False).tolist()
        frame['volume'] = atoms.get_volume()
    frames.append(frame)


atoms = read(hexamer_path)
with SocketIOCalculator(unixsocket=name_a, timeout=60) as calc:
    atoms.calc = calc
    opt = BFGS(atoms, logfile=None)
    opt.attach(lambda: record(atoms, 'bfgs'))
    converged = opt.run(fmax=0.05, steps=25)

with SocketIOCalculator(unixsocket=name_a, timeout=60) as calc:
    atoms.calc = calc
    MaxwellBoltzmannDistribution(atoms, temperature_K=300, rng=np.random.RandomState(7))
    dyn = VelocityVerlet(atoms, timestep=0.5 * units.fs)
    dyn.attach(lambda: record(atoms, 'md'), interval=1)
    dyn.run(20)
    # End the session the way i-PI does, with EXIT: that ends `e3md serve --reconnect`.
    calc.server.protocol.end()

# Sheared: a triclinic cell whose matrix is not symmetric (the template keeps the cubic one: the
# cell comes from the server).
box = read(box_path)
box.set_cell(box.cell.array @ np.array([[1.0, 0.0, 0.0], [0.06, 0.97, 0.0], [-0.04, 0.05, 1.02]]), scale_atoms=True)
with SocketIOCalculator(unixsocket=name_b, timeout=60) as calc:
    box.calc = calc
    record(box, 'box')
    box.positions[0] += [0.05, -0.03, 0.02]
    record(box, 'box')

json.dump(dict(converged=bool(converged), frames=frames), sys.stdout)
