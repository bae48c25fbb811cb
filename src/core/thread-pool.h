// A small fixed pool of worker threads for splitting one inference across cores.
//
// parallel_for(tasks, fn) runs fn(task, thread) for every task, on the calling thread and the
// workers, and returns when all are done. Nothing is allocated per call, so inference stays
// allocation-free.
//
// One inference makes ~20 calls back to back (one per fused block, the head, the classifier).
// Waking a sleeping thread through the kernel (a futex; Atomics.wait/notify in WASM pthreads)
// costs tens of microseconds per call on each side, so both the workers (waiting for work)
// and the caller (waiting for the workers) first spin on an atomic for a short while and only
// then sleep: inside an inference nobody sleeps, between inferences the workers do.
//
// Builds without thread support (the single-threaded WASM module: MNV2_THREADS=0) get a pool
// of size 1 that runs every task on the caller.
#pragma once

#include <cstddef>

#ifndef MNV2_THREADS
#define MNV2_THREADS 1
#endif

#if MNV2_THREADS
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>
#endif

namespace mnv2 {

class ThreadPool {
 public:
  using TaskFn = void (*)(void* context, size_t task, size_t thread);

  // threads: total including the caller; 0 means one per hardware thread.
  explicit ThreadPool(size_t threads = 1);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  size_t size() const { return size_; }
  static size_t hardware_threads();

  void parallel_for(size_t tasks, TaskFn fn, void* context);

  // Convenience for lambdas: fn(task, thread). The lambda lives on the caller's stack.
  template <typename Fn>
  void parallel_for(size_t tasks, Fn&& fn) {
    parallel_for(
        tasks, [](void* context, size_t task, size_t thread) {
          (*static_cast<Fn*>(context))(task, thread);
        },
        &fn);
  }

 private:
  size_t size_ = 1;
#if MNV2_THREADS
  void worker_loop(size_t thread);
  void run_tasks(size_t thread);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  // A new call bumps generation_; workers spin on it, then sleep on wake_ (counted in
  // sleeping_workers_ so the caller only notifies when someone sleeps).
  std::atomic<size_t> generation_{0};
  std::atomic<size_t> busy_workers_{0};
  size_t sleeping_workers_ = 0;  // guarded by mutex_
  bool caller_sleeping_ = false; // guarded by mutex_
  std::atomic<bool> stopping_{false};
  std::atomic<size_t> running_workers_{0};  // workers that may still touch the pool
  TaskFn fn_ = nullptr;
  void* context_ = nullptr;
  size_t tasks_ = 0;
  std::atomic<size_t> next_task_{0};
#endif
};

}  // namespace mnv2
