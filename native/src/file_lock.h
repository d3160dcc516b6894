// Advisory whole-file locks (flock(2)). Node has no flock; a lock taken this way belongs to the open file, so the
// kernel drops it when its holder exits or dies (kill -9, power cut), and it can never outlive the daemon.
#ifndef HUSHSCRIBE_NATIVE_FILE_LOCK_H_
#define HUSHSCRIBE_NATIVE_FILE_LOCK_H_

namespace hushscribe {

// Takes an exclusive lock on the open file fd without waiting. Returns false when another open file holds it;
// throws std::runtime_error (with the errno text) on any other failure, e.g. a bad fd.
bool TryLockFile(int fd);

}  // namespace hushscribe

#endif  // HUSHSCRIBE_NATIVE_FILE_LOCK_H_
