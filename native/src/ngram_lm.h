// A word n-gram LM in hushscribe's binary format (written by scripts/lm/arpa-to-binary.ts), opened by mmap.
//
// Layout (little-endian; every section starts on a 4-byte boundary):
//   header (80 bytes): magic "HSNGRAM1", u32 version, order, vocab size, <s>, </s>, <unk> ids, u32 counts[6],
//                      u64 vocab bytes, u64 file bytes, u64 FNV-1a 32 checksum of everything after the header
//   vocabulary: the words, byte-sorted, each ending in '\0' (a word's id is its rank)
//   per order n: f32 probability codebook[256]; below the top order also f32 back-off codebook[256]
//   order 1:  u8 prob[V], u8 backoff[V] (order > 1), u32 child[V + 1]
//   order n:  u8 word[3 * count] (24-bit ids), u8 prob[count]; below the top order u8 backoff[count] and
//             u32 child[count + 1]. Entries are sorted by (context, word); child[i]..child[i+1] is the range of
//             entries of order n+1 whose context is entry i.
// Values are natural logs, quantised to 256 levels per order and kind; sections are found from the header counts,
// so a truncated file is caught by its size and a corrupted one by the checksum before anything is read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace hushscribe {

constexpr int kMaxNgramOrder = 6;

class NgramLm {
 public:
  // Maps and checks the file; throws std::runtime_error with the path and what is wrong.
  explicit NgramLm(const std::string& path);
  ~NgramLm();
  NgramLm(const NgramLm&) = delete;
  NgramLm& operator=(const NgramLm&) = delete;

  int order() const { return order_; }
  uint32_t vocab_size() const { return vocab_size_; }
  uint32_t bos() const { return bos_; }
  uint32_t eos() const { return eos_; }
  uint32_t unk() const { return unk_; }
  uint32_t count(int n) const { return counts_[n - 1]; }
  size_t file_bytes() const { return bytes_; }
  // The '\0'-separated vocabulary section.
  const char* vocab() const { return vocab_; }
  size_t vocab_bytes() const { return vocab_bytes_; }

  // ln p(word | history), history oldest first (its last order-1 words are used), with back-off.
  double LogProb(const uint32_t* history, int history_len, uint32_t word) const;

 private:
  struct Level {
    const float* prob_codes = nullptr;
    const float* backoff_codes = nullptr;
    const uint8_t* words = nullptr;  // 3 bytes an entry; null for order 1 (the entry index is the word id)
    const uint8_t* prob = nullptr;
    const uint8_t* backoff = nullptr;
    const uint32_t* child = nullptr;
  };
  // Index of `word` among entries [begin, end) of order n (n >= 2), or -1.
  int64_t Find(int n, uint32_t begin, uint32_t end, uint32_t word) const;
  uint32_t WordAt(int n, uint32_t i) const;

  std::string path_;
  void* map_ = nullptr;
  size_t bytes_ = 0;
  int order_ = 0;
  uint32_t vocab_size_ = 0, bos_ = 0, eos_ = 0, unk_ = 0;
  uint32_t counts_[kMaxNgramOrder] = {};
  const char* vocab_ = nullptr;
  size_t vocab_bytes_ = 0;
  Level levels_[kMaxNgramOrder];
};

// FNV-1a 32 over bytes: the format's checksum (enough to catch damage; not a defence against tampering).
uint32_t Fnv1a32(const uint8_t* data, size_t size);

}  // namespace hushscribe
