// A small pool for the addon's own elementwise kernels. OpenBLAS and oneDNN bring their own threads, but the
// passes between them (bias + activation, residual adds, gradient sums) ran on the JavaScript thread alone,
// ≈80 ms of a 64×64 GAN step on a 2-core machine. Workers sleep on a condition variable between calls (no
// spinning: the next BLAS or oneDNN call needs the cores), and they start on first use, so a process that
// never runs a large elementwise pass has no extra threads.
#include "common.h"
#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace semigan {

namespace {

// Never destroyed: at exit, glibc's pthread_cond_destroy waits for the sleeping workers, which never wake.
struct Pool {
  std::mutex mu;
  std::condition_variable wake, done;
  std::vector<std::thread> workers;
  const std::function<void(int64_t, int64_t)>* job = nullptr;
  int64_t job_n = 0, job_parts = 0;
  uint64_t generation = 0;
  int pending = 0;
};
Pool& pool = *new Pool;

void RunPart(const std::function<void(int64_t, int64_t)>& fn, int64_t n, int64_t parts, int64_t part) {
  const int64_t begin = n * part / parts, end = n * (part + 1) / parts;
  if (begin < end) fn(begin, end);
}

void Worker(int index) {
  Pool& p = pool;
  uint64_t seen = 0;
  for (;;) {
    std::unique_lock<std::mutex> lock(p.mu);
    p.wake.wait(lock, [&] { return p.generation != seen; });
    seen = p.generation;
    const auto* fn = p.job;
    const int64_t n = p.job_n, parts = p.job_parts;
    lock.unlock();
    if (index + 1 < parts) RunPart(*fn, n, parts, index + 1);
    lock.lock();
    if (--p.pending == 0) p.done.notify_one();
  }
}

}  // namespace

void ParallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  const int64_t parts = std::min<int64_t>(std::max(max_threads, 1), std::max<int64_t>(n / std::max<int64_t>(grain, 1), 1));
  if (parts <= 1) {
    if (n > 0) fn(0, n);
    return;
  }
  Pool& p = pool;
  std::unique_lock<std::mutex> lock(p.mu);
  while (int64_t(p.workers.size()) < parts - 1) {
    p.workers.emplace_back(Worker, int(p.workers.size()));
    p.workers.back().detach();
  }
  p.job = &fn;
  p.job_n = n;
  p.job_parts = parts;
  p.pending = int(p.workers.size());
  p.generation++;
  lock.unlock();
  p.wake.notify_all();
  RunPart(fn, n, parts, 0);
  lock.lock();
  p.done.wait(lock, [&] { return p.pending == 0; });
  p.job = nullptr;
}

}  // namespace semigan
