#include "sd_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <stdexcept>

namespace hushscribe {

void SdNotify(const std::string& socket_name, const std::string& message) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket_name.empty() || socket_name.size() >= sizeof(address.sun_path)) {
    throw std::runtime_error("sd_notify: socket name must be 1 to " + std::to_string(sizeof(address.sun_path) - 1) +
                             " characters");
  }
  if (socket_name[0] != '/' && socket_name[0] != '@') {
    throw std::runtime_error("sd_notify: socket name must be an absolute path or start with '@' (abstract)");
  }
  std::memcpy(address.sun_path, socket_name.data(), socket_name.size());
  socklen_t length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_name.size());
  if (socket_name[0] == '@') {
    address.sun_path[0] = '\0';  // abstract namespace; the length, not a terminator, ends the name
  } else {
    length += 1;
  }
  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("sd_notify: socket() failed: ") + std::strerror(errno));
  const ssize_t sent = sendto(fd, message.data(), message.size(), MSG_NOSIGNAL,
                              reinterpret_cast<const sockaddr*>(&address), length);
  const int send_errno = errno;
  close(fd);
  if (sent < 0) {
    throw std::runtime_error("sd_notify: sending to " + socket_name + " failed: " + std::strerror(send_errno));
  }
}

}  // namespace hushscribe
