// systemd's notification protocol: one datagram to the unix socket named by $NOTIFY_SOCKET. Node has no
// unix datagram sockets, hence native.
#ifndef HUSHSCRIBE_NATIVE_SD_NOTIFY_H_
#define HUSHSCRIBE_NATIVE_SD_NOTIFY_H_

#include <string>

namespace hushscribe {

// Sends message to socket_name: a filesystem path, or an abstract name written with a leading '@'.
// Throws std::runtime_error (with the errno text) when the socket name is unusable or sending fails.
void SdNotify(const std::string& socket_name, const std::string& message);

}  // namespace hushscribe

#endif  // HUSHSCRIBE_NATIVE_SD_NOTIFY_H_
