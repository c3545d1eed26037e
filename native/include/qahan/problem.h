// qahan/problem.h - one Ising/QUBO model, as the samplers see it.
//
// A Model is the validated copy of what JS handed in (its own vartype, coordinates and/or a dense upper
// triangle). A Problem is the same model in spin form, s_i in {-1,+1}:
//
//     E(s) = c + sum_i h_i s_i + sum_{i<j} J_ij s_i s_j
//
// For a BINARY model, x = (1 + s) / 2 gives  h_i = a_i/2 + sum_j b_ij/4,  J_ij = b_ij/4,
// c = offset + sum_i a_i/2 + sum_{i<j} b_ij/4, so E_spin(s) == E_binary(x) exactly (up to rounding).
// The couplings are kept symmetric, either dense (row-major n x n, zero diagonal, in double and, for
// large n, also float32 for fast field updates) or CSR (both directions stored). Dense is picked when the
// model is small or at least a quarter full. Nothing here knows about annealing or Node.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace qahan {

enum class Vartype { Spin, Binary };

struct Model {
  int n = 0;
  Vartype vartype = Vartype::Spin;
  std::vector<double> linear;  // n
  double offset = 0.0;
  std::vector<uint32_t> row, col;  // coordinates, row[k] != col[k]; repeated pairs add up
  std::vector<double> bias;
  std::vector<double> dense;  // empty, or n*n row-major of which only i < j is read

  // Energy of one sample given in the model's own vartype (values -1/+1 or 0/1), offset included.
  double energy(const int8_t* x) const;
  // energy() of count samples (n values each, back to back) into out, bit for bit: each sample's sum is
  // taken in energy()'s order, several samples side by side so the additions do not wait on each other.
  void energies(const int8_t* x, size_t count, double* out) const;
};

struct Problem {
  int n = 0;
  Vartype vartype = Vartype::Spin;  // of the source model: samples are converted back to it
  bool dense = false;
  std::vector<double> h;  // n
  double c = 0.0;
  // Dense: J (double) and Jf (float32 copy, only when useFloat) are n*n symmetric with a zero diagonal.
  std::vector<double> J;
  std::vector<float> Jf;
  bool useFloat = false;
  // CSR (both (i,j) and (j,i)); rowPtr has n+1 entries.
  std::vector<uint32_t> rowPtr, colIdx;
  std::vector<double> val;

  // Spin-form energy of s (int8 +-1), in double. Equal to the model's energy of the converted sample.
  double energy(const int8_t* s) const;
  // Local fields f_i = h_i + sum_j J_ij s_j, in double.
  void fields(const int8_t* s, double* f) const;
  // The largest |h_i| + sum_j |J_ij| (biggest field a spin can see) and the smallest nonzero |coefficient|.
  double maxAbsField() const;
  double minNonzeroGap() const;
  size_t numCouplings() const;  // unordered pairs with J != 0 (counted in storage)
};

// Dense storage is chosen when n <= kDenseAlways or the density of pairs is >= kDenseDensity.
constexpr int kDenseAlways = 64;
constexpr double kDenseDensity = 0.25;
// Dense models use float32 fields and couplings from this size on, unless their biases are integer
// multiples of one unit (the integer kernels take those; other paths then use the double rows) (exactness is then ~1e-7 relative in
// the acceptance test only; returned energies are always recomputed in double).
constexpr int kFloatFrom = 256;

Problem toProblem(const Model& m);

// Sample conversion between the model's vartype and spins.
inline int8_t toSpin(int8_t v, Vartype t) { return t == Vartype::Spin ? v : static_cast<int8_t>(2 * v - 1); }
inline int8_t fromSpin(int8_t s, Vartype t) { return t == Vartype::Spin ? s : static_cast<int8_t>((s + 1) / 2); }

}  // namespace qahan
