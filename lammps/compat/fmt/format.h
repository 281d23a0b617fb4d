/* Debian's liblammps-dev headers include "fmt/format.h" but do not ship LAMMPS's bundled copy of
   {fmt}; Debian's libfmt-dev (9.x) provides the library, which no longer declares
   make_args_checked, a name LAMMPS's logging templates mention. The pair style never calls those
   templates (it passes std::string messages), so declaring the name is enough for the headers
   to compile. */
#ifndef E3MD_COMPAT_FMT_FORMAT_H
#define E3MD_COMPAT_FMT_FORMAT_H

#include_next <fmt/format.h>

namespace fmt {
template <typename... Args, typename S>
inline auto make_args_checked(const S &, const Args &...args)
{
  return fmt::make_format_args(args...);
}
}  // namespace fmt

#endif
