/* The guest agent: started by the guest's init, it reads the launch from the
 * arena (the ivshmem region the host created, layout in docs/vm.md), lays out
 * the run directory so clients find the registry and segments by their usual
 * paths, runs the component, forwards its output over the second serial port,
 * reports its end in the arena (at once, so the host's isAlive() sees it
 * without reading the console) and on the console, and powers the guest off.
 * Static, libc only: nothing else is in the guest. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* File offsets in the arena (docs/vm.md, "Arena", version 1). */
enum {
  ARENA_SEGMENT_KIND = 4,
  H_MAGIC = 0,
  H_KIND = 28,
  A_VERSION = 256,
  AG_STATE = 320,
  AG_EXIT = 324,
  AG_HEARTBEAT = 328,
  AG_PID = 332,
  AG_BOOT_MS = 336,
  AG_KERNEL = 352,
  AG_KERNEL_BYTES = 64,
  HOST_CONFIG_OFFSET = 448,
  HOST_CONFIG_LENGTH = 452,
};
#define SEGMENT_MAGIC 0x584C4643u
#define ARENA_VERSION 1u
enum { STATE_BOOTING = 0, STATE_RUNNING = 1, STATE_ENDED = 2, STATE_LAUNCH_FAILED = 3 };

/* Console frames: ESC 'C' type length(4, little-endian) payload. */
enum { FRAME_STDOUT = 'o', FRAME_STDERR = 'e', FRAME_AGENT = 'a', FRAME_RUNNING = 'r', FRAME_EXIT = 'x' };

#define HEARTBEAT_MS 100
#define DRAIN_MS 1000
#define MAX_ITEMS 4096

static unsigned char *arena;
static size_t arena_size;
static int console_fd = -1;

static uint32_t *word(size_t offset) { return (uint32_t *)(void *)(arena + offset); }
static void publish(size_t offset, uint32_t value) { __atomic_store_n(word(offset), value, __ATOMIC_SEQ_CST); }

static void write_all(int fd, const void *data, size_t length) {
  const char *bytes = data;
  while (length > 0) {
    ssize_t written = write(fd, bytes, length);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return;
    bytes += written;
    length -= (size_t)written;
  }
}

static void frame(char type, const void *payload, size_t length) {
  unsigned char header[7] = {0x1b, 'C', (unsigned char)type, (unsigned char)(length & 0xff),
                             (unsigned char)((length >> 8) & 0xff), (unsigned char)((length >> 16) & 0xff),
                             (unsigned char)((length >> 24) & 0xff)};
  if (console_fd < 0) return;
  write_all(console_fd, header, sizeof header);
  write_all(console_fd, payload, length);
}

