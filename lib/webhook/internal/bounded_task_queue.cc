// BoundedTaskQueue: a deque under one mutex, workers waiting on conditions.
#include "lib/webhook/internal/bounded_task_queue.h"

#include <utility>

namespace secretsync {
namespace webhook {
namespace internal {

BoundedTaskQueue::BoundedTaskQueue(size_t threads, size_t max_queued)
    : max_queued_(max_queued == 0 ? 1 : max_queued) {
  for (size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { Work(); });
}

BoundedTaskQueue::~BoundedTaskQueue() { shutdown(); }

void BoundedTaskQueue::enqueue(std::function<void()> fn) {
  absl::MutexLock lock(&mu_);
  auto has_room = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return shutdown_ || tasks_.size() < max_queued_;
  };
  mu_.Await(absl::Condition(&has_room));
  tasks_.push_back(std::move(fn));
}

void BoundedTaskQueue::shutdown() {
  {
    absl::MutexLock lock(&mu_);
    shutdown_ = true;
  }
  for (std::thread& t : workers_) {
    if (t.joinable()) t.join();
  }
}

void BoundedTaskQueue::Work() {
  for (;;) {
    std::function<void()> fn;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return shutdown_ || !tasks_.empty();
      };
      mu_.Await(absl::Condition(&ready));
      if (tasks_.empty()) return;  // shut down and drained
      fn = std::move(tasks_.front());
      tasks_.pop_front();
    }
    fn();
  }
}

}  // namespace internal
}  // namespace webhook
}  // namespace secretsync
