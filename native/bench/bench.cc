// Standalone speed check of the core (no Node): ns per spin-flip attempt. Build with native/CMakeLists.txt
// or directly:
//   g++ -O3 -std=c++17 -pthread -Inative/include native/bench/bench.cc \
//       native/src/{problem,schedules,runner,exact,attention}.cc -o /tmp/qahan-bench && /tmp/qahan-bench
#include <chrono>
#include <cstdio>
#include <random>
#include <vector>

#include "qahan/problem.h"
#include "qahan/runner.h"
#include "qahan/schedules.h"

using namespace qahan;

static Model denseModel(int n, uint64_t seed) {
  std::mt19937_64 g(seed);
  std::normal_distribution<double> d;
  Model m;
  m.n = n;
  m.linear.resize(n);
  for (auto& x : m.linear) x = 0.1 * d(g);
  m.dense.assign(size_t(n) * n, 0.0);
  for (int i = 0; i < n; ++i)
    for (int j = i + 1; j < n; ++j) m.dense[size_t(i) * n + j] = d(g);
  return m;
}

static Model regular3(int n, uint64_t seed) {  // a ring plus a random perfect matching (3-regular-ish)
  std::mt19937_64 g(seed);
  Model m;
  m.n = n;
  m.linear.assign(n, 0.0);
  std::vector<int> perm(n);
  for (int i = 0; i < n; ++i) perm[i] = i;
  std::shuffle(perm.begin(), perm.end(), g);
  auto add = [&](int i, int j) {
    m.row.push_back(i);
    m.col.push_back(j);
    m.bias.push_back((g() & 1) ? 1.0 : -1.0);
  };
  for (int i = 0; i < n; ++i) add(i, (i + 1) % n);
  for (int k = 0; k + 1 < n; k += 2)
    if (std::abs(perm[k] - perm[k + 1]) % n != 1 && std::abs(perm[k] - perm[k + 1]) != n - 1) add(perm[k], perm[k + 1]);
  return m;
}

static double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

static void benchSA(const char* name, const Model& m, int sweeps, int reads, unsigned threads) {
  std::vector<Problem> ps{toProblem(m)};
  std::vector<Model> ms{m};
  auto r = defaultBetaRange(ps[0]);
  std::vector<Ramp> sch{betaSchedule(r.first, r.second, sweeps, true)};
  BatchOptions o;
  o.numReads = reads;
  o.seed = 1;
  o.threads = threads;
  const double t0 = now();
  auto out = runSimulatedAnnealing(ps, ms, sch, o);
  const double dt = now() - t0;
  const double attempts = double(m.n) * sweeps * reads;
  std::printf("%-34s threads=%u reads=%d: %.2f ns/attempt (wall), %.2f ns/attempt/thread, E0=%.3f\n", name, threads,
              reads, dt / attempts * 1e9, dt / attempts * 1e9 * std::min<unsigned>(threads, reads), out[0].energies[0]);
}

static void benchSQA(const char* name, const Model& m, int sweeps, int P, int reads, unsigned threads, bool global) {
  std::vector<Problem> ps{toProblem(m)};
  std::vector<Model> ms{m};
  SqaOptions q;
  q.P = P;
  q.globalMoves = global;
  auto r = defaultBetaRange(ps[0]);
  const double beta = r.second / 4;
  q.schedule.P = P;
  q.schedule.beta = beta;
  q.schedule.ramp = gammaSchedule(3.0 * ps[0].maxAbsField() / std::sqrt(double(m.n)), 1e-3, sweeps, false);
  BatchOptions o;
  o.numReads = reads;
  o.seed = 1;
  o.threads = threads;
  const double t0 = now();
  auto out = runPathIntegral(ps, ms, q, o);
  const double dt = now() - t0;
  const double attempts = double(m.n) * sweeps * reads * P;
  std::printf("%-34s threads=%u reads=%d P=%d: %.2f ns/slice-attempt (wall), per thread %.2f, E0=%.3f\n", name, threads,
              reads, P, dt / attempts * 1e9, dt / attempts * 1e9 * std::min<unsigned>(threads, reads), out[0].energies[0]);
}

int main(int argc, char** argv) {
  const bool quick = argc > 1;
  Model d = denseModel(1000, 7);
  Model s = regular3(2000, 8);
  const int sw = quick ? 100 : 1000;
  benchSA("SA dense n=1000", d, sw, 1, 1);
  benchSA("SA sparse 3-regular n=2000", s, sw * 4, 1, 1);
  benchSQA("SQA dense n=1000", d, sw / 10, 16, 1, 1, false);
  benchSA("SA dense n=1000", d, sw, 2, 1);
  benchSA("SA dense n=1000", d, sw, 2, 2);
  benchSA("SA sparse n=2000", s, sw * 4, 2, 1);
  benchSA("SA sparse n=2000", s, sw * 4, 2, 2);
  return 0;
}