static void say(char type, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void say(char type, const char *format, ...) {
  char text[1024];
  va_list arguments;
  va_start(arguments, format);
  int length = vsnprintf(text, sizeof text, format, arguments);
  va_end(arguments);
  if (length < 0) return;
  frame(type, text, (size_t)length < sizeof text ? (size_t)length : sizeof text - 1);
}

static void power_off(void) {
  if (console_fd >= 0) tcdrain(console_fd);
  sync();
  reboot(RB_POWER_OFF);
  for (;;) pause();
}

/* The agent cannot run the component: say why everywhere the host looks, and end the guest. */
static void give_up(const char *format, ...) __attribute__((format(printf, 1, 2), noreturn));
static void give_up(const char *format, ...) {
  char text[1024];
  va_list arguments;
  va_start(arguments, format);
  vsnprintf(text, sizeof text, format, arguments);
  va_end(arguments);
  fprintf(stderr, "conflux agent: %s\n", text);
  say(FRAME_EXIT, "launch %s", text);
  if (arena != NULL) publish(AG_STATE, STATE_LAUNCH_FAILED);
  power_off();
  for (;;) pause();
}

static long long uptime_ms(void) {
  struct timespec now;
  clock_gettime(CLOCK_BOOTTIME, &now);
  return (long long)now.tv_sec * 1000LL + now.tv_nsec / 1000000L;
}

/* "conflux.arena=0000:00:02.0" on the kernel command line: the PCI device that holds the arena. */
static void arena_device(char *address, size_t size) {
  char line[4096];
  int fd = open("/proc/cmdline", O_RDONLY);
  ssize_t length = fd < 0 ? -1 : read(fd, line, sizeof line - 1);
  if (fd >= 0) close(fd);
  if (length <= 0) give_up("cannot read /proc/cmdline");
  line[length] = '\0';
  const char *at = strstr(line, "conflux.arena=");
  if (at == NULL) give_up("the kernel command line names no conflux.arena device");
  at += strlen("conflux.arena=");
  size_t used = strcspn(at, " \n");
  if (used == 0 || used >= size) give_up("conflux.arena on the kernel command line is malformed");
  memcpy(address, at, used);
  address[used] = '\0';
}

static void map_arena(void) {
  char address[64], path[160];
  arena_device(address, sizeof address);
  snprintf(path, sizeof path, "/sys/bus/pci/devices/%s/resource2", address);
  int fd = open(path, O_RDWR | O_SYNC);
  if (fd < 0) give_up("open %s: %s (is the ivshmem device there?)", path, strerror(errno));
  struct stat status;
  if (fstat(fd, &status) != 0 || status.st_size < 8192) give_up("%s is too small to be an arena", path);
  arena_size = (size_t)status.st_size;
  void *map = mmap(NULL, arena_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (map == MAP_FAILED) give_up("mmap %s: %s", path, strerror(errno));
  arena = map;
  if (__atomic_load_n(word(H_MAGIC), __ATOMIC_ACQUIRE) != SEGMENT_MAGIC || *word(H_KIND) != ARENA_SEGMENT_KIND ||
      *word(A_VERSION) != ARENA_VERSION)
    give_up("%s does not hold a version-%u conflux arena", path, ARENA_VERSION);
}

/* The launch, as records of one tag byte and a NUL-terminated value (docs/vm.md, "Launch records"). */
struct launch {
  char *argv[MAX_ITEMS];
  int argc;
  char *envp[MAX_ITEMS];
  int envc;
  const char *cwd;
  const char *run_directory;
  const char *owner;
  const char *files[MAX_ITEMS];
  int file_count;
  int cpus[MAX_ITEMS];
  int cpu_count;
};

/* PATH=... gets busybox's tools (installed by the init script) appended: the last resort of a shell command. */
static char *with_busybox_path(char *entry) {
  if (strncmp(entry, "PATH=", 5) != 0) return entry;
  size_t length = strlen(entry) + sizeof ":/conflux/bin";
  char *path = malloc(length);
  if (path == NULL) return entry;
  snprintf(path, length, "%s:/conflux/bin", entry);
  return path;
}

static void read_launch(struct launch *launch) {
  uint32_t offset = *word(HOST_CONFIG_OFFSET), length = *word(HOST_CONFIG_LENGTH);
  if (offset == 0 || (size_t)offset + length > arena_size) give_up("the arena holds no launch records");
  /* A private copy: the strings must stay put whatever happens to the arena. */
  char *records = malloc((size_t)length + 1);
  if (records == NULL) give_up("out of memory reading the launch");
  memcpy(records, arena + offset, length);
  records[length] = '\0';
  memset(launch, 0, sizeof *launch);
  for (char *at = records; at < records + length && *at != '\0';) {
    char tag = *at++;
    char *value = at;
    at += strlen(value) + 1;
    switch (tag) {
      case 'a': if (launch->argc < MAX_ITEMS - 1) launch->argv[launch->argc++] = value; break;
      case 'e': if (launch->envc < MAX_ITEMS - 1) launch->envp[launch->envc++] = with_busybox_path(value); break;
      case 'd': launch->cwd = value; break;
      case 'r': launch->run_directory = value; break;
      case 'o': launch->owner = value; break;
      case 'f': if (launch->file_count < MAX_ITEMS) launch->files[launch->file_count++] = value; break;
      case 'c': if (launch->cpu_count < MAX_ITEMS) launch->cpus[launch->cpu_count++] = atoi(value); break;
      default: give_up("unknown launch record '%c'", tag);
    }
  }
  if (launch->argc == 0) give_up("the launch names no program");
}

static void make_directories(const char *path) {
  char partial[4096];
  size_t length = strlen(path);
  if (length >= sizeof partial) give_up("path too long: %s", path);
  for (size_t index = 1; index <= length; index++) {
    if (path[index] != '/' && path[index] != '\0') continue;
    memcpy(partial, path, index);
    partial[index] = '\0';
    if (mkdir(partial, 0755) != 0 && errno != EEXIST) give_up("mkdir %s: %s", partial, strerror(errno));
  }
}

/* The run directory at the host's path: owner.json, and one file per shared file, its device's BAR bound over it.
 * A bind mount, not a symbolic link: every client refuses to open a segment through a link (a component could point
 * one anywhere), and the BAR's sysfs file is a regular file of the BAR's size, as a segment file is. */
static void lay_out_run_directory(const struct launch *launch) {
  if (launch->run_directory == NULL) return;
  const char *directory = launch->run_directory;
  make_directories(directory);
  if (mount("conflux-run", directory, "tmpfs", 0, "mode=0700") != 0)
    give_up("mount a tmpfs on %s: %s", directory, strerror(errno));
  char path[4096], target[160];
  if (launch->owner != NULL) {
    snprintf(path, sizeof path, "%s/owner.json", directory);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) give_up("create %s: %s", path, strerror(errno));
    write_all(fd, launch->owner, strlen(launch->owner));
    close(fd);
  }
  for (int index = 0; index < launch->file_count; index++) {
    /* "<pci address> <file name>" */
    const char *entry = launch->files[index];
    const char *space = strchr(entry, ' ');
    if (space == NULL || space == entry || (size_t)(space - entry) >= 64) give_up("malformed file record %s", entry);
    snprintf(target, sizeof target, "/sys/bus/pci/devices/%.*s/resource2", (int)(space - entry), entry);
    snprintf(path, sizeof path, "%s/%s", directory, space + 1);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) give_up("create %s: %s", path, strerror(errno));
    close(fd);
    if (mount(target, path, NULL, MS_BIND, NULL) != 0) give_up("bind %s over %s: %s", target, path, strerror(errno));
  }
  /* Read-only: a file a client creates here would live only in the guest, where the host cannot see it. */
  if (mount("conflux-run", directory, "tmpfs", MS_REMOUNT | MS_RDONLY, "mode=0700") != 0)
    give_up("make %s read-only: %s", directory, strerror(errno));
}

