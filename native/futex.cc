// futex(2) on a 32-bit word inside a MAP_SHARED mapping. Not FUTEX_PRIVATE: the
// waiter and the waker are different processes, and the kernel keys a shared
// futex on the page's backing file, so it works across any mapping of it.
#include <napi.h>
#include <errno.h>
#include <linux/futex.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "errno_error.h"

namespace conflux {

namespace {

// Results of wait, as small integers so the hot path allocates nothing.
constexpr int kWoken = 0;
constexpr int kTimedOut = 1;
constexpr int kValueChanged = 2;
constexpr int kInterrupted = 3;

uint32_t* WordAt(const Napi::CallbackInfo& info, bool* ok) {
  Napi::ArrayBuffer buffer = info[0].As<Napi::ArrayBuffer>();
  size_t offset = static_cast<size_t>(info[1].As<Napi::Number>().Int64Value());
  if (offset % 4 != 0 || offset + 4 > buffer.ByteLength()) {
    Napi::RangeError::New(info.Env(), "futex word offset " + std::to_string(offset) +
                                          " is not a 4-byte-aligned offset inside the buffer")
        .ThrowAsJavaScriptException();
    *ok = false;
    return nullptr;
  }
  *ok = true;
  return reinterpret_cast<uint32_t*>(static_cast<uint8_t*>(buffer.Data()) + offset);
}

}  // namespace

// wait(buffer, byteOffset, expected, timeoutNs): sleeps while the word equals
// `expected`. timeoutNs < 0 waits forever. Returns 0 woken, 1 timed out,
// 2 the word had already changed, 3 interrupted by a signal.
static Napi::Value Wait(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bool ok = false;
  uint32_t* word = WordAt(info, &ok);
  if (!ok) return env.Undefined();
  uint32_t expected = static_cast<uint32_t>(info[2].As<Napi::Number>().Int64Value());
  double timeout_ns = info[3].As<Napi::Number>().DoubleValue();
  struct timespec timeout;
  struct timespec* timeout_pointer = nullptr;
  if (timeout_ns >= 0) {
    int64_t ns = static_cast<int64_t>(timeout_ns);
    timeout.tv_sec = ns / 1000000000;
    timeout.tv_nsec = ns % 1000000000;
    timeout_pointer = &timeout;
  }
  long rc = syscall(SYS_futex, word, FUTEX_WAIT, expected, timeout_pointer, nullptr, 0);
  if (rc == 0) return Napi::Number::New(env, kWoken);
  switch (errno) {
    case ETIMEDOUT:
      return Napi::Number::New(env, kTimedOut);
    case EAGAIN:
      return Napi::Number::New(env, kValueChanged);
    case EINTR:
      return Napi::Number::New(env, kInterrupted);
    case EFAULT:
      // Memory the kernel cannot key a futex on (a PCI BAR mapped in a VM
      // guest): no sleep is possible there, so the caller re-checks at once,
      // which makes its wait a spin; a VM's components spin anyway.
      return Napi::Number::New(env, kValueChanged);
    default:
      ErrnoError(env, errno, "futex_wait", "word at offset " + std::to_string(reinterpret_cast<uintptr_t>(word) & 0xfff))
          .ThrowAsJavaScriptException();
      return env.Undefined();
  }
}

// wake(buffer, byteOffset, count): wakes up to `count` waiters; returns how many.
static Napi::Value Wake(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bool ok = false;
  uint32_t* word = WordAt(info, &ok);
  if (!ok) return env.Undefined();
  int count = static_cast<int>(info[2].As<Napi::Number>().Int32Value());
  long rc = syscall(SYS_futex, word, FUTEX_WAKE, count, nullptr, nullptr, 0);
  // EFAULT: memory the kernel cannot key a futex on (a PCI BAR mapped in a VM
  // guest). Nobody can sleep on such a word either, so there is nobody to wake.
  if (rc < 0 && errno == EFAULT) return Napi::Number::New(env, 0);
  if (rc < 0) {
    ErrnoError(env, errno, "futex_wake", "shared word").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return Napi::Number::New(env, static_cast<double>(rc));
}

void InitFutex(Napi::Env env, Napi::Object exports) {
  exports.Set("futexWait", Napi::Function::New(env, Wait, "futexWait"));
  exports.Set("futexWake", Napi::Function::New(env, Wake, "futexWake"));
}

}  // namespace conflux
