/* The wire protocol between pair_style e3md (C++, in the LAMMPS process) and its e3md model
   server (TypeScript, cli/lammps/protocol.ts, the `e3md lammps` process that started LAMMPS).
   Both sides declare the same numbers; test/lammps/protocol.test.ts reads this file and checks
   that they agree.

   One stream socket per MPI rank (inherited as file descriptor E3MD_LAMMPS_FD), strictly
   request → reply, native little-endian. Every message is a 16-byte header
     uint32 magic, uint32 kind, uint64 payload bytes
   followed by the payload.

   LOAD (text, "key=value" lines): model, elements (one per LAMMPS type, space separated),
     device, threads, rank, ranks.
     → READY (text): r_max (Å), interaction_depth, dtype, architecture, type_names (the model's,
       comma separated), type_ids (model index of each LAMMPS type, space separated)
     → FAILED (text): the message, for LAMMPS to print.
   COMPUTE (binary, offsets in bytes):
       0 int32 n atoms sent, 4 int32 owned (the first `owned` atoms; the rest are ghosts),
       8 int32 mode (MODE_PERIODIC: all atoms owned, the server finds periodic images in the
         cell; MODE_GHOSTS: the server builds an open graph over owned + ghost atoms),
      12 int32 periodic axes (bit k for axis k), 16 float64 cell[9] (rows a, b, c, Å),
      88 float64 seconds the pair style spent on the previous COMPUTE,
      96 float64 positions [n][3] (Å), then int32 model type [n].
     → FORCES (binary): float64 energy (eV, owned atoms), float64 virial[9] (eV, row-major,
       W = −Σ r_ij ⊗ ∂E/∂r_ij), float64 seconds in the server, float64 seconds in onnxruntime,
       float64 atomic energy [owned] (eV), float64 forces [n][3] (eV/Å, ghosts included).
     → FAILED (text).
   DONE (binary): float64 seconds of the last COMPUTE, sent when the pair style is deleted
   (`clear`, a new pair_style, the end of the input); no reply. The socket itself closes when
   LAMMPS exits. */
#ifndef E3MD_PROTOCOL_H
#define E3MD_PROTOCOL_H

#include <cstdint>

namespace e3md {

constexpr std::uint32_t MAGIC = 0x444d3345;  // "E3MD" in memory order
constexpr std::uint32_t KIND_LOAD = 1;
constexpr std::uint32_t KIND_COMPUTE = 2;
constexpr std::uint32_t KIND_DONE = 3;
constexpr std::uint32_t KIND_READY = 17;
constexpr std::uint32_t KIND_FORCES = 18;
constexpr std::uint32_t KIND_FAILED = 31;

constexpr std::int32_t MODE_PERIODIC = 0;
constexpr std::int32_t MODE_GHOSTS = 1;

constexpr std::size_t HEADER_BYTES = 16;
constexpr std::size_t COMPUTE_FIXED_BYTES = 96;
constexpr std::size_t FORCES_FIXED_BYTES = 96;

}  // namespace e3md

#endif
