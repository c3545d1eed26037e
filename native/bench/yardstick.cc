// The yardstick of `npm run bench:solvers`: a plain textbook single-spin simulated annealing on a
// neighbour list, written for comparison only (not part of the addon). Double fields, one
// std::mt19937_64 per read, exp() per uphill attempt, geometric beta schedule, spins in order 0..n-1.
// Timing it in the same run as qahan turns every figure into a ratio that survives a noisy machine.
//
//   g++ -O2 -std=c++17 native/bench/yardstick.cc -o /tmp/yardstick
//   /tmp/yardstick MODEL_FILE READS SWEEPS HOT COLD
// MODEL_FILE: "n m", then m lines "i j J" (0-based, each pair once), then n lines "h_i". Prints one JSON line.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: yardstick MODEL READS SWEEPS HOT COLD\n");
    return 2;
  }
  std::FILE* fp = std::fopen(argv[1], "r");
  if (!fp) return 2;
  int n = 0, m = 0;
  if (std::fscanf(fp, "%d %d", &n, &m) != 2) return 2;
  std::vector<std::vector<std::pair<int, double>>> nb(n);
  std::vector<double> h(n, 0.0);
  for (int k = 0; k < m; ++k) {
    int i, j;
    double J;
    if (std::fscanf(fp, "%d %d %lf", &i, &j, &J) != 3) return 2;
    nb[i].push_back({j, J});
    nb[j].push_back({i, J});
  }
  for (int i = 0; i < n; ++i)
    if (std::fscanf(fp, "%lf", &h[i]) != 1) break;
  std::fclose(fp);
  const int reads = std::atoi(argv[2]), sweeps = std::atoi(argv[3]);
  const double hot = std::atof(argv[4]), cold = std::atof(argv[5]);

  const auto t0 = std::chrono::steady_clock::now();
  double sumE = 0, bestE = 1e300;
  for (int r = 0; r < reads; ++r) {
    std::mt19937_64 gen(1000 + r);
    std::uniform_real_distribution<double> uni(0.0, 1.0);
    std::vector<int> s(n);
    for (int i = 0; i < n; ++i) s[i] = (gen() & 1) ? 1 : -1;
    std::vector<double> f(n);
    for (int i = 0; i < n; ++i) {
      double a = h[i];
      for (auto& e : nb[i]) a += e.second * s[e.first];
      f[i] = a;
    }
    for (int t = 0; t < sweeps; ++t) {
      const double beta = sweeps > 1 ? hot * std::pow(cold / hot, double(t) / (sweeps - 1)) : cold;
      for (int i = 0; i < n; ++i) {
        const double dE = -2.0 * s[i] * f[i];
        if (dE <= 0 || uni(gen) < std::exp(-beta * dE)) {
          s[i] = -s[i];
          for (auto& e : nb[i]) f[e.first] += 2.0 * s[i] * e.second;
        }
      }
    }
    double E = 0;
    for (int i = 0; i < n; ++i) {
      E += h[i] * s[i];
      for (auto& e : nb[i])
        if (e.first > i) E += e.second * s[i] * s[e.first];
    }
    sumE += E;
    if (E < bestE) bestE = E;
  }
  const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double attempts = double(n) * sweeps * reads;
  std::printf("{\"seconds\":%.6f,\"nsPerAttempt\":%.4f,\"meanEnergy\":%.4f,\"bestEnergy\":%.4f}\n", sec,
              sec / attempts * 1e9, sumE / reads, bestE);
  return 0;
}
