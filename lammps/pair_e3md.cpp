#include "pair_e3md.h"

#include "e3md_protocol.h"
#include "server_link.h"

#include "atom.h"
#include "comm.h"
#include "domain.h"
#include "error.h"
#include "force.h"
#include "memory.h"
#include "neighbor.h"
#include "update.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <sstream>

using namespace LAMMPS_NS;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0)
{
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/* "key=value" lines (the LOAD and READY payloads). */
std::map<std::string, std::string> parse_lines(const std::vector<unsigned char> &text)
{
  std::map<std::string, std::string> out;
  std::istringstream in(std::string(text.begin(), text.end()));
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return out;
}

std::string format_double(double v)
{
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

PairE3md::PairE3md(LAMMPS *lmp) : Pair(lmp)
{
  single_enable = 0;
  restartinfo = 0;
  one_coeff = 1;
  manybody_flag = 1;
  // The virial comes from the model (−Σ r_ij ⊗ ∂E/∂r_ij), not from Σ x·f: on one rank the graph
  // is periodic and ghost forces are zero, so F·r over the owned atoms would miss the images.
  no_virial_fdotr_compute = 1;
  centroidstressflag = CENTROID_NOTAVAIL;
}

PairE3md::~PairE3md()
{
  if (loaded_) {
    std::string error;
    // Tells the server the time of the last evaluation; it keeps serving (a later pair style may load again).
    e3md::server_link().send(e3md::KIND_DONE, &last_pair_s_, sizeof last_pair_s_, error);
    if (comm && comm->me == 0 && calls_ > 0) {
      const double ms = 1000.0 / static_cast<double>(calls_);
      utils::logmesg(lmp, "pair e3md: " + std::to_string(calls_) + " evaluations on rank 0, per evaluation " +
                              format_double(pair_s_ * ms) + " ms in the pair style = " + format_double(model_s_ * ms) +
                              " ms onnxruntime + " + format_double((server_s_ - model_s_) * ms) +
                              " ms neighbor search and model inputs + " + format_double((pair_s_ - server_s_) * ms) +
                              " ms transfer\n");
    }
  }
  if (allocated) {
    memory->destroy(setflag);
    memory->destroy(cutsq);
  }
}

Pair *PairE3md::creator(LAMMPS *lmp)
{
  return new PairE3md(lmp);
}

void PairE3md::allocate()
{
  allocated = 1;
  const int n = atom->ntypes;
  memory->create(setflag, n + 1, n + 1, "pair:setflag");
  memory->create(cutsq, n + 1, n + 1, "pair:cutsq");
  for (int i = 1; i <= n; i++)
    for (int j = 1; j <= n; j++) setflag[i][j] = 0;
}

void PairE3md::settings(int narg, char **arg)
{
  for (int k = 0; k < narg; k += 2) {
    const std::string key = arg[k];
    if (k + 1 >= narg) fail_all(FLERR, "pair_style e3md: keyword '" + key + "' needs a value");
    const std::string value = arg[k + 1];
    if (key == "threads") {
      threads_ = utils::inumeric(FLERR, arg[k + 1], false, lmp);
      if (threads_ < 1) fail_all(FLERR, "pair_style e3md: threads must be a positive integer, got " + value);
    } else if (key == "device") {
      device_ = value;
    } else if (key == "graph") {
      if (value == "auto") graph_ = Graph::AUTO;
      else if (value == "periodic") graph_ = Graph::PERIODIC;
      else if (value == "ghosts") graph_ = Graph::GHOSTS;
      else fail_all(FLERR, "pair_style e3md: graph must be auto, periodic or ghosts, got " + value);
    } else {
      fail_all(FLERR, "pair_style e3md: unknown keyword '" + key + "' (known: threads, device, graph)");
    }
  }
  if (graph_ == Graph::PERIODIC && comm->nprocs > 1)
    fail_all(FLERR, "pair_style e3md: graph periodic needs 1 MPI rank (it sends only owned atoms); this run has " +
                          std::to_string(comm->nprocs));
  std::string message;
  if (!e3md::server_link().open(message)) fail_all(FLERR, message);
}

void PairE3md::fail_all(const char *file, int line, const std::string &message)
{
  // std::string, not a literal: a literal picks Error's {fmt} template, whose {fmt} (bundled
  // inside liblammps) is not the one these headers are compiled against.
  error->all(file, line, message);
}

void PairE3md::fail_one(const char *file, int line, const std::string &message)
{
  error->one(file, line, message);
}

void PairE3md::link_failed(const std::string &what, const std::string &message)
{
  fail_one(FLERR, "pair e3md: " + what + ": " + message);
}

void PairE3md::coeff(int narg, char **arg)
{
  const int ntypes = atom->ntypes;
  if (narg != 3 + ntypes)
    fail_all(FLERR, "pair_coeff e3md: expected `pair_coeff * * model.onnx` and one element per atom type (" +
                          std::to_string(ntypes) + " types), got " + std::to_string(narg) + " arguments");
  if (std::strcmp(arg[0], "*") != 0 || std::strcmp(arg[1], "*") != 0)
    fail_all(FLERR, "pair_coeff e3md: the first two arguments must be * * (one model for all type pairs)");
  if (!allocated) allocate();

  std::string elements;
  for (int t = 0; t < ntypes; t++) elements += (t ? " " : "") + std::string(arg[3 + t]);
  std::string load = "model=" + std::string(arg[2]) + "\nelements=" + elements + "\ndevice=" + device_ +
                     "\nthreads=" + std::to_string(threads_) + "\nrank=" + std::to_string(comm->me) +
                     "\nranks=" + std::to_string(comm->nprocs) + "\n";
  std::string message;
  std::uint32_t kind = 0;
  auto &link = e3md::server_link();
  if (!link.send(e3md::KIND_LOAD, load.data(), load.size(), message) || !link.receive(kind, reply_, message))
    link_failed("loading " + std::string(arg[2]), message);

  // Every rank's server reads the same file, so a bad model or element fails everywhere: one
  // collective error. A failure on some ranks only (a server that died) stops the run from there.
  int failed = kind != e3md::KIND_READY, any_failed = 0, all_failed = 0;
  MPI_Allreduce(&failed, &any_failed, 1, MPI_INT, MPI_MAX, world);
  MPI_Allreduce(&failed, &all_failed, 1, MPI_INT, MPI_MIN, world);
  const std::string text(reply_.begin(), reply_.end());
  if (all_failed) fail_all(FLERR, "pair_coeff e3md: " + text);
  if (failed) fail_one(FLERR, "pair_coeff e3md: " + text);
  if (any_failed) {
    MPI_Barrier(world);  // another rank's error->one ends the run
    fail_one(FLERR, "pair_coeff e3md: the model failed to load on another rank");
  }

  auto ready = parse_lines(reply_);
  r_max_ = std::atof(ready["r_max"].c_str());
  depth_ = std::atoi(ready["interaction_depth"].c_str());
  model_ = arg[2];
  model_type_.assign(ntypes + 1, -1);
  std::istringstream ids(ready["type_ids"]);
  for (int t = 1; t <= ntypes; t++) ids >> model_type_[t];
  if (!(r_max_ > 0) || depth_ < 1 || model_type_[ntypes] < 0)
    fail_all(FLERR, "pair_coeff e3md: the model server's READY reply is incomplete: " + text);
  for (int i = 1; i <= ntypes; i++)
    for (int j = 1; j <= ntypes; j++) setflag[i][j] = 1;
  loaded_ = true;
  if (comm->me == 0)
    utils::logmesg(lmp, "pair e3md: " + model_ + ": " + ready["architecture"] + ", " + ready["dtype"] + ", r_max " +
                            format_double(r_max_) + " A, interaction depth " + std::to_string(depth_) + ", types " +
                            ready["type_names"] + "\n");
}

void PairE3md::init_style()
{
  if (!loaded_) fail_all(FLERR, "pair e3md: no model loaded (pair_coeff * * model.onnx elements...)");
  if (force->newton_pair == 0)
    fail_all(FLERR, "pair e3md requires newton pair on: forces on ghost atoms go back to their owners through "
                      "LAMMPS's reverse communication");
  if (std::strcmp(update->unit_style, "metal") != 0)
    fail_all(FLERR, std::string("pair e3md requires units metal (the model works in Angstrom and eV), not units ") +
                          update->unit_style);
  // No neighbor list is requested: the model server builds the graph from the positions it is
  // sent (Debian's liblammps-dev ships no neigh_request.h, so a full list cannot be asked for).
}

double PairE3md::init_one(int, int)
{
  return r_max_;
}

bool PairE3md::ghost_graph() const
{
  return graph_ == Graph::GHOSTS || (graph_ == Graph::AUTO && comm->nprocs > 1);
}

void PairE3md::setup()
{
  if (!ghost_graph()) return;
  // Ghosts are chosen when LAMMPS re-neighbors; an atom that moves more than skin/2 before that
  // (a "dangerous build") can leave an owned atom without all its neighbours: silently wrong forces.
  if (comm->me == 0 && (neighbor->delay > 0 || neighbor->every > 1 || !neighbor->dist_check))
    error->warning(FLERR, std::string("pair e3md: neigh_modify delay ") + std::to_string(neighbor->delay) + " every " +
                              std::to_string(neighbor->every) + (neighbor->dist_check ? " check yes" : " check no") +
                              ": ghost atoms may go stale between re-neighborings; use neigh_modify delay 0 every 1 check yes");
  // An owned atom's energy depends on atoms up to depth · r_max away; between neighbor-list
  // builds atoms move up to skin/2 each, so ghosts must be acquired out to depth · r_max + skin.
  const double need = depth_ * r_max_ + neighbor->skin;
  const double have = std::max(comm->cutghostuser, neighbor->cutneighmax);
  if (have < need - 1e-12)
    fail_all(FLERR, "pair e3md: the model needs ghost atoms out to interaction depth " + std::to_string(depth_) +
                          " x r_max " + format_double(r_max_) + " A + skin " + format_double(neighbor->skin) +
                          " A = " + format_double(need) + " A, but the ghost cutoff (communication cutoff) is " +
                          format_double(have) + " A: add `comm_modify cutoff " + format_double(std::ceil(need * 100) / 100) +
                          "` to the input, or run on 1 MPI rank (graph periodic needs no ghost shell)");
}

void PairE3md::compute(int eflag, int vflag)
{
  const auto t0 = std::chrono::steady_clock::now();
  ev_init(eflag, vflag);
  if (vflag_atom || cvflag_atom)
    fail_all(FLERR, "pair e3md computes no per-atom virial (compute stress/atom): the model returns the total "
                      "virial only");

  const int nlocal = atom->nlocal;
  const bool ghosts = ghost_graph();
  const int n = ghosts ? nlocal + atom->nghost : nlocal;
  const std::size_t bytes = e3md::COMPUTE_FIXED_BYTES + static_cast<std::size_t>(n) * (3 * sizeof(double) + sizeof(std::int32_t));
  request_.resize(bytes);
  unsigned char *p = request_.data();
  const std::int32_t head[4] = {n, nlocal, ghosts ? e3md::MODE_GHOSTS : e3md::MODE_PERIODIC,
                                domain->xperiodic | (domain->yperiodic << 1) | (domain->zperiodic << 2)};
  std::memcpy(p, head, sizeof head);
  // LAMMPS's h = (xprd, yprd, zprd, yz, xz, xy): rows a = (xprd, 0, 0), b = (xy, yprd, 0), c = (xz, yz, zprd).
  const double *h = domain->h;
  const double cell[10] = {h[0], 0.0, 0.0, h[5], h[1], 0.0, h[4], h[3], h[2], last_pair_s_};
  std::memcpy(p + 16, cell, sizeof cell);
  double *pos = reinterpret_cast<double *>(p + e3md::COMPUTE_FIXED_BYTES);
  std::int32_t *types = reinterpret_cast<std::int32_t *>(pos + 3 * static_cast<std::size_t>(n));
  double **x = atom->x;
  const int *type = atom->type;
  for (int i = 0; i < n; i++) {
    pos[3 * i] = x[i][0];
    pos[3 * i + 1] = x[i][1];
    pos[3 * i + 2] = x[i][2];
    types[i] = model_type_[type[i]];
  }

  std::string message;
  std::uint32_t kind = 0;
  auto &link = e3md::server_link();
  if (!link.send(e3md::KIND_COMPUTE, request_.data(), bytes, message) || !link.receive(kind, reply_, message))
    link_failed("evaluating " + model_ + " at step " + std::to_string(update->ntimestep), message);
  if (kind == e3md::KIND_FAILED)
    link_failed("evaluating " + model_ + " at step " + std::to_string(update->ntimestep), std::string(reply_.begin(), reply_.end()));
  const std::size_t expect = e3md::FORCES_FIXED_BYTES + sizeof(double) * (static_cast<std::size_t>(nlocal) + 3 * static_cast<std::size_t>(n));
  if (kind != e3md::KIND_FORCES || reply_.size() != expect)
    link_failed("evaluating " + model_, "unexpected reply (kind " + std::to_string(kind) + ", " + std::to_string(reply_.size()) +
                                            " bytes, expected " + std::to_string(expect) + ")");

  const double *r = reinterpret_cast<const double *>(reply_.data());
  const double energy = r[0];
  const double *W = r + 1;
  server_s_ += r[10];
  model_s_ += r[11];
  const double *atomic = r + 12;
  const double *forces = atomic + nlocal;
  double **f = atom->f;
  for (int i = 0; i < n; i++) {
    f[i][0] += forces[3 * i];
    f[i][1] += forces[3 * i + 1];
    f[i][2] += forces[3 * i + 2];
  }
  if (eflag_global) eng_vdwl += energy;
  if (eflag_atom)
    for (int i = 0; i < nlocal; i++) eatom[i] += atomic[i];
  if (vflag_global) {
    // LAMMPS's order xx, yy, zz, xy, xz, yz; W is symmetric up to round-off.
    virial[0] += W[0];
    virial[1] += W[4];
    virial[2] += W[8];
    virial[3] += 0.5 * (W[1] + W[3]);
    virial[4] += 0.5 * (W[2] + W[6]);
    virial[5] += 0.5 * (W[5] + W[7]);
  }
  last_pair_s_ = seconds_since(t0);
  pair_s_ += last_pair_s_;
  calls_++;
}
