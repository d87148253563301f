// Entry point of the native addon: mechanism only (map memory, wait and wake on
// a shared word, read a clock, pin a thread, ask whether a process lives,
// survive a mapped file's truncation) and the transfer operators' numeric
// kernels (numeric-kernels.cc).
// Policy — names, headers, layouts — lives in TypeScript above it.
#include <napi.h>
#include <string.h>
#include <time.h>
#include <sched.h>

#include "errno_error.h"

namespace conflux {

Napi::Error ErrnoError(Napi::Env env, int err, const std::string& op, const std::string& subject) {
  const char* name = strerrorname_np(err);
  std::string code = name != nullptr ? name : ("E" + std::to_string(err));
  std::string message = op + " " + subject + ": " + code + " (" + strerror(err) + ")";
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  error.Set("errno", Napi::Number::New(env, err));
  error.Set("syscall", Napi::String::New(env, op));
  return error;
}

void InitMapping(Napi::Env env, Napi::Object exports);
void InitKernels(Napi::Env env, Napi::Object exports);
void InitFutex(Napi::Env env, Napi::Object exports);
void InitProcess(Napi::Env env, Napi::Object exports);
void InitSignals(Napi::Env env, Napi::Object exports);
void InitTruncation(Napi::Env env, Napi::Object exports);

// CLOCK_MONOTONIC is the clock every process on the host shares, so stamps taken
// by a driver and a component compare directly. A double holds nanoseconds
// exactly for 104 days of uptime, and allocates nothing, unlike a BigInt.
static Napi::Value MonotonicNs(const Napi::CallbackInfo& info) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return Napi::Number::New(info.Env(), static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec));
}

// The same clock written into element 0 of a Float64Array the caller keeps: a
// returned double is a new heap number for every call, which a wait loop that
// reads the clock every few hundred spins would allocate without end.
static Napi::Value MonotonicNsInto(const Napi::CallbackInfo& info) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  Napi::Float64Array target = info[0].As<Napi::Float64Array>();
  target[0] = static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
  return info.Env().Undefined();
}

static Napi::Value SchedYield(const Napi::CallbackInfo& info) {
  sched_yield();
  return info.Env().Undefined();
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  InitMapping(env, exports);
  InitKernels(env, exports);
  InitFutex(env, exports);
  InitProcess(env, exports);
  InitSignals(env, exports);
  InitTruncation(env, exports);
  exports.Set("monotonicNs", Napi::Function::New(env, MonotonicNs, "monotonicNs"));
  exports.Set("monotonicNsInto", Napi::Function::New(env, MonotonicNsInto, "monotonicNsInto"));
  exports.Set("schedYield", Napi::Function::New(env, SchedYield, "schedYield"));
  return exports;
}

}  // namespace conflux

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return conflux::Init(env, exports); }

NODE_API_MODULE(conflux_native, InitAddon)
