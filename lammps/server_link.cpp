#include "server_link.h"

#include "e3md_protocol.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace e3md {

namespace {
const char *const NOT_STARTED =
    "pair_style e3md needs its e3md model server: run LAMMPS as `e3md lammps <LAMMPS arguments>` "
    "(under MPI: mpirun -np N npx e3md lammps -in in.lammps)";
}

bool ServerLink::open(std::string &error)
{
  if (fd_ >= 0) return true;
  const char *text = std::getenv("E3MD_LAMMPS_FD");
  if (!text || !*text) {
    error = NOT_STARTED;
    return false;
  }
  char *end = nullptr;
  long fd = std::strtol(text, &end, 10);
  struct stat st;
  if (*end != '\0' || fd < 0 || fstat(static_cast<int>(fd), &st) != 0 || !S_ISSOCK(st.st_mode)) {
    error = std::string("E3MD_LAMMPS_FD=") + text + " is not an open socket. " + NOT_STARTED;
    return false;
  }
  // The parent's event loop may hand the descriptor over in non-blocking mode; this side waits.
  int flags = fcntl(static_cast<int>(fd), F_GETFL);
  if (flags >= 0) fcntl(static_cast<int>(fd), F_SETFL, flags & ~O_NONBLOCK);
  // Programs that LAMMPS itself starts (shell commands) must not inherit the server's socket.
  fcntl(static_cast<int>(fd), F_SETFD, FD_CLOEXEC);
  fd_ = static_cast<int>(fd);
  return true;
}

bool ServerLink::write_all(const void *data, std::size_t bytes, std::string &error)
{
  const char *p = static_cast<const char *>(data);
  while (bytes > 0) {
    // MSG_NOSIGNAL: a server that has gone away is an error message, not a SIGPIPE.
    ssize_t k = ::send(fd_, p, bytes, MSG_NOSIGNAL);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) {
      error = std::string("the e3md model server is gone (") + std::strerror(errno) + "); its message, if any, is above";
      return false;
    }
    p += k;
    bytes -= static_cast<std::size_t>(k);
  }
  return true;
}

bool ServerLink::read_all(void *data, std::size_t bytes, std::string &error)
{
  char *p = static_cast<char *>(data);
  while (bytes > 0) {
    ssize_t k = ::recv(fd_, p, bytes, 0);
    if (k < 0 && errno == EINTR) continue;
    if (k == 0) {
      error = "the e3md model server closed the connection; its message, if any, is above";
      return false;
    }
    if (k < 0) {
      error = std::string("reading from the e3md model server failed: ") + std::strerror(errno);
      return false;
    }
    p += k;
    bytes -= static_cast<std::size_t>(k);
  }
  return true;
}

bool ServerLink::send(std::uint32_t kind, const void *payload, std::size_t bytes, std::string &error)
{
  if (fd_ < 0) {
    error = NOT_STARTED;
    return false;
  }
  unsigned char header[HEADER_BYTES];
  const std::uint32_t magic = MAGIC;
  const std::uint64_t size = bytes;
  std::memcpy(header, &magic, 4);
  std::memcpy(header + 4, &kind, 4);
  std::memcpy(header + 8, &size, 8);
  return write_all(header, HEADER_BYTES, error) && write_all(payload, bytes, error);
}

bool ServerLink::receive(std::uint32_t &kind, std::vector<unsigned char> &payload, std::string &error)
{
  unsigned char header[HEADER_BYTES];
  if (!read_all(header, HEADER_BYTES, error)) return false;
  std::uint32_t magic;
  std::uint64_t size;
  std::memcpy(&magic, header, 4);
  std::memcpy(&kind, header + 4, 4);
  std::memcpy(&size, header + 8, 8);
  if (magic != MAGIC) {
    error = "the e3md model server sent a message that is not of the e3md protocol (bad magic number)";
    return false;
  }
  payload.resize(size);
  return read_all(payload.data(), size, error);
}

ServerLink &server_link()
{
  static ServerLink link;
  return link;
}

}  // namespace e3md
