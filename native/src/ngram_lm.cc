#include "ngram_lm.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace hushscribe {
namespace {

constexpr char kMagic[8] = {'H', 'S', 'N', 'G', 'R', 'A', 'M', '1'};
constexpr uint32_t kVersion = 1;
constexpr size_t kHeaderBytes = 80;
constexpr size_t kCodebook = 256;

size_t Align4(size_t x) { return (x + 3) & ~size_t(3); }

template <class T>
T Read(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace

uint32_t Fnv1a32(const uint8_t* data, size_t size) {
  uint32_t h = 0x811c9dc5u;
  for (size_t i = 0; i < size; ++i) {
    h ^= data[i];
    h *= 0x01000193u;
  }
  return h;
}

NgramLm::NgramLm(const std::string& path) : path_(path) {
  auto fail = [&](const std::string& why) { return std::runtime_error(path + ": " + why); };
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw fail(std::string("cannot open the language model (") + std::strerror(errno) + ")");
  struct stat st;
  if (fstat(fd, &st) != 0) {
    close(fd);
    throw fail("cannot stat the language model");
  }
  bytes_ = static_cast<size_t>(st.st_size);
  if (bytes_ < kHeaderBytes) {
    close(fd);
    throw fail("not a hushscribe binary LM: " + std::to_string(bytes_) + " bytes, shorter than the header (truncated?)");
  }
  map_ = mmap(nullptr, bytes_, PROT_READ, MAP_SHARED, fd, 0);
  close(fd);
  if (map_ == MAP_FAILED) {
    map_ = nullptr;
    throw fail(std::string("cannot map the language model (") + std::strerror(errno) + ")");
  }
  try {
    const auto* base = static_cast<const uint8_t*>(map_);
    if (std::memcmp(base, kMagic, sizeof kMagic) != 0) throw fail("not a hushscribe binary LM (bad magic; ARPA files need 'hushscribe lm convert')");
    const uint32_t version = Read<uint32_t>(base + 8);
    if (version != kVersion) throw fail("binary LM version " + std::to_string(version) + " is not supported (expected " + std::to_string(kVersion) + ")");
    order_ = static_cast<int>(Read<uint32_t>(base + 12));
    vocab_size_ = Read<uint32_t>(base + 16);
    bos_ = Read<uint32_t>(base + 20);
    eos_ = Read<uint32_t>(base + 24);
    unk_ = Read<uint32_t>(base + 28);
    for (int n = 0; n < kMaxNgramOrder; ++n) counts_[n] = Read<uint32_t>(base + 32 + 4 * n);
    vocab_bytes_ = Read<uint64_t>(base + 56);
    const uint64_t declared = Read<uint64_t>(base + 64);
    const uint64_t checksum = Read<uint64_t>(base + 72);
    if (order_ < 1 || order_ > kMaxNgramOrder) throw fail("bad header: order " + std::to_string(order_));
    if (vocab_size_ < 3 || vocab_size_ >= (1u << 24) || counts_[0] != vocab_size_ || bos_ >= vocab_size_ || eos_ >= vocab_size_ || unk_ >= vocab_size_) {
      throw fail("bad header: vocabulary of " + std::to_string(vocab_size_) + " words");
    }
    // Section sizes follow from the header; compute them in 64 bits so a hostile header cannot wrap around.
    uint64_t expected = kHeaderBytes + Align4(vocab_bytes_);
    for (int n = 1; n <= order_; ++n) {
      const uint64_t c = counts_[n - 1];
      const bool top = n == order_;
      expected += kCodebook * 4 * (top ? 1 : 2);
      expected += Align4((n == 1 ? 0 : 3 * c) + c + (top ? 0 : c));
      if (!top) expected += 4 * (c + 1);
    }
    if (declared != bytes_ || expected != bytes_) {
      throw fail("truncated or damaged binary LM: " + std::to_string(bytes_) + " bytes, the header says " + std::to_string(declared) + " and its counts need " + std::to_string(expected));
    }
    if (Fnv1a32(base + kHeaderBytes, bytes_ - kHeaderBytes) != checksum) throw fail("corrupt binary LM: checksum mismatch");

    const uint8_t* p = base + kHeaderBytes;
    vocab_ = reinterpret_cast<const char*>(p);
    uint32_t words = 0;
    for (size_t i = 0; i < vocab_bytes_; ++i) words += vocab_[i] == '\0';
    if (words != vocab_size_ || (vocab_bytes_ > 0 && vocab_[vocab_bytes_ - 1] != '\0')) throw fail("bad vocabulary section");
    p += Align4(vocab_bytes_);
    for (int n = 1; n <= order_; ++n) {
      Level& level = levels_[n - 1];
      const uint32_t c = counts_[n - 1];
      const bool top = n == order_;
      level.prob_codes = reinterpret_cast<const float*>(p);
      p += kCodebook * 4;
      if (!top) {
        level.backoff_codes = reinterpret_cast<const float*>(p);
        p += kCodebook * 4;
      }
      const uint8_t* start = p;
      if (n > 1) {
        level.words = p;
        p += 3 * size_t(c);
      }
      level.prob = p;
      p += c;
      if (!top) {
        level.backoff = p;
        p += c;
      }
      p = start + Align4(size_t(p - start));
      if (!top) {
        level.child = reinterpret_cast<const uint32_t*>(p);
        p += 4 * (size_t(c) + 1);
        const uint32_t next = counts_[n];
        if (level.child[0] != 0 || level.child[c] != next) throw fail("bad index of order " + std::to_string(n));
      }
    }
  } catch (...) {
    munmap(map_, bytes_);
    map_ = nullptr;
    throw;
  }
  // The checksum pass touched every page, and mapped pages count in the process's RSS. Dropping them from this
  // mapping leaves them in the page cache: decoding maps back only those it reads (14 MB less at idle).
  madvise(map_, bytes_, MADV_DONTNEED);
}

NgramLm::~NgramLm() {
  if (map_) munmap(map_, bytes_);
}

uint32_t NgramLm::WordAt(int n, uint32_t i) const {
  const uint8_t* w = levels_[n - 1].words + 3 * size_t(i);
  return uint32_t(w[0]) | (uint32_t(w[1]) << 8) | (uint32_t(w[2]) << 16);
}

int64_t NgramLm::Find(int n, uint32_t begin, uint32_t end, uint32_t word) const {
  // Child ranges come from the file: clamp them so a bad index can never read outside the section.
  end = std::min(end, counts_[n - 1]);
  while (begin < end) {
    const uint32_t mid = begin + (end - begin) / 2;
    const uint32_t w = WordAt(n, mid);
    if (w == word) return mid;
    if (w < word) begin = mid + 1;
    else end = mid;
  }
  return -1;
}

double NgramLm::LogProb(const uint32_t* history, int history_len, uint32_t word) const {
  if (word >= vocab_size_) word = unk_;
  const int used = std::min(history_len, order_ - 1);
  const uint32_t* h = history + (history_len - used);
  // Longest context first: ctx[k] is the entry of h[used-k..used) at order k (k = 1..used), -1 where absent.
  int64_t ctx[kMaxNgramOrder] = {};
  int found = 0;
  for (int k = 1; k <= used; ++k) {
    const uint32_t w = h[used - k];
    if (w >= vocab_size_) break;
    // The order-k context is the words h[used-k], ..., h[used-1]; walk from its first word.
    int64_t entry = w;
    for (int j = 2; j <= k && entry >= 0; ++j) {
      const Level& up = levels_[j - 2];
      entry = Find(j, up.child[entry], up.child[entry + 1], h[used - k + j - 1]);
    }
    if (entry < 0) break;
    ctx[k] = entry;
    found = k;
  }
  double backoff = 0;
  for (int k = found; k >= 1; --k) {
    const Level& level = levels_[k - 1];
    const int64_t e = Find(k + 1, level.child[ctx[k]], level.child[ctx[k] + 1], word);
    if (e >= 0) {
      const Level& next = levels_[k];
      return backoff + next.prob_codes[next.prob[e]];
    }
    backoff += level.backoff_codes[level.backoff[ctx[k]]];
  }
  return backoff + levels_[0].prob_codes[levels_[0].prob[word]];
}

}  // namespace hushscribe
