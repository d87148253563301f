// Lets a synchronous wait loop notice Ctrl-C. Node delivers signals to
// JavaScript only through its event loop, which a spinning driver does not
// return to; so a C handler records the signal in an atomic that the wait loop
// polls between slices, then chains to the handler that was there before
// (Node's own), so JavaScript listeners still run once the loop unwinds.
#include <napi.h>
#include <signal.h>
#include <string.h>

#include <atomic>

namespace conflux {

namespace {

std::atomic<int> pending_signal{0};
struct sigaction previous[NSIG];

void OnSignal(int signal, siginfo_t* info, void* context) {
  pending_signal.store(signal, std::memory_order_relaxed);
  const struct sigaction& before = previous[signal];
  // A handler installed with SA_RESETHAND (Node's own exit-on-signal handler is)
  // expects the kernel to have restored the default action before it runs, and
  // re-raises the signal to die of it. Called from here the kernel reset
  // nothing, so do it for it: otherwise its raise() lands back in this handler,
  // which calls it again, for ever.
  if (before.sa_flags & SA_RESETHAND) {
    struct sigaction default_action;
    memset(&default_action, 0, sizeof default_action);
    default_action.sa_handler = SIG_DFL;
    sigemptyset(&default_action.sa_mask);
    sigaction(signal, &default_action, nullptr);
  }
  if (before.sa_flags & SA_SIGINFO) {
    if (before.sa_sigaction != nullptr) before.sa_sigaction(signal, info, context);
  } else if (before.sa_handler != SIG_IGN && before.sa_handler != SIG_DFL && before.sa_handler != nullptr) {
    before.sa_handler(signal);
  } else if (before.sa_handler == SIG_DFL) {
    // Nobody else handles it: take the default action, as if we were not here.
    sigaction(signal, &before, nullptr);
    raise(signal);
  }
}

}  // namespace

// watchSignals([2, 15, ...]): installs the recording handler once per signal.
static Napi::Value WatchSignals(const Napi::CallbackInfo& info) {
  Napi::Array signals = info[0].As<Napi::Array>();
  for (uint32_t i = 0; i < signals.Length(); i++) {
    int signal = signals.Get(i).As<Napi::Number>().Int32Value();
    if (signal <= 0 || signal >= NSIG) continue;
    // Node installs its own handler when JavaScript first listens for a signal,
    // replacing ours; check what is there now rather than trusting a flag.
    struct sigaction current;
    if (sigaction(signal, nullptr, &current) == 0 && (current.sa_flags & SA_SIGINFO) &&
        current.sa_sigaction == OnSignal) {
      continue;
    }
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = OnSignal;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
    sigemptyset(&action.sa_mask);
    sigaction(signal, &action, &previous[signal]);
  }
  return info.Env().Undefined();
}

// pendingSignal(): the last watched signal received (0: none). Cheap: no system call.
static Napi::Value PendingSignal(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), pending_signal.load(std::memory_order_relaxed));
}

// clearPendingSignal(): forgets the recorded signal once it has been handled, so
// that later waits in this process are not interrupted by a signal of the past.
static Napi::Value ClearPendingSignal(const Napi::CallbackInfo& info) {
  pending_signal.store(0, std::memory_order_relaxed);
  return info.Env().Undefined();
}

void InitSignals(Napi::Env env, Napi::Object exports) {
  exports.Set("watchSignals", Napi::Function::New(env, WatchSignals, "watchSignals"));
  exports.Set("pendingSignal", Napi::Function::New(env, PendingSignal, "pendingSignal"));
  exports.Set("clearPendingSignal", Napi::Function::New(env, ClearPendingSignal, "clearPendingSignal"));
}

}  // namespace conflux
