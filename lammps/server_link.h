/* The pair style's end of the socket to its e3md model server (e3md_protocol.h): blocking,
   whole-message reads and writes. Failures come back as false plus a message, so that the pair
   style turns them into a LAMMPS error instead of a crash. */
#ifndef E3MD_SERVER_LINK_H
#define E3MD_SERVER_LINK_H

#include <cstdint>
#include <string>
#include <vector>

namespace e3md {

class ServerLink {
 public:
  /* Takes the descriptor named by the environment variable E3MD_LAMMPS_FD (set by `e3md lammps`).
     Returns false with `error` set when it is absent or not a socket. */
  bool open(std::string &error);
  bool is_open() const { return fd_ >= 0; }

  /* Sends one message: header, then the payload. */
  bool send(std::uint32_t kind, const void *payload, std::size_t bytes, std::string &error);

  /* Receives one message into `payload` (resized to its length). */
  bool receive(std::uint32_t &kind, std::vector<unsigned char> &payload, std::string &error);

 private:
  bool write_all(const void *data, std::size_t bytes, std::string &error);
  bool read_all(void *data, std::size_t bytes, std::string &error);
  int fd_ = -1;
};

/* One link per process: LAMMPS may create and delete the pair style several times (`clear`,
   a new `pair_style`), and each instance talks to the same server. */
ServerLink &server_link();

}  // namespace e3md

#endif
