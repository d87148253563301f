/* The C client against shared memory that another process scribbles on
 * (test/clients/c-hostile.test.ts). Each case builds a run directory of its own
 * in DIR (owner.json, a registry, segments) through the client's wire
 * functions, lets a forked process (the hostile peer) change what the client
 * has validated or maps, and checks that the client answers with an error
 * code and a message, never with a crash or a wrong value.
 *   hostile_c name-race DIR            a header's name length flipped while the client maps the segment
 *   hostile_c registry-capacity DIR    a registry of 2 entries, and a lookup that times out
 *   hostile_c arena-page DIR           the arena's page size halved after the client checked it
 *   hostile_c beyond-file DIR          a registry entry whose offset and length lie past the end of its file
 *   hostile_c registry-truncated DIR   the registry shrunk to 0 bytes by another process while mapped
 *   hostile_c foreign-sigbus DIR       a SIGBUS in a mapping of the program's own: it dies of it, as without the client
 *   hostile_c chained-sigbus DIR       the same with a handler of the program's own installed first: that one runs
 * Prints one line "ok: ..." and exits 0 when the client behaved; exits 1 with the reason otherwise. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conflux.h"

#define RUN_ID "0123456789abcdef"
#define PAGE 4096

static void die(const char *format, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *format, ...) {
  va_list arguments;
  va_start(arguments, format);
  fprintf(stderr, "hostile_c: ");
  vfprintf(stderr, format, arguments);
  fprintf(stderr, "\n");
  va_end(arguments);
  exit(1);
}

static void check(int rc, const char *what) {
  if (rc != CFX_OK) die("%s: %s (%s)", what, cfx_last_error(), cfx_error_name(rc));
}

static void path_in(char *path, size_t size, const char *directory, const char *file) {
  if ((size_t)snprintf(path, size, "%s/%s", directory, file) >= size) die("path too long: %s/%s", directory, file);
}

/* Creates DIR/FILE of `size` bytes and maps it whole (MAP_SHARED). */
static unsigned char *create_file(const char *directory, const char *file, size_t size) {
  char path[4096];
  path_in(path, sizeof path, directory, file);
  int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 || ftruncate(fd, (off_t)size) != 0) die("create %s: %s", path, strerror(errno));
  unsigned char *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (map == MAP_FAILED) die("mmap %s: %s", path, strerror(errno));
  return map;
}

/* A run directory: owner.json and a registry of `capacity` entries; returns the registry's payload. */
static unsigned char *make_run(const char *directory, int capacity) {
  char path[4096];
  path_in(path, sizeof path, directory, "owner.json");
  FILE *owner = fopen(path, "w");
  if (owner == NULL) die("create %s: %s", path, strerror(errno));
  fprintf(owner, "{\"runId\":\"%s\",\"pid\":%d,\"startTicks\":0,\"createdUnixMs\":0}\n", RUN_ID, (int)getpid());
  fclose(owner);
  long long payload = 64 + 256LL * capacity;
  unsigned char *registry = create_file(directory, "registry", (size_t)(CFX_HEADER_SIZE + payload));
  check(cfx_wire_write_header(registry, payload, (int)getpid(), CFX_KIND_REGISTRY, RUN_ID, 0, "registry"),
        "registry header");
  if (capacity == CFX_REGISTRY_CAPACITY) {
    check(cfx_wire_format_registry(registry + CFX_HEADER_SIZE, payload), "registry format");
  } else {
    /* The client's formatter writes the standard geometry; a smaller one is written by hand. */
    uint32_t words[2] = {(uint32_t)capacity, 256};
    memcpy(registry + CFX_HEADER_SIZE, words, sizeof words);
  }
  return registry + CFX_HEADER_SIZE;
}

static void put32(unsigned char *at, uint32_t value) { memcpy(at, &value, 4); }

/* A forked process that runs `body` until its parent kills it (or dies: PR_SET_PDEATHSIG). */
static pid_t hostile_peer(void (*body)(void *), void *argument) {
  pid_t parent = getpid();
  pid_t child = fork();
  if (child < 0) die("fork: %s", strerror(errno));
  if (child == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(0);
    body(argument);
    _exit(0);
  }
  return child;
}

static void end_peer(pid_t child) {
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
}

static void wait_peer(pid_t child) {
  int status = 0;
  if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    die("the hostile peer failed (status 0x%x)", status);
}

/* ---- name-race: the name length at byte 56 of a header, flipped between 6 and 60,000 --------------------------- */
static void flip_name_length(void *header) {
  volatile uint32_t *length = (volatile uint32_t *)(void *)((unsigned char *)header + 56);
  for (;;) {
    *length = 60000;
    *length = 6;
  }
}

