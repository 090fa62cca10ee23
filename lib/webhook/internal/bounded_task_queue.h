// BoundedTaskQueue: httplib's TaskQueue with a fixed worker count and a cap
// on waiting tasks (httplib's own ThreadPool queues without limit).
#ifndef SECRETSYNC_LIB_WEBHOOK_INTERNAL_BOUNDED_TASK_QUEUE_H_
#define SECRETSYNC_LIB_WEBHOOK_INTERNAL_BOUNDED_TASK_QUEUE_H_

#include <httplib.h>

#include <cstddef>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace secretsync {
namespace webhook {
namespace internal {

// Thread-safe. enqueue() blocks while `max_queued` tasks wait, so the accept
// loop stops accepting and the kernel backlog absorbs the rest.
// shutdown() runs the queued tasks, then joins the workers.
class BoundedTaskQueue : public httplib::TaskQueue {
 public:
  BoundedTaskQueue(size_t threads, size_t max_queued);
  ~BoundedTaskQueue() override;

  void enqueue(std::function<void()> fn) override;
  void shutdown() override;

 private:
  void Work();

  const size_t max_queued_;
  absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;
};

}  // namespace internal
}  // namespace webhook
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_WEBHOOK_INTERNAL_BOUNDED_TASK_QUEUE_H_
