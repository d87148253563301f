/* The C client of the Conflux wire format; see conflux.h and
 * docs/wire-format.md. libc only: futex and pidfd_open through syscall(2),
 * atomics through the compiler's __atomic builtins. */
#define _GNU_SOURCE
#include "conflux.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the conflux wire format is little-endian; this client builds on little-endian hosts only"
#endif

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#define FUTEX_WAIT_SHARED 0 /* FUTEX_WAIT without FUTEX_PRIVATE_FLAG: the peer is another process */
#define FUTEX_WAKE_SHARED 1

/* ---- layout (docs/wire-format.md) ---------------------------------------- */
#define SEGMENT_MAGIC 0x584C4643u
#define BYTE_ORDER_MARK 0x01020304u
#define SEGMENT_LAYOUT_VERSION 1u

enum { H_MAGIC = 0, H_BYTE_ORDER = 4, H_VERSION = 8, H_HEADER_SIZE = 12, H_PAYLOAD_SIZE = 16, H_PID = 24, H_KIND = 28,
       H_RUN_ID = 32, H_CREATED = 48, H_NAME_LENGTH = 56, H_NAME = 64 };

enum { R_CAPACITY = 0, R_ENTRY_SIZE = 4, R_GENERATION = 8, R_TABLE = 64, R_ENTRY = 256 };
enum { E_STATE = 0, E_KIND = 4, E_OFFSET = 8, E_LENGTH = 16, E_PID = 24, E_NAME_LENGTH = 28, E_FILE_LENGTH = 32,
       E_NAME = 64, E_FILE = 160 };
/* An entry's state (docs/wire-format.md, "Registry"): claimed 0 -> 1 and written, announced (3) to contenders for its
 * name, live (2) once none is ahead of it; released by compare-and-swap to 1, zeroed, then 0. */
enum { ENTRY_FREE = 0, ENTRY_WRITING = 1, ENTRY_LIVE = 2, ENTRY_ANNOUNCED = 3 };
/* How long a registrant waits for an announced contender at a higher index to publish or withdraw. */
#define ANNOUNCED_WAIT_MS 2000

#define RING_MAGIC 0x474E4952u
#define RING_LAYOUT_VERSION ((uint32_t)CFX_RING_LAYOUT_VERSION)
enum { RING_TAIL = 0, RING_CONSUMER_SLEEPING = 4, RING_PRODUCER_CLOSED = 8, RING_HEAD = 64,
       RING_PRODUCER_SLEEPING = 68, RING_CONSUMER_CLOSED = 72, RING_MAGIC_AT = 128, RING_VERSION = 132,
       RING_CAPACITY = 136, RING_RECORD_SIZE = 140, RING_RECORDS = 192 };
enum { REC_SEQUENCE = 0, REC_OPCODE = 4, REC_FLAGS = 6, REC_LENGTH = 8, REC_CORRELATION = 12, REC_PAYLOAD = 16 };

#define CHANNEL_MAGIC 0x4E414843u
#define CHANNEL_LAYOUT_VERSION 1u
enum { C_MAGIC = 0, C_VERSION = 4, C_CAPACITY = 8, C_DRIVER_PID = 12, C_COMPONENT_PID = 16, C_CONTENDER_PID = 20, C_LINE = 64 };

#define MESH_MAGIC 0x4853454Du
#define MESH_LAYOUT_VERSION 1u
enum { M_MAGIC = 0, M_VERSION = 4, M_DIMENSION = 8, M_LAYOUT = 12, M_COUNT = 16, M_FIELD_COUNT = 20,
       M_COORDINATES_OFFSET = 24, M_FIELDS_OFFSET = 28, M_FIELD_STRIDE = 32, M_FIELD_NAMES = 64, M_COORDINATES = 576 };

#define WAVEFORM_MAGIC 0x45564157u
#define WAVEFORM_LAYOUT_VERSION 1u
enum { W_MAGIC = 0, W_VERSION = 4, W_ROLE = 8, W_COUNT = 12, W_CAPACITY = 16, W_DEGREE = 20, W_SAMPLE_COUNT = 24,
       W_RESERVED = 28, W_WINDOW_START = 32, W_TIMES = 64 };

#define LIVENESS_INTERVAL_NS 1000000LL
#define SLEEP_SLICE_NS 10000000LL
#define SPIN_CHECK_MASK 127u
/* backoff: the first sleep between polls, and the longest (which bounds the latency a long wait adds). */
#define FIRST_BACKOFF_NS 10000LL
#define LONGEST_BACKOFF_NS 1000000LL
#define DEFAULT_SPIN_NS 50000LL
#define DEFAULT_TIMEOUT_NS 30000000000LL
#define CONNECT_TIMEOUT_MS 30000

/* ---- errors --------------------------------------------------------------- */
static __thread char last_error[1024] = "no error";

const char *cfx_last_error(void) { return last_error; }

static int fail(int code, const char *format, ...) {
  va_list arguments;
  va_start(arguments, format);
  vsnprintf(last_error, sizeof last_error, format, arguments);
  va_end(arguments);
  return code;
}

const char *cfx_error_name(int code) {
  switch (code) {
    case CFX_OK: return "CFX_OK";
    case CFX_EMPTY: return "CFX_EMPTY";
    case CFX_ERR_ENVIRONMENT: return "CFX_ERR_ENVIRONMENT";
    case CFX_ERR_SYSTEM: return "CFX_ERR_SYSTEM";
    case CFX_ERR_FORMAT: return "CFX_ERR_FORMAT";
    case CFX_ERR_NOT_FOUND: return "CFX_ERR_NOT_FOUND";
    case CFX_ERR_TIMEOUT: return "CFX_ERR_TIMEOUT";
    case CFX_ERR_PEER_DIED: return "CFX_ERR_PEER_DIED";
    case CFX_ERR_PEER_CLOSED: return "CFX_ERR_PEER_CLOSED";
    case CFX_ERR_PROTOCOL: return "CFX_ERR_PROTOCOL";
    case CFX_ERR_ARGUMENT: return "CFX_ERR_ARGUMENT";
    case CFX_ERR_EXISTS: return "CFX_ERR_EXISTS";
    case CFX_ERR_FULL: return "CFX_ERR_FULL";
    case CFX_ERR_NO_MEMORY: return "CFX_ERR_NO_MEMORY";
    case CFX_ERR_TRUNCATED: return "CFX_ERR_TRUNCATED";
    case CFX_ERR_STATE: return "CFX_ERR_STATE";
    default: return "unknown error code";
  }
}

static const char *errno_name(int error) {
  switch (error) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ESRCH: return "ESRCH";
    case EINTR: return "EINTR";
    case EIO: return "EIO";
    case EBADF: return "EBADF";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case ENODEV: return "ENODEV";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL";
    case ENFILE: return "ENFILE";
    case EMFILE: return "EMFILE";
    case EFBIG: return "EFBIG";
    case ENOSPC: return "ENOSPC";
    case EROFS: return "EROFS";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOSYS: return "ENOSYS";
    case ETIMEDOUT: return "ETIMEDOUT";
    case EOVERFLOW: return "EOVERFLOW";
    default: return "errno";
  }
}

/* "open /dev/shm/conflux-…/seg-…: ENOENT (No such file or directory)" */
static int fail_system(const char *call, const char *what) {
  int error = errno;
  return fail(CFX_ERR_SYSTEM, "%s %s: %s %d (%s)", call, what, errno_name(error), error, strerror(error));
}

/* A segment's pages could not be reserved: with ENOSPC, which segment, the bytes it needs, the bytes free, the fix. */
static int no_room(const char *name, const char *path, long long bytes) {
  if (errno != ENOSPC) return fail_system("fallocate", path);
  struct statvfs status;
  char directory[PATH_MAX];
  snprintf(directory, sizeof directory, "%s", path);
  char *slash = strrchr(directory, '/');
  if (slash != NULL) *slash = '\0';
  unsigned long long free_bytes = statvfs(directory, &status) == 0 ? (unsigned long long)status.f_bavail * status.f_frsize : 0;
  return fail(CFX_ERR_FULL,
              "no room for segment \"%s\" (%lld bytes) in %s: %llu bytes are free. Give it more room (a larger "
              "/dev/shm: `mount -o remount,size=... /dev/shm`; in Docker, `--shm-size`, which is 64 MB unless set), "
              "or point CONFLUX_SHM_ROOT at a larger tmpfs.",
              name, bytes, directory, free_bytes);
}

/* ---- little helpers ------------------------------------------------------- */
static uint32_t get32(const unsigned char *at) { uint32_t v; memcpy(&v, at, 4); return v; }
static void put32(unsigned char *at, uint32_t v) { memcpy(at, &v, 4); }
static uint64_t get64(const unsigned char *at) { uint64_t v; memcpy(&v, at, 8); return v; }
static void put64(unsigned char *at, uint64_t v) { memcpy(at, &v, 8); }
static uint32_t *word_at(const void *base, long long offset) {
  return (uint32_t *)((unsigned char *)(uintptr_t)base + offset);
}
static uint32_t load_acquire(const void *base, long long offset) {
  return __atomic_load_n(word_at(base, offset), __ATOMIC_ACQUIRE);
}
/* A record's sequence, stored after its fields: a consumer that acquires it sees them. */
static void store_release(void *base, long long offset, uint32_t value) {
  __atomic_store_n(word_at(base, offset), value, __ATOMIC_RELEASE);
}
/* Sequentially consistent, like Atomics.store: "publish, then read the sleeping flag" must not reorder. */
static void store_seq_cst(void *base, long long offset, uint32_t value) {
  __atomic_store_n(word_at(base, offset), value, __ATOMIC_SEQ_CST);
}
/* The other half of that Dekker pattern: an acquire load after a seq_cst store may still be satisfied before the
 * store is visible (C11; LDAPR on Arm), and then a sleeping peer is never woken. Both sides must be seq_cst. */
static uint32_t load_seq_cst(const void *base, long long offset) {
  return __atomic_load_n(word_at(base, offset), __ATOMIC_SEQ_CST);
}

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long futex_wait(uint32_t *word, uint32_t expected, long long timeout_ns) {
  struct timespec timeout;
  timeout.tv_sec = (time_t)(timeout_ns / 1000000000LL);
  timeout.tv_nsec = (long)(timeout_ns % 1000000000LL);
  return syscall(SYS_futex, word, FUTEX_WAIT_SHARED, expected, &timeout, NULL, 0);
}

static void futex_wake(uint32_t *word, int count) { syscall(SYS_futex, word, FUTEX_WAKE_SHARED, count, NULL, NULL, 0); }

static void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __asm__ __volatile__("pause");
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