static int name_race(const char *directory) {
  unsigned char *registry = make_run(directory, CFX_REGISTRY_CAPACITY);
  long long payload = 65536;
  unsigned char *segment = create_file(directory, "seg-000000000001", (size_t)(CFX_HEADER_SIZE + payload));
  check(cfx_wire_write_header(segment, payload, (int)getpid(), CFX_KIND_RAW, RUN_ID, 0, "victim"), "header");
  check(cfx_wire_register(registry, 64 + 256LL * 256, "victim", "seg-000000000001", 0, CFX_HEADER_SIZE + payload,
                          CFX_KIND_RAW, (int)getpid()),
        "register");
  cfx_run *run = NULL;
  check(cfx_run_join(directory, &run), "join");
  pid_t peer = hostile_peer(flip_name_length, segment);
  int opened = 0, refused = 0;
  for (int attempt = 0; attempt < 20000; attempt++) {
    cfx_segment *mapped = NULL;
    int rc = cfx_run_open_segment(run, "victim", CFX_KIND_RAW, 0, &mapped);
    if (rc == CFX_OK) {
      if (cfx_segment_payload_size(mapped) != payload)
        die("attempt %d: the segment's payload size became %lld (expected %lld)", attempt,
            cfx_segment_payload_size(mapped), payload);
      opened++;
      cfx_segment_close(mapped);
    } else if (rc == CFX_ERR_FORMAT && strstr(cfx_last_error(), "name length 60000") != NULL) {
      refused++;
    } else {
      end_peer(peer);
      die("attempt %d: %s (%s)", attempt, cfx_last_error(), cfx_error_name(rc));
    }
  }
  end_peer(peer);
  cfx_run_close(run);
  printf("ok: %d opened, %d refused with a corrupt name length\n", opened, refused);
  return 0;
}

/* ---- registry-capacity: a lookup that times out lists the registered names of a 2-entry registry -------------- */
static int registry_capacity(const char *directory) {
  make_run(directory, 2);
  cfx_run *run = NULL;
  check(cfx_run_join(directory, &run), "join");
  cfx_segment *segment = NULL;
  int rc = cfx_run_open_segment(run, "missing", CFX_KIND_ANY, 1, &segment);
  if (rc != CFX_ERR_NOT_FOUND) die("expected CFX_ERR_NOT_FOUND, got %s: %s", cfx_error_name(rc), cfx_last_error());
  if (strstr(cfx_last_error(), "registered: none") == NULL) die("unexpected message: %s", cfx_last_error());
  cfx_run_close(run);
  printf("ok: %s\n", cfx_last_error());
  return 0;
}

/* ---- arena-page: the arena's page size halved by another process after the client checked it ----------------- */
enum { ARENA_VERSION = 256, ARENA_PAGE_SIZE = 260, ARENA_PAGE_COUNT = 264, ARENA_NEXT_PAGE = 268 };

/* Half the real page: a client that re-reads it places the next segment over the first. */
static void halve_page_size(void *arena) {
  volatile uint32_t *page = (volatile uint32_t *)(void *)((unsigned char *)arena + ARENA_PAGE_SIZE);
  *page = PAGE / 2;
}

static int arena_page(const char *directory) {
  unsigned char *registry = make_run(directory, CFX_REGISTRY_CAPACITY);
  size_t pages = 16;
  unsigned char *arena = create_file(directory, "arena-0", pages * PAGE);
  check(cfx_wire_write_header(arena, (long long)(pages * PAGE - CFX_HEADER_SIZE), (int)getpid(), CFX_KIND_ARENA,
                              RUN_ID, 0, "vm.arena"),
        "arena header");
  put32(arena + ARENA_VERSION, 1);
  put32(arena + ARENA_PAGE_SIZE, PAGE);
  put32(arena + ARENA_PAGE_COUNT, (uint32_t)pages);
  put32(arena + ARENA_NEXT_PAGE, 1);
  check(cfx_wire_register(registry, 64 + 256LL * 256, "vm.arena", "arena-0", 0, (long long)(pages * PAGE),
                          CFX_KIND_ARENA, (int)getpid()),
        "register arena");
  setenv("CONFLUX_ARENA", "vm.arena", 1);
  cfx_run *run = NULL;
  check(cfx_run_join(directory, &run), "join");
  cfx_segment *first = NULL, *second = NULL;
  check(cfx_run_create_segment(run, "first", 100, CFX_KIND_RAW, &first), "first segment");
  wait_peer(hostile_peer(halve_page_size, arena));
  int rc = cfx_run_create_segment(run, "second", 100, CFX_KIND_RAW, &second);
  if (rc == CFX_OK) {
    char file[CFX_MAX_NAME_BYTES + 1];
    long long at_first = 0, at_second = 0, length = 0;
    check(cfx_wire_lookup(registry, 64 + 256LL * 256, "first", file, sizeof file, &at_first, &length, NULL, NULL),
          "lookup first");
    check(cfx_wire_lookup(registry, 64 + 256LL * 256, "second", file, sizeof file, &at_second, &length, NULL, NULL),
          "lookup second");
    if (at_second < at_first + PAGE || at_second % PAGE != 0)
      die("the second segment was placed at byte %lld of the arena, the first at %lld", at_second, at_first);
    printf("ok: the second segment was placed at byte %lld, after the first at %lld\n", at_second, at_first);
  } else if (rc == CFX_ERR_FORMAT) {
    printf("ok: refused: %s\n", cfx_last_error());
  } else {
    die("%s: %s", cfx_error_name(rc), cfx_last_error());
  }
  cfx_segment_close(second);
  cfx_segment_close(first);
  cfx_run_close(run);
  return 0;
}

