// qahan/memory.h - large buffers on transparent huge pages where Linux offers them (THP in "madvise"
// mode): the first touch of fresh memory costs a page fault per 4 KiB page (about 10 us each on some
// virtual machines: ~30 ms for the 8 MB of a dense n = 1000 model), one per 2 MiB page with huge pages.
#pragma once
#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>
#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace qahan {

inline void adviseHugePages(const void* p, size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr uintptr_t kHuge = uintptr_t(1) << 21;
  const uintptr_t a = reinterpret_cast<uintptr_t>(p), e = a + bytes;
  const uintptr_t b = (a + kHuge - 1) & ~(kHuge - 1), c = e & ~(kHuge - 1);
  if (c > b) madvise(reinterpret_cast<void*>(b), c - b, MADV_HUGEPAGE);
#else
  (void)p, (void)bytes;
#endif
}

// Empties v and reserves room for n elements, not yet touched, on huge pages when that is large.
template <class T>
void reserveHuge(std::vector<T>& v, size_t n) {
  std::vector<T>().swap(v);
  v.reserve(n);
  if (n * sizeof(T) >= (size_t(4) << 20)) adviseHugePages(v.data(), n * sizeof(T));
}

// Buffers that are filled once per call and handed on or dropped: the samples a call returns (Pages::Small)
// and the packed kernel's states (Pages::Huge). From kLargeFrom bytes up (on Linux) they are mappings of
// their own, and up to kLargePoolBytes of released ones are kept mapped for the next call. On the VM this
// was tuned on, first touches of fresh memory cost ~2.5 ms per MiB of 4 KiB pages one fault at a time,
// ~1.2 ms populated by the kernel in one call (MAP_POPULATE), ~0.15 ms per 2 MiB huge page the host still
// backs but ~4 ms per one it does not (the guest hands free 2 MiB blocks back to the host after ~2 s, so
// which one a call gets is luck); a kept buffer costs nothing. Hence: samples on populated 4 KiB pages,
// states (reused call after call through the pool, 2.1 MiB for SQA's 512 reads x 16 slices) on huge pages.
enum class Pages { Small, Huge };
#if defined(__linux__) && defined(MADV_HUGEPAGE)
constexpr size_t kLargeFrom = size_t(1) << 19;  // 512 KiB: 512 reads of 2,000 variables hold 0.98 MiB
#else
constexpr size_t kLargeFrom = ~size_t(0);  // always malloc
#endif
constexpr size_t kHugePage = size_t(1) << 21;
constexpr size_t kLargePoolBytes = size_t(16) << 20;

// The bytes allocateLarge(bytes, kind) holds: whole 64-byte lines; from kLargeFrom up whole 4 KiB pages
// (Small) or 2 MiB pages (Huge).
inline size_t largeBytes(size_t bytes, Pages kind) {
  bytes = bytes ? (bytes + 63) / 64 * 64 : 64;
  if (bytes < kLargeFrom) return bytes;
  const size_t page = kind == Pages::Huge ? kHugePage : 4096;
  return (bytes + page - 1) / page * page;
}

// 64-byte aligned memory of at least `bytes` bytes, not zeroed; throws std::bad_alloc. Give it back with
// releaseLarge and the same `bytes` and `kind`.
void* allocateLarge(size_t bytes, Pages kind);
void releaseLarge(void* p, size_t bytes, Pages kind) noexcept;

// A std::vector allocator over allocateLarge.
template <class T, Pages K>
struct LargeAllocator {
  using value_type = T;
  template <class U>
  struct rebind {
    using other = LargeAllocator<U, K>;
  };
  LargeAllocator() = default;
  template <class U>
  LargeAllocator(const LargeAllocator<U, K>&) noexcept {}
  T* allocate(size_t n) {
    if (n > size_t(-1) / 2 / sizeof(T)) throw std::bad_alloc();
    return static_cast<T*>(allocateLarge(n * sizeof(T), K));
  }
  void deallocate(T* p, size_t n) noexcept { releaseLarge(p, n * sizeof(T), K); }
  template <class U>
  bool operator==(const LargeAllocator<U, K>&) const noexcept { return true; }
  template <class U>
  bool operator!=(const LargeAllocator<U, K>&) const noexcept { return false; }
};

template <class T>
using LargeVector = std::vector<T, LargeAllocator<T, Pages::Small>>;
template <class T>
using HugeVector = std::vector<T, LargeAllocator<T, Pages::Huge>>;

// The bytes a vector's buffer holds (what garbage collection should be told when JS owns it).
template <class T, class A>
size_t heldBytes(const std::vector<T, A>& v) {
  return v.capacity() * sizeof(T);
}
template <class T, Pages K>
size_t heldBytes(const std::vector<T, LargeAllocator<T, K>>& v) {
  return v.capacity() ? largeBytes(v.capacity() * sizeof(T), K) : 0;
}

}  // namespace qahan
