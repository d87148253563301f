// preCICE's two-participant coupling benchmark, the program `conflux bench
// coupling --peer precice` runs when the preCICE installation has no
// bin/precice-bench of its own (the same program): one participant, A or B, on
// N seeded uniform random points in the unit cube; A writes f = 1 + x + 2y +
// 3z (+ 1e-3 t), B writes back twice what it read, and every window's
// advance() is timed. It prints one BENCH line (its setup phases, advance()'s
// summary, and A's largest error of the returned field) and writes the raw
// per-window times to <outprefix>_<name>_advance_us.txt.
// Usage: bench <config.xml> <A|B> <numPoints> <outprefix>
#include <precice/precice.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <numeric>
#include <random>
#include <string>
#include <vector>

using Clock = std::chrono::steady_clock;
static double us(Clock::time_point a, Clock::time_point b)
{
  return std::chrono::duration<double, std::micro>(b - a).count();
}

static double fA(const double *x, double t) { return 1.0 + x[0] + 2.0 * x[1] + 3.0 * x[2] + 1e-3 * t; }

int main(int argc, char **argv)
{
  if (argc != 5) {
    std::cerr << "usage: bench config A|B N outprefix\n";
    return 1;
  }
  std::string config = argv[1], name = argv[2], out = argv[4];
  int         N      = std::stoi(argv[3]);
  bool        isA    = (name == "A");
  std::string mesh   = isA ? "MeshA" : "MeshB";
  std::string wData  = isA ? "DataA" : "DataB";
  std::string rData  = isA ? "DataB" : "DataA";

  // seeded random points in the unit cube (A: seed 1, B: seed 2)
  std::mt19937_64                        rng(isA ? 1 : 2);
  std::uniform_real_distribution<double> U(0.0, 1.0);
  std::vector<double>                    coords(3 * (size_t) N);
  for (auto &c : coords) c = U(rng);

  auto t0 = Clock::now();
  precice::Participant p(name, config, 0, 1);
  auto t1 = Clock::now();
  std::vector<int> ids(N);
  p.setMeshVertices(mesh, coords, ids);
  auto t2 = Clock::now();

  std::vector<double> wbuf(N), rbuf(N);
  double              t = 0.0;
  if (p.requiresInitialData()) {
    for (int i = 0; i < N; ++i) wbuf[i] = isA ? fA(&coords[3 * i], t) : 0.0;
    p.writeData(mesh, wData, ids, wbuf);
  }
  auto t3 = Clock::now();
  p.initialize();
  auto t4 = Clock::now();

  std::vector<double> adv;
  adv.reserve(1000);
  double lastErr = 0.0;
  while (p.isCouplingOngoing()) {
    double dt = p.getMaxTimeStepSize();
    p.readData(mesh, rData, ids, dt, rbuf);
    if (isA) {
      // check what came back (B wrote 2*f evaluated on its mesh for the previous window)
      double e = 0.0;
      for (int i = 0; i < N; ++i) e = std::max(e, std::abs(rbuf[i] - 2.0 * fA(&coords[3 * i], t - 1.0)));
      lastErr = e;
      for (int i = 0; i < N; ++i) wbuf[i] = fA(&coords[3 * i], t);
    } else {
      for (int i = 0; i < N; ++i) wbuf[i] = 2.0 * rbuf[i];
    }
    p.writeData(mesh, wData, ids, wbuf);
    auto a = Clock::now();
    p.advance(dt);
    auto b = Clock::now();
    adv.push_back(us(a, b));
    t += dt;
  }
  auto t5 = Clock::now();
  p.finalize();
  auto t6 = Clock::now();

  // stats
  std::vector<double> s = adv;
  std::sort(s.begin(), s.end());
  size_t n    = s.size();
  double mean = std::accumulate(s.begin(), s.end(), 0.0) / n;
  double var  = 0.0;
  for (double v : s) var += (v - mean) * (v - mean);
  double sd   = n > 1 ? std::sqrt(var / (n - 1)) : 0.0;
  auto   pct  = [&](double q) { size_t k = (size_t) std::ceil(q * n); if (k < 1) k = 1; if (k > n) k = n; return s[k - 1]; }; // nearest-rank
  std::ofstream raw(out + "_" + name + "_advance_us.txt");
  for (double v : adv) raw << v << "\n";
  std::ofstream sum(out + "_" + name + "_summary.txt");
  char          line[1024];
  std::snprintf(line, sizeof line,
                "participant=%s N=%d windows=%zu ctor_ms=%.3f setMesh_ms=%.3f initialize_ms=%.3f loop_ms=%.3f finalize_ms=%.3f "
                "adv_mean_us=%.2f adv_sd_us=%.2f adv_min_us=%.2f adv_p50_us=%.2f adv_p99_us=%.2f adv_max_us=%.2f adv_first_us=%.2f lastErr=%.3e\n",
                name.c_str(), N, n, us(t0, t1) / 1e3, us(t1, t2) / 1e3, us(t3, t4) / 1e3, us(t4, t5) / 1e3, us(t5, t6) / 1e3,
                mean, sd, s.front(), pct(0.50), pct(0.99), s.back(), adv.front(), lastErr);
  sum << line;
  std::cout << "BENCH " << line;
  return 0;
}
