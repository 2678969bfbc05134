// Mutex, MutexLock, CondVar: std::mutex and std::condition_variable with clang's
// thread-safety attributes, so that lock rules are checked by the compiler
// (-Wthread-safety; libstdc++'s own std::mutex carries no attributes). Owns no state beyond the
// lock itself; used in the coordinator process (and available to any process).
//
// A member that a lock guards is declared GUARDED_BY(mu_); a function that must be called with
// it held is REQUIRES(mu_); one that takes it itself is EXCLUDES(mu_). Where an annotation
// cannot say it (a lambda run under the lock, a lock held by a caller through a pointer), the
// function's name ends in "Locked" and its comment names the lock.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define SHOAL_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define SHOAL_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(x) SHOAL_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY SHOAL_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(x) SHOAL_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) SHOAL_THREAD_ANNOTATION(pt_guarded_by(x))
#define REQUIRES(...) SHOAL_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) SHOAL_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) SHOAL_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) SHOAL_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define NO_THREAD_SAFETY_ANALYSIS SHOAL_THREAD_ANNOTATION(no_thread_safety_analysis)

namespace fuzzer {

class CondVar;

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;
  void lock() ACQUIRE() { mutex_.lock(); }
  void unlock() RELEASE() { mutex_.unlock(); }

 private:
  friend class CondVar;
  std::mutex mutex_;
};

// Holds `Lockable` (Mutex, or anything with annotated lock()/unlock()) for its scope.
// Unlock()/Lock() let go of it and take it again inside the scope.
template <class Lockable>
class SCOPED_CAPABILITY BasicMutexLock {
 public:
  explicit BasicMutexLock(Lockable* mutex) ACQUIRE(mutex) : mutex_(mutex) { mutex_->lock(); }
  ~BasicMutexLock() RELEASE() {
    if (held_) mutex_->unlock();
  }
  BasicMutexLock(const BasicMutexLock&) = delete;
  BasicMutexLock& operator=(const BasicMutexLock&) = delete;
  void Unlock() RELEASE() {
    mutex_->unlock();
    held_ = false;
  }
  void Lock() ACQUIRE() {
    mutex_->lock();
    held_ = true;
  }

 private:
  Lockable* const mutex_;
  bool held_ = true;
};
using MutexLock = BasicMutexLock<Mutex>;

// A condition variable waited on with a Mutex held. Callers loop on their own condition:
// `while (!ready) changed.Wait(&mu);` (the analysis checks the condition's reads, which it
// cannot do inside a predicate lambda).
class CondVar {
 public:
  void Wait(Mutex* mutex) REQUIRES(mutex) {
    std::unique_lock<std::mutex> lock(mutex->mutex_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();  // still held: the caller's scope releases it
  }
  // Returns false if `deadline` passed (spurious wake-ups return true).
  bool WaitUntil(Mutex* mutex, std::chrono::steady_clock::time_point deadline) REQUIRES(mutex) {
    std::unique_lock<std::mutex> lock(mutex->mutex_, std::adopt_lock);
    const bool in_time = cv_.wait_until(lock, deadline) == std::cv_status::no_timeout;
    lock.release();
    return in_time;
  }
  void NotifyAll() { cv_.notify_all(); }
  void NotifyOne() { cv_.notify_one(); }

 private:
  std::condition_variable cv_;
};

}  // namespace fuzzer
