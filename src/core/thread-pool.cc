#include "core/thread-pool.h"

#include <algorithm>
#include <chrono>

#if MNV2_THREADS && defined(__EMSCRIPTEN__)
#include <emscripten/em_asm.h>
#include <emscripten/threading.h>
#include <pthread.h>
#endif

namespace mnv2 {

#if MNV2_THREADS

size_t ThreadPool::hardware_threads() {
  return std::max<size_t>(1, std::thread::hardware_concurrency());
}

namespace {

// How long a thread spins before it sleeps. Long enough to cover the gap between two
// parallel_for calls of one inference (the caller's serial work between fused blocks is a few
// microseconds, a band finishing early waits for its neighbour a little longer), short enough
// that on a machine with more runnable threads than cores a spinner soon gives its core back
// to the thread it waits for (measured: 200 us doubled the CPU time per inference there).
constexpr auto kSpin = std::chrono::microseconds(50);
// Clock reads are not free: check the time once per this many spins.
constexpr int kSpinsPerClockRead = 64;

// Spins until done() or the spin time is over; returns done().
template <typename Done>
bool spin_until(Done done) {
  const auto end = std::chrono::steady_clock::now() + kSpin;
  for (;;) {
    for (int i = 0; i < kSpinsPerClockRead; ++i) {
      if (done()) return true;
    }
    if (std::chrono::steady_clock::now() >= end) return done();
  }
}

// A browser's main thread must not block: Emscripten then busy-waits anyway and warns on the
// console ("Blocking on the main thread is very dangerous") at the first condition-variable
// wait or join. There the caller only spins. Node's main thread may block (Atomics.wait),
// and must: a caller spinning on a busy machine holds the core its worker is waiting for.
bool may_sleep() {
#ifdef __EMSCRIPTEN__
  static const bool in_node = EM_ASM_INT({
    return typeof process === 'object' && typeof process.versions === 'object' &&
           typeof process.versions.node === 'string';
  }) != 0;
  return in_node || pthread_self() != emscripten_main_browser_thread_id();
#else
  return true;
#endif
}

}  // namespace

ThreadPool::ThreadPool(size_t threads) {
  size_ = threads == 0 ? hardware_threads() : threads;
  running_workers_.store(size_ - 1);
  for (size_t thread = 1; thread < size_; ++thread) {
    workers_.emplace_back([this, thread] { worker_loop(thread); });
  }
}

ThreadPool::~ThreadPool() {
  const bool join = may_sleep();
  // Without join, the workers are detached while they still run (detaching a thread that
  // has already ended joins it), told to stop, and waited for until each has made its last
  // access to this pool; the threads then end on their own.
  if (!join) {
    for (std::thread& worker : workers_) worker.detach();
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_.store(true);
  }
  wake_.notify_all();
  if (join) {
    for (std::thread& worker : workers_) worker.join();
    return;
  }
  while (running_workers_.load(std::memory_order_acquire) != 0) {
  }
}

void ThreadPool::run_tasks(size_t thread) {
  for (size_t task = next_task_.fetch_add(1); task < tasks_; task = next_task_.fetch_add(1)) {
    fn_(context_, task, thread);
  }
}

void ThreadPool::worker_loop(size_t thread) {
  size_t seen = 0;
  for (;;) {
    const auto woken = [&] {
      return stopping_.load(std::memory_order_acquire) ||
             generation_.load(std::memory_order_acquire) != seen;
    };
    if (!spin_until(woken)) {
      std::unique_lock<std::mutex> lock(mutex_);
      ++sleeping_workers_;
      wake_.wait(lock, woken);
      --sleeping_workers_;
    }
    if (stopping_.load(std::memory_order_acquire)) {
      running_workers_.fetch_sub(1, std::memory_order_release);  // the last access to *this
      return;
    }
    seen = generation_.load(std::memory_order_acquire);
    run_tasks(thread);
    if (busy_workers_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      // The last worker out: wake the caller if it gave up spinning.
      std::lock_guard<std::mutex> lock(mutex_);
      if (caller_sleeping_) done_.notify_one();
    }
  }
}

void ThreadPool::parallel_for(size_t tasks, TaskFn fn, void* context) {
  if (workers_.empty() || tasks <= 1) {
    for (size_t task = 0; task < tasks; ++task) fn(context, task, 0);
    return;
  }
  fn_ = fn;
  context_ = context;
  tasks_ = tasks;
  next_task_.store(0, std::memory_order_relaxed);
  busy_workers_.store(workers_.size(), std::memory_order_relaxed);
  bool notify;
  {
    // Under the mutex, so a worker deciding to sleep either sees the new generation or is
    // already counted in sleeping_workers_.
    std::lock_guard<std::mutex> lock(mutex_);
    generation_.fetch_add(1, std::memory_order_release);
    notify = sleeping_workers_ > 0;
  }
  if (notify) wake_.notify_all();
  run_tasks(0);
  const auto finished = [&] { return busy_workers_.load(std::memory_order_acquire) == 0; };
  if (spin_until(finished)) return;
  if (!may_sleep()) {
    while (!finished()) {
    }
    return;
  }
  std::unique_lock<std::mutex> lock(mutex_);
  caller_sleeping_ = true;
  done_.wait(lock, finished);
  caller_sleeping_ = false;
}

#else

size_t ThreadPool::hardware_threads() { return 1; }
ThreadPool::ThreadPool(size_t) {}
ThreadPool::~ThreadPool() = default;

void ThreadPool::parallel_for(size_t tasks, TaskFn fn, void* context) {
  for (size_t task = 0; task < tasks; ++task) fn(context, task, 0);
}

#endif

}  // namespace mnv2
