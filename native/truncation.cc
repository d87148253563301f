// A segment another process shrinks while this one has it mapped must not kill
// this process. Touching a page past the file's new end raises SIGBUS; as
// libwayland does for a client's shared-memory pool, the handler here finds the
// faulting address among the mappings of truncation_guard.h, maps anonymous zero
// pages over that whole mapping (mmap is async-signal-safe), marks it in a flag
// word and returns, so the access is repeated on zeros and the program goes on
// to fail by name. The flag words are one array JavaScript reads directly
// (truncationFlags): word 0 counts the truncated mappings, so "was anything
// truncated?" is one load, no system call; word 1 + slot marks each one.
// A SIGBUS anywhere else goes to the handler installed before this one, or ends
// the process as it would have without us.
#include <napi.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "truncation_guard.h"

namespace conflux {

namespace {

struct GuardSlot {
  uintptr_t start;  // 0: free or being filled; published last, cleared first
  size_t length;
  int claimed;
  int busy;  // handlers inside this slot right now; its owner does not unmap until 0
};

GuardSlot slots[kGuardSlots];
// flags[0]: how many guarded mappings are truncated; flags[1 + slot]: 1 when that one is.
alignas(64) int32_t flags[1 + kGuardSlots];
struct sigaction previous;
int handler_state = 0;  // 0 not installed, 1 being installed, 2 installed

void Mark(int slot) {
  if (__atomic_exchange_n(&flags[1 + slot], 1, __ATOMIC_SEQ_CST) == 0) __atomic_fetch_add(&flags[0], 1, __ATOMIC_SEQ_CST);
}

// Only async-signal-safe calls: atomics, mmap, sigaction, raise.
void OnSigbus(int signal, siginfo_t* info, void* context) {
  int saved_errno = errno;
  if (info != nullptr && info->si_code > 0) {  // a fault of the memory system, not a kill(2)
    uintptr_t address = reinterpret_cast<uintptr_t>(info->si_addr);
    for (int slot = 0; slot < kGuardSlots; slot++) {
      uintptr_t start = __atomic_load_n(&slots[slot].start, __ATOMIC_ACQUIRE);
      if (start == 0 || address - start >= slots[slot].length) continue;
      __atomic_fetch_add(&slots[slot].busy, 1, __ATOMIC_SEQ_CST);
      bool repaired = false;
      if (__atomic_load_n(&slots[slot].start, __ATOMIC_SEQ_CST) == start) {
        void* zeros = mmap(reinterpret_cast<void*>(start), slots[slot].length, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1, 0);
        repaired = zeros != MAP_FAILED;
        if (repaired) Mark(slot);
      }
      __atomic_fetch_sub(&slots[slot].busy, 1, __ATOMIC_SEQ_CST);
      if (!repaired) break;
      errno = saved_errno;
      return;
    }
  }
  errno = saved_errno;
  if (previous.sa_flags & SA_SIGINFO) {
    if (previous.sa_sigaction != nullptr) {
      previous.sa_sigaction(signal, info, context);
      return;
    }
  } else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN && previous.sa_handler != nullptr) {
    previous.sa_handler(signal);
    return;
  }
  // As if we had never been here: a fault repeats on return and kills; a SIGBUS someone sent is raised again.
  struct sigaction default_action;
  memset(&default_action, 0, sizeof default_action);
  default_action.sa_handler = SIG_DFL;
  sigemptyset(&default_action.sa_mask);
  sigaction(SIGBUS, &default_action, nullptr);
  if (info == nullptr || info->si_code <= 0) raise(SIGBUS);
}

void InstallHandler() {
  int expected = 0;
  if (!__atomic_compare_exchange_n(&handler_state, &expected, 1, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
    while (__atomic_load_n(&handler_state, __ATOMIC_ACQUIRE) != 2) {
    }
    return;
  }
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_sigaction = OnSigbus;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
  sigemptyset(&action.sa_mask);
  sigaction(SIGBUS, &action, &previous);
  __atomic_store_n(&handler_state, 2, __ATOMIC_RELEASE);
}

}  // namespace

int GuardMapping(void* start, size_t length) {
  InstallHandler();
  for (int slot = 0; slot < kGuardSlots; slot++) {
    int expected = 0;
    if (!__atomic_compare_exchange_n(&slots[slot].claimed, &expected, 1, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
      continue;
    slots[slot].length = length;
    __atomic_store_n(&slots[slot].start, reinterpret_cast<uintptr_t>(start), __ATOMIC_RELEASE);
    return slot;
  }
  return -1;
}

void UnguardMapping(int slot) {
  if (slot < 0 || slot >= kGuardSlots) return;
  __atomic_store_n(&slots[slot].start, static_cast<uintptr_t>(0), __ATOMIC_SEQ_CST);
  // A handler that matched this slot before the store finishes its remap before the caller unmaps.
  while (__atomic_load_n(&slots[slot].busy, __ATOMIC_SEQ_CST) != 0) {
  }
  if (__atomic_exchange_n(&flags[1 + slot], 0, __ATOMIC_SEQ_CST) != 0) __atomic_fetch_sub(&flags[0], 1, __ATOMIC_SEQ_CST);
  __atomic_store_n(&slots[slot].claimed, 0, __ATOMIC_RELEASE);
}

bool SlotTruncated(int slot) {
  return slot >= 0 && slot < kGuardSlots && __atomic_load_n(&flags[1 + slot], __ATOMIC_SEQ_CST) != 0;
}

// truncationFlags(): the flag words as an ArrayBuffer over this module's own memory (never freed), for an
// Int32Array that JavaScript checks with one load.
static Napi::Value TruncationFlags(const Napi::CallbackInfo& info) {
  return Napi::ArrayBuffer::New(info.Env(), flags, sizeof flags, [](Napi::Env, void*) {});
}

void InitTruncation(Napi::Env env, Napi::Object exports) {
  exports.Set("truncationFlags", Napi::Function::New(env, TruncationFlags, "truncationFlags"));
}

}  // namespace conflux
