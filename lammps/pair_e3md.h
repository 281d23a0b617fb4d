/* pair_style e3md: any e3md ONNX potential (DESIGN.md §5) as a LAMMPS pair style.

     pair_style e3md [threads N] [device cpu|auto|cuda|cuda:N|webgpu] [graph auto|periodic|ghosts]
     pair_coeff * * model.onnx O H        # element of each LAMMPS type, in type order

   The model runs in this rank's e3md model server (the `e3md lammps` process that started
   LAMMPS, one per MPI rank), reached over a socket (e3md_protocol.h). Each step the pair style
   sends positions and model types and gets back energy, forces, per-atom energies and the
   virial. Two graphs:
   - periodic (1 rank, the default there): owned atoms and the cell; the server finds periodic
     images itself, as `e3md eval` does, so models of any interaction depth need no ghost shell.
   - ghosts (the default on 2+ ranks): owned + ghost atoms as one open graph, energy_mask 1 on
     owned atoms; forces on ghosts go back to their owners by LAMMPS's reverse communication
     (newton on). A model of interaction depth L needs ghosts out to L · r_max + skin: LAMMPS's
     ghost cutoff covers that by itself for L = 1 (Allegro); NequIP needs comm_modify cutoff.
   Units metal (Å, eV). Energies per atom (compute pe/atom) and the global virial (pressure,
   NPT) are supported; per-atom virials are not (the model returns the total only). */
#ifdef PAIR_CLASS
// For a LAMMPS built from source with these files in src/ (style_pair.h picks this up); the
// Debian-library executable (main.cpp) registers the style itself.
// clang-format off
PairStyle(e3md,PairE3md);
// clang-format on
#else

#ifndef E3MD_PAIR_E3MD_H
#define E3MD_PAIR_E3MD_H

#include "pair.h"

#include <string>
#include <vector>

namespace LAMMPS_NS {

class PairE3md : public Pair {
 public:
  explicit PairE3md(class LAMMPS *);
  ~PairE3md() override;
  void compute(int, int) override;
  void settings(int, char **) override;
  void coeff(int, char **) override;
  void init_style() override;
  double init_one(int, int) override;
  void setup() override;

  /* The factory LAMMPS's style map holds (Force::pair_map). */
  static Pair *creator(class LAMMPS *);

 private:
  enum class Graph { AUTO, PERIODIC, GHOSTS };

  void allocate();
  bool ghost_graph() const;
  [[noreturn]] void fail_all(const char *file, int line, const std::string &message);
  [[noreturn]] void fail_one(const char *file, int line, const std::string &message);
  [[noreturn]] void link_failed(const std::string &what, const std::string &message);

  int threads_ = 1;
  std::string device_ = "auto";
  Graph graph_ = Graph::AUTO;

  bool loaded_ = false;
  std::string model_;
  double r_max_ = 0.0;
  int depth_ = 1;
  std::vector<int> model_type_;  // model type index of each LAMMPS type (1-based)

  std::vector<unsigned char> request_;
  std::vector<unsigned char> reply_;

  // Cumulative seconds, for the summary printed when the pair style is deleted.
  long calls_ = 0;
  double pair_s_ = 0.0, server_s_ = 0.0, model_s_ = 0.0, last_pair_s_ = 0.0;
};

}  // namespace LAMMPS_NS

#endif
#endif
