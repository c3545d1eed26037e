// Large buffers (qahan/memory.h): mappings of their own, populated up front (4 KiB pages) or advised onto
// huge pages, and a small pool of released ones kept mapped for the next call.
#include "qahan/memory.h"

#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

namespace qahan {

namespace {

struct Kept {
  void* p;
  size_t bytes;
  Pages kind;
};

struct Pool {
  std::mutex mutex;
  std::vector<Kept> kept;  // oldest first
  size_t bytes = 0;
};

Pool& pool() {
  static Pool* p = new Pool;  // never destroyed: buffers may be released while the process exits
  return *p;
}

#if defined(__linux__) && defined(MADV_HUGEPAGE)
// A fresh mapping of `held` bytes. Small: populated by the kernel in one call (no fault per page). Huge:
// 2 MiB aligned (map 2 MiB more, unmap the ends) and advised onto huge pages (a hint: else plain pages).
void* mapFresh(size_t held, Pages kind) {
  if (kind == Pages::Small) {
    void* m = mmap(nullptr, held, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    return m == MAP_FAILED ? nullptr : m;
  }
  void* m = mmap(nullptr, held + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) return nullptr;
  const uintptr_t a = reinterpret_cast<uintptr_t>(m), b = (a + kHugePage - 1) & ~(kHugePage - 1);
  if (b > a) munmap(m, b - a);
  munmap(reinterpret_cast<void*>(b + held), a + kHugePage - b);
  madvise(reinterpret_cast<void*>(b), held, MADV_HUGEPAGE);
  return reinterpret_cast<void*>(b);
}
#endif

}  // namespace

void* allocateLarge(size_t bytes, Pages kind) {
  const size_t held = largeBytes(bytes, kind);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (held >= kLargeFrom) {
    {
      Pool& pl = pool();
      std::lock_guard<std::mutex> lock(pl.mutex);
      for (size_t i = pl.kept.size(); i-- > 0;)  // the most recently kept first
        if (pl.kept[i].bytes == held && pl.kept[i].kind == kind) {
          void* p = pl.kept[i].p;
          pl.kept.erase(pl.kept.begin() + static_cast<std::ptrdiff_t>(i));
          pl.bytes -= held;
          return p;
        }
    }
    void* p = mapFresh(held, kind);
    if (!p) throw std::bad_alloc();
    return p;
  }
#endif
  void* p = std::aligned_alloc(64, held);
  if (!p) throw std::bad_alloc();
  return p;
}

void releaseLarge(void* p, size_t bytes, Pages kind) noexcept {
  if (!p) return;
  const size_t held = largeBytes(bytes, kind);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (held >= kLargeFrom) {
    if (held > kLargePoolBytes) {
      munmap(p, held);
      return;
    }
    // Kept, and the oldest kept ones unmapped past the pool's size.
    std::vector<Kept> drop;
    {
      Pool& pl = pool();
      std::lock_guard<std::mutex> lock(pl.mutex);
      pl.kept.push_back({p, held, kind});
      pl.bytes += held;
      size_t k = 0;
      while (pl.bytes > kLargePoolBytes) pl.bytes -= pl.kept[k++].bytes;
      drop.assign(pl.kept.begin(), pl.kept.begin() + static_cast<std::ptrdiff_t>(k));
      pl.kept.erase(pl.kept.begin(), pl.kept.begin() + static_cast<std::ptrdiff_t>(k));
    }
    for (const Kept& d : drop) munmap(d.p, d.bytes);
    return;
  }
#endif
  std::free(p);
}

}  // namespace qahan
