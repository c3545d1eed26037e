// qahan/memory.h - large buffers on transparent huge pages where Linux offers them (THP in "madvise"
// mode): the first touch of fresh memory costs a page fault per 4 KiB page (about 10 us each on some
// virtual machines: ~30 ms for the 8 MB of a dense n = 1000 model), one per 2 MiB page with huge pages.
#pragma once
#include <cstddef>
#include <cstdint>
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

}  // namespace qahan
