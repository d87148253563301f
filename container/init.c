/*
 * The init of a container's pid namespace:
 *   conflux-init [--hangup-fd N] PROGRAM [ARG...]
 *
 * The first process of a pid namespace receives from outside only the signals
 * it has handlers for, so a component run as that process would ignore the
 * SIGTERM with which stop() asks it to end, and nobody would reap the orphans
 * it leaves. This init runs the component as its one child, passes the asking
 * signals on to it, reaps every process, and ends with the component's status:
 * its exit code, or 128 + the signal that killed it, as a shell reports it.
 *
 * It must also end when the driver does, whatever happens to the runtime in
 * between: --hangup-fd names a descriptor whose other end only the driver
 * holds, so its hang-up means the driver has gone; the parent-death signal
 * covers the runtime's own death. When this init ends, the kernel kills
 * everything else in the namespace.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

static const int FORWARDED[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT};
enum { FORWARDED_COUNT = sizeof FORWARDED / sizeof FORWARDED[0] };

static int usage(void) {
  fprintf(stderr, "conflux-init: usage: conflux-init [--hangup-fd N] PROGRAM [ARG...]\n");
  return 125;
}

int main(int argc, char **argv) {
  int hangup_fd = -1;
  int first = 1;
  if (argc > 2 && strcmp(argv[1], "--hangup-fd") == 0) {
    char *end = NULL;
    long fd = strtol(argv[2], &end, 10);
    if (end == argv[2] || *end != '\0' || fd < 0) return usage();
    hangup_fd = (int)fd;
    first = 3;
  }
  if (first >= argc) return usage();
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) {
    fprintf(stderr, "conflux-init: prctl(PR_SET_PDEATHSIG): %s\n", strerror(errno));
    return 125;
  }
  /* An inherited SIG_IGN for SIGCHLD would have the kernel reap the component unseen. */
  signal(SIGCHLD, SIG_DFL);
  sigset_t handled, original;
  sigemptyset(&handled);
  for (int index = 0; index < FORWARDED_COUNT; index++) sigaddset(&handled, FORWARDED[index]);
  sigaddset(&handled, SIGCHLD);
  /* Blocked before the fork, so a signal that comes at once waits in the signalfd. */
  sigprocmask(SIG_BLOCK, &handled, &original);
  int signals = signalfd(-1, &handled, SFD_CLOEXEC);
  if (signals < 0) {
    fprintf(stderr, "conflux-init: signalfd: %s\n", strerror(errno));
    return 125;
  }

  pid_t component = fork();
  if (component < 0) {
    fprintf(stderr, "conflux-init: fork: %s\n", strerror(errno));
    return 125;
  }
  if (component == 0) {
    for (int index = 0; index < FORWARDED_COUNT; index++) signal(FORWARDED[index], SIG_DFL);
    sigprocmask(SIG_SETMASK, &original, NULL);
    if (hangup_fd >= 0) close(hangup_fd); /* the driver's liveness is this init's business */
    /* execv for a path: execvp would hand a file that is no program to /bin/sh, and blame the shell. */
    if (strchr(argv[first], '/') != NULL) execv(argv[first], argv + first);
    else execvp(argv[first], argv + first);
    int failure = errno;
    /* The runtime's own wording, which src/enclave/container/oci/failure.ts reads for the user. */
    fprintf(stderr, "conflux-init: exec container process `%s`: %s\n", argv[first], strerror(failure));
    _exit(failure == ENOENT ? 127 : 126);
  }

  struct pollfd watched[2] = {{signals, POLLIN, 0}, {hangup_fd, POLLIN | POLLRDHUP, 0}};
  for (;;) {
    if (poll(watched, hangup_fd >= 0 ? 2 : 1, -1) < 0) continue; /* EINTR */
    if (hangup_fd >= 0 && watched[1].revents != 0) {
      char byte;
      /* Nothing is ever written: readable means end of file, the driver has gone. */
      if (watched[1].revents & (POLLHUP | POLLRDHUP | POLLERR) || read(hangup_fd, &byte, 1) <= 0) {
        kill(component, SIGKILL);
        return 137;
      }
    }
    if (!(watched[0].revents & POLLIN)) continue;
    struct signalfd_siginfo info;
    if (read(signals, &info, sizeof info) != (ssize_t)sizeof info) continue;
    if ((int)info.ssi_signo != SIGCHLD) {
      kill(component, (int)info.ssi_signo);
      continue;
    }
    int status;
    pid_t ended;
    while ((ended = waitpid(-1, &status, WNOHANG)) > 0) {
      if (ended != component) continue; /* an orphan that came to us: reaped, nothing more */
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    }
  }
}
