/*
 * The init of a crun container's pid namespace: conflux-init PROGRAM [ARG...].
 *
 * The first process of a pid namespace receives from outside only the signals
 * it has handlers for, so a component run as that process would ignore the
 * SIGTERM with which stop() asks it to end, and nobody would reap the orphans
 * it leaves. This init runs the component as its one child, passes the asking
 * signals on to it, reaps every process, and ends with the component's status:
 * its exit code, or 128 + the signal that killed it, as a shell reports it.
 *
 * It dies with its parent (the runtime, which dies with the driver), and the
 * kernel then kills everything in the namespace.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static const int FORWARDED[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT};

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "conflux-init: usage: conflux-init PROGRAM [ARG...]\n");
    return 125;
  }
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) {
    fprintf(stderr, "conflux-init: prctl(PR_SET_PDEATHSIG): %s\n", strerror(errno));
    return 125;
  }
  sigset_t handled, original;
  sigemptyset(&handled);
  for (size_t index = 0; index < sizeof FORWARDED / sizeof FORWARDED[0]; index++) sigaddset(&handled, FORWARDED[index]);
  sigaddset(&handled, SIGCHLD);
  /* Blocked before the fork, so a signal that comes at once waits for sigwaitinfo below. */
  sigprocmask(SIG_BLOCK, &handled, &original);

  pid_t component = fork();
  if (component < 0) {
    fprintf(stderr, "conflux-init: fork: %s\n", strerror(errno));
    return 125;
  }
  if (component == 0) {
    sigprocmask(SIG_SETMASK, &original, NULL);
    /* execv for a path: execvp would hand a file that is no program to /bin/sh, and blame the shell. */
    if (strchr(argv[1], '/') != NULL) execv(argv[1], argv + 1);
    else execvp(argv[1], argv + 1);
    int failure = errno;
    /* The runtime's own wording, which oci-failure.ts reads for the user. */
    fprintf(stderr, "conflux-init: exec container process `%s`: %s\n", argv[1], strerror(failure));
    _exit(failure == ENOENT ? 127 : 126);
  }

  for (;;) {
    siginfo_t info;
    int signal_number = sigwaitinfo(&handled, &info);
    if (signal_number < 0) continue; /* EINTR */
    if (signal_number != SIGCHLD) {
      kill(component, signal_number);
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