static int valid_utf8(const unsigned char *bytes, size_t length) {
  size_t i = 0;
  while (i < length) {
    unsigned char c = bytes[i];
    size_t extra;
    uint32_t code;
    if (c < 0x80) { i++; continue; }
    if ((c & 0xE0) == 0xC0) { extra = 1; code = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { extra = 2; code = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { extra = 3; code = c & 0x07; }
    else return 0;
    if (i + extra >= length) return 0;
    for (size_t j = 1; j <= extra; j++) {
      if ((bytes[i + j] & 0xC0) != 0x80) return 0;
      code = (code << 6) | (bytes[i + j] & 0x3F);
    }
    if ((extra == 1 && code < 0x80) || (extra == 2 && code < 0x800) || (extra == 3 && code < 0x10000) ||
        code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
      return 0;
    i += extra + 1;
  }
  return 1;
}

static int check_name(const char *name, const char *what) {
  size_t length = name == NULL ? 0 : strlen(name);
  if (length == 0 || length > CFX_MAX_NAME_BYTES || !valid_utf8((const unsigned char *)name, length))
    return fail(CFX_ERR_ARGUMENT, "%s \"%s\" must be 1 to %d bytes of UTF-8; it is %zu", what, name ? name : "(null)",
                CFX_MAX_NAME_BYTES, length);
  return CFX_OK;
}

static const char *kind_name(uint32_t kind) {
  static const char *names[] = {"raw", "registry", "ring", "mesh", "arena"};
  return kind < 5 ? names[kind] : "unknown kind";
}

/* ---- a tiny JSON reader: top-level members of one object ----------------- */
static const char *json_space(const char *p) {
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
  return p;
}

/* p at the opening quote; returns the character after the closing quote, or NULL. */
static const char *json_skip_string(const char *p) {
  for (p++; *p != '\0'; p++) {
    if (*p == '\\') {
      if (p[1] == '\0') return NULL;
      p++;
    } else if (*p == '"') {
      return p + 1;
    }
  }
  return NULL;
}

static const char *json_skip_value(const char *p) {
  p = json_space(p);
  if (*p == '"') return json_skip_string(p);
  if (*p == '{' || *p == '[') {
    int depth = 0;
    while (*p != '\0') {
      if (*p == '"') {
        p = json_skip_string(p);
        if (p == NULL) return NULL;
        continue;
      }
      if (*p == '{' || *p == '[') depth++;
      if (*p == '}' || *p == ']') {
        if (--depth == 0) return p + 1;
      }
      p++;
    }
    return NULL;
  }
  const char *start = p;
  while (*p != '\0' && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
    p++;
  return p == start ? NULL : p;
}

/* Points *value at the value of top-level member `key`. */
static int json_member(const char *json, const char *key, const char **value) {
  size_t key_length = strlen(key);
  const char *p = json_space(json);
  if (*p != '{') return fail(CFX_ERR_FORMAT, "not a JSON object: %.60s", json);
  p = json_space(p + 1);
  if (*p == '}') return fail(CFX_ERR_NOT_FOUND, "no key \"%s\"", key);
  for (;;) {
    if (*p != '"') return fail(CFX_ERR_FORMAT, "malformed JSON object near: %.40s", p);
    const char *name = p + 1;
    const char *end = json_skip_string(p);
    if (end == NULL) return fail(CFX_ERR_FORMAT, "unterminated string in JSON: %.40s", p);
    int match = (size_t)(end - 1 - name) == key_length && memcmp(name, key, key_length) == 0;
    p = json_space(end);
    if (*p != ':') return fail(CFX_ERR_FORMAT, "malformed JSON object near: %.40s", p);
    p = json_space(p + 1);
    if (match) {
      *value = p;
      return CFX_OK;
    }
    p = json_skip_value(p);
    if (p == NULL) return fail(CFX_ERR_FORMAT, "malformed JSON value after \"%s\"", key);
    p = json_space(p);
    if (*p == '}') return fail(CFX_ERR_NOT_FOUND, "no key \"%s\"", key);
    if (*p != ',') return fail(CFX_ERR_FORMAT, "malformed JSON object near: %.40s", p);
    p = json_space(p + 1);
  }
}

int cfx_json_number(const char *json, const char *key, double *value) {
  if (json == NULL || key == NULL || value == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_json_number: null argument");
  const char *at;
  int rc = json_member(json, key, &at);
  if (rc != CFX_OK) return rc;
  if (*at != '-' && (*at < '0' || *at > '9')) return fail(CFX_ERR_FORMAT, "\"%s\" is not a number: %.40s", key, at);
  char *end;
  double number = strtod(at, &end);
  const char *after = json_space(end);
  if (end == at || (*after != ',' && *after != '}'))
    return fail(CFX_ERR_FORMAT, "\"%s\" is not a number: %.40s", key, at);
  *value = number;
  return CFX_OK;
}

/* Copies the string value of top-level member `key` (no escapes) into `out`. */
static int json_string(const char *json, const char *key, char *out, size_t size) {
  const char *at;
  int rc = json_member(json, key, &at);
  if (rc != CFX_OK) return rc;
  if (*at != '"') return fail(CFX_ERR_FORMAT, "\"%s\" is not a string", key);
  const char *end = json_skip_string(at);
  if (end == NULL) return fail(CFX_ERR_FORMAT, "\"%s\" is an unterminated string", key);
  size_t length = (size_t)(end - at - 2);
  if (length + 1 > size || memchr(at + 1, '\\', length) != NULL)
    return fail(CFX_ERR_FORMAT, "\"%s\" is too long or holds escapes", key);
  memcpy(out, at + 1, length);
  out[length] = '\0';
  return CFX_OK;
}

/* ---- segment header --------------------------------------------------------- */
int cfx_wire_write_header(void *at, long long payload_size, int creator_pid, int kind, const char *run_id,
                          double created_unix_ms, const char *name) {
  unsigned char *h = at;
  if (at == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_wire_write_header: null memory");
  int rc = check_name(name, "segment name");
  if (rc != CFX_OK) return rc;
  if (run_id == NULL || strlen(run_id) != CFX_RUN_ID_BYTES)
    return fail(CFX_ERR_ARGUMENT, "run id \"%s\" must be %d ASCII characters", run_id ? run_id : "(null)",
                CFX_RUN_ID_BYTES);
  if (payload_size < 0) return fail(CFX_ERR_ARGUMENT, "segment \"%s\": payload size %lld is negative", name, payload_size);
  memset(h, 0, CFX_HEADER_SIZE);
  put32(h + H_BYTE_ORDER, BYTE_ORDER_MARK);
  put32(h + H_VERSION, SEGMENT_LAYOUT_VERSION);
  put32(h + H_HEADER_SIZE, CFX_HEADER_SIZE);
  put64(h + H_PAYLOAD_SIZE, (uint64_t)payload_size);
  put32(h + H_PID, (uint32_t)creator_pid);
  put32(h + H_KIND, (uint32_t)kind);
  memcpy(h + H_RUN_ID, run_id, CFX_RUN_ID_BYTES);
  memcpy(h + H_CREATED, &created_unix_ms, 8);
  put32(h + H_NAME_LENGTH, (uint32_t)strlen(name));
  memcpy(h + H_NAME, name, strlen(name));
  store_seq_cst(h, H_MAGIC, SEGMENT_MAGIC);
  return CFX_OK;
}

static uint32_t swap32(uint32_t v) {
  return ((v & 0xFFu) << 24) | ((v & 0xFF00u) << 8) | ((v >> 8) & 0xFF00u) | (v >> 24);
}

/* Checks the header at `at` from one copy of it, so that a value another process changes after it was checked is
 * never used; `name` (NULL, or CFX_MAX_NAME_BYTES + 1 bytes) receives the checked name. */
static int check_header(const void *at, long long available, const char *where, int expect_kind,
                        const char *expect_run_id, long long *payload_size, char *name) {
  if (where == NULL) where = "(memory)";
  if (at == NULL || available < H_VERSION + 4)
    return fail(CFX_ERR_FORMAT,
                "segment %s: truncated: %lld bytes, too short to hold a segment header (%d bytes). It was not "
                "created by conflux or its creator died while creating it; remove it with `conflux clean`.",
                where, available, CFX_HEADER_SIZE);
  uint32_t magic = load_acquire(at, H_MAGIC);
  unsigned char h[CFX_HEADER_SIZE];
  memset(h, 0, sizeof h);
  memcpy(h, at, available < CFX_HEADER_SIZE ? (size_t)available : sizeof h);
  uint32_t mark = get32(h + H_BYTE_ORDER);
  if (magic == swap32(SEGMENT_MAGIC) || (magic == SEGMENT_MAGIC && mark == swap32(BYTE_ORDER_MARK)))
    return fail(CFX_ERR_FORMAT,
                "segment %s: written in the other byte order (big-endian). Segments are shared only between "
                "processes on one host of one byte order; create it on this host.",
                where);
  if (magic != SEGMENT_MAGIC)
    return fail(CFX_ERR_FORMAT,
                "segment %s: not a conflux segment (magic 0x%08x, expected 0x%08x \"CFLX\"). Check the name or path; "
                "another program owns this memory.",
                where, magic, SEGMENT_MAGIC);
  if (mark != BYTE_ORDER_MARK)
    return fail(CFX_ERR_FORMAT, "segment %s: byte-order mark 0x%x is corrupt.", where, mark);
  uint32_t version = get32(h + H_VERSION);
  if (version != SEGMENT_LAYOUT_VERSION)
    return fail(CFX_ERR_FORMAT,
                "segment %s: segment layout version %u, but this conflux client reads version %u. Run every "
                "component of a run with the same conflux release.",
                where, version, SEGMENT_LAYOUT_VERSION);
  if (available < CFX_HEADER_SIZE)
    return fail(CFX_ERR_FORMAT,
                "segment %s: truncated: %lld bytes, shorter than its %d-byte header. Remove it with `conflux "
                "clean` and start the run again.",
                where, available, CFX_HEADER_SIZE);
  uint32_t header_size = get32(h + H_HEADER_SIZE);
  uint64_t payload = get64(h + H_PAYLOAD_SIZE);
  if (header_size != CFX_HEADER_SIZE)
    return fail(CFX_ERR_FORMAT, "segment %s: header size %u, expected %d: the header is corrupt.", where, header_size,
                CFX_HEADER_SIZE);
  /* Compared without adding: header size + a payload near 2^64 would wrap round to a small number. */
  if (payload > (uint64_t)available - CFX_HEADER_SIZE)
    return fail(CFX_ERR_FORMAT,
                "segment %s: truncated: the header announces %llu payload bytes but only %lld are there. Remove it "
                "with `conflux clean` and start the run again.",
                where, (unsigned long long)payload, available - (long long)header_size);
  uint32_t name_length = get32(h + H_NAME_LENGTH);
  if (name_length == 0 || name_length > CFX_MAX_NAME_BYTES)
    return fail(CFX_ERR_FORMAT, "segment %s: name length %u is outside 1..%d: the header is corrupt.", where,
                name_length, CFX_MAX_NAME_BYTES);
  if (!valid_utf8(h + H_NAME, name_length) || !valid_utf8(h + H_RUN_ID, CFX_RUN_ID_BYTES))
    return fail(CFX_ERR_FORMAT, "segment %s: its name or run id is not valid UTF-8: the header is corrupt.", where);
  uint32_t kind = get32(h + H_KIND);
  if (expect_kind != CFX_KIND_ANY && kind != (uint32_t)expect_kind)
    return fail(CFX_ERR_FORMAT, "segment %s: holds a %s, not a %s. Check the segment name.", where, kind_name(kind),
                kind_name((uint32_t)expect_kind));
  if (expect_run_id != NULL && memcmp(h + H_RUN_ID, expect_run_id, CFX_RUN_ID_BYTES) != 0)
    return fail(CFX_ERR_FORMAT,
                "segment %s: belongs to run %.16s, not to run %s. A stale segment of an earlier run is in the way; "
                "run `conflux clean`.",
                where, (const char *)(h + H_RUN_ID), expect_run_id);
  if (payload_size != NULL) *payload_size = (long long)payload;
  if (name != NULL) {
    memcpy(name, h + H_NAME, name_length);
    name[name_length] = '\0';
  }
  return CFX_OK;
}

int cfx_wire_check_header(const void *at, long long available, const char *where, int expect_kind,
                          const char *expect_run_id, long long *payload_size) {
  return check_header(at, available, where, expect_kind, expect_run_id, payload_size, NULL);
}

/* ---- registry --------------------------------------------------------------- */
static int registry_capacity(const unsigned char *payload, long long payload_size, uint32_t *capacity) {
  if (payload == NULL || payload_size < R_TABLE) return fail(CFX_ERR_FORMAT, "registry: payload too small");
  uint32_t count = get32(payload + R_CAPACITY);
  uint32_t entry_size = get32(payload + R_ENTRY_SIZE);
  if (entry_size != R_ENTRY || count == 0 || R_TABLE + (long long)count * entry_size > payload_size)
    return fail(CFX_ERR_FORMAT,
                "registry: capacity %u × entry size %u does not fit its %lld-byte payload; the registry is corrupt "
                "or from another conflux release",
                count, entry_size, payload_size);
  *capacity = count;
  return CFX_OK;
}

int cfx_wire_format_registry(void *payload, long long payload_size) {
  if (payload == NULL || payload_size < CFX_REGISTRY_PAYLOAD_SIZE)
    return fail(CFX_ERR_ARGUMENT, "a registry needs %d payload bytes", CFX_REGISTRY_PAYLOAD_SIZE);
  put32((unsigned char *)payload + R_CAPACITY, CFX_REGISTRY_CAPACITY);
  put32((unsigned char *)payload + R_ENTRY_SIZE, R_ENTRY);
  return CFX_OK;
}

static unsigned char *entry_at(void *payload, uint32_t index) {
  return (unsigned char *)payload + R_TABLE + (size_t)index * R_ENTRY;
}

/* The state of entry `index` if it is live or announced under `name`, else ENTRY_FREE. The name is read between two
 * loads of the state: an entry released and reused meanwhile is read again. */
static uint32_t named_state(void *payload, uint32_t index, const char *name, size_t length) {
  unsigned char *entry = entry_at(payload, index);
  for (int attempt = 0; attempt < 1000; attempt++) {
    uint32_t state = load_seq_cst(entry, E_STATE);
    if (state != ENTRY_LIVE && state != ENTRY_ANNOUNCED) return ENTRY_FREE;
    int same = get32(entry + E_NAME_LENGTH) == length && memcmp(entry + E_NAME, name, length) == 0;
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (load_seq_cst(entry, E_STATE) == state) return same ? state : ENTRY_FREE;
  }
  return ENTRY_FREE;
}

static long index_of(void *payload, uint32_t capacity, const char *name) {
  size_t length = strlen(name);
  for (uint32_t index = 0; index < capacity; index++)
    if (named_state(payload, index, name, length) == ENTRY_LIVE) return (long)index;
  return -1;
}

static void publish_change(void *payload) {
  __atomic_fetch_add(word_at(payload, R_GENERATION), 1u, __ATOMIC_SEQ_CST);
  futex_wake(word_at(payload, R_GENERATION), INT_MAX);
}

/* Releases entry `index` from state `from` (live, or one's own announcement): compare-and-swap to 1, bump the
 * generation, zero the fields, free it, bump again, so a reader that copied it sees the state or the generation
 * change. 0 when the entry was not in state `from`. */
static int release_entry(void *payload, uint32_t index, uint32_t from) {
  unsigned char *entry = entry_at(payload, index);
  uint32_t expected = from;
  if (!__atomic_compare_exchange_n(word_at(entry, E_STATE), &expected, ENTRY_WRITING, 0, __ATOMIC_SEQ_CST,
                                   __ATOMIC_SEQ_CST))
    return 0;
  publish_change(payload);
  memset(entry + 4, 0, R_ENTRY - 4);
  store_seq_cst(entry, E_STATE, ENTRY_FREE);
  publish_change(payload);
  return 1;
}

enum { CONTEST_WON, CONTEST_LOST, CONTEST_WAIT };

/* An announced registrant's scan: lost when the name is live elsewhere or announced at a lower index; wait (for
 * *contender) when it is announced at a higher index only; won otherwise. */
static int contest(void *payload, uint32_t capacity, uint32_t own, const char *name, uint32_t *contender) {
  size_t length = strlen(name);
  int verdict = CONTEST_WON;
  for (uint32_t index = 0; index < capacity; index++) {
    if (index == own) continue;
    uint32_t state = named_state(payload, index, name, length);
    if (state == ENTRY_LIVE || (state == ENTRY_ANNOUNCED && index < own)) return CONTEST_LOST;
    if (state == ENTRY_ANNOUNCED) {
      verdict = CONTEST_WAIT;
      *contender = index;
    }
  }
  return verdict;
}

/* Linearizable (docs/wire-format.md, "Registry"): of two contenders for one name, each announces before it scans
 * (sequentially consistent), so at least one sees the other, and never both win. */
int cfx_wire_register(void *payload, long long payload_size, const char *name, const char *file, long long offset,
                      long long length, int kind, int creator_pid) {
  uint32_t capacity;
  int rc = registry_capacity(payload, payload_size, &capacity);
  if (rc != CFX_OK) return rc;
  if ((rc = check_name(name, "segment name")) != CFX_OK) return rc;
  if ((rc = check_name(file, "segment file name")) != CFX_OK) return rc;
  if (index_of(payload, capacity, name) >= 0)
    return fail(CFX_ERR_EXISTS, "segment name \"%s\" is already registered in this run; choose another name", name);
  long claimed = -1;
  for (uint32_t index = 0; index < capacity && claimed < 0; index++) {
    uint32_t expected = ENTRY_FREE;
    if (__atomic_compare_exchange_n(word_at(entry_at(payload, index), E_STATE), &expected, ENTRY_WRITING, 0,
                                    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
      claimed = (long)index;
  }
  if (claimed < 0)
    return fail(CFX_ERR_FULL,
                "the run's registry is full (%u segments); cannot register \"%s\". Share fewer, larger segments.",
                capacity, name);
  unsigned char *entry = entry_at(payload, (uint32_t)claimed);
  put32(entry + E_KIND, (uint32_t)kind);
  put64(entry + E_OFFSET, (uint64_t)offset);
  put64(entry + E_LENGTH, (uint64_t)length);
  put32(entry + E_PID, (uint32_t)creator_pid);
  put32(entry + E_NAME_LENGTH, (uint32_t)strlen(name));
  put32(entry + E_FILE_LENGTH, (uint32_t)strlen(file));
  memset(entry + E_NAME, 0, CFX_MAX_NAME_BYTES);
  memcpy(entry + E_NAME, name, strlen(name));
  memset(entry + E_FILE, 0, CFX_MAX_NAME_BYTES);
  memcpy(entry + E_FILE, file, strlen(file));
  store_seq_cst(entry, E_STATE, ENTRY_ANNOUNCED);
  long long deadline = now_ns() + ANNOUNCED_WAIT_MS * 1000000LL;
  for (;;) {
    uint32_t generation = load_seq_cst(payload, R_GENERATION);
    uint32_t contender = 0;
    int verdict = contest(payload, capacity, (uint32_t)claimed, name, &contender);
    if (verdict == CONTEST_WON) {
      store_seq_cst(entry, E_STATE, ENTRY_LIVE);
      publish_change(payload);
      return CFX_OK;
    }
    if (verdict == CONTEST_LOST) {
      release_entry(payload, (uint32_t)claimed, ENTRY_ANNOUNCED);
      return fail(CFX_ERR_EXISTS,
                  "segment name \"%s\" was registered concurrently by another process; choose another name", name);
    }
    long long remaining = deadline - now_ns();
    if (remaining <= 0) {
      uint32_t pid = get32(entry_at(payload, contender) + E_PID);
      release_entry(payload, (uint32_t)claimed, ENTRY_ANNOUNCED);
      return fail(CFX_ERR_TIMEOUT,
                  "segment name \"%s\": another registration of it (registry entry %u, pid %u) has been announced for "
                  "%d ms without being published or withdrawn; its process may have died while registering. Choose "
                  "another name, or start the run again.",
                  name, contender, pid, ANNOUNCED_WAIT_MS);
    }
    /* Whatever ends the contender's announcement bumps the generation. */
    futex_wait(word_at(payload, R_GENERATION), generation, remaining < 10000000LL ? remaining : 10000000LL);
  }
}

int cfx_wire_unregister(void *payload, long long payload_size, const char *name) {
  uint32_t capacity;
  int rc = registry_capacity(payload, payload_size, &capacity);
  if (rc != CFX_OK) return rc;
  if (name == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_wire_unregister: null name");
  for (;;) {
    long index = index_of(payload, capacity, name);
    if (index < 0) return fail(CFX_ERR_NOT_FOUND, "no segment named \"%s\"", name);
    if (release_entry(payload, (uint32_t)index, ENTRY_LIVE)) return CFX_OK;
  }
}

int cfx_wire_lookup(void *payload, long long payload_size, const char *name, char *file, int file_size,
                    long long *offset, long long *length, int *kind, int *creator_pid) {
  uint32_t capacity;
  int rc = registry_capacity(payload, payload_size, &capacity);
  if (rc != CFX_OK) return rc;
  if (name == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_wire_lookup: null name");
  /* The entry is copied between two looks at its state and the registry's generation, and only the copy is read:
   * its owner may release it (and another process reuse it) while it is read, and a release bumps the generation
   * before it zeroes the entry and after it frees it. */
  unsigned char entry[R_ENTRY];
  size_t name_length = strlen(name);
  for (int attempt = 0;; attempt++) {
    uint32_t generation = load_seq_cst(payload, R_GENERATION);
    long index = index_of(payload, capacity, name);
    if (index < 0) return fail(CFX_ERR_NOT_FOUND, "no segment named \"%s\"", name);
    const unsigned char *shared = entry_at(payload, (uint32_t)index);
    memcpy(entry, shared, R_ENTRY);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (load_seq_cst(shared, E_STATE) == ENTRY_LIVE && load_seq_cst(payload, R_GENERATION) == generation &&
        get32(entry + E_NAME_LENGTH) == name_length && memcmp(entry + E_NAME, name, name_length) == 0)
      break;
    if (attempt == 1000)
      return fail(CFX_ERR_FORMAT, "registry entry \"%s\" changed under every one of 1000 reads", name);
  }
  if (file != NULL) {
    uint32_t file_length = get32(entry + E_FILE_LENGTH);
    if (file_length == 0 || file_length > CFX_MAX_NAME_BYTES || (int)file_length >= file_size)
      return fail(CFX_ERR_FORMAT, "registry entry \"%s\": file name length %u is corrupt", name, file_length);
    memcpy(file, entry + E_FILE, file_length);
    file[file_length] = '\0';
    if (strlen(file) != file_length || strchr(file, '/') != NULL || strcmp(file, "..") == 0 || strcmp(file, ".") == 0)
      return fail(CFX_ERR_FORMAT, "registry entry \"%s\": file name \"%s\" is not a plain file name", name, file);
  }
  if (offset != NULL) *offset = (long long)get64(entry + E_OFFSET);
  if (length != NULL) *length = (long long)get64(entry + E_LENGTH);
  if (kind != NULL) *kind = (int)get32(entry + E_KIND);
  if (creator_pid != NULL) *creator_pid = (int)get32(entry + E_PID);
  return CFX_OK;
}

int cfx_wire_registry_generation(void *payload, long long payload_size, int *generation) {
  uint32_t capacity;
  int rc = registry_capacity(payload, payload_size, &capacity);
  if (rc != CFX_OK) return rc;
  *generation = (int)load_acquire(payload, R_GENERATION);
  return CFX_OK;
}

/* ---- rings -------------------------------------------------------------------- */
struct ring_end {
  unsigned char *ring;
  uint32_t capacity;
  uint32_t mask;
  uint32_t position; /* tail for a producer, head for a consumer */
  uint32_t cached;   /* a producer's: the head, last read (a consumer reads the tail only while it waits) */
};

static int valid_capacity(long long capacity) {
  return capacity >= 2 && capacity <= (1 << 20) && (capacity & (capacity - 1)) == 0;
}

int cfx_wire_format_ring(void *ring, int capacity) {
  if (ring == NULL || ((uintptr_t)ring & 63) != 0) return fail(CFX_ERR_ARGUMENT, "a ring must start 64-byte aligned");
  if (!valid_capacity(capacity))
    return fail(CFX_ERR_ARGUMENT, "ring capacity %d must be a power of two between 2 and 1048576", capacity);
  unsigned char *r = ring;
  memset(r, 0, (size_t)CFX_RING_BYTES(capacity));
  /* Slot i holds record i first; until then the sequence of the record a capacity before, which it cannot match. */
  for (int slot = 0; slot < capacity; slot++)
    put32(r + RING_RECORDS + (size_t)slot * CFX_RECORD_SIZE + REC_SEQUENCE, (uint32_t)slot - (uint32_t)capacity);
  put32(r + RING_VERSION, RING_LAYOUT_VERSION);
  put32(r + RING_CAPACITY, (uint32_t)capacity);
  put32(r + RING_RECORD_SIZE, CFX_RECORD_SIZE);
  store_seq_cst(r, RING_MAGIC_AT, RING_MAGIC);
  return CFX_OK;
}

/* Checks a ring's configuration; `available` bytes are mapped from `ring` on. */
static int ring_open(struct ring_end *end, unsigned char *ring, long long available, int producer, const char *where) {
  if (((uintptr_t)ring & 63) != 0 || available < RING_RECORDS)
    return fail(CFX_ERR_FORMAT, "%s: no ring fits in %lld bytes", where, available);
  uint32_t magic = load_acquire(ring, RING_MAGIC_AT);
  if (magic != RING_MAGIC)
    return fail(CFX_ERR_FORMAT,
                "%s: not a command ring (magic 0x%x); the channel segment is corrupt or not yet formatted", where,
                magic);
  uint32_t version = get32(ring + RING_VERSION);
  if (version != RING_LAYOUT_VERSION)
    return fail(CFX_ERR_FORMAT, "%s: ring layout version %u, this conflux client speaks %u; use one conflux release "
                "for every component", where, version, RING_LAYOUT_VERSION);
  uint32_t record_size = get32(ring + RING_RECORD_SIZE);
  if (record_size != CFX_RECORD_SIZE)
    return fail(CFX_ERR_FORMAT, "%s: record size %u, expected %d", where, record_size, CFX_RECORD_SIZE);
  uint32_t capacity = get32(ring + RING_CAPACITY);
  if (!valid_capacity(capacity))
    return fail(CFX_ERR_FORMAT, "%s: ring capacity %u is not a power of two between 2 and 1048576", where, capacity);
  if (CFX_RING_BYTES(capacity) > available)
    return fail(CFX_ERR_FORMAT, "%s: a ring of %u records does not fit in %lld bytes", where, capacity, available);
  end->ring = ring;
  end->capacity = capacity;
  end->mask = capacity - 1;
  uint32_t tail = load_acquire(ring, RING_TAIL);
  uint32_t head = load_acquire(ring, RING_HEAD);
  if (tail - head > capacity)
    return fail(CFX_ERR_FORMAT, "%s: ring counters are corrupt: tail %u, head %u in a ring of %u records", where, tail,
                head, capacity);
  end->position = producer ? tail : head;
  end->cached = producer ? head : tail;
  return CFX_OK;
}

static int check_truncation(void);

static int ring_try_send(struct ring_end *end, cfx_message *message, const char *where) {
  int truncated = check_truncation();
  if (truncated != CFX_OK) return truncated;
  uint32_t tail = end->position;
  if (tail - end->cached >= end->capacity) {
    end->cached = load_acquire(end->ring, RING_HEAD);
    /* A truncated ring reads as zeros (the SIGBUS handler's page): the truncation is the cause. */
    if (tail - end->cached > end->capacity && (truncated = check_truncation()) != CFX_OK) return truncated;
    if (tail - end->cached > end->capacity)
      return fail(CFX_ERR_PROTOCOL,
                  "%s: ring counters are corrupt: tail %u, head %u (head is ahead of tail, or %u records in flight in "
                  "a ring of %u). Something other than the channel's consumer wrote into the ring.",
                  where, tail, end->cached, tail - end->cached, end->capacity);
    if (tail - end->cached >= end->capacity) return CFX_EMPTY;
  }
  if (message->length < 0 || message->length > CFX_PAYLOAD_BYTES)
    return fail(CFX_ERR_ARGUMENT, "%s: payload of %d bytes; a record holds at most %d", where, message->length,
                CFX_PAYLOAD_BYTES);
  unsigned char *record = end->ring + RING_RECORDS + (size_t)(tail & end->mask) * CFX_RECORD_SIZE;
  put32(record + REC_OPCODE, ((uint32_t)message->opcode & 0xFFFFu) | (((uint32_t)message->flags & 0xFFFFu) << 16));
  put32(record + REC_LENGTH, (uint32_t)message->length);
  put32(record + REC_CORRELATION, (uint32_t)message->correlation);
  memcpy(record + REC_PAYLOAD, message->payload, CFX_PAYLOAD_BYTES);
  /* The sequence publishes the record to a consumer spinning on it; the tail follows, for one that sleeps. */
  store_release(record, REC_SEQUENCE, tail);
  message->sequence = (int)tail;
  end->position = tail + 1;
  store_seq_cst(end->ring, RING_TAIL, tail + 1);
  if (load_seq_cst(end->ring, RING_CONSUMER_SLEEPING) != 0) futex_wake(word_at(end->ring, RING_TAIL), 1);
  return CFX_OK;
}

static int corrupt_sequence(const struct ring_end *end, uint32_t head, uint32_t sequence, const char *where,
                            const char *peer) {
  int truncated = check_truncation();
  if (truncated != CFX_OK) return truncated;
  return fail(CFX_ERR_PROTOCOL,
              "%s: corrupt record from %s at position %u: sequence %u (expected %u, or %u until it is published). "
              "Something other than the channel's producer wrote into the ring; check that the peer speaks ring "
              "layout version %u.",
              where, peer, head, sequence, head, head - end->capacity, RING_LAYOUT_VERSION);
}

static int ring_try_receive(struct ring_end *end, cfx_message *message, const uint64_t *accepted, const char *where,
                            const char *peer) {
  int truncated = check_truncation();
  if (truncated != CFX_OK) return truncated;
  uint32_t head = end->position;
  unsigned char *slot = end->ring + RING_RECORDS + (size_t)(head & end->mask) * CFX_RECORD_SIZE;
  /* The slot's sequence says whether record `head` is there (the tail, on the producer's line, is not read): it is
   * `head` once published, and the sequence of the record a capacity before until then. */
  uint32_t sequence = load_acquire(slot, REC_SEQUENCE);
  if (sequence != head) {
    if (sequence == head - end->capacity) return CFX_EMPTY;
    return corrupt_sequence(end, head, sequence, where, peer);
  }
  /* Copied out first, then checked and decoded from the copy: the producer (or anyone) may change the slot. */
  unsigned char record[CFX_RECORD_SIZE];
  memcpy(record, slot, CFX_RECORD_SIZE);
  if ((truncated = check_truncation()) != CFX_OK) return truncated;
  uint32_t opcode_and_flags = get32(record + REC_OPCODE);
  uint32_t length = get32(record + REC_LENGTH);
  uint32_t opcode = opcode_and_flags & 0xFFFFu;
  if (length > CFX_PAYLOAD_BYTES)
    return fail(CFX_ERR_PROTOCOL,
                "%s: corrupt record from %s at position %u: payload length %d (at most %d). Something other than the "
                "channel's producer wrote into the ring.",
                where, peer, head, (int)length, CFX_PAYLOAD_BYTES);
  if (accepted != NULL && (accepted[opcode >> 6] & (1ULL << (opcode & 63))) == 0)
    return fail(CFX_ERR_PROTOCOL,
                "%s: unknown opcode 0x%04x from %s at position %u; the peer speaks another protocol version or sent "
                "garbage",
                where, opcode, peer, head);
  message->sequence = (int)sequence;
  message->opcode = (int)opcode;
  message->flags = (int)(opcode_and_flags >> 16);
  message->length = (int)length;
  message->correlation = (int)get32(record + REC_CORRELATION);
  memcpy(message->payload, record + REC_PAYLOAD, CFX_PAYLOAD_BYTES);
  end->position = head + 1;
  store_seq_cst(end->ring, RING_HEAD, head + 1);
  if (load_seq_cst(end->ring, RING_PRODUCER_SLEEPING) != 0) futex_wake(word_at(end->ring, RING_HEAD), 1);
  return CFX_OK;
}

/* A consumer's wait ended without record `head`: with a producer that follows the protocol that cannot be (it stores
 * a tail past `head` after the record's sequence). CFX_OK if the record came meanwhile; otherwise what is wrong. */
static int ring_check_unpublished(struct ring_end *end, const char *where, const char *peer) {
  uint32_t head = end->position;
  uint32_t tail = load_seq_cst(end->ring, RING_TAIL);
  uint32_t sequence =
      load_acquire(end->ring + RING_RECORDS + (size_t)(head & end->mask) * CFX_RECORD_SIZE, REC_SEQUENCE);
  if (sequence == head) return CFX_OK;
  int truncated = check_truncation();
  if (truncated != CFX_OK) return truncated;
  int32_t ahead = (int32_t)(tail - head);
  if (ahead < -1 || ahead > (int32_t)end->capacity)
    return fail(CFX_ERR_PROTOCOL,
                "%s: ring counters from %s are corrupt: tail %u, head %u, %u records in flight in a ring of %u. "
                "Something other than the channel's producer wrote into the ring.",
                where, peer, tail, head, tail - head, end->capacity);
  if (sequence != head - end->capacity) return corrupt_sequence(end, head, sequence, where, peer);
  if (ahead > 0)
    return fail(CFX_ERR_PROTOCOL,
                "%s: corrupt record from %s at position %u: the tail (%u) says it was published, but its slot still "
                "holds sequence %u, the record a capacity before. Something other than the channel's producer wrote "
                "into the ring; check that the peer speaks ring layout version %u.",
                where, peer, head, tail, sequence, RING_LAYOUT_VERSION);
  return fail(CFX_ERR_PROTOCOL,
              "%s: corrupt ring from %s at position %u: the tail (%u) or the record's sequence (%u) moved back. "
              "Something other than the channel's producer wrote into the ring.",
              where, peer, head, tail, sequence);
}

int cfx_wire_ring_try_send(void *ring, cfx_message *message) {
  struct ring_end end;
  if (ring == NULL || message == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_wire_ring_try_send: null argument");
  int rc = ring_open(&end, ring, RING_RECORDS + 64LL * get32((unsigned char *)ring + RING_CAPACITY), 1, "ring");
  return rc != CFX_OK ? rc : ring_try_send(&end, message, "ring");
}

int cfx_wire_ring_try_receive(void *ring, cfx_message *message) {
  struct ring_end end;
  if (ring == NULL || message == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_wire_ring_try_receive: null argument");
  int rc = ring_open(&end, ring, RING_RECORDS + 64LL * get32((unsigned char *)ring + RING_CAPACITY), 0, "ring");
  return rc != CFX_OK ? rc : ring_try_receive(&end, message, NULL, "ring", "the producer");
}

void cfx_message_set(cfx_message *message, int opcode, double first, double second) {
  message->opcode = opcode;
  message->flags = 0;
  message->correlation = 0;
  message->payload[0] = first;
  message->payload[1] = second;
  message->length = 16;
}

/* ---- channel control line ----------------------------------------------------- */
int cfx_wire_format_channel(void *payload, long long payload_size, int capacity, int driver_pid) {
  if (payload == NULL || !valid_capacity(capacity) || payload_size < CFX_CHANNEL_PAYLOAD_BYTES(capacity))
    return fail(CFX_ERR_ARGUMENT, "a channel of capacity %d needs %lld payload bytes (got %lld)", capacity,
                valid_capacity(capacity) ? CFX_CHANNEL_PAYLOAD_BYTES(capacity) : 0LL, payload_size);
  unsigned char *control = payload;
  int rc = cfx_wire_format_ring(control + C_LINE, capacity);
  if (rc == CFX_OK) rc = cfx_wire_format_ring(control + C_LINE + CFX_RING_BYTES(capacity), capacity);
  if (rc != CFX_OK) return rc;
  put32(control + C_VERSION, CHANNEL_LAYOUT_VERSION);
  put32(control + C_CAPACITY, (uint32_t)capacity);
  store_seq_cst(control, C_DRIVER_PID, (uint32_t)driver_pid);
  store_seq_cst(control, C_MAGIC, CHANNEL_MAGIC);
  return CFX_OK;
}

/* The pid that held the channel when this thread's last attach lost the claim, for cfx_connect to name. */
static __thread uint32_t lost_claim_to;

static int channel_control(void *payload, long long payload_size, const char *where, int component_pid,
                           int *capacity) {
  unsigned char *control = payload;
  if (payload == NULL || payload_size < C_LINE)
    return fail(CFX_ERR_FORMAT, "%s: %lld bytes cannot hold a channel", where, payload_size);
  if (load_acquire(control, C_MAGIC) != CHANNEL_MAGIC)
    return fail(CFX_ERR_FORMAT, "%s: not a channel (bad magic); the segment is corrupt", where);
  uint32_t version = get32(control + C_VERSION);
  if (version != CHANNEL_LAYOUT_VERSION)
    return fail(CFX_ERR_FORMAT, "%s: channel layout version %u, this conflux client speaks %u", where, version,
                CHANNEL_LAYOUT_VERSION);
  uint32_t count = get32(control + C_CAPACITY);
  if (!valid_capacity(count) || CFX_CHANNEL_PAYLOAD_BYTES(count) > payload_size)
    return fail(CFX_ERR_FORMAT, "%s: capacity %u does not fit its %lld-byte payload", where, count, payload_size);
  /* A compare-and-swap, not a store: two processes started as one rank must not both believe they own it. */
  uint32_t holder = 0;
  if (!__atomic_compare_exchange_n(word_at(control, C_COMPONENT_PID), &holder, (uint32_t)component_pid, 0,
                                   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
    uint32_t none = 0;
    /* Only the first loser is recorded: the driver names one contender, and it must stay the one it names. */
    __atomic_compare_exchange_n(word_at(control, C_CONTENDER_PID), &none, (uint32_t)component_pid, 0, __ATOMIC_SEQ_CST,
                                __ATOMIC_SEQ_CST);
    lost_claim_to = holder;
    return fail(CFX_ERR_EXISTS, "%s: already claimed by pid %u", where, holder);
  }
  *capacity = (int)count;
  return CFX_OK;
}

int cfx_wire_attach_channel(void *payload, long long payload_size, int component_pid, int *capacity) {
  if (capacity == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_wire_attach_channel: null capacity");
  return channel_control(payload, payload_size, "channel", component_pid, capacity);
}

/* ---- mesh metadata ------------------------------------------------------------ */
static long long align64(long long bytes) { return (bytes + 63) / 64 * 64; }

/* Splits "a,b,c" into names; returns the count or a negative error. */
static int split_fields(const char *fields, char names[CFX_MAX_FIELDS][CFX_MAX_FIELD_NAME_BYTES + 1], const char *where) {
  if (fields == NULL || *fields == '\0') return fail(CFX_ERR_ARGUMENT, "%s: no fields; a mesh shares 1 to %d", where,
                                                     CFX_MAX_FIELDS);
  int count = 0;
  const char *p = fields;
  for (;;) {
    const char *end = strchr(p, ',');
    size_t length = end == NULL ? strlen(p) : (size_t)(end - p);
    if (count == CFX_MAX_FIELDS)
      return fail(CFX_ERR_ARGUMENT, "%s: more than %d fields in \"%s\"", where, CFX_MAX_FIELDS, fields);
    if (length == 0 || length > CFX_MAX_FIELD_NAME_BYTES || !valid_utf8((const unsigned char *)p, length))
      return fail(CFX_ERR_ARGUMENT, "%s: field name \"%.*s\" must be 1 to %d bytes of UTF-8", where, (int)length, p,
                  CFX_MAX_FIELD_NAME_BYTES);
    memcpy(names[count], p, length);
    names[count][length] = '\0';
    for (int other = 0; other < count; other++)
      if (strcmp(names[other], names[count]) == 0)
        return fail(CFX_ERR_ARGUMENT, "%s: field \"%s\" is listed twice", where, names[count]);
    count++;
    if (end == NULL) return count;
    p = end + 1;
  }
}

static int check_mesh_spec(int dimension, int count, int layout, int field_count, const char *where) {
  if (dimension < 1 || dimension > 3) return fail(CFX_ERR_ARGUMENT, "%s: dimension %d is not 1, 2 or 3", where, dimension);
  if (layout != CFX_LAYOUT_SOA && layout != CFX_LAYOUT_INTERLEAVED)
    return fail(CFX_ERR_ARGUMENT, "%s: layout code %d is not 0 (soa) or 1 (interleaved)", where, layout);
  if (count < 0 || count > CFX_MAX_POINTS)
    return fail(CFX_ERR_ARGUMENT, "%s: point count %d must be a whole number from 0 to %d", where, count, CFX_MAX_POINTS);
  if (field_count < 1 || field_count > CFX_MAX_FIELDS)
    return fail(CFX_ERR_ARGUMENT, "%s: %d fields; a mesh shares 1 to %d", where, field_count, CFX_MAX_FIELDS);
  return CFX_OK;
}

static void mesh_geometry(int dimension, int count, int field_count, long long *fields_offset, long long *stride,
                          long long *payload) {
  *fields_offset = align64(M_COORDINATES + (long long)count * dimension * 8);
  *stride = align64((long long)count * 8);
  *payload = *fields_offset + field_count * *stride;
}

int cfx_wire_mesh_size(int dimension, int count, int field_count, long long *payload_size) {
  int rc = check_mesh_spec(dimension, count, CFX_LAYOUT_SOA, field_count, "mesh");
  if (rc != CFX_OK) return rc;
  long long fields_offset, stride;
  mesh_geometry(dimension, count, field_count, &fields_offset, &stride, payload_size);
  return CFX_OK;
}

int cfx_wire_write_mesh(void *payload, long long payload_size, int dimension, int count, int layout,
                        const char *fields) {
  char names[CFX_MAX_FIELDS][CFX_MAX_FIELD_NAME_BYTES + 1];
  int field_count = split_fields(fields, names, "mesh");
  if (field_count < 0) return field_count;
  int rc = check_mesh_spec(dimension, count, layout, field_count, "mesh");
  if (rc != CFX_OK) return rc;
  long long fields_offset, stride, needed;
  mesh_geometry(dimension, count, field_count, &fields_offset, &stride, &needed);
  if (payload == NULL || payload_size < needed)
    return fail(CFX_ERR_ARGUMENT, "mesh: %d points and %d fields need %lld bytes; got %lld", count, field_count, needed,
                payload_size);
  unsigned char *m = payload;
  put32(m + M_VERSION, MESH_LAYOUT_VERSION);
  put32(m + M_DIMENSION, (uint32_t)dimension);
  put32(m + M_LAYOUT, (uint32_t)layout);
  put32(m + M_COUNT, (uint32_t)count);
  put32(m + M_FIELD_COUNT, (uint32_t)field_count);
  put32(m + M_COORDINATES_OFFSET, M_COORDINATES);
  put32(m + M_FIELDS_OFFSET, (uint32_t)fields_offset);
  put32(m + M_FIELD_STRIDE, (uint32_t)stride);
  for (int index = 0; index < field_count; index++) {
    unsigned char *slot = m + M_FIELD_NAMES + index * CFX_MAX_FIELD_NAME_BYTES;
    memset(slot, 0, CFX_MAX_FIELD_NAME_BYTES);
    memcpy(slot, names[index], strlen(names[index]));
  }
  store_seq_cst(m, M_MAGIC, MESH_MAGIC);
  return CFX_OK;
}

int cfx_wire_read_mesh(const void *payload, long long payload_size, const char *where, int *dimension, int *count,
                       int *layout, int *field_count, long long *coordinates_offset, long long *fields_offset,
                       long long *field_stride) {
  const unsigned char *m = payload;
  if (where == NULL) where = "mesh";
  if (payload == NULL || payload_size < M_COORDINATES)
    return fail(CFX_ERR_FORMAT, "%s: %lld bytes cannot hold mesh metadata (%d bytes)", where, payload_size,
                M_COORDINATES);
  uint32_t magic = load_acquire(m, M_MAGIC);
  if (magic != MESH_MAGIC)
    return fail(CFX_ERR_FORMAT, "%s: no mesh metadata (magic 0x%x); the component did not publish its mesh", where,
                magic);
  uint32_t version = get32(m + M_VERSION);
  if (version != MESH_LAYOUT_VERSION)
    return fail(CFX_ERR_FORMAT, "%s: mesh layout version %u, this conflux client reads %u", where, version,
                MESH_LAYOUT_VERSION);
  uint32_t d = get32(m + M_DIMENSION), l = get32(m + M_LAYOUT), n = get32(m + M_COUNT), f = get32(m + M_FIELD_COUNT);
  if (l > 1) return fail(CFX_ERR_FORMAT, "%s: layout code %u is not 0 (soa) or 1 (interleaved)", where, l);
  if (f < 1 || f > CFX_MAX_FIELDS)
    return fail(CFX_ERR_FORMAT, "%s: field count %u is outside 1..%d", where, f, CFX_MAX_FIELDS);
  for (uint32_t index = 0; index < f; index++) {
    const unsigned char *slot = m + M_FIELD_NAMES + index * CFX_MAX_FIELD_NAME_BYTES;
    size_t length = strnlen((const char *)slot, CFX_MAX_FIELD_NAME_BYTES);
    if (length == 0 || !valid_utf8(slot, length))
      return fail(CFX_ERR_FORMAT, "%s: the name of field %u is empty or not valid UTF-8", where, index);
  }
  if (d < 1 || d > 3) return fail(CFX_ERR_FORMAT, "%s: dimension %u is not 1, 2 or 3", where, d);
  if (n > CFX_MAX_POINTS)
    return fail(CFX_ERR_FORMAT, "%s: point count %u must be a whole number from 0 to %d", where, n, CFX_MAX_POINTS);
  long long expected_fields, expected_stride, needed;
  mesh_geometry((int)d, (int)n, (int)f, &expected_fields, &expected_stride, &needed);
  uint32_t stored_coordinates = get32(m + M_COORDINATES_OFFSET), stored_fields = get32(m + M_FIELDS_OFFSET),
           stored_stride = get32(m + M_FIELD_STRIDE);
  if (stored_coordinates != M_COORDINATES || stored_fields != expected_fields || stored_stride != expected_stride)
    return fail(CFX_ERR_FORMAT,
                "%s: offsets (coordinates %u, fields %u, stride %u) disagree with %u points in %u-D (expected %d, "
                "%lld, %lld)",
                where, stored_coordinates, stored_fields, stored_stride, n, d, M_COORDINATES, expected_fields,
                expected_stride);
  if (needed > payload_size)
    return fail(CFX_ERR_FORMAT, "%s: %u points and %u fields need %lld bytes; the segment has %lld", where, n, f,
                needed, payload_size);
  if (dimension) *dimension = (int)d;
  if (count) *count = (int)n;
  if (layout) *layout = (int)l;
  if (field_count) *field_count = (int)f;
  if (coordinates_offset) *coordinates_offset = M_COORDINATES;
  if (fields_offset) *fields_offset = expected_fields;
  if (field_stride) *field_stride = expected_stride;
  return CFX_OK;
}

int cfx_wire_mesh_field_name(const void *payload, int index, char *name, int size) {
  if (payload == NULL || name == NULL || index < 0 || index >= CFX_MAX_FIELDS || size <= CFX_MAX_FIELD_NAME_BYTES)
    return fail(CFX_ERR_ARGUMENT, "cfx_wire_mesh_field_name: bad argument");
  const unsigned char *slot = (const unsigned char *)payload + M_FIELD_NAMES + index * CFX_MAX_FIELD_NAME_BYTES;
  size_t length = strnlen((const char *)slot, CFX_MAX_FIELD_NAME_BYTES);
  memcpy(name, slot, length);
  name[length] = '\0';
  return CFX_OK;
}

/* ---- waveform metadata (docs/wire-format.md, "Waveform") ------------------------------ */
static int check_waveform_spec(int role, int count, int capacity, int degree, const char *where) {
  if (role != CFX_WAVEFORM_BY_COMPONENT && role != CFX_WAVEFORM_BY_DRIVER)
    return fail(CFX_ERR_FORMAT, "%s: role %d is not 1 (written by the component) or 2 (written by the driver)", where,
                role);
  if (count < 0 || count > CFX_MAX_POINTS)
    return fail(CFX_ERR_FORMAT, "%s: point count %d must be a whole number from 0 to %d", where, count, CFX_MAX_POINTS);
  if (capacity < CFX_MIN_WAVEFORM_CAPACITY || capacity > CFX_MAX_WAVEFORM_CAPACITY)
    return fail(CFX_ERR_FORMAT, "%s: capacity %d must be a whole number from %d to %d samples (max_substeps + 1)",
                where, capacity, CFX_MIN_WAVEFORM_CAPACITY, CFX_MAX_WAVEFORM_CAPACITY);
  if (degree < 0 || degree > CFX_MAX_WAVEFORM_DEGREE)
    return fail(CFX_ERR_FORMAT, "%s: degree %d must be a whole number from 0 to %d", where, degree,
                CFX_MAX_WAVEFORM_DEGREE);
  return CFX_OK;
}

static void waveform_geometry(int count, int capacity, long long *values_offset, long long *stride,
                              long long *payload) {
  *values_offset = align64(W_TIMES + (long long)capacity * 8);
  *stride = align64((long long)count * 8);
  *payload = *values_offset + (long long)capacity * *stride;
}

int cfx_wire_waveform_size(int count, int capacity, long long *payload_size) {
  if (payload_size == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_wire_waveform_size: null payload_size");
  int rc = check_waveform_spec(CFX_WAVEFORM_BY_DRIVER, count, capacity, 0, "waveform");
  if (rc != CFX_OK) return rc == CFX_ERR_FORMAT ? CFX_ERR_ARGUMENT : rc;
  long long values_offset, stride;
  waveform_geometry(count, capacity, &values_offset, &stride, payload_size);
  return CFX_OK;
}

int cfx_wire_write_waveform(void *payload, long long payload_size, int role, int count, int capacity, int degree) {
  if (payload == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_wire_write_waveform: null payload");
  if (check_waveform_spec(role, count, capacity, degree, "waveform") != CFX_OK) return CFX_ERR_ARGUMENT;
  long long values_offset, stride, needed;
  waveform_geometry(count, capacity, &values_offset, &stride, &needed);
  if (payload_size < needed)
    return fail(CFX_ERR_ARGUMENT, "waveform: %d samples of %d points need %lld bytes; got %lld", capacity, count, needed,
                payload_size);
  unsigned char *p = payload;
  put32(p + W_VERSION, WAVEFORM_LAYOUT_VERSION);
  put32(p + W_ROLE, (uint32_t)role);
  put32(p + W_COUNT, (uint32_t)count);
  put32(p + W_CAPACITY, (uint32_t)capacity);
  put32(p + W_DEGREE, (uint32_t)degree);
  put32(p + W_SAMPLE_COUNT, 0);
  put32(p + W_RESERVED, 0);
  double zero = 0.0;
  memcpy(p + W_WINDOW_START, &zero, 8);
  __atomic_store_n(word_at(p, W_MAGIC), WAVEFORM_MAGIC, __ATOMIC_RELEASE);
  return CFX_OK;
}

int cfx_wire_read_waveform(const void *payload, long long payload_size, const char *where, int *role, int *count,
                           int *capacity, int *degree, long long *values_offset, long long *stride) {
  if (payload == NULL || where == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_wire_read_waveform: null argument");
  if (payload_size < W_TIMES)
    return fail(CFX_ERR_FORMAT, "%s: %lld bytes cannot hold waveform metadata (%d bytes)", where, payload_size, W_TIMES);
  const unsigned char *p = payload;
  uint32_t magic = load_acquire(p, W_MAGIC);
  if (magic != WAVEFORM_MAGIC)
    return fail(CFX_ERR_FORMAT,
                "%s: no waveform metadata (magic 0x%x, expected 0x%x \"WAVE\"); the driver did not create this "
                "waveform",
                where, magic, WAVEFORM_MAGIC);
  uint32_t version = get32(p + W_VERSION);
  if (version != WAVEFORM_LAYOUT_VERSION)
    return fail(CFX_ERR_FORMAT, "%s: waveform layout version %u, this conflux client reads %u", where, version,
                WAVEFORM_LAYOUT_VERSION);
  uint32_t fields[4] = {get32(p + W_ROLE), get32(p + W_COUNT), get32(p + W_CAPACITY), get32(p + W_DEGREE)};
  /* Every field is compared as unsigned before it becomes an int, so a huge word cannot turn negative. */
  int values[4];
  for (int i = 0; i < 4; i++) values[i] = fields[i] > (uint32_t)INT_MAX ? INT_MAX : (int)fields[i];
  int rc = check_waveform_spec(values[0], values[1], values[2], values[3], where);
  if (rc != CFX_OK) return rc;
  long long offset, step, needed;
  waveform_geometry(values[1], values[2], &offset, &step, &needed);
  if (needed > payload_size)
    return fail(CFX_ERR_FORMAT, "%s: %d samples of %d points need %lld bytes; the segment has %lld", where, values[2],
                values[1], needed, payload_size);
  if (role) *role = values[0];
  if (count) *count = values[1];
  if (capacity) *capacity = values[2];
  if (degree) *degree = values[3];
  if (values_offset) *values_offset = offset;
  if (stride) *stride = step;
  return CFX_OK;
}

int cfx_wire_waveform_sample_count(const void *payload, int capacity, const char *where, int *n) {
  if (payload == NULL || where == NULL || n == NULL)
    return fail(CFX_ERR_ARGUMENT, "cfx_wire_waveform_sample_count: null argument");
  uint32_t count = load_acquire(payload, W_SAMPLE_COUNT); /* once: the value checked is the value used */
  if (count < 1 || count > (uint32_t)capacity)
    return fail(CFX_ERR_FORMAT, "%s: sample count %lld is outside 1..%d", where, (long long)(int32_t)count, capacity);
  *n = (int)count;
  return CFX_OK;
}

int cfx_wire_waveform_set_sample_count(void *payload, int n) {
  if (payload == NULL || n < 0) return fail(CFX_ERR_ARGUMENT, "cfx_wire_waveform_set_sample_count: bad argument");
  __atomic_store_n(word_at(payload, W_SAMPLE_COUNT), (uint32_t)n, __ATOMIC_RELEASE);
  return CFX_OK;
}

static double absolute(double x) { return x < 0 ? -x : x; }
static int finite(double x) { return x - x == 0.0; } /* NaN and ±Inf give NaN */
static double larger(double a, double b) { return a > b ? a : b; }

int cfx_wire_check_sample_times(const double *times, int n, double window_start, double window_end,
                                const char *where) {
  if (times == NULL || where == NULL || n < 1) return fail(CFX_ERR_ARGUMENT, "cfx_wire_check_sample_times: bad argument");
  double first = times[0];
  if (!finite(first) ||
      absolute(first - window_start) > CFX_TIME_TOLERANCE * larger(1.0, absolute(window_start)))
    return fail(CFX_ERR_FORMAT, "%s: sample 0 is at time %.17g, not at the window start %.17g", where, first,
                window_start);
  double end_slack = finite(window_end) ? CFX_TIME_TOLERANCE * larger(1.0, absolute(window_end)) : 0.0;
  double previous = first;
  for (int i = 1; i < n; i++) {
    double t = times[i];
    if (!finite(t)) return fail(CFX_ERR_FORMAT, "%s: sample %d has time %g", where, i, t);
    if (!(t > previous))
      return fail(CFX_ERR_FORMAT, "%s: sample %d is at time %.17g, not after sample %d at %.17g", where, i, t, i - 1,
                  previous);
    if (t - window_end > end_slack)
      return fail(CFX_ERR_FORMAT, "%s: sample %d is at time %.17g, after the window's end %.17g", where, i, t,
                  window_end);
    previous = t;
  }
  return CFX_OK;
}

/* ---- interpolation in time (as src/bspline/time-interpolation.ts) --------------------
 * preCICE's Waveform::sample as weights over the samples: used degree min(degree, n - 1); degree 0 the first sample
 * at or after t; a sample time within 1e-14 of t that sample; otherwise the interpolating B-spline (times normalised
 * to [0, 1], knots by averaging, the banded collocation matrix factorised without pivoting), w = A^-T b(t). */
#define SAME_TIME_TOLERANCE 1e-14
#define BAND (2 * CFX_MAX_WAVEFORM_DEGREE + 1)

struct cfx_time_interpolation {
  int capacity;
  int n;
  int used;
  double *times;
  double *parameters;
  double *knots;
  double *band;
  double basis[CFX_MAX_WAVEFORM_DEGREE + 1];
  double left[CFX_MAX_WAVEFORM_DEGREE + 1];
  double right[CFX_MAX_WAVEFORM_DEGREE + 1];
};

int cfx_time_interpolation_create(int capacity, cfx_time_interpolation **out) {
  if (out == NULL || capacity < 1 || capacity > CFX_MAX_WAVEFORM_CAPACITY)
    return fail(CFX_ERR_ARGUMENT, "cfx_time_interpolation_create: capacity %d is outside 1..%d", capacity,
                CFX_MAX_WAVEFORM_CAPACITY);
  cfx_time_interpolation *ti = calloc(1, sizeof *ti);
  if (ti != NULL) {
    ti->capacity = capacity;
    ti->times = calloc((size_t)capacity, sizeof(double));
    ti->parameters = calloc((size_t)capacity, sizeof(double));
    ti->knots = calloc((size_t)capacity + CFX_MAX_WAVEFORM_DEGREE + 1, sizeof(double));
    ti->band = calloc((size_t)capacity * BAND, sizeof(double));
  }
  if (ti == NULL || ti->times == NULL || ti->parameters == NULL || ti->knots == NULL || ti->band == NULL) {
    cfx_time_interpolation_free(ti);
    return fail(CFX_ERR_NO_MEMORY, "out of memory for the interpolation of %d samples", capacity);
  }
  *out = ti;
  return CFX_OK;
}

void cfx_time_interpolation_free(cfx_time_interpolation *ti) {
  if (ti == NULL) return;
  free(ti->times);
  free(ti->parameters);
  free(ti->knots);
  free(ti->band);
  free(ti);
}

int cfx_time_interpolation_used_degree(const cfx_time_interpolation *ti) { return ti ? ti->used : 0; }

/* The p + 1 non-zero basis functions at u (The NURBS Book A2.2); returns the span s: basis[k] is N_{s-p+k}(u). */
static int evaluate_basis(cfx_time_interpolation *ti, double u) {
  int p = ti->used, n = ti->n;
  const double *knots = ti->knots;
  int s = p;
  if (u > knots[0]) {
    s = n - 1;
    for (int k = p; k < n; k++) {
      if (knots[k] > u) {
        s = k - 1;
        break;
      }
    }
  }
  ti->basis[0] = 1.0;
  for (int j = 1; j <= p; j++) {
    ti->left[j] = u - knots[s + 1 - j];
    ti->right[j] = knots[s + j] - u;
    double saved = 0.0;
    for (int r = 0; r < j; r++) {
      double temp = ti->basis[r] / (ti->right[r + 1] + ti->left[j - r]);
      ti->basis[r] = saved + ti->right[r + 1] * temp;
      saved = ti->left[j - r] * temp;
    }
    ti->basis[j] = saved;
  }
  return s;
}

#define BAND_AT(row, column) ti->band[(long long)(row) * BAND + (column) - (row) + CFX_MAX_WAVEFORM_DEGREE]

int cfx_time_interpolation_prepare(cfx_time_interpolation *ti, const double *times, int n, int degree) {
  if (ti == NULL || times == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_time_interpolation_prepare: null argument");
  if (n < 1 || n > ti->capacity)
    return fail(CFX_ERR_ARGUMENT, "time interpolation: %d samples, outside 1..%d", n, ti->capacity);
  if (degree < 0 || degree > CFX_MAX_WAVEFORM_DEGREE)
    return fail(CFX_ERR_ARGUMENT, "time interpolation: degree %d is outside 0..%d", degree, CFX_MAX_WAVEFORM_DEGREE);
  ti->n = n;
  ti->used = degree < n - 1 ? degree : n - 1;
  memcpy(ti->times, times, (size_t)n * sizeof(double));
  if (ti->used == 0) return CFX_OK;
  int p = ti->used;
  double first = ti->times[0], span = ti->times[n - 1] - first;
  for (int i = 0; i < n; i++) ti->parameters[i] = (ti->times[i] - first) / span;
  ti->parameters[0] = 0.0;
  ti->parameters[n - 1] = 1.0;
  for (int j = 0; j <= p; j++) {
    ti->knots[j] = 0.0;
    ti->knots[n + j] = 1.0;
  }
  for (int j = 1; j < n - p; j++) {
    double sum = 0.0;
    for (int i = j; i < j + p; i++) sum += ti->parameters[i];
    ti->knots[j + p] = sum / p;
  }
  memset(ti->band, 0, (size_t)n * BAND * sizeof(double));
  BAND_AT(0, 0) = 1.0;
  BAND_AT(n - 1, n - 1) = 1.0;
  for (int i = 1; i < n - 1; i++) {
    int s = evaluate_basis(ti, ti->parameters[i]);
    for (int k = 0; k <= p; k++) BAND_AT(i, s - p + k) = ti->basis[k];
  }
  for (int k = 0; k < n; k++) {
    double pivot = BAND_AT(k, k);
    if (!(absolute(pivot) > 0.0))
      return fail(CFX_ERR_ARGUMENT, "time interpolation: the collocation matrix is singular at row %d", k);
    int last = k + p < n - 1 ? k + p : n - 1;
    for (int i = k + 1; i <= last; i++) {
      double factor = BAND_AT(i, k) / pivot;
      BAND_AT(i, k) = factor;
      if (factor == 0.0) continue;
      for (int j = k + 1; j <= last; j++) BAND_AT(i, j) = BAND_AT(i, j) - factor * BAND_AT(k, j);
    }
  }
  return CFX_OK;
}

int cfx_time_interpolation_weights(cfx_time_interpolation *ti, double t, double *weights) {
  if (ti == NULL || weights == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_time_interpolation_weights: null argument");
  int n = ti->n;
  if (n == 0) return fail(CFX_ERR_ARGUMENT, "time interpolation: weights before prepare");
  memset(weights, 0, (size_t)n * sizeof(double));
  const double *times = ti->times;
  if (ti->used == 0) {
    int chosen = n - 1;
    if (n > 1) {
      for (int i = 0; i < n; i++) {
        if (times[i] - t >= -SAME_TIME_TOLERANCE) {
          chosen = i;
          break;
        }
      }
    }
    weights[chosen] = 1.0;
    return CFX_OK;
  }
  for (int i = 0; i < n; i++) {
    double difference = times[i] - t;
    if (absolute(difference) <= SAME_TIME_TOLERANCE) {
      weights[i] = 1.0;
      return CFX_OK;
    }
    if (difference > SAME_TIME_TOLERANCE) break;
  }
  int p = ti->used;
  double first = times[0];
  double u = (t - first) / (times[n - 1] - first);
  if (!(u > 0.0)) u = 0.0; /* NaN included */
  if (u > 1.0) u = 1.0;
  int s = evaluate_basis(ti, u);
  for (int k = 0; k <= p; k++) weights[s - p + k] = ti->basis[k];
  for (int k = s - p; k < n; k++) {
    double sum = weights[k];
    for (int i = k - p > 0 ? k - p : 0; i < k; i++) sum -= BAND_AT(i, k) * weights[i];
    weights[k] = sum / BAND_AT(k, k);
  }
  for (int k = n - 1; k >= 0; k--) {
    double sum = weights[k];
    int last = k + p < n - 1 ? k + p : n - 1;
    for (int i = k + 1; i <= last; i++) sum -= BAND_AT(i, k) * weights[i];
    weights[k] = sum;
  }
  return CFX_OK;
}
#undef BAND_AT

/* ---- segments and runs --------------------------------------------------------- */
#define ARENA_PAGE_BYTES 4096 /* segments inside a file (an arena) start on these pages */

struct cfx_segment {
  char path[PATH_MAX];
  char name[CFX_MAX_NAME_BYTES + 1];
  unsigned char *map;
  size_t map_length;
  unsigned char *header;
  long long payload_size;
  int fd;                 /* kept open: after a truncation, fstat says how much of the file is left */
  long long file_offset;  /* where the mapping starts in the file */
  int guard;              /* its slot in the table the SIGBUS handler searches, or -1 */
};

/* ---- truncation (docs/wire-format.md, "Truncation") ------------------------------
 * Another process may shrink a file this process has mapped; touching a page past
 * the new end raises SIGBUS, which would kill the component. As libwayland does for
 * a client's shm pool: a SIGBUS handler finds the faulting address among our
 * mappings, maps anonymous zero pages over that mapping (mmap is async-signal-
 * safe), marks it truncated and returns, so the access is repeated on zeros; the
 * next call of the API returns CFX_ERR_TRUNCATED, naming the segment. A fault
 * anywhere else goes to the handler installed before ours, or ends the process as
 * SIGBUS would. The handler is installed with the first mapping. */
#define GUARDED_MAPPINGS 1024

struct guarded_mapping {
  uintptr_t start; /* 0: slot free; published last (release), cleared before munmap */
  size_t length;
  int claimed;
  int truncated;
  const cfx_segment *segment; /* for the message; never read by the handler */
};

static struct guarded_mapping guarded[GUARDED_MAPPINGS];
static int truncated_mappings; /* how many guarded mappings are truncated, so a call checks one word */
static int sigbus_state;       /* 0 not installed, 1 being installed, 2 installed */
static struct sigaction previous_sigbus;

static void on_sigbus(int signal_number, siginfo_t *info, void *context) {
  int saved_errno = errno;
  if (info != NULL && info->si_code > 0) { /* a fault of the memory system, not a kill(2) */
    uintptr_t address = (uintptr_t)info->si_addr;
    for (int slot = 0; slot < GUARDED_MAPPINGS; slot++) {
      uintptr_t start = __atomic_load_n(&guarded[slot].start, __ATOMIC_ACQUIRE);
      if (start == 0 || address - start >= guarded[slot].length) continue;
      void *zeros = mmap((void *)start, guarded[slot].length, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1, 0);
      if (zeros == MAP_FAILED) break;
      if (__atomic_exchange_n(&guarded[slot].truncated, 1, __ATOMIC_SEQ_CST) == 0)
        __atomic_fetch_add(&truncated_mappings, 1, __ATOMIC_SEQ_CST);
      errno = saved_errno;
      return;
    }
  }
  errno = saved_errno;
  if (previous_sigbus.sa_flags & SA_SIGINFO) {
    previous_sigbus.sa_sigaction(signal_number, info, context);
  } else if (previous_sigbus.sa_handler != SIG_DFL && previous_sigbus.sa_handler != SIG_IGN) {
    previous_sigbus.sa_handler(signal_number);
  } else if (previous_sigbus.sa_handler == SIG_DFL || info == NULL || info->si_code > 0) {
    /* As if we had never been here: a fault repeats on return and kills; a signal someone sent is raised again. */
    struct sigaction default_action;
    memset(&default_action, 0, sizeof default_action);
    default_action.sa_handler = SIG_DFL;
    sigemptyset(&default_action.sa_mask);
    sigaction(SIGBUS, &default_action, NULL);
    if (info == NULL || info->si_code <= 0) raise(SIGBUS);
  }
}

static void install_sigbus_handler(void) {
  int expected = 0;
  if (!__atomic_compare_exchange_n(&sigbus_state, &expected, 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
    while (__atomic_load_n(&sigbus_state, __ATOMIC_ACQUIRE) != 2) sched_yield();
    return;
  }
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_sigaction = on_sigbus;
  action.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  sigaction(SIGBUS, &action, &previous_sigbus);
  __atomic_store_n(&sigbus_state, 2, __ATOMIC_RELEASE);
}

/* Puts a new mapping of `segment` in the handler's table; -1 (and an error) when the table is full. */
static int guard_mapping(const cfx_segment *segment) {
  install_sigbus_handler();
  for (int slot = 0; slot < GUARDED_MAPPINGS; slot++) {
    int expected = 0;
    if (!__atomic_compare_exchange_n(&guarded[slot].claimed, &expected, 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
      continue;
    guarded[slot].length = segment->map_length;
    guarded[slot].segment = segment;
    __atomic_store_n(&guarded[slot].truncated, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&guarded[slot].start, (uintptr_t)segment->map, __ATOMIC_RELEASE);
    return slot;
  }
  fail(CFX_ERR_FULL, "segment %s: this process maps %d segments already; close some", segment->path,
       GUARDED_MAPPINGS);
  return -1;
}

static void unguard_mapping(int slot) {
  if (slot < 0) return;
  __atomic_store_n(&guarded[slot].start, (uintptr_t)0, __ATOMIC_SEQ_CST);
  if (__atomic_exchange_n(&guarded[slot].truncated, 0, __ATOMIC_SEQ_CST) != 0)
    __atomic_fetch_sub(&truncated_mappings, 1, __ATOMIC_SEQ_CST);
  guarded[slot].segment = NULL;
  __atomic_store_n(&guarded[slot].claimed, 0, __ATOMIC_RELEASE);
}

/* Whether the file under `segment` still holds all of its mapping: a truncation inside the mapping's last page
 * raises no SIGBUS (the page stays, past the end), so a component's own segments are also measured with fstat once
 * a step. Marks the mapping truncated when it is not. */
static void measure_segment(const cfx_segment *segment) {
  struct stat status;
  if (segment == NULL || segment->guard < 0 || fstat(segment->fd, &status) != 0) return;
  if ((long long)status.st_size - segment->file_offset >= (long long)segment->map_length) return;
  if (__atomic_exchange_n(&guarded[segment->guard].truncated, 1, __ATOMIC_SEQ_CST) == 0)
    __atomic_fetch_add(&truncated_mappings, 1, __ATOMIC_SEQ_CST);
}

/* CFX_OK, or CFX_ERR_TRUNCATED naming the first segment of this process found truncated. One load when none is. */
static int check_truncation(void) {
  if (__atomic_load_n(&truncated_mappings, __ATOMIC_ACQUIRE) == 0) return CFX_OK;
  for (int slot = 0; slot < GUARDED_MAPPINGS; slot++) {
    if (__atomic_load_n(&guarded[slot].truncated, __ATOMIC_ACQUIRE) == 0) continue;
    const cfx_segment *segment = guarded[slot].segment;
    if (segment == NULL) continue;
    struct stat status;
    long long left = fstat(segment->fd, &status) == 0 ? (long long)status.st_size - segment->file_offset : -1;
    if (left < 0) left = 0;
    return fail(CFX_ERR_TRUNCATED,
                "segment \"%s\" (%s) was truncated while this process had it mapped: its file holds %lld of its "
                "%zu bytes. Another process shrank it; the segment is unusable (its pages now read as zeros).",
                segment->name, segment->path, left < (long long)segment->map_length ? left : (long long)segment->map_length,
                segment->map_length);
  }
  return CFX_OK;
}

struct cfx_run {
  char directory[PATH_MAX];
  char id[CFX_RUN_ID_BYTES + 1];
  cfx_segment *registry;
  uint32_t registry_capacity; /* checked against the registry's size when the run was joined */
  /* In a VM guest: the arena segments are created in (CONFLUX_ARENA), mapped on first use. */
  cfx_segment *arena;
  char arena_file[CFX_MAX_NAME_BYTES + 1];
};

void *cfx_segment_payload(const cfx_segment *segment) { return segment ? segment->header + CFX_HEADER_SIZE : NULL; }
long long cfx_segment_payload_size(const cfx_segment *segment) { return segment ? segment->payload_size : 0; }
const char *cfx_segment_path(const cfx_segment *segment) { return segment ? segment->path : ""; }

int cfx_segment_close(cfx_segment *segment) {
  if (segment == NULL) return CFX_OK;
  unguard_mapping(segment->guard);
  if (segment->map != NULL) munmap(segment->map, segment->map_length);
  if (segment->fd >= 0) close(segment->fd);
  free(segment);
  return CFX_OK;
}

/* Maps `length` bytes of `path` from `offset` (page aligned) and checks the header there. */
static int map_segment(const char *path, long long offset, long long length, int kind, const char *run_id,
                       const char *expect_name, cfx_segment **out) {
  cfx_segment *segment = calloc(1, sizeof *segment);
  if (segment == NULL) return fail(CFX_ERR_NO_MEMORY, "out of memory mapping %s", path);
  segment->fd = -1;
  segment->guard = -1;
  snprintf(segment->path, sizeof segment->path, "%s", path);
  int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    int rc = errno == ENOENT  ? fail(CFX_ERR_NOT_FOUND, "segment %s does not exist: its run has ended or the name is wrong",
                                     path)
             : errno == ELOOP ? fail(CFX_ERR_FORMAT, "segment %s is a symbolic link; a segment is a file of its run", path)
                              : fail_system("open", path);
    free(segment);
    return rc;
  }
  /* Whatever the registry says, only what the file really holds is mapped: touching a page past its end is SIGBUS. */
  struct stat status;
  if (fstat(fd, &status) != 0) {
    int rc = fail_system("fstat", path);
    close(fd);
    free(segment);
    return rc;
  }
  long long size = (long long)status.st_size;
  if (!S_ISREG(status.st_mode)) {
    close(fd);
    free(segment);
    return fail(CFX_ERR_FORMAT, "segment %s is not a regular file; a segment is a file of its run", path);
  }
  if (offset != 0 || length > 0) {
    if (offset < 0 || offset % ARENA_PAGE_BYTES != 0 || length < CFX_HEADER_SIZE || offset > size ||
        length > size - offset) {
      close(fd);
      free(segment);
      return fail(CFX_ERR_FORMAT,
                  "segment %s@%lld: the registry places it at bytes %lld..%llu of a file of %lld bytes; a segment "
                  "lies page aligned inside its file: the registry entry is corrupt",
                  path, offset, offset, (unsigned long long)offset + (unsigned long long)length, size);
    }
  } else {
    length = size;
  }
  if (length <= 0) {
    close(fd);
    free(segment);
    return cfx_wire_check_header(NULL, 0, path, kind, run_id, NULL);
  }
  void *map = mmap(NULL, (size_t)length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)offset);
  if (map == MAP_FAILED) {
    int rc = fail_system("mmap", path);
    close(fd);
    free(segment);
    return rc;
  }
  segment->fd = fd;
  segment->file_offset = offset;
  segment->map = map;
  segment->map_length = (size_t)length;
  segment->header = map;
  if ((segment->guard = guard_mapping(segment)) < 0) {
    cfx_segment_close(segment);
    return CFX_ERR_FULL;
  }
  char where[PATH_MAX + 32];
  if (offset == 0) snprintf(where, sizeof where, "%s", path);
  else snprintf(where, sizeof where, "%s@%lld", path, offset);
  int rc = check_header(map, length, where, kind, run_id, &segment->payload_size, segment->name);
  if (rc == CFX_OK && expect_name != NULL && strcmp(segment->name, expect_name) != 0)
    rc = fail(CFX_ERR_FORMAT,
              "segment %s: its header names it \"%s\", but the registry entry \"%s\" points to it: the registry entry "
              "is corrupt or was changed while it was read",
              where, segment->name, expect_name);
  if (rc == CFX_OK) rc = check_truncation(); /* shrunk while the header was read */
  if (rc != CFX_OK) {
    cfx_segment_close(segment);
    return rc;
  }
  *out = segment;
  return CFX_OK;
}

const char *cfx_run_id(const cfx_run *run) { return run ? run->id : ""; }
const char *cfx_run_directory(const cfx_run *run) { return run ? run->directory : ""; }

int cfx_run_join(const char *directory, cfx_run **out) {
  if (directory == NULL || *directory == '\0' || out == NULL)
    return fail(CFX_ERR_ARGUMENT, "cfx_run_join: no run directory given");
  cfx_run *run = calloc(1, sizeof *run);
  if (run == NULL) return fail(CFX_ERR_NO_MEMORY, "out of memory joining run %s", directory);
  snprintf(run->directory, sizeof run->directory, "%s", directory);
  char path[PATH_MAX + 16];
  snprintf(path, sizeof path, "%s/owner.json", directory);
  char owner[1024];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  ssize_t length = -1;
  if (fd >= 0) {
    length = read(fd, owner, sizeof owner - 1);
    close(fd);
  }
  if (length <= 0) {
    struct stat status;
    const char *reason = stat(directory, &status) == 0 ? "it has no readable owner file" : "it does not exist";
    free(run);
    return fail(CFX_ERR_NOT_FOUND, "cannot join run %s: %s. Start components through `conflux run`.", directory, reason);
  }
  owner[length] = '\0';
  if (json_string(owner, "runId", run->id, sizeof run->id) != CFX_OK || strlen(run->id) != CFX_RUN_ID_BYTES) {
    free(run);
    return fail(CFX_ERR_FORMAT, "cannot join run %s: its owner.json has no 16-character runId", directory);
  }
  snprintf(path, sizeof path, "%s/registry", directory);
  int rc = map_segment(path, 0, 0, CFX_KIND_REGISTRY, run->id, NULL, &run->registry);
  if (rc == CFX_OK) {
    rc = registry_capacity(cfx_segment_payload(run->registry), run->registry->payload_size, &run->registry_capacity);
    if (rc != CFX_OK) {
      char reason[sizeof last_error];
      memcpy(reason, last_error, sizeof reason);
      rc = fail(rc, "registry %s: %s", path, reason);
      cfx_segment_close(run->registry);
    }
  }
  if (rc != CFX_OK) {
    free(run);
    return rc;
  }
  *out = run;
  return CFX_OK;
}

int cfx_run_close(cfx_run *run) {
  if (run == NULL) return CFX_OK;
  cfx_segment_close(run->arena);
  cfx_segment_close(run->registry);
  free(run);
  return CFX_OK;
}

static int random_file_name(char *name, size_t size) {
  unsigned char bytes[6];
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail_system("open", "/dev/urandom");
  ssize_t got = read(fd, bytes, sizeof bytes);
  close(fd);
  if (got != (ssize_t)sizeof bytes) return fail_system("read", "/dev/urandom");
  snprintf(name, size, "seg-%02x%02x%02x%02x%02x%02x", bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5]);
  return CFX_OK;
}

static double unix_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)((long long)ts.tv_sec * 1000LL + ts.tv_nsec / 1000000L);
}

/* ---- segments in a VM enclave's arena (docs/vm.md, "Arena") ----------------------
 * A guest cannot map a file created after it booted, and a file it creates lives
 * in guest memory the host cannot see; so in a guest (CONFLUX_ARENA names the
 * arena in the run's registry) a new segment is carved out of the arena, page
 * aligned, and registered as (arena file, offset, length). */
enum { A_VERSION = 256, A_PAGE_SIZE = 260, A_PAGE_COUNT = 264, A_NEXT_PAGE = 268 };
#define ARENA_LAYOUT_VERSION 1u
#define ARENA_PAGE 4096u /* the only page size layout version 1 has */

static int open_arena(cfx_run *run, const char *arena_name) {
  if (run->arena != NULL) return CFX_OK;
  long long offset = 0, length = 0;
  int rc = cfx_wire_lookup(cfx_segment_payload(run->registry), run->registry->payload_size, arena_name,
                           run->arena_file, sizeof run->arena_file, &offset, &length, NULL, NULL);
  if (rc != CFX_OK)
    return fail(rc, "CONFLUX_ARENA names arena \"%s\", which run %s does not have: run this component in a vm enclave",
                arena_name, run->id);
  char path[PATH_MAX];
  if ((size_t)snprintf(path, sizeof path, "%s/%s", run->directory, run->arena_file) >= sizeof path)
    return fail(CFX_ERR_ARGUMENT, "run directory %s is too long", run->directory);
  if ((rc = map_segment(path, 0, 0, CFX_KIND_ARENA, run->id, arena_name, &run->arena)) != CFX_OK) return rc;
  uint32_t version = load_acquire(run->arena->map, A_VERSION);
  uint32_t page = get32(run->arena->map + A_PAGE_SIZE);
  if (version != ARENA_LAYOUT_VERSION || page != ARENA_PAGE) {
    cfx_segment_close(run->arena);
    run->arena = NULL;
    return fail(CFX_ERR_FORMAT, "arena %s has layout version %u (page size %u); this client reads version %u", path,
                version, page, ARENA_LAYOUT_VERSION);
  }
  return CFX_OK;
}

static int arena_create_segment(cfx_run *run, const char *arena_name, const char *name, long long payload_size,
                                int kind, cfx_segment **out) {
  int rc = open_arena(run, arena_name);
  if (rc != CFX_OK) return rc;
  unsigned char *arena = run->arena->map;
  /* The page size open_arena checked, never re-read: another process could change the one in the arena. */
  const uint32_t page = ARENA_PAGE;
  uint32_t total = get32(arena + A_PAGE_COUNT);
  long long capacity = (long long)total * page;
  if (payload_size > capacity) /* also keeps the sums below from overflowing */
    return fail(CFX_ERR_FULL, "arena %s holds %lld bytes, segment \"%s\" needs %lld; give the VM a larger arena",
                run->arena_file, capacity, name, payload_size);
  long long length = CFX_HEADER_SIZE + payload_size;
  long long pages = (length + page - 1) / page;
  uint32_t *next = word_at(arena, A_NEXT_PAGE);
  uint32_t first = __atomic_load_n(next, __ATOMIC_ACQUIRE);
  do {
    if ((long long)first + pages > (long long)total || ((long long)first + pages) * page > (long long)run->arena->map_length)
      return fail(CFX_ERR_FULL, "arena %s has %u free pages, segment \"%s\" needs %lld; give the VM a larger arena",
                  run->arena_file, total > first ? total - first : 0, name, pages);
  } while (!__atomic_compare_exchange_n(next, &first, first + (uint32_t)pages, 0, __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE));
  long long offset = (long long)first * page;
  rc = cfx_wire_write_header(arena + offset, payload_size, (int)getpid(), kind, run->id, unix_ms(), name);
  if (rc == CFX_OK) rc = map_segment(run->arena->path, offset, length, kind, run->id, name, out);
  if (rc == CFX_OK) {
    snprintf((*out)->name, sizeof (*out)->name, "%s", name);
    rc = cfx_wire_register(cfx_segment_payload(run->registry), run->registry->payload_size, name, run->arena_file,
                           offset, length, kind, (int)getpid());
    if (rc != CFX_OK) {
      cfx_segment_close(*out);
      *out = NULL;
    }
  }
  /* Pages are never given back (docs/vm.md): a failed creation leaves them unused. */
  return rc;
}

int cfx_run_create_segment(cfx_run *run, const char *name, long long payload_size, int kind, cfx_segment **out) {
  if (run == NULL || out == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_run_create_segment: null run or result");
  int rc = check_truncation();
  if (rc != CFX_OK) return rc;
  rc = check_name(name, "segment name");
  if (rc != CFX_OK) return rc;
  if (payload_size < 0) return fail(CFX_ERR_ARGUMENT, "segment \"%s\": payload size %lld is negative", name, payload_size);
  const char *arena_name = getenv("CONFLUX_ARENA");
  if (arena_name != NULL && *arena_name != '\0') return arena_create_segment(run, arena_name, name, payload_size, kind, out);
  cfx_segment *segment = calloc(1, sizeof *segment);
  if (segment == NULL) return fail(CFX_ERR_NO_MEMORY, "out of memory creating segment \"%s\"", name);
  segment->fd = -1;
  segment->guard = -1;
  char file[32];
  if ((rc = random_file_name(file, sizeof file)) != CFX_OK) {
    free(segment);
    return rc;
  }
  if ((size_t)snprintf(segment->path, sizeof segment->path, "%s/%s", run->directory, file) >= sizeof segment->path) {
    free(segment);
    return fail(CFX_ERR_ARGUMENT, "run directory %s is too long", run->directory);
  }
  snprintf(segment->name, sizeof segment->name, "%s", name);
  long long length = CFX_HEADER_SIZE + payload_size;
  int fd = open(segment->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    rc = fail_system("open(O_CREAT|O_EXCL)", segment->path);
    free(segment);
    return rc;
  }
  void *map = MAP_FAILED;
  /* tmpfs accepts an ftruncate it cannot back and fails the first write to a page it has no room for with SIGBUS:
   * the pages are reserved now (fallocate), so a full /dev/shm is an error here. */
  if (ftruncate(fd, (off_t)length) != 0) rc = fail_system("ftruncate", segment->path);
  else if (fallocate(fd, 0, 0, (off_t)length) != 0 && errno != EOPNOTSUPP) rc = no_room(name, segment->path, length);
  else if ((map = mmap(NULL, (size_t)length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) == MAP_FAILED)
    rc = fail_system("mmap", segment->path);
  if (rc == CFX_OK) {
    segment->fd = fd;
    segment->map = map;
    segment->map_length = (size_t)length;
    segment->header = map;
    segment->payload_size = payload_size;
    if ((segment->guard = guard_mapping(segment)) < 0) rc = CFX_ERR_FULL;
  } else {
    close(fd);
  }
  if (rc == CFX_OK) rc = cfx_wire_write_header(map, payload_size, (int)getpid(), kind, run->id, unix_ms(), name);
  if (rc == CFX_OK)
    rc = cfx_wire_register(cfx_segment_payload(run->registry), run->registry->payload_size, name, file, 0, length,
                           kind, (int)getpid());
  if (rc != CFX_OK) {
    unlink(segment->path);
    cfx_segment_close(segment);
    return rc;
  }
  *out = segment;
  return CFX_OK;
}

int cfx_run_open_segment(cfx_run *run, const char *name, int kind, int timeout_ms, cfx_segment **out) {
  if (run == NULL || name == NULL || out == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_run_open_segment: null argument");
  void *registry = cfx_segment_payload(run->registry);
  long long registry_size = run->registry->payload_size;
  long long deadline = now_ns() + (long long)timeout_ms * 1000000LL;
  char file[CFX_MAX_NAME_BYTES + 1];
  long long offset = 0, length = 0;
  for (;;) {
    uint32_t generation = load_acquire(registry, R_GENERATION);
    int rc = cfx_wire_lookup(registry, registry_size, name, file, sizeof file, &offset, &length, NULL, NULL);
    int truncated = check_truncation(); /* the registry itself may have been shrunk under the lookup */
    if (truncated != CFX_OK) return truncated;
    if (rc == CFX_OK) break;
    if (rc != CFX_ERR_NOT_FOUND) return rc;
    long long remaining = deadline - now_ns();
    if (remaining <= 0) {
      char known[768] = "";
      size_t used = 0;
      for (uint32_t index = 0; index < run->registry_capacity; index++) {
        unsigned char *entry = entry_at(registry, index);
        if (load_acquire(entry, E_STATE) != ENTRY_LIVE) continue;
        uint32_t name_length = get32(entry + E_NAME_LENGTH);
        if (name_length > CFX_MAX_NAME_BYTES || used + name_length + 3 >= sizeof known) break;
        used += (size_t)snprintf(known + used, sizeof known - used, "%s%.*s", used ? ", " : "", (int)name_length,
                                 (const char *)(entry + E_NAME));
      }
      return fail(CFX_ERR_NOT_FOUND, "no segment named \"%s\" in run %s within %d ms; registered: %s", name, run->id,
                  timeout_ms, used ? known : "none");
    }
    futex_wait(word_at(registry, R_GENERATION), generation, remaining);
  }
  char path[PATH_MAX];
  if ((size_t)snprintf(path, sizeof path, "%s/%s", run->directory, file) >= sizeof path)
    return fail(CFX_ERR_ARGUMENT, "path of segment \"%s\" is too long", name);
  return map_segment(path, offset, length, kind, run->id, name, out);
}

/* ---- waiting and liveness ------------------------------------------------------ */
struct peer {
  /* read until non-zero: the peer's pid in the control line; NULL when the enclave, not a pid, ties us to the peer */
  const uint32_t *pid_word;
  int pid;
  int pidfd;
  char description[64];
};

static void peer_resolve(struct peer *peer) {
  if (peer->pid > 0 || peer->pid_word == NULL) return;
  int pid = (int)__atomic_load_n(peer->pid_word, __ATOMIC_ACQUIRE);
  if (pid <= 0) return;
  peer->pid = pid;
  if (pid != (int)getpid()) peer->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
}

/* A pidfd turns readable when its process exits; without one, ask by pid. A
   signal during the poll fails it with EINTR even with a zero timeout, which
   says nothing about the peer: ask again. Only a readable pidfd means dead. */
static int peer_alive(struct peer *peer) {
  peer_resolve(peer);
  if (peer->pid <= 0 || peer->pid == (int)getpid()) return 1;
  if (peer->pidfd >= 0) {
    struct pollfd poll_fd = {peer->pidfd, POLLIN, 0};
    int rc;
    do {
      rc = poll(&poll_fd, 1, 0);
    } while (rc < 0 && errno == EINTR);
    return rc <= 0;
  }
  return kill(peer->pid, 0) == 0 || errno == EPERM;
}

enum { WAIT_READY, WAIT_TIMED_OUT, WAIT_PEER_DIED, WAIT_PEER_CLOSED, WAIT_TRUNCATED };

static int check_peer(struct peer *peer, const unsigned char *peer_closed) {
  if (__atomic_load_n(&truncated_mappings, __ATOMIC_ACQUIRE) != 0) return WAIT_TRUNCATED;
  if (__atomic_load_n((const uint32_t *)(const void *)peer_closed, __ATOMIC_ACQUIRE) != 0) return WAIT_PEER_CLOSED;
  if (!peer_alive(peer)) return WAIT_PEER_DIED;
  return WAIT_READY;
}

/* The words of one side's waits (docs/wire-format.md, "Waiting"): it spins on `word` until it differs from
 * `unchanged`, and sleeps on `sleep_word`, which the peer stores after publishing. A sleep word more than `lag`
 * behind `sleep_unchanged` (mod 2^32) also ends the wait, for the caller to judge: a consumer spins on the sequence
 * of the record it expects and sleeps on the tail (lag 1: the producer stores the sequence, then the tail); a
 * producer spins and sleeps on the head (lag 0). */
struct wait_words {
  uint32_t *word;
  uint32_t unchanged;
  uint32_t *sleep_word;
  uint32_t sleep_unchanged;
  uint32_t lag;
  uint32_t *sleeping;
  const unsigned char *peer_closed;
};

static int sleep_word_moved(const struct wait_words *w, uint32_t value) { return w->sleep_unchanged - value > w->lag; }

/* Waits until *word != unchanged by the strategy (docs/wire-format.md, "Waiting"). */
static int wait_for_change(const cfx_wait *strategy, struct peer *peer, const struct wait_words *w,
                           long long timeout_ns) {
  uint32_t *word = w->word;
  uint32_t unchanged = w->unchanged;
  if (__atomic_load_n(word, __ATOMIC_ACQUIRE) != unchanged) return WAIT_READY;
  long long start = now_ns();
  long long deadline = start + timeout_ns;
  long long next_check = start + LIVENESS_INTERVAL_NS;
  if (strategy->kind != CFX_WAIT_BLOCK) {
    long long spin_until = start + strategy->spin_ns;
    long long backoff_ns = FIRST_BACKOFF_NS;
    uint32_t iterations = 0;
    for (;;) {
      if (__atomic_load_n(word, __ATOMIC_ACQUIRE) != unchanged) return WAIT_READY;
      if ((++iterations & SPIN_CHECK_MASK) != 0) {
        cpu_relax();
        continue;
      }
      long long now = now_ns();
      if (now >= next_check) {
        int status = check_peer(peer, w->peer_closed);
        if (status != WAIT_READY) return status;
        /* Once a millisecond, not at every look: reading the peer's line while spinning is what version 1 paid. */
        if (w->sleep_word != word && sleep_word_moved(w, __atomic_load_n(w->sleep_word, __ATOMIC_ACQUIRE)))
          return WAIT_READY;
        next_check = now + LIVENESS_INTERVAL_NS;
      }
      if (now >= deadline) return WAIT_TIMED_OUT;
      if (now >= spin_until) {
        if (strategy->kind == CFX_WAIT_HYBRID) break;
        if (strategy->kind == CFX_WAIT_BACKOFF) {
          /* No futex reaches this side (a VM guest): poll with growing sleeps instead of holding the CPU. */
          long long pause = backoff_ns < deadline - now ? backoff_ns : deadline - now;
          struct timespec sleep_for = {(time_t)(pause / 1000000000LL), (long)(pause % 1000000000LL)};
          nanosleep(&sleep_for, NULL);
          backoff_ns = backoff_ns * 2 < LONGEST_BACKOFF_NS ? backoff_ns * 2 : LONGEST_BACKOFF_NS;
          iterations = SPIN_CHECK_MASK; /* read the clock right after the next look at the word */
          continue;
        }
        sched_yield(); /* a spinner past its window lets a peer on this core run */
      }
    }
  }
  uint32_t *sleeping = w->sleeping;
  for (;;) {
    /* Flag, then re-read (both seq_cst): the producer stores the tail, then reads the flag, so either it sees the
     * flag and wakes this side, or this side sees its tail (and through it the sequence stored before it). */
    __atomic_store_n(sleeping, 1u, __ATOMIC_SEQ_CST);
    uint32_t sleep_value = __atomic_load_n(w->sleep_word, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(word, __ATOMIC_ACQUIRE) != unchanged || sleep_word_moved(w, sleep_value)) {
      __atomic_store_n(sleeping, 0u, __ATOMIC_SEQ_CST);
      return WAIT_READY;
    }
    long long now = now_ns();
    if (now >= deadline) {
      __atomic_store_n(sleeping, 0u, __ATOMIC_SEQ_CST);
      return WAIT_TIMED_OUT;
    }
    long long remaining = deadline - now;
    /* Asleep while the sleep word holds what was just read (within its lag, so the peer's next store changes it). */
    futex_wait(w->sleep_word, sleep_value, remaining < SLEEP_SLICE_NS ? remaining : SLEEP_SLICE_NS);
    __atomic_store_n(sleeping, 0u, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(word, __ATOMIC_ACQUIRE) != unchanged) return WAIT_READY;
    int status = check_peer(peer, w->peer_closed);
    if (status != WAIT_READY) return status;
  }
}

int cfx_wait_from_environment(cfx_wait *wait) {
  if (wait == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_wait_from_environment: null wait");
  wait->kind = CFX_WAIT_HYBRID;
  wait->reserved = 0;
  wait->spin_ns = DEFAULT_SPIN_NS;
  wait->timeout_ns = DEFAULT_TIMEOUT_NS;
  const char *text = getenv("CONFLUX_WAIT");
  if (text == NULL || *text == '\0') return CFX_OK;
  char kind[16];
  int rc = json_string(text, "kind", kind, sizeof kind);
  if (rc == CFX_OK) {
    if (strcmp(kind, "spin") == 0) wait->kind = CFX_WAIT_SPIN;
    else if (strcmp(kind, "hybrid") == 0) wait->kind = CFX_WAIT_HYBRID;
    else if (strcmp(kind, "block") == 0) wait->kind = CFX_WAIT_BLOCK;
    else if (strcmp(kind, "backoff") == 0) wait->kind = CFX_WAIT_BACKOFF;
    else
      return fail(CFX_ERR_ENVIRONMENT,
                  "CONFLUX_WAIT=%s: wait strategy \"%s\" is not one of spin, hybrid, block, backoff", text, kind);
  } else if (rc != CFX_ERR_NOT_FOUND) {
    char cause[sizeof last_error];
    memcpy(cause, last_error, sizeof cause);
    return fail(CFX_ERR_ENVIRONMENT, "CONFLUX_WAIT=%s is not a wait strategy: %s", text, cause);
  }
  double number;
  rc = cfx_json_number(text, "spinNs", &number);
  if (rc == CFX_OK && number >= 0) wait->spin_ns = (long long)number;
  else if (rc != CFX_ERR_NOT_FOUND)
    return fail(CFX_ERR_ENVIRONMENT, "CONFLUX_WAIT=%s: spinNs must be a number ≥ 0", text);
  rc = cfx_json_number(text, "timeoutNs", &number);
  if (rc == CFX_OK && number > 0) wait->timeout_ns = (long long)number;
  else if (rc != CFX_ERR_NOT_FOUND)
    return fail(CFX_ERR_ENVIRONMENT, "CONFLUX_WAIT=%s: timeoutNs must be a number > 0", text);
  return CFX_OK;
}

/* ---- channels ------------------------------------------------------------------ */
struct cfx_channel {
  char name[CFX_MAX_NAME_BYTES + 1];
  char where[CFX_MAX_NAME_BYTES + 48];
  cfx_segment *segment;
  struct ring_end sender;   /* component → driver */
  struct ring_end receiver; /* driver → component */
  cfx_wait wait;
  struct peer driver;
  int accept_all;
  uint64_t accepted[1024];
};

/* CONFLUX_DRIVER_LIVENESS (docs/wire-format.md, "Channel"): whether the enclave, not the driver's pid, says the
 * driver has gone. */
enum driver_liveness { LIVENESS_PID, LIVENESS_ENCLAVE, LIVENESS_INVALID };

static enum driver_liveness driver_liveness(void) {
  const char *value = getenv("CONFLUX_DRIVER_LIVENESS");
  if (value == NULL || value[0] == '\0' || strcmp(value, "pid") == 0) return LIVENESS_PID;
  if (strcmp(value, "enclave") == 0) return LIVENESS_ENCLAVE;
  fail(CFX_ERR_ENVIRONMENT,
       "CONFLUX_DRIVER_LIVENESS is \"%.40s\"; it must be \"pid\" or \"enclave\" (or unset): start this component "
       "through `conflux run`",
       value);
  return LIVENESS_INVALID;
}

int cfx_channel_attach(cfx_run *run, const char *name, const cfx_wait *wait, int timeout_ms, cfx_channel **out) {
  if (run == NULL || name == NULL || out == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_channel_attach: null argument");
  enum driver_liveness liveness = driver_liveness();
  if (liveness == LIVENESS_INVALID) return CFX_ERR_ENVIRONMENT;
  cfx_channel *channel = calloc(1, sizeof *channel);
  if (channel == NULL) return fail(CFX_ERR_NO_MEMORY, "out of memory attaching channel \"%s\"", name);
  snprintf(channel->name, sizeof channel->name, "%s", name);
  snprintf(channel->where, sizeof channel->where, "channel \"%s\" (component side)", name);
  if (wait != NULL) channel->wait = *wait;
  else cfx_wait_from_environment(&channel->wait);
  channel->accept_all = 1;
  channel->driver.pidfd = -1;
  snprintf(channel->driver.description, sizeof channel->driver.description, "the driver");
  int rc = cfx_run_open_segment(run, name, CFX_KIND_RING, timeout_ms, &channel->segment);
  if (rc != CFX_OK) {
    free(channel);
    return rc;
  }
  unsigned char *payload = cfx_segment_payload(channel->segment);
  long long size = channel->segment->payload_size;
  char where[PATH_MAX + 128];
  snprintf(where, sizeof where, "channel \"%s\" in %s", name, channel->segment->path);
  int capacity = 0;
  rc = channel_control(payload, size, where, (int)getpid(), &capacity);
  if (rc == CFX_OK)
    rc = ring_open(&channel->receiver, payload + C_LINE, CFX_RING_BYTES(capacity), 0, channel->where);
  if (rc == CFX_OK)
    rc = ring_open(&channel->sender, payload + C_LINE + CFX_RING_BYTES(capacity), CFX_RING_BYTES(capacity), 1,
                   channel->where);
  /* Each ring holds exactly the control line's capacity: a smaller one would leave its records where the other's
   * header is expected, and the two sides would disagree on where the second ring starts. */
  if (rc == CFX_OK && (channel->receiver.capacity != (uint32_t)capacity || channel->sender.capacity != (uint32_t)capacity))
    rc = fail(CFX_ERR_FORMAT, "%s: the control line says rings of %d records, the rings say %u and %u: the channel is corrupt",
              where, capacity, channel->receiver.capacity, channel->sender.capacity);
  if (rc != CFX_OK) {
    cfx_segment_close(channel->segment);
    free(channel);
    return rc;
  }
  /* In its own pid namespace or a guest, the driver's pid names nobody; the enclave ends us with the driver. */
  channel->driver.pid_word = liveness == LIVENESS_ENCLAVE ? NULL : word_at(payload, C_DRIVER_PID);
  peer_resolve(&channel->driver);
  *out = channel;
  return CFX_OK;
}

int cfx_channel_accept(cfx_channel *channel, const int *opcodes, int count) {
  if (channel == NULL || (count > 0 && opcodes == NULL)) return fail(CFX_ERR_ARGUMENT, "cfx_channel_accept: null argument");
  memset(channel->accepted, 0, sizeof channel->accepted);
  for (int index = 0; index < count; index++) {
    unsigned opcode = (unsigned)opcodes[index] & 0xFFFFu;
    channel->accepted[opcode >> 6] |= 1ULL << (opcode & 63);
  }
  channel->accept_all = 0;
  return CFX_OK;
}

static int wait_failure(cfx_channel *channel, int status, const char *what) {
  struct peer *peer = &channel->driver;
  char pid[32] = "";
  if (peer->pid > 0) snprintf(pid, sizeof pid, " (pid %d)", peer->pid);
  switch (status) {
    case WAIT_TRUNCATED:
      return check_truncation();
    case WAIT_TIMED_OUT:
      return fail(CFX_ERR_TIMEOUT, "%s: %s%s did not %s within %lld ms", channel->where, peer->description, pid, what,
                  channel->wait.timeout_ns / 1000000LL);
    case WAIT_PEER_DIED:
      return fail(CFX_ERR_PEER_DIED, "%s: %s%s died while this side waited for it to %s", channel->where,
                  peer->description, pid, what);
    default:
      return fail(CFX_ERR_PEER_CLOSED, "%s: %s%s closed the channel", channel->where, peer->description, pid);
  }
}

int cfx_channel_try_send(cfx_channel *channel, cfx_message *message) {
  if (channel == NULL || message == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_channel_try_send: null argument");
  return ring_try_send(&channel->sender, message, channel->where);
}

int cfx_channel_send(cfx_channel *channel, cfx_message *message) {
  if (channel == NULL || message == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_channel_send: null argument");
  unsigned char *ring = channel->sender.ring;
  for (;;) {
    int rc = ring_try_send(&channel->sender, message, channel->where);
    if (rc != CFX_EMPTY) return rc;
    if (load_acquire(ring, RING_CONSUMER_CLOSED) != 0) return wait_failure(channel, WAIT_PEER_CLOSED, "receive");
    uint32_t *head = word_at(ring, RING_HEAD);
    /* Spin and sleep on the head, the consumer's counter. */
    struct wait_words room = {head, channel->sender.cached, head, channel->sender.cached, 0,
                              word_at(ring, RING_PRODUCER_SLEEPING), ring + RING_CONSUMER_CLOSED};
    int status = wait_for_change(&channel->wait, &channel->driver, &room, channel->wait.timeout_ns);
    if (status != WAIT_READY) return wait_failure(channel, status, "make room in a full ring");
  }
}

int cfx_channel_try_receive(cfx_channel *channel, cfx_message *message) {
  if (channel == NULL || message == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_channel_try_receive: null argument");
  return ring_try_receive(&channel->receiver, message, channel->accept_all ? NULL : channel->accepted, channel->where,
                          channel->driver.description);
}

int cfx_channel_receive(cfx_channel *channel, cfx_message *message) {
  if (channel == NULL || message == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_channel_receive: null argument");
  struct ring_end *end = &channel->receiver;
  unsigned char *ring = end->ring;
  for (;;) {
    int rc = cfx_channel_try_receive(channel, message);
    if (rc != CFX_EMPTY) return rc;
    uint32_t head = end->position;
    /* Spin on the expected record's sequence (its slot's line only); sleep on the tail. */
    unsigned char *slot = ring + RING_RECORDS + (size_t)(head & end->mask) * CFX_RECORD_SIZE;
    struct wait_words record = {word_at(slot, REC_SEQUENCE), head - end->capacity, word_at(ring, RING_TAIL), head, 1,
                                word_at(ring, RING_CONSUMER_SLEEPING), ring + RING_PRODUCER_CLOSED};
    int status = wait_for_change(&channel->wait, &channel->driver, &record, channel->wait.timeout_ns);
    /* A peer may publish and then close or die: deliver what it sent first. */
    rc = cfx_channel_try_receive(channel, message);
    if (rc != CFX_EMPTY) return rc;
    if (status != WAIT_READY) return wait_failure(channel, status, "send");
    rc = ring_check_unpublished(end, channel->where, channel->driver.description);
    if (rc != CFX_OK) return rc;
  }
}

int cfx_channel_reply(cfx_channel *channel, const cfx_message *request, cfx_message *reply) {
  if (request == NULL || reply == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_channel_reply: null argument");
  reply->correlation = request->sequence;
  return cfx_channel_send(channel, reply);
}

int cfx_channel_close(cfx_channel *channel) {
  if (channel == NULL) return CFX_OK;
  unsigned char *to_driver = channel->sender.ring, *to_component = channel->receiver.ring;
  store_seq_cst(to_driver, RING_PRODUCER_CLOSED, 1);
  store_seq_cst(to_component, RING_CONSUMER_CLOSED, 1);
  /* Wake a driver sleeping on either counter so it sees the closed flag at once. */
  futex_wake(word_at(to_driver, RING_TAIL), 1);
  futex_wake(word_at(to_driver, RING_HEAD), 1);
  futex_wake(word_at(to_component, RING_TAIL), 1);
  futex_wake(word_at(to_component, RING_HEAD), 1);
  if (channel->driver.pidfd >= 0) close(channel->driver.pidfd);
  cfx_segment_close(channel->segment);
  free(channel);
  return CFX_OK;
}

/* ---- the component ---------------------------------------------------------------- */
struct cfx_mesh {
  char name[CFX_MAX_NAME_BYTES + 1];
  cfx_segment *segment;
  int dimension;
  int count;
  int field_count;
  char fields[CFX_MAX_FIELDS][CFX_MAX_FIELD_NAME_BYTES + 1];
  double *coordinates;
  double *values[CFX_MAX_FIELDS];
  struct cfx_mesh *next;
};

struct cfx_component {
  char name[CFX_MAX_NAME_BYTES + 1];
  /* The name its channel and segments carry (docs/parallel.md): "<name>@<rank>" with more than one rank. */
  char ranked[CFX_MAX_NAME_BYTES + 1];
  /* How errors name it: component "heat", or component "heat" rank 1. */
  char label[CFX_MAX_NAME_BYTES + 40];
  int rank, ranks;
  char *args;
  cfx_run *run;
  cfx_channel *channel;
  cfx_mesh *meshes;
  int mesh_count;
  int iteration;
  cfx_message request;
  cfx_message reply;
  int ready;
  /* A run in physical time: the waveforms of the meshes' fields, and the window attempt under way. */
  struct waveform *waveforms;
  int max_substeps; /* the smallest waveform capacity - 1; INT_MAX without waveforms */
  int window, window_iteration, window_flags;
  double window_start, window_size, run_end;
  double time;
  int substeps;
  int in_attempt, checkpoint_written, checkpoint_restored, stopped;
  long long attempt;
};

static const char *opcode_name(int opcode) {
  switch (opcode) {
    case CFX_OP_HELLO: return "hello";
    case CFX_OP_ACK: return "ack";
    case CFX_OP_GO: return "go";
    case CFX_OP_DONE: return "done";
    case CFX_OP_WINDOW: return "window";
    case CFX_OP_CHECKPOINTED: return "checkpointed";
    case CFX_OP_RESTORED: return "restored";
    case CFX_OP_STOP: return "stop";
    case CFX_OP_BYE: return "bye";
    case CFX_OP_PING: return "ping";
    case CFX_OP_PONG: return "pong";
    default: return "an unknown opcode";
  }
}

/* ---- ranks (docs/parallel.md, "How ranks join"; src/wire/environment.ts is the reference) ---------------------- */
#define MAX_RANKS 256

static const char *const RANK_SOURCES[][2] = {
    {"CONFLUX_RANK", "CONFLUX_RANKS"},
    {"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"},
    {"PMI_RANK", "PMI_SIZE"},
    {"SLURM_PROCID", "SLURM_NTASKS"},
};

/* 1 to 9 decimal digits, blanks around them allowed: what the TypeScript reader takes, so every client agrees. */
static int whole_number(const char *text, int *value) {
  const char *p = text;
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
  const char *digits = p;
  long number = 0;
  while (*p >= '0' && *p <= '9' && p - digits < 10) number = number * 10 + (*p++ - '0');
  if (p == digits || p - digits > 9) return 0;
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
  if (*p != '\0') return 0;
  *value = (int)number;
  return 1;
}

int cfx_rank_from_environment(int *rank, int *ranks) {
  if (rank == NULL || ranks == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_rank_from_environment: null argument");
  const char *declared_text = getenv("CONFLUX_RANKS");
  int declared = 1;
  if (declared_text != NULL && (!whole_number(declared_text, &declared) || declared < 1 || declared > MAX_RANKS))
    return fail(CFX_ERR_ENVIRONMENT, "CONFLUX_RANKS=\"%.40s\" is not a whole number from 1 to %d", declared_text,
                MAX_RANKS);
  /* A serial component inside an allocation (SLURM_PROCID=0 of SLURM_NTASKS=4) is still rank 0 of 1. */
  if (declared == 1) {
    *rank = 0;
    *ranks = 1;
    return CFX_OK;
  }
  for (size_t index = 0; index < sizeof RANK_SOURCES / sizeof RANK_SOURCES[0]; index++) {
    const char *rank_name = RANK_SOURCES[index][0], *size_name = RANK_SOURCES[index][1];
    const char *rank_text = getenv(rank_name);
    if (rank_text == NULL) continue;
    const char *size_text = getenv(size_name);
    int found = 0, size = 0;
    if (!whole_number(rank_text, &found))
      return fail(CFX_ERR_ENVIRONMENT, "%s=\"%.40s\" is not a whole number", rank_name, rank_text);
    if (size_text == NULL) return fail(CFX_ERR_ENVIRONMENT, "%s is set but %s is not", rank_name, size_name);
    if (!whole_number(size_text, &size))
      return fail(CFX_ERR_ENVIRONMENT, "%s is set but %s is \"%.40s\", not a whole number", rank_name, size_name,
                  size_text);
    if (size != declared)
      return fail(CFX_ERR_ENVIRONMENT,
                  "the launcher started %d ranks (%s=%d) but the composition declares ranks: %d; make them agree "
                  "(mpirun -n %d, or ranks: %d)",
                  size, size_name, size, declared, declared, size);
    if (found >= size) return fail(CFX_ERR_ENVIRONMENT, "rank %d (%s) is not below the size %d", found, rank_name, size);
    *rank = found;
    *ranks = size;
    return CFX_OK;
  }
  return fail(CFX_ERR_ENVIRONMENT,
              "the composition declares ranks: %d but nothing in the environment says which rank this process is "
              "(CONFLUX_RANK, OMPI_COMM_WORLD_RANK, PMI_RANK, SLURM_PROCID); start it with an MPI launcher, or with "
              "launcher: processes",
              declared);
}

int cfx_connect(cfx_component **out) {
  if (out == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_connect: null result pointer");
  *out = NULL;
  const char *name = getenv("CONFLUX_COMPONENT_NAME");
  if (name == NULL || *name == '\0')
    return fail(CFX_ERR_ENVIRONMENT, "CONFLUX_COMPONENT_NAME is not set: start this component through `conflux run`");
  const char *directory = getenv("CONFLUX_RUN_DIR");
  if (directory == NULL || *directory == '\0')
    return fail(CFX_ERR_ENVIRONMENT, "CONFLUX_RUN_DIR is not set: start this component through `conflux run`");
  if (strlen(name) > CFX_MAX_NAME_BYTES - 8)
    return fail(CFX_ERR_ENVIRONMENT, "CONFLUX_COMPONENT_NAME \"%s\" is too long", name);
  const char *args = getenv("CONFLUX_COMPONENT_ARGS");
  if (args == NULL || *args == '\0') args = "{}";
  if (*json_space(args) != '{') return fail(CFX_ERR_ENVIRONMENT, "CONFLUX_COMPONENT_ARGS is not a JSON object: %.80s", args);
  cfx_wait wait;
  int rc = cfx_wait_from_environment(&wait);
  if (rc != CFX_OK) return rc;
  if (driver_liveness() == LIVENESS_INVALID) return CFX_ERR_ENVIRONMENT;
  int rank = 0, ranks = 1;
  if (cfx_rank_from_environment(&rank, &ranks) != CFX_OK) {
    char cause[sizeof last_error];
    memcpy(cause, last_error, sizeof cause);
    return fail(CFX_ERR_ENVIRONMENT, "component \"%s\": %s", name, cause);
  }
  char ranked[CFX_MAX_NAME_BYTES + 16];
  if (ranks > 1) snprintf(ranked, sizeof ranked, "%s@%d", name, rank);
  else snprintf(ranked, sizeof ranked, "%s", name);
  if (strlen(ranked) > CFX_MAX_NAME_BYTES - 8)
    return fail(CFX_ERR_ENVIRONMENT, "CONFLUX_COMPONENT_NAME \"%s\" is too long: its channel \"%s.channel\" would be over %d bytes",
                name, ranked, CFX_MAX_NAME_BYTES);
  cfx_component *component = calloc(1, sizeof *component);
  if (component == NULL || (component->args = strdup(args)) == NULL) {
    free(component);
    return fail(CFX_ERR_NO_MEMORY, "out of memory connecting component \"%s\"", name);
  }
  snprintf(component->name, sizeof component->name, "%s", name);
  component->rank = rank;
  component->ranks = ranks;
  memcpy(component->ranked, ranked, strlen(ranked) + 1);
  if (ranks > 1) snprintf(component->label, sizeof component->label, "component \"%s\" rank %d", name, rank);
  else snprintf(component->label, sizeof component->label, "component \"%s\"", name);
  component->iteration = -1;
  component->window = -1;
  component->window_iteration = -1;
  component->max_substeps = INT_MAX;
  rc = cfx_run_join(directory, &component->run);
  if (rc == CFX_OK) {
    char channel_name[CFX_MAX_NAME_BYTES + 1];
    snprintf(channel_name, sizeof channel_name, "%s.channel", component->ranked);
    lost_claim_to = 0;
    rc = cfx_channel_attach(component->run, channel_name, &wait, CONNECT_TIMEOUT_MS, &component->channel);
    if (rc == CFX_ERR_EXISTS && lost_claim_to != 0) {
      if (ranks > 1)
        rc = fail(CFX_ERR_EXISTS,
                  "rank %d of component \"%s\" is already claimed by pid %u: two processes were started as the same "
                  "rank (check the launcher's -n and the composition's ranks)",
                  rank, name, lost_claim_to);
      else
        rc = fail(CFX_ERR_EXISTS,
                  "component \"%s\" is already claimed by pid %u: two processes were started as the same component",
                  name, lost_claim_to);
    }
  }
  if (rc == CFX_OK) {
    static const int accepts[] = {CFX_OP_ACK, CFX_OP_GO, CFX_OP_WINDOW, CFX_OP_STOP, CFX_OP_PING};
    rc = cfx_channel_accept(component->channel, accepts, 5);
  }
  if (rc != CFX_OK) {
    cfx_close(component);
    return rc;
  }
  *out = component;
  return CFX_OK;
}

const char *cfx_component_name(const cfx_component *component) { return component ? component->name : ""; }
int cfx_rank(const cfx_component *component) { return component ? component->rank : 0; }
int cfx_ranks(const cfx_component *component) { return component ? component->ranks : 1; }
const char *cfx_ranked_name(const cfx_component *component) { return component ? component->ranked : ""; }
const char *cfx_component_args(const cfx_component *component) { return component ? component->args : "{}"; }

int cfx_arg_double(const cfx_component *component, const char *key, double fallback, double *value) {
  if (component == NULL || key == NULL || value == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_arg_double: null argument");
  double number;
  int rc = cfx_json_number(component->args, key, &number);
  if (rc == CFX_ERR_NOT_FOUND) {
    *value = fallback;
    return CFX_OK;
  }
  if (rc != CFX_OK) {
    char cause[sizeof last_error];
    memcpy(cause, last_error, sizeof cause);
    return fail(CFX_ERR_ARGUMENT, "%s: args.%s: %s", component->label, key, cause);
  }
  *value = number;
  return CFX_OK;
}

int cfx_arg_int(const cfx_component *component, const char *key, int fallback, int *value) {
  double number;
  int rc = cfx_arg_double(component, key, (double)fallback, &number);
  if (rc != CFX_OK) return rc;
  if (!(number >= (double)INT_MIN && number <= (double)INT_MAX) || number != (double)(int)number)
    return fail(CFX_ERR_ARGUMENT, "%s: args.%s must be a whole number, got %g", component->label, key,
                number);
  *value = (int)number;
  return CFX_OK;
}

int cfx_share_mesh(cfx_component *component, const char *name, int dimension, int count, int layout,
                   const char *fields, cfx_mesh **out) {
  if (component == NULL || name == NULL || out == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_share_mesh: null argument");
  int truncated = check_truncation();
  if (truncated != CFX_OK) return truncated;
  char where[3 * CFX_MAX_NAME_BYTES + 64];
  snprintf(where, sizeof where, "mesh \"%s\" of %s", name, component->label);
  for (cfx_mesh *mesh = component->meshes; mesh != NULL; mesh = mesh->next)
    if (strcmp(mesh->name, name) == 0)
      return fail(CFX_ERR_EXISTS, "mesh \"%s\" is already shared by %s", name, component->label);
  cfx_mesh *mesh = calloc(1, sizeof *mesh);
  if (mesh == NULL) return fail(CFX_ERR_NO_MEMORY, "out of memory sharing %s", where);
  int field_count = split_fields(fields, mesh->fields, where);
  int rc = field_count < 0 ? field_count : check_mesh_spec(dimension, count, layout, field_count, where);
  char segment_name[CFX_MAX_NAME_BYTES + 64];
  if (rc == CFX_OK && (size_t)snprintf(segment_name, sizeof segment_name, "%s.mesh.%s", component->ranked, name) >
                          CFX_MAX_NAME_BYTES)
    rc = fail(CFX_ERR_ARGUMENT, "%s: the segment name \"%s\" is longer than %d bytes", where, segment_name,
              CFX_MAX_NAME_BYTES);
  long long fields_offset = 0, stride = 0, payload = 0;
  if (rc == CFX_OK) {
    mesh_geometry(dimension, count, field_count, &fields_offset, &stride, &payload);
    rc = cfx_run_create_segment(component->run, segment_name, payload, CFX_KIND_MESH, &mesh->segment);
  }
  if (rc == CFX_OK)
    rc = cfx_wire_write_mesh(cfx_segment_payload(mesh->segment), payload, dimension, count, layout, fields);
  if (rc != CFX_OK) {
    cfx_segment_close(mesh->segment);
    free(mesh);
    return rc;
  }
  unsigned char *base = cfx_segment_payload(mesh->segment);
  snprintf(mesh->name, sizeof mesh->name, "%s", name);
  mesh->dimension = dimension;
  mesh->count = count;
  mesh->field_count = field_count;
  mesh->coordinates = (double *)(void *)(base + M_COORDINATES);
  for (int index = 0; index < field_count; index++)
    mesh->values[index] = (double *)(void *)(base + fields_offset + index * stride);
  mesh->next = component->meshes;
  component->meshes = mesh;
  component->mesh_count++;
  *out = mesh;
  return CFX_OK;
}

int cfx_mesh_coordinates(const cfx_mesh *mesh, double **coordinates) {
  if (mesh == NULL || coordinates == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_mesh_coordinates: null argument");
  int truncated = check_truncation();
  if (truncated != CFX_OK) return truncated;
  *coordinates = mesh->coordinates;
  return CFX_OK;
}

int cfx_mesh_field(const cfx_mesh *mesh, const char *field, double **values) {
  if (mesh == NULL || field == NULL || values == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_mesh_field: null argument");
  int truncated = check_truncation();
  if (truncated != CFX_OK) return truncated;
  for (int index = 0; index < mesh->field_count; index++) {
    if (strcmp(mesh->fields[index], field) == 0) {
      *values = mesh->values[index];
      return CFX_OK;
    }
  }
  return fail(CFX_ERR_NOT_FOUND, "mesh \"%s\" has no field \"%s\"", mesh->name, field);
}

int cfx_mesh_count(const cfx_mesh *mesh) { return mesh ? mesh->count : 0; }

/* The fields a step wrote are in files another process may have shrunk within a page (no SIGBUS then). */
static void measure_meshes(const cfx_component *component) {
  for (const cfx_mesh *mesh = component->meshes; mesh != NULL; mesh = mesh->next) measure_segment(mesh->segment);
}

static int unexpected(cfx_component *component, int expected) {
  return fail(CFX_ERR_PROTOCOL, "%s: the driver sent %s (0x%04x) where %s was expected", component->label,
              opcode_name(component->reply.opcode), component->reply.opcode, opcode_name(expected));
}

static int attach_waveforms(cfx_component *component);

/* hello, then the ACK; then the waveforms the driver created for the meshes' fields (none in an iteration run). */
int cfx_ready(cfx_component *component) {
  if (component == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_ready: null component");
  measure_meshes(component);
  cfx_message_set(&component->request, CFX_OP_HELLO, component->mesh_count, 0);
  int rc = cfx_channel_send(component->channel, &component->request);
  if (rc == CFX_OK) rc = cfx_channel_receive(component->channel, &component->reply);
  if (rc == CFX_OK && component->reply.opcode != CFX_OP_ACK) rc = unexpected(component, CFX_OP_ACK);
  if (rc == CFX_OK) rc = attach_waveforms(component);
  if (rc == CFX_OK) component->ready = 1;
  return rc;
}

int cfx_next_step(cfx_component *component, int *iteration) {
  if (component == NULL || iteration == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_next_step: null argument");
  int rc = cfx_channel_receive(component->channel, &component->reply);
  while (rc == CFX_OK && component->reply.opcode == CFX_OP_PING) {
    cfx_message_set(&component->request, CFX_OP_PONG, 0, 0);
    rc = cfx_channel_reply(component->channel, &component->reply, &component->request);
    if (rc == CFX_OK) rc = cfx_channel_receive(component->channel, &component->reply);
  }
  if (rc != CFX_OK) return rc;
  if (component->reply.opcode == CFX_OP_STOP) {
    cfx_message_set(&component->request, CFX_OP_BYE, 0, 0);
    rc = cfx_channel_send(component->channel, &component->request);
    if (rc == CFX_OK) *iteration = -1;
    return rc;
  }
  if (component->reply.opcode == CFX_OP_WINDOW)
    return fail(CFX_ERR_PROTOCOL,
                "%s: the driver sent window: this is a run in physical time; loop on "
                "cfx_is_coupling_ongoing and cfx_advance, not cfx_next_step",
                component->label);
  if (component->reply.opcode != CFX_OP_GO) return unexpected(component, CFX_OP_GO);
  measure_meshes(component); /* before the step writes into them */
  if ((rc = check_truncation()) != CFX_OK) return rc;
  double step = component->reply.payload[0];
  /* Checked before the cast: converting NaN or a double out of int's range is undefined behaviour. */
  if (!(step >= 0 && step <= (double)INT_MAX) || step != (double)(int)step)
    return fail(CFX_ERR_PROTOCOL,
                "%s: the driver's go carries iteration %g, which is not a whole number from 0 to %d; "
                "the driver is broken or something else wrote into the channel",
                component->label, step, INT_MAX);
  component->iteration = (int)step;
  *iteration = component->iteration;
  return CFX_OK;
}

int cfx_done(cfx_component *component) {
  if (component == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_done: null component");
  measure_meshes(component);
  int truncated = check_truncation();
  if (truncated != CFX_OK) return truncated;
  cfx_message_set(&component->request, CFX_OP_DONE, component->iteration, 0);
  return cfx_channel_send(component->channel, &component->request);
}

/* ---- runs in physical time (docs/wire-format.md, "Component protocol", version 2) ------- */
struct waveform {
  char name[CFX_MAX_NAME_BYTES + 1];
  char mesh[CFX_MAX_NAME_BYTES + 1];
  char field[CFX_MAX_FIELD_NAME_BYTES + 1];
  cfx_segment *segment;
  unsigned char *payload;
  int role, count, capacity, degree;
  double *times;           /* in shared memory */
  unsigned char *values;   /* sample i at values + i * stride */
  long long stride;
  double *mesh_field;      /* the mesh's own array of this field */
  int n;                   /* a written waveform: the writer's own count, never read back */
  /* a read waveform: the interpolation of the attempt and sample count it was prepared for */
  cfx_time_interpolation *interpolation;
  double *weights;
  double *times_copy;      /* the times as checked: what is checked is what is used */
  long long prepared_attempt;
  int prepared_n;
  struct waveform *next;
};

static void free_waveform(struct waveform *waveform) {
  cfx_segment_close(waveform->segment);
  cfx_time_interpolation_free(waveform->interpolation);
  free(waveform->weights);
  free(waveform->times_copy);
  free(waveform);
}

static double *sample_values(const struct waveform *waveform, int index) {
  return (double *)(void *)(waveform->values + (long long)index * waveform->stride);
}

/* Maps the waveform of (mesh, field) if the driver created one: CFX_OK with *out NULL when it did not. */
static int attach_waveform(cfx_component *component, const cfx_mesh *mesh, int field_index, struct waveform **out) {
  *out = NULL;
  char name[CFX_MAX_NAME_BYTES + 1];
  char full[3 * CFX_MAX_NAME_BYTES + 16];
  int length = snprintf(full, sizeof full, "%s.%s.%s.waveform", component->ranked, mesh->name, mesh->fields[field_index]);
  if (length < 0 || length > CFX_MAX_NAME_BYTES) return CFX_OK; /* no segment can have this name: not coupled in time */
  memcpy(name, full, (size_t)length + 1);
  cfx_segment *segment = NULL;
  int rc = cfx_run_open_segment(component->run, name, CFX_KIND_WAVEFORM, 0, &segment);
  if (rc == CFX_ERR_NOT_FOUND) return CFX_OK;
  if (rc != CFX_OK) return rc;
  struct waveform *waveform = calloc(1, sizeof *waveform);
  if (waveform == NULL) {
    cfx_segment_close(segment);
    return fail(CFX_ERR_NO_MEMORY, "out of memory attaching waveform \"%s\"", name);
  }
  waveform->segment = segment;
  snprintf(waveform->name, sizeof waveform->name, "%s", name);
  snprintf(waveform->mesh, sizeof waveform->mesh, "%s", mesh->name);
  snprintf(waveform->field, sizeof waveform->field, "%s", mesh->fields[field_index]);
  waveform->payload = cfx_segment_payload(segment);
  char where[3 * CFX_MAX_NAME_BYTES + 64];
  snprintf(where, sizeof where, "%s: waveform \"%s\"", component->label, name);
  long long values_offset = 0;
  rc = cfx_wire_read_waveform(waveform->payload, cfx_segment_payload_size(segment), where, &waveform->role,
                              &waveform->count, &waveform->capacity, &waveform->degree, &values_offset,
                              &waveform->stride);
  if (rc == CFX_OK && waveform->count != mesh->count)
    rc = fail(CFX_ERR_FORMAT, "%s: %d points a sample, but its mesh has %d", where, waveform->count, mesh->count);
  if (rc == CFX_OK) {
    waveform->times = (double *)(void *)(waveform->payload + W_TIMES);
    waveform->values = waveform->payload + values_offset;
    waveform->mesh_field = mesh->values[field_index];
    waveform->prepared_attempt = -1;
    if (waveform->role == CFX_WAVEFORM_BY_COMPONENT) {
      rc = cfx_wire_waveform_sample_count(waveform->payload, waveform->capacity, where, &waveform->n);
    } else {
      rc = cfx_time_interpolation_create(waveform->capacity, &waveform->interpolation);
      waveform->weights = calloc((size_t)waveform->capacity, sizeof(double));
      waveform->times_copy = calloc((size_t)waveform->capacity, sizeof(double));
      if (rc == CFX_OK && (waveform->weights == NULL || waveform->times_copy == NULL))
        rc = fail(CFX_ERR_NO_MEMORY, "out of memory attaching waveform \"%s\"", name);
    }
  }
  if (rc == CFX_OK) rc = check_truncation();
  if (rc != CFX_OK) {
    free_waveform(waveform);
    return rc;
  }
  *out = waveform;
  return CFX_OK;
}

static int attach_waveforms(cfx_component *component) {
  component->max_substeps = INT_MAX;
  for (const cfx_mesh *mesh = component->meshes; mesh != NULL; mesh = mesh->next) {
    for (int index = 0; index < mesh->field_count; index++) {
      struct waveform *waveform = NULL;
      int rc = attach_waveform(component, mesh, index, &waveform);
      if (rc != CFX_OK) return rc;
      if (waveform == NULL) continue;
      waveform->next = component->waveforms;
      component->waveforms = waveform;
      if (waveform->capacity - 1 < component->max_substeps) component->max_substeps = waveform->capacity - 1;
    }
  }
  return CFX_OK;
}

static void measure_waveforms(const cfx_component *component) {
  for (const struct waveform *waveform = component->waveforms; waveform != NULL; waveform = waveform->next)
    measure_segment(waveform->segment);
}

static double attempt_end(const cfx_component *component) {
  double end = component->window_start + component->window_size;
  return component->run_end < end ? component->run_end : end;
}

static int same_time(double a, double b) {
  /* An infinite time (a window whose size the component's step sets) is the same only as itself. */
  if (a == b) return 1;
  return finite(a - b) && absolute(a - b) <= CFX_TIME_TOLERANCE * larger(1.0, larger(absolute(a), absolute(b)));
}

static int whole(double x) { return finite(x) && x >= 0 && x <= (double)INT_MAX && x == (double)(int)x; }

/* Starts the attempt the `window` record in component->reply announced, after checking it. */
static int begin_attempt(cfx_component *component) {
  const double *payload = component->reply.payload;
  double window = payload[CFX_WINDOW_SLOT_WINDOW], iteration = payload[CFX_WINDOW_SLOT_ITERATION];
  double start = payload[CFX_WINDOW_SLOT_START], size = payload[CFX_WINDOW_SLOT_SIZE];
  double flags = payload[CFX_WINDOW_SLOT_FLAGS], end = payload[CFX_WINDOW_SLOT_END];
  const char *problem = NULL;
  double bad = 0;
  int known_flags = CFX_WINDOW_WRITE_CHECKPOINT | CFX_WINDOW_READ_CHECKPOINT | CFX_WINDOW_LAST;
  if (!whole(window)) problem = "window index", bad = window;
  else if (!whole(iteration)) problem = "iteration", bad = iteration;
  else if (!finite(start)) problem = "start time", bad = start;
  else if (!(size > 0)) problem = "window size", bad = size;
  else if (!whole(flags) || ((int)flags & ~known_flags) != 0) problem = "flags", bad = flags;
  else if (!(end > start)) problem = "run end", bad = end;
  if (problem != NULL)
    return fail(CFX_ERR_PROTOCOL, "%s: the driver sent a window with %s %g (the window starts at %g)",
                component->label, problem, bad, start);
  int new_window = iteration == 0;
  component->window = (int)window;
  component->window_iteration = (int)iteration;
  component->window_start = start;
  component->window_size = size;
  component->window_flags = (int)flags;
  component->run_end = end;
  component->time = start;
  component->substeps = 0;
  component->in_attempt = 1;
  component->checkpoint_written = 0;
  component->checkpoint_restored = 0;
  component->attempt++;
  for (struct waveform *waveform = component->waveforms; waveform != NULL; waveform = waveform->next) {
    if (waveform->role != CFX_WAVEFORM_BY_COMPONENT) continue;
    /* A new window starts from the end of the converged one; a repeat keeps slot 0 as it was. */
    if (new_window) {
      if (waveform->n > 1)
        memcpy(sample_values(waveform, 0), sample_values(waveform, waveform->n - 1),
               (size_t)waveform->count * sizeof(double));
      waveform->times[0] = start;
      memcpy(waveform->payload + W_WINDOW_START, &start, 8);
    }
    waveform->n = 1;
    cfx_wire_waveform_set_sample_count(waveform->payload, 1);
  }
  return check_truncation();
}

static int no_attempt(const cfx_component *component, const char *what) {
  return fail(CFX_ERR_STATE,
              "%s: %s with no window under way; call cfx_is_coupling_ongoing first (and stop when it "
              "says 0)",
              component->label, what);
}

int cfx_is_coupling_ongoing(cfx_component *component, int *ongoing) {
  if (component == NULL || ongoing == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_is_coupling_ongoing: null argument");
  int rc = check_truncation();
  if (rc != CFX_OK) return rc;
  if (!component->ready) return fail(CFX_ERR_STATE, "%s: the time API needs cfx_ready first", component->label);
  if (component->stopped) {
    *ongoing = 0;
    return CFX_OK;
  }
  if (component->in_attempt) {
    *ongoing = 1;
    return CFX_OK;
  }
  rc = cfx_channel_receive(component->channel, &component->reply);
  while (rc == CFX_OK && component->reply.opcode == CFX_OP_PING) {
    cfx_message_set(&component->request, CFX_OP_PONG, 0, 0);
    rc = cfx_channel_reply(component->channel, &component->reply, &component->request);
    if (rc == CFX_OK) rc = cfx_channel_receive(component->channel, &component->reply);
  }
  if (rc != CFX_OK) return rc;
  if (component->reply.opcode == CFX_OP_STOP) {
    cfx_message_set(&component->request, CFX_OP_BYE, 0, 0);
    rc = cfx_channel_send(component->channel, &component->request);
    if (rc == CFX_OK) {
      component->stopped = 1;
      *ongoing = 0;
    }
    return rc;
  }
  if (component->reply.opcode == CFX_OP_GO)
    return fail(CFX_ERR_PROTOCOL,
                "%s: the driver sent go: this is an iteration run; loop on cfx_next_step and cfx_done, "
                "not cfx_is_coupling_ongoing",
                component->label);
  if (component->reply.opcode != CFX_OP_WINDOW) return unexpected(component, CFX_OP_WINDOW);
  measure_meshes(component);
  measure_waveforms(component);
  if ((rc = check_truncation()) != CFX_OK) return rc;
  if ((rc = begin_attempt(component)) != CFX_OK) return rc;
  *ongoing = 1;
  return CFX_OK;
}

static int requires(const cfx_component *component, int flag, int answered) {
  return component->in_attempt && (component->window_flags & flag) != 0 && !answered && component->substeps == 0;
}

int cfx_requires_writing_checkpoint(cfx_component *component, int *required) {
  if (component == NULL || required == NULL)
    return fail(CFX_ERR_ARGUMENT, "cfx_requires_writing_checkpoint: null argument");
  *required = requires(component, CFX_WINDOW_WRITE_CHECKPOINT, component->checkpoint_written);
  return CFX_OK;
}

int cfx_requires_reading_checkpoint(cfx_component *component, int *required) {
  if (component == NULL || required == NULL)
    return fail(CFX_ERR_ARGUMENT, "cfx_requires_reading_checkpoint: null argument");
  *required = requires(component, CFX_WINDOW_READ_CHECKPOINT, component->checkpoint_restored);
  return CFX_OK;
}

static int answer_checkpoint(cfx_component *component, int flag, double time, int opcode, const char *what) {
  int rc = check_truncation();
  if (rc != CFX_OK) return rc;
  if (!component->in_attempt) return no_attempt(component, what);
  int answered = flag == CFX_WINDOW_WRITE_CHECKPOINT ? component->checkpoint_written : component->checkpoint_restored;
  const char *asked = flag == CFX_WINDOW_WRITE_CHECKPOINT ? "write" : "read";
  if ((component->window_flags & flag) == 0)
    return fail(CFX_ERR_STATE,
                "%s: %s in window %d (iteration %d), where the driver did not ask to %s a checkpoint; "
                "call it only when cfx_requires_%s_checkpoint says 1",
                component->label, what, component->window, component->window_iteration, asked,
                flag == CFX_WINDOW_WRITE_CHECKPOINT ? "writing" : "reading");
  if (answered || component->substeps > 0)
    return fail(CFX_ERR_STATE, "%s: %s in window %d (iteration %d) %s; answer once, before the first "
                "cfx_advance",
                component->label, what, component->window, component->window_iteration,
                answered ? "a second time" : "after a step");
  if (!finite(time))
    return fail(CFX_ERR_ARGUMENT, "%s: %s: the time %g is not finite", component->label, what, time);
  cfx_message_set(&component->request, opcode, time, 0);
  component->request.length = 8;
  rc = cfx_channel_send(component->channel, &component->request);
  if (rc == CFX_OK) {
    if (flag == CFX_WINDOW_WRITE_CHECKPOINT) component->checkpoint_written = 1;
    else component->checkpoint_restored = 1;
  }
  return rc;
}

int cfx_checkpoint_written(cfx_component *component, double time) {
  if (component == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_checkpoint_written: null component");
  return answer_checkpoint(component, CFX_WINDOW_WRITE_CHECKPOINT, time, CFX_OP_CHECKPOINTED, "cfx_checkpoint_written");
}

int cfx_checkpoint_restored(cfx_component *component, double time) {
  if (component == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_checkpoint_restored: null component");
  return answer_checkpoint(component, CFX_WINDOW_READ_CHECKPOINT, time, CFX_OP_RESTORED, "cfx_checkpoint_restored");
}

int cfx_max_time_step(cfx_component *component, double *dt) {
  if (component == NULL || dt == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_max_time_step: null argument");
  if (!component->in_attempt) return no_attempt(component, "cfx_max_time_step");
  double left = attempt_end(component) - component->time;
  *dt = left > 0 ? left : 0.0;
  return CFX_OK;
}

int cfx_time(const cfx_component *component, double *time) {
  if (component == NULL || time == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_time: null argument");
  *time = component->time;
  return CFX_OK;
}

int cfx_window(const cfx_component *component, int *window) {
  if (component == NULL || window == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_window: null argument");
  *window = component->window;
  return CFX_OK;
}

int cfx_iteration(const cfx_component *component, int *iteration) {
  if (component == NULL || iteration == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_iteration: null argument");
  *iteration = component->window >= 0 ? component->window_iteration : component->iteration;
  return CFX_OK;
}

int cfx_advance(cfx_component *component, double dt) {
  if (component == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_advance: null component");
  int rc = check_truncation();
  if (rc != CFX_OK) return rc;
  if (!component->in_attempt) return no_attempt(component, "cfx_advance");
  double end = attempt_end(component);
  if (!(dt > 0) || !finite(dt))
    return fail(CFX_ERR_ARGUMENT, "%s: cfx_advance(%g): the step must be a finite time > 0",
                component->label, dt);
  double next = component->time + dt;
  if (next - end > CFX_TIME_TOLERANCE * larger(1.0, absolute(end)))
    return fail(CFX_ERR_ARGUMENT,
                "%s: cfx_advance(%.17g) goes beyond cfx_max_time_step = %.17g (window %d ends at "
                "%.17g); take the smaller of the two",
                component->label, dt, end - component->time, component->window, end);
  if (component->substeps + 1 > component->max_substeps)
    return fail(CFX_ERR_FULL,
                "%s: cfx_advance(%g) would be step %d of window %d (iteration %d), more than the %d "
                "substeps a window holds; raise coupling.max_substeps or take larger steps",
                component->label, dt, component->substeps + 1, component->window, component->window_iteration,
                component->max_substeps);
  measure_meshes(component);
  measure_waveforms(component);
  if ((rc = check_truncation()) != CFX_OK) return rc;
  /* The window's end, or the one step that sets a window of unknown size (first-participant). */
  int reached_end = same_time(next, end);
  int over = reached_end || !finite(component->window_size);
  double sample_time = reached_end ? end : next;
  for (struct waveform *waveform = component->waveforms; waveform != NULL; waveform = waveform->next) {
    if (waveform->role != CFX_WAVEFORM_BY_COMPONENT) continue;
    memcpy(sample_values(waveform, waveform->n), waveform->mesh_field, (size_t)waveform->count * sizeof(double));
    waveform->times[waveform->n] = sample_time;
    waveform->n++;
    cfx_wire_waveform_set_sample_count(waveform->payload, waveform->n);
  }
  if ((rc = check_truncation()) != CFX_OK) return rc;
  component->time = next;
  component->substeps++;
  if (!over) return CFX_OK;
  component->in_attempt = 0;
  cfx_message_set(&component->request, CFX_OP_DONE, component->window, component->window_iteration);
  component->request.payload[CFX_DONE_SLOT_TIME] = component->time;
  component->request.payload[CFX_DONE_SLOT_SUBSTEPS] = component->substeps;
  component->request.length = 32;
  return cfx_channel_send(component->channel, &component->request);
}

int cfx_read(cfx_component *component, const char *mesh, const char *field, double relative_time, double *out) {
  if (component == NULL || mesh == NULL || field == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_read: null argument");
  int rc = check_truncation();
  if (rc != CFX_OK) return rc;
  if (!component->in_attempt) return no_attempt(component, "cfx_read");
  struct waveform *waveform = component->waveforms;
  int written = 0;
  for (; waveform != NULL; waveform = waveform->next) {
    if (strcmp(waveform->mesh, mesh) != 0 || strcmp(waveform->field, field) != 0) continue;
    if (waveform->role == CFX_WAVEFORM_BY_DRIVER) break;
    written = 1;
  }
  if (waveform == NULL)
    return fail(CFX_ERR_NOT_FOUND,
                "%s: cfx_read(\"%s\", \"%s\"): %s.%s %s", component->label, mesh, field, mesh, field,
                written ? "is a field this component writes (the from of a transfer); read the fields the driver writes"
                        : "is not the target of a transfer in time");
  double end = attempt_end(component);
  double left = end - component->time;
  if (!finite(relative_time) ||
      relative_time < -CFX_TIME_TOLERANCE * larger(1.0, absolute(component->time)) ||
      relative_time - left > CFX_TIME_TOLERANCE * larger(1.0, absolute(end)))
    return fail(CFX_ERR_ARGUMENT,
                "%s: cfx_read(\"%s\", \"%s\", %.17g): the relative time must lie in [0, "
                "cfx_max_time_step = %.17g]",
                component->label, mesh, field, relative_time, left);
  char where[3 * CFX_MAX_NAME_BYTES + 64];
  int n = 0;
  snprintf(where, sizeof where, "%s: waveform \"%s\"", component->label, waveform->name);
  /* A file shrunk within its first page reads as zeros there, without SIGBUS: a bad n or bad times are measured
   * against the file first, so that a truncation is reported as one. */
  if ((rc = cfx_wire_waveform_sample_count(waveform->payload, waveform->capacity, where, &n)) != CFX_OK) {
    measure_segment(waveform->segment);
    int truncated = check_truncation();
    return truncated != CFX_OK ? truncated : rc;
  }
  if (waveform->prepared_attempt != component->attempt || waveform->prepared_n != n) {
    waveform->prepared_attempt = -1;
    memcpy(waveform->times_copy, waveform->times, (size_t)n * sizeof(double));
    if ((rc = check_truncation()) != CFX_OK) return rc;
    rc = cfx_wire_check_sample_times(waveform->times_copy, n, component->window_start,
                                     component->window_start + component->window_size, where);
    if (rc == CFX_OK) rc = cfx_time_interpolation_prepare(waveform->interpolation, waveform->times_copy, n,
                                                          waveform->degree);
    if (rc != CFX_OK) {
      measure_segment(waveform->segment);
      int truncated = check_truncation();
      return truncated != CFX_OK ? truncated : rc;
    }
    waveform->prepared_attempt = component->attempt;
    waveform->prepared_n = n;
  }
  cfx_time_interpolation_weights(waveform->interpolation, component->time + relative_time, waveform->weights);
  double *target = out != NULL ? out : waveform->mesh_field;
  int count = waveform->count;
  for (int j = 0; j < count; j++) target[j] = 0.0;
  for (int i = 0; i < n; i++) {
    double weight = waveform->weights[i];
    if (weight == 0.0) continue;
    const double *sample = sample_values(waveform, i);
    for (int j = 0; j < count; j++) target[j] += weight * sample[j];
  }
  return check_truncation();
}

int cfx_close(cfx_component *component) {
  if (component == NULL) return CFX_OK;
  cfx_channel_close(component->channel);
  for (struct waveform *waveform = component->waveforms; waveform != NULL;) {
    struct waveform *next = waveform->next;
    free_waveform(waveform);
    waveform = next;
  }
  for (cfx_mesh *mesh = component->meshes; mesh != NULL;) {
    cfx_mesh *next = mesh->next;
    cfx_segment_close(mesh->segment);
    free(mesh);
    mesh = next;
  }
  cfx_run_close(component->run);
  free(component->args);
  free(component);
  return CFX_OK;
}
