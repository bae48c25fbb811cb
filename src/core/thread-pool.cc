#include "core/thread-pool.h"

#include <algorithm>

namespace mnv2 {

#if MNV2_THREADS

size_t ThreadPool::hardware_threads() {
  return std::max<size_t>(1, std::thread::hardware_concurrency());
}

ThreadPool::ThreadPool(size_t threads) {
  size_ = threads == 0 ? hardware_threads() : threads;
  for (size_t thread = 1; thread < size_; ++thread) {
    workers_.emplace_back([this, thread] { worker_loop(thread); });
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

void ThreadPool::run_tasks(size_t thread) {
  for (size_t task = next_task_.fetch_add(1); task < tasks_; task = next_task_.fetch_add(1)) {
    fn_(context_, task, thread);
  }
}

void ThreadPool::worker_loop(size_t thread) {
  size_t seen = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
    }
    run_tasks(thread);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (--busy_workers_ == 0) done_.notify_one();
    }
  }
}

void ThreadPool::parallel_for(size_t tasks, TaskFn fn, void* context) {
  if (workers_.empty() || tasks <= 1) {
    for (size_t task = 0; task < tasks; ++task) fn(context, task, 0);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    fn_ = fn;
    context_ = context;
    tasks_ = tasks;
    next_task_.store(0);
    busy_workers_ = workers_.size();
    ++generation_;
  }
  wake_.notify_all();
  run_tasks(0);
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, [&] { return busy_workers_ == 0; });
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
