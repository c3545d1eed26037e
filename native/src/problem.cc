#include "qahan/problem.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include "qahan/memory.h"
#include "qahan/prepared.h"

namespace qahan {

double Model::energy(const int8_t* x) const {
  double e = offset;
  for (int i = 0; i < n; ++i) e += linear[i] * x[i];
  for (size_t k = 0; k < row.size(); ++k) e += bias[k] * (x[row[k]] * x[col[k]]);
  if (!dense.empty()) {
    const size_t N = static_cast<size_t>(n);
    for (size_t i = 0; i < N; ++i) {
      if (x[i] == 0) continue;
      const double* r = dense.data() + i * N;
      double acc = 0.0;
      for (size_t j = i + 1; j < N; ++j) acc += r[j] * x[j];
      e += acc * x[i];
    }
  }
  return e;
}

void Model::energies(const int8_t* x, size_t count, double* out) const {
  constexpr size_t B = 8;
  const size_t N = static_cast<size_t>(n);
  size_t r = 0;
  if (dense.empty()) {
    for (; r + B <= count; r += B) {
      const int8_t* s[B];
      double e[B];
      for (size_t b = 0; b < B; ++b) s[b] = x + (r + b) * N, e[b] = offset;
      for (size_t i = 0; i < N; ++i)
        for (size_t b = 0; b < B; ++b) e[b] += linear[i] * s[b][i];
      for (size_t k = 0; k < row.size(); ++k) {
        const double c = bias[k];
        const uint32_t u = row[k], v = col[k];
        for (size_t b = 0; b < B; ++b) e[b] += c * (s[b][u] * s[b][v]);
      }
      for (size_t b = 0; b < B; ++b) out[r + b] = e[b];
    }
  }
  for (; r < count; ++r) out[r] = energy(x + r * N);
}


Problem toProblem(const Model& m) {
  Problem p;
  const int n = m.n;
  const size_t N = static_cast<size_t>(n);
  p.n = n;
  p.vartype = m.vartype;
  const bool binary = m.vartype == Vartype::Binary;
  const double scale = binary ? 0.25 : 1.0;

  size_t pairs = m.row.size();
  if (!m.dense.empty())
    for (size_t i = 0; i < N; ++i)
      for (size_t j = i + 1; j < N; ++j) pairs += m.dense[i * N + j] != 0.0;
  const double full = 0.5 * static_cast<double>(N) * static_cast<double>(N > 0 ? N - 1 : 0);
  p.dense = n <= kDenseAlways || static_cast<double>(pairs) >= kDenseDensity * full;

  p.h.assign(N, 0.0);
  p.c = m.offset;
  for (size_t i = 0; i < N; ++i) {
    p.h[i] = binary ? 0.5 * m.linear[i] : m.linear[i];
    if (binary) p.c += 0.5 * m.linear[i];
  }

  std::vector<std::tuple<uint32_t, uint32_t, double>> trip;  // CSR only
  if (p.dense)
    reserveHuge(p.J, N * N), p.J.assign(N * N, 0.0);
  else
    trip.reserve(2 * pairs);
  auto add = [&](uint32_t i, uint32_t j, double v) {
    if (v == 0.0) return;
    const double q = v * scale;
    if (binary) {
      p.h[i] += q;
      p.h[j] += q;
      p.c += q;
    }
    if (p.dense) {
      // The upper triangle only (row-wise writes); mirrored below, the same sums in the same order.
      p.J[std::min(i, j) * N + std::max(i, j)] += q;
    } else {
      trip.emplace_back(i, j, q);
      trip.emplace_back(j, i, q);
    }
  };
  for (size_t k = 0; k < m.row.size(); ++k) add(m.row[k], m.col[k], m.bias[k]);
  if (!m.dense.empty())
    for (size_t i = 0; i < N; ++i)
      for (size_t j = i + 1; j < N; ++j) add(static_cast<uint32_t>(i), static_cast<uint32_t>(j), m.dense[i * N + j]);

  if (p.dense) {
    constexpr size_t kBlock = 32;
    for (size_t i0 = 0; i0 < N; i0 += kBlock)
      for (size_t j0 = i0; j0 < N; j0 += kBlock)
        for (size_t i = i0; i < std::min(N, i0 + kBlock); ++i)
          for (size_t j = std::max(j0, i + 1); j < std::min(N, j0 + kBlock); ++j) p.J[j * N + i] = p.J[i * N + j];
    // Integer-valued models run the integer kernels (prepared.h), which need no float copy.
    if (n >= kFloatFrom && !(denseIntegerUnit(p) > 0.0)) {
      p.useFloat = true;
      reserveHuge(p.Jf, N * N), p.Jf.assign(p.J.begin(), p.J.end());
    }
  } else {
    std::sort(trip.begin(), trip.end(),
              [](const auto& a, const auto& b) { return std::get<0>(a) != std::get<0>(b) ? std::get<0>(a) < std::get<0>(b) : std::get<1>(a) < std::get<1>(b); });
    p.rowPtr.assign(N + 1, 0);
    p.colIdx.reserve(trip.size());
    p.val.reserve(trip.size());
    for (size_t k = 0; k < trip.size();) {
      const uint32_t i = std::get<0>(trip[k]), j = std::get<1>(trip[k]);
      double v = 0.0;
      while (k < trip.size() && std::get<0>(trip[k]) == i && std::get<1>(trip[k]) == j) v += std::get<2>(trip[k++]);
      if (v == 0.0) continue;
      p.colIdx.push_back(j);
      p.val.push_back(v);
      p.rowPtr[i + 1]++;
    }
    for (size_t i = 0; i < N; ++i) p.rowPtr[i + 1] += p.rowPtr[i];
  }
  return p;
}

void Problem::fields(const int8_t* s, double* f) const {
  const size_t N = static_cast<size_t>(n);
  for (size_t i = 0; i < N; ++i) {
    double acc = h[i];
    if (dense) {
      const double* r = J.data() + i * N;
      for (size_t j = 0; j < N; ++j) acc += r[j] * s[j];
    } else {
      for (uint32_t k = rowPtr[i]; k < rowPtr[i + 1]; ++k) acc += val[k] * s[colIdx[k]];
    }
    f[i] = acc;
  }
}

double Problem::energy(const int8_t* s) const {
  const size_t N = static_cast<size_t>(n);
  double e = c;
  for (size_t i = 0; i < N; ++i) {
    double acc = 0.0;
    if (dense) {
      const double* r = J.data() + i * N;
      for (size_t j = i + 1; j < N; ++j) acc += r[j] * s[j];
    } else {
      for (uint32_t k = rowPtr[i]; k < rowPtr[i + 1]; ++k)
        if (colIdx[k] > i) acc += val[k] * s[colIdx[k]];
    }
    e += s[i] * (h[i] + acc);
  }
  return e;
}

double Problem::maxAbsField() const {
  const size_t N = static_cast<size_t>(n);
  double best = 0.0;
  for (size_t i = 0; i < N; ++i) {
    double a = std::fabs(h[i]);
    if (dense) {
      for (size_t j = 0; j < N; ++j) a += std::fabs(J[i * N + j]);
    } else {
      for (uint32_t k = rowPtr[i]; k < rowPtr[i + 1]; ++k) a += std::fabs(val[k]);
    }
    best = std::max(best, a);
  }
  return best;
}

double Problem::minNonzeroGap() const {
  const size_t N = static_cast<size_t>(n);
  double best = std::numeric_limits<double>::infinity();
  auto see = [&](double v) {
    v = std::fabs(v);
    if (v > 0.0 && v < best) best = v;
  };
  for (size_t i = 0; i < N; ++i) see(h[i]);
  if (dense)
    for (double v : J) see(v);
  else
    for (double v : val) see(v);
  return best;
}

size_t Problem::numCouplings() const {
  if (!dense) return colIdx.size() / 2;
  size_t c2 = 0;
  for (double v : J) c2 += v != 0.0;
  return c2 / 2;
}

}  // namespace qahan