/* ---- beyond-file: a registry entry that places its segment past the end of its file ----------------------------- */
static int beyond_file(const char *directory) {
  unsigned char *registry = make_run(directory, CFX_REGISTRY_CAPACITY);
  create_file(directory, "arena-0", PAGE);
  check(cfx_wire_register(registry, 64 + 256LL * 256, "far", "arena-0", 2 * PAGE, PAGE, CFX_KIND_RAW, (int)getpid()),
        "register");
  cfx_run *run = NULL;
  check(cfx_run_join(directory, &run), "join");
  cfx_segment *segment = NULL;
  int rc = cfx_run_open_segment(run, "far", CFX_KIND_ANY, 0, &segment);
  if (rc != CFX_ERR_FORMAT) die("expected CFX_ERR_FORMAT, got %s: %s", cfx_error_name(rc), cfx_last_error());
  cfx_run_close(run);
  printf("ok: %s\n", cfx_last_error());
  return 0;
}

/* ---- registry-truncated: another process shrinks the registry while the client has it mapped -------------------- */
static void truncate_registry(void *directory) {
  char path[4096];
  path_in(path, sizeof path, directory, "registry");
  if (truncate(path, 0) != 0) _exit(1);
}

static int registry_truncated(const char *directory) {
  make_run(directory, CFX_REGISTRY_CAPACITY);
  cfx_run *run = NULL;
  check(cfx_run_join(directory, &run), "join");
  wait_peer(hostile_peer(truncate_registry, (void *)directory));
  cfx_segment *segment = NULL;
  int rc = cfx_run_open_segment(run, "anything", CFX_KIND_ANY, 0, &segment);
  if (rc != CFX_ERR_TRUNCATED) die("expected CFX_ERR_TRUNCATED, got %s: %s", cfx_error_name(rc), cfx_last_error());
  int again = cfx_run_create_segment(run, "more", 64, CFX_KIND_RAW, &segment);
  if (again != CFX_ERR_TRUNCATED) die("a second call gave %s: %s", cfx_error_name(again), cfx_last_error());
  cfx_run_close(run);
  printf("ok: %s\n", cfx_last_error());
  return 0;
}

/* ---- foreign-sigbus, chained-sigbus: a SIGBUS outside the client's mappings is not the client's ---------------- */
static void own_handler(int signal_number, siginfo_t *info, void *context) {
  (void)signal_number;
  (void)info;
  (void)context;
  static const char said[] = "the program's own SIGBUS handler ran\n";
  if (write(1, said, sizeof said - 1) < 0) _exit(43);
  _exit(42);
}

static int foreign_sigbus(const char *directory, int chained) {
  if (chained) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = own_handler;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    sigaction(SIGBUS, &action, NULL);
  }
  make_run(directory, CFX_REGISTRY_CAPACITY);
  cfx_run *run = NULL;
  check(cfx_run_join(directory, &run), "join"); /* installs the client's handler */
  volatile unsigned char *own = create_file(directory, "own", 2 * PAGE);
  char path[4096];
  path_in(path, sizeof path, directory, "own");
  if (truncate(path, 0) != 0) die("truncate %s: %s", path, strerror(errno));
  fflush(stdout);
  own[PAGE] = 1; /* not a mapping of the client's */
  printf("survived a SIGBUS that was not the client's\n");
  cfx_run_close(run);
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s CASE DIR\n", argv[0]);
    return 2;
  }
  const char *which = argv[1], *directory = argv[2];
  if (strcmp(which, "name-race") == 0) return name_race(directory);
  if (strcmp(which, "registry-capacity") == 0) return registry_capacity(directory);
  if (strcmp(which, "arena-page") == 0) return arena_page(directory);
  if (strcmp(which, "beyond-file") == 0) return beyond_file(directory);
  if (strcmp(which, "registry-truncated") == 0) return registry_truncated(directory);
  if (strcmp(which, "foreign-sigbus") == 0) return foreign_sigbus(directory, 0);
  if (strcmp(which, "chained-sigbus") == 0) return foreign_sigbus(directory, 1);
  fprintf(stderr, "hostile_c: unknown case %s\n", which);
  return 2;
}