static void open_console(void) {
  console_fd = open("/dev/ttyS1", O_RDWR | O_NOCTTY);
  if (console_fd < 0) {
    fprintf(stderr, "conflux agent: open /dev/ttyS1: %s\n", strerror(errno));
    return;
  }
  struct termios settings;
  if (tcgetattr(console_fd, &settings) == 0) {
    cfmakeraw(&settings);
    cfsetspeed(&settings, B115200);
    tcsetattr(console_fd, TCSANOW, &settings);
  }
}

static void record_kernel(void) {
  struct utsname name;
  if (uname(&name) != 0) return;
  size_t length = strlen(name.release);
  if (length >= AG_KERNEL_BYTES) length = AG_KERNEL_BYTES - 1;
  memcpy(arena + AG_KERNEL, name.release, length);
}

/* Starts the component; an exec failure travels back through a close-on-exec pipe. */
static pid_t start_component(const struct launch *launch, int out[2], int err[2]) {
  int report[2];
  if (pipe(out) != 0 || pipe(err) != 0 || pipe2(report, O_CLOEXEC) != 0) give_up("pipe: %s", strerror(errno));
  pid_t child = fork();
  if (child < 0) give_up("fork: %s", strerror(errno));
  if (child == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    dup2(out[1], 1);
    dup2(err[1], 2);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    for (int fd = 3; fd < 64; fd++)
      if (fd != report[1]) close(fd);
    const char *failed = NULL;
    if (launch->cpu_count > 0) {
      cpu_set_t set;
      CPU_ZERO(&set);
      for (int index = 0; index < launch->cpu_count; index++) CPU_SET(launch->cpus[index], &set);
      if (sched_setaffinity(0, sizeof set, &set) != 0) failed = "sched_setaffinity";
    }
    if (failed == NULL && launch->cwd != NULL) {
      make_directories(launch->cwd);
      if (chdir(launch->cwd) != 0) failed = "chdir";
    }
    if (failed == NULL) {
      execve(launch->argv[0], (char *const *)launch->argv, (char *const *)launch->envp);
      failed = "execve";
    }
    char message[512];
    int length = snprintf(message, sizeof message, "%s %s: %s", failed, launch->argv[0], strerror(errno));
    write_all(report[1], message, (size_t)length);
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  close(report[1]);
  char message[512];
  ssize_t length;
  do length = read(report[0], message, sizeof message - 1);
  while (length < 0 && errno == EINTR);
  close(report[0]);
  if (length > 0) {
    message[length] = '\0';
    waitpid(child, NULL, 0);
    give_up("cannot start the component in the guest: %s", message);
  }
  return child;
}

/* One read from a component pipe, forwarded as a frame; false at end of file. */
static int forward(int fd, char type) {
  char buffer[16384];
  ssize_t length = read(fd, buffer, sizeof buffer);
  if (length < 0 && (errno == EINTR || errno == EAGAIN)) return 1;
  if (length <= 0) return 0;
  frame(type, buffer, (size_t)length);
  return 1;
}

static void command(pid_t component, int ended) {
  char orders[64];
  ssize_t length = read(console_fd, orders, sizeof orders);
  for (ssize_t index = 0; index < length; index++) {
    if (ended) continue;
    if (orders[index] == 'T') kill(component, SIGTERM);
    if (orders[index] == 'K') kill(component, SIGKILL);
  }
}

int main(void) {
  open_console();
  map_arena();
  record_kernel();
  struct launch *launch = calloc(1, sizeof *launch);
  if (launch == NULL) give_up("out of memory");
  read_launch(launch);
  lay_out_run_directory(launch);

  sigset_t child_signals;
  sigemptyset(&child_signals);
  sigaddset(&child_signals, SIGCHLD);
  sigprocmask(SIG_BLOCK, &child_signals, NULL);
  int signals = signalfd(-1, &child_signals, SFD_CLOEXEC | SFD_NONBLOCK);
  int out[2], err[2];
  pid_t component = start_component(launch, out, err);
  publish(AG_PID, (uint32_t)component);
  publish(AG_BOOT_MS, (uint32_t)uptime_ms());
  publish(AG_STATE, STATE_RUNNING);
  say(FRAME_RUNNING, "%d", (int)component);

  int out_open = 1, err_open = 1, ended = 0, status = 0;
  long long drain_until = 0;
  while (out_open || err_open || !ended) {
    struct pollfd fds[4] = {{out_open ? out[0] : -1, POLLIN, 0},
                            {err_open ? err[0] : -1, POLLIN, 0},
                            {console_fd, POLLIN, 0},
                            {signals, POLLIN, 0}};
    int timeout = HEARTBEAT_MS;
    if (ended) {
      long long left = drain_until - uptime_ms();
      if (left <= 0) break; /* a grandchild holds the pipe open: report the exit anyway */
      if (left < timeout) timeout = (int)left;
    }
    int ready = poll(fds, 4, timeout);
    if (ready < 0 && errno != EINTR) give_up("poll: %s", strerror(errno));
    __atomic_fetch_add(word(AG_HEARTBEAT), 1u, __ATOMIC_SEQ_CST);
    if (ready <= 0) continue;
    if (fds[0].revents != 0 && !forward(out[0], FRAME_STDOUT)) out_open = 0;
    if (fds[1].revents != 0 && !forward(err[0], FRAME_STDERR)) err_open = 0;
    if (fds[2].revents & POLLIN) command(component, ended);
    if (fds[3].revents != 0) {
      struct signalfd_siginfo information;
      while (read(signals, &information, sizeof information) > 0) {
      }
      int child_status;
      pid_t pid;
      while ((pid = waitpid(-1, &child_status, WNOHANG)) > 0) {
        if (pid != component || ended) continue;
        ended = 1;
        status = child_status;
        int32_t code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
        publish(AG_EXIT, (uint32_t)code);
        publish(AG_STATE, STATE_ENDED);
        drain_until = uptime_ms() + DRAIN_MS;
      }
    }
  }
  if (WIFEXITED(status)) say(FRAME_EXIT, "code %d", WEXITSTATUS(status));
  else say(FRAME_EXIT, "signal %d", WTERMSIG(status));
  power_off();
  return 0;
}
