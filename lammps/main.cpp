/* The LAMMPS executable of `e3md lammps`: Debian's liblammps (which has no PLUGIN package) with
   pair_style e3md added to its style table before the input is read. Otherwise it behaves as
   Debian's `lmp`: same command line, same exit codes. */
#include "pair_e3md.h"

#include "force.h"
#include "input.h"
#include "lammps.h"

#include <mpi.h>

#include <cstdio>
#include <exception>
#include <string>
#include <typeinfo>

int main(int argc, char **argv)
{
  MPI_Init(&argc, &argv);
  int status = 0;
  try {
    auto *lmp = new LAMMPS_NS::LAMMPS(argc, argv, MPI_COMM_WORLD);
    (*lmp->force->pair_map)["e3md"] = &LAMMPS_NS::PairE3md::creator;
    lmp->input->file();
    delete lmp;
  } catch (std::exception &e) {
    // liblammps is built with LAMMPS_EXCEPTIONS: error->all throws on every rank after printing
    // its message, error->one (LAMMPSAbortException) on one rank only, which must end them all.
    // Debian ships no exceptions.h to name those types, so the type is recognised by its name.
    if (std::string(typeid(e).name()).find("LAMMPSAbortException") != std::string::npos) MPI_Abort(MPI_COMM_WORLD, 1);
    status = 1;
  }
  MPI_Barrier(MPI_COMM_WORLD);
  MPI_Finalize();
  return status;
}
