#include "file_lock.h"

#include <sys/file.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace hushscribe {

bool TryLockFile(int fd) {
  for (;;) {
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) return true;
    if (errno == EWOULDBLOCK) return false;
    if (errno != EINTR) throw std::runtime_error(std::string("flock failed: ") + std::strerror(errno));
  }
}

}  // namespace hushscribe
