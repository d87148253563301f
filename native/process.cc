// Process mechanism: CPU affinity and liveness. Liveness uses a pidfd where the
// kernel has one (Linux 5.3+): it becomes readable when the process exits,
// zombies included, and it cannot be fooled by pid reuse while it is open.
#include <napi.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "errno_error.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

namespace conflux {

namespace {

std::string PidName(int pid) { return "pid " + std::to_string(pid); }

// Without pidfds, a zombie still answers kill(pid, 0); /proc says it is dead.
bool AliveWithoutPidfd(int pid) {
  if (kill(pid, 0) != 0 && errno == ESRCH) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  size_t close_paren = line.rfind(')');
  if (close_paren == std::string::npos || close_paren + 2 >= line.size()) return true;
  char state = line[close_paren + 2];
  return state != 'Z' && state != 'X';
}

}  // namespace

// pidfdOpen(pid): a file descriptor that stays tied to this very process, or -1
// when the kernel has no pidfds (the caller falls back to isAlive(pid)).
static Napi::Value PidfdOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int pid = info[0].As<Napi::Number>().Int32Value();
  long fd = syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0) {
    if (errno == ENOSYS) return Napi::Number::New(env, -1);
    ErrnoError(env, errno, "pidfd_open", PidName(pid)).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return Napi::Number::New(env, static_cast<double>(fd));
}

// Whether the process of a pidfd has exited: its pidfd turns readable then. A
// signal that arrives during the poll (a SIGCHLD whenever any child of ours ends)
// makes it fail with EINTR even with a zero timeout; that says nothing about the
// process, so the poll is asked again. Only a readable pidfd means exited.
static bool PidfdExited(int fd) {
  struct pollfd entry = {fd, POLLIN, 0};
  int rc;
  do {
    rc = poll(&entry, 1, 0);
  } while (rc < 0 && errno == EINTR);
  return rc > 0;
}

// pidfdAlive(fd): true while the process has not exited. One poll with a zero
// timeout: cheap enough to run between spin slices.
static Napi::Value PidfdAlive(const Napi::CallbackInfo& info) {
  int fd = info[0].As<Napi::Number>().Int32Value();
  return Napi::Boolean::New(info.Env(), !PidfdExited(fd));
}

// pipe(): [readFd, writeFd], both close-on-exec so no child inherits them by
// accident; a spawn that makes the write end a child's stdout dup2()s it, which
// clears the flag on the child's copy. A component's output goes through one,
// read off the main thread (src/enclave/output-relay.ts).
static Napi::Value Pipe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    ErrnoError(env, errno, "pipe2", "for a component's output").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Array result = Napi::Array::New(env, 2);
  result.Set(0u, Napi::Number::New(env, fds[0]));
  result.Set(1u, Napi::Number::New(env, fds[1]));
  return result;
}

static Napi::Value CloseFd(const Napi::CallbackInfo& info) {
  close(info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}

// isAlive(pid): whether the process exists and has not exited (zombies count as
// exited). Uses a pidfd when it can.
static Napi::Value IsAlive(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int pid = info[0].As<Napi::Number>().Int32Value();
  if (pid <= 0) return Napi::Boolean::New(env, false);
  long fd = syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0) {
    if (errno == ESRCH) return Napi::Boolean::New(env, false);
    return Napi::Boolean::New(env, AliveWithoutPidfd(pid));
  }
  bool exited = PidfdExited(static_cast<int>(fd));
  close(static_cast<int>(fd));
  return Napi::Boolean::New(env, !exited);
}

// setAffinity(pid, cpus): pins a process (0 = the calling thread) to CPUs.
static Napi::Value SetAffinity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int pid = info[0].As<Napi::Number>().Int32Value();
  Napi::Array cpus = info[1].As<Napi::Array>();
  cpu_set_t set;
  CPU_ZERO(&set);
  for (uint32_t i = 0; i < cpus.Length(); i++) {
    int cpu = cpus.Get(i).As<Napi::Number>().Int32Value();
    if (cpu < 0 || cpu >= CPU_SETSIZE) {
      Napi::RangeError::New(env, "CPU " + std::to_string(cpu) + " is out of range").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    CPU_SET(cpu, &set);
  }
  if (sched_setaffinity(pid, sizeof(set), &set) != 0) {
    ErrnoError(env, errno, "sched_setaffinity", PidName(pid)).ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

static Napi::Value GetAffinity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int pid = info[0].As<Napi::Number>().Int32Value();
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(pid, sizeof(set), &set) != 0) {
    ErrnoError(env, errno, "sched_getaffinity", PidName(pid)).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Array cpus = Napi::Array::New(env);
  uint32_t n = 0;
  for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
    if (CPU_ISSET(cpu, &set)) cpus.Set(n++, Napi::Number::New(env, cpu));
  }
  return cpus;
}

// resourceUsage(target): this process's counters, written into a Float64Array
// of six so that a benchmark can sample them every iteration without
// allocating: minor faults, major faults, voluntary and involuntary context
// switches, user and system CPU time in microseconds.
static Napi::Value ResourceUsage(const Napi::CallbackInfo& info) {
  Napi::Float64Array target = info[0].As<Napi::Float64Array>();
  struct rusage usage;
  if (target.ElementLength() < 6 || getrusage(RUSAGE_SELF, &usage) != 0) return Napi::Boolean::New(info.Env(), false);
  double* values = target.Data();
  values[0] = static_cast<double>(usage.ru_minflt);
  values[1] = static_cast<double>(usage.ru_majflt);
  values[2] = static_cast<double>(usage.ru_nvcsw);
  values[3] = static_cast<double>(usage.ru_nivcsw);
  values[4] = static_cast<double>(usage.ru_utime.tv_sec) * 1e6 + static_cast<double>(usage.ru_utime.tv_usec);
  values[5] = static_cast<double>(usage.ru_stime.tv_sec) * 1e6 + static_cast<double>(usage.ru_stime.tv_usec);
  return Napi::Boolean::New(info.Env(), true);
}

void InitProcess(Napi::Env env, Napi::Object exports) {
  exports.Set("resourceUsage", Napi::Function::New(env, ResourceUsage, "resourceUsage"));
  exports.Set("pidfdOpen", Napi::Function::New(env, PidfdOpen, "pidfdOpen"));
  exports.Set("pidfdAlive", Napi::Function::New(env, PidfdAlive, "pidfdAlive"));
  exports.Set("closeFd", Napi::Function::New(env, CloseFd, "closeFd"));
  exports.Set("pipe", Napi::Function::New(env, Pipe, "pipe"));
  exports.Set("isAlive", Napi::Function::New(env, IsAlive, "isAlive"));
  exports.Set("setAffinity", Napi::Function::New(env, SetAffinity, "setAffinity"));
  exports.Set("getAffinity", Napi::Function::New(env, GetAffinity, "getAffinity"));
}

}  // namespace conflux
