/* Segments created inside a VM enclave's arena; see conflux_ivshmem.h and
 * docs/vm.md ("Arena"). Built on the public wire-format functions of
 * conflux.h only, so it needs nothing private of conflux.c. */
#define _GNU_SOURCE
#include "conflux_ivshmem.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* File offsets in the arena (docs/vm.md). */
enum { ARENA_VERSION = 256, ARENA_PAGE_SIZE = 260, ARENA_PAGE_COUNT = 264, ARENA_NEXT_PAGE = 268 };
enum { HEADER_RUN_ID = 32, MESH_COORDINATES = 576 };

struct mapping {
  unsigned char *base;
  long long size;
};

static struct mapping registry, arena;
static char arena_file[CFX_MAX_NAME_BYTES + 1];
static char run_id[CFX_RUN_ID_BYTES + 1];
static char message[1024];

/* cfx_last_error() belongs to conflux.c and cannot be set from here, so a
 * failure is also written to stderr, where the VM enclave forwards it. */
static int fail(int code, const char *format, ...) __attribute__((format(printf, 2, 3)));
static int fail(int code, const char *format, ...) {
  va_list arguments;
  va_start(arguments, format);
  vsnprintf(message, sizeof message, format, arguments);
  va_end(arguments);
  fprintf(stderr, "conflux_ivshmem: %s\n", message);
  return code;
}

static int map_whole(const char *path, struct mapping *out) {
  int fd = open(path, O_RDWR | O_CLOEXEC);
  if (fd < 0) return fail(CFX_ERR_SYSTEM, "open %s: %s", path, strerror(errno));
  struct stat status;
  if (fstat(fd, &status) != 0 || status.st_size < CFX_HEADER_SIZE) {
    close(fd);
    return fail(CFX_ERR_FORMAT, "%s is too small to hold a segment", path);
  }
  void *base = mmap(NULL, (size_t)status.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (base == MAP_FAILED) return fail(CFX_ERR_SYSTEM, "mmap %s: %s", path, strerror(errno));
  out->base = base;
  out->size = (long long)status.st_size;
  return CFX_OK;
}

/* Maps the registry and the arena it names, once per process. */
static int open_arena(void) {
  if (arena.base != NULL) return CFX_OK;
  const char *directory = getenv("CONFLUX_RUN_DIR");
  const char *name = getenv(CFX_ARENA_VARIABLE);
  if (directory == NULL || name == NULL || *name == '\0')
    return fail(CFX_ERR_ENVIRONMENT, "CONFLUX_RUN_DIR and %s must be set: run this component in a vm enclave",
                CFX_ARENA_VARIABLE);
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/registry", directory);
  int rc = map_whole(path, &registry);
  if (rc != CFX_OK) return rc;
  long long registry_payload = 0;
  rc = cfx_wire_check_header(registry.base, registry.size, path, CFX_KIND_REGISTRY, NULL, &registry_payload);
  if (rc != CFX_OK) return fail(rc, "%s", cfx_last_error());
  memcpy(run_id, registry.base + HEADER_RUN_ID, CFX_RUN_ID_BYTES);
  long long offset = 0, length = 0;
  rc = cfx_wire_lookup(registry.base + CFX_HEADER_SIZE, registry_payload, name, arena_file, sizeof arena_file, &offset,
                       &length, NULL, NULL);
  if (rc != CFX_OK) return fail(rc, "the registry has no arena \"%s\": %s", name, cfx_last_error());
  snprintf(path, sizeof path, "%s/%s", directory, arena_file);
  rc = map_whole(path, &arena);
  if (rc != CFX_OK) return rc;
  rc = cfx_wire_check_header(arena.base, arena.size, path, CFX_KIND_ARENA, run_id, NULL);
  if (rc != CFX_OK) return fail(rc, "%s", cfx_last_error());
  uint32_t version = __atomic_load_n((uint32_t *)(void *)(arena.base + ARENA_VERSION), __ATOMIC_ACQUIRE);
  if (version != CFX_ARENA_LAYOUT_VERSION)
    return fail(CFX_ERR_FORMAT, "arena %s has layout version %u, this client reads %d", path, version,
                CFX_ARENA_LAYOUT_VERSION);
  return CFX_OK;
}

static double unix_ms(void) {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  return (double)((long long)now.tv_sec * 1000LL + now.tv_nsec / 1000000L);
}

int cfx_arena_create_segment(const char *name, long long payload_size, int kind, void **payload) {
  if (name == NULL || payload == NULL || payload_size < 0)
    return fail(CFX_ERR_ARGUMENT, "cfx_arena_create_segment: bad argument");
  int rc = open_arena();
  if (rc != CFX_OK) return rc;
  uint32_t page = *(uint32_t *)(void *)(arena.base + ARENA_PAGE_SIZE);
  uint32_t total = *(uint32_t *)(void *)(arena.base + ARENA_PAGE_COUNT);
  long long length = CFX_HEADER_SIZE + payload_size;
  uint32_t pages = (uint32_t)((length + page - 1) / page);
  uint32_t *next = (uint32_t *)(void *)(arena.base + ARENA_NEXT_PAGE);
  uint32_t first = __atomic_load_n(next, __ATOMIC_ACQUIRE);
  do {
    if ((long long)first + pages > (long long)total || (long long)(first + pages) * page > arena.size)
      return fail(CFX_ERR_FULL, "arena %s has %u free pages, segment \"%s\" needs %u; give the VM a larger arena",
                  arena_file, total - first, name, pages);
  } while (!__atomic_compare_exchange_n(next, &first, first + pages, 0, __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE));
  long long offset = (long long)first * page;
  unsigned char *at = arena.base + offset;
  rc = cfx_wire_write_header(at, payload_size, (int)getpid(), kind, run_id, unix_ms(), name);
  if (rc == CFX_OK)
    rc = cfx_wire_register(registry.base + CFX_HEADER_SIZE, registry.size - CFX_HEADER_SIZE, name, arena_file,
                           offset, length, kind, (int)getpid());
  if (rc != CFX_OK) return fail(rc, "segment \"%s\" in the arena: %s", name, cfx_last_error());
  *payload = at + CFX_HEADER_SIZE;
  return CFX_OK;
}

struct cfx_arena_mesh {
  int count;
  int field_count;
  double *coordinates;
  char names[CFX_MAX_FIELDS][CFX_MAX_FIELD_NAME_BYTES + 1];
  double *values[CFX_MAX_FIELDS];
};

int cfx_arena_share_mesh(cfx_component *component, const char *name, int dimension, int count, int layout,
                         const char *fields, cfx_arena_mesh **out) {
  if (component == NULL || name == NULL || fields == NULL || out == NULL)
    return fail(CFX_ERR_ARGUMENT, "cfx_arena_share_mesh: null argument");
  int field_count = 1;
  for (const char *at = fields; *at != '\0'; at++) field_count += *at == ',';
  long long payload_size = 0;
  int rc = cfx_wire_mesh_size(dimension, count, field_count, &payload_size);
  if (rc != CFX_OK) return fail(rc, "mesh \"%s\": %s", name, cfx_last_error());
  char segment_name[2 * CFX_MAX_NAME_BYTES + 8];
  if ((size_t)snprintf(segment_name, sizeof segment_name, "%s.mesh.%s", cfx_component_name(component), name) >
      CFX_MAX_NAME_BYTES)
    return fail(CFX_ERR_ARGUMENT, "the segment name \"%s\" is longer than %d bytes", segment_name, CFX_MAX_NAME_BYTES);
  cfx_arena_mesh *mesh = calloc(1, sizeof *mesh);
  if (mesh == NULL) return fail(CFX_ERR_NO_MEMORY, "out of memory sharing mesh \"%s\"", name);
  void *payload = NULL;
  rc = cfx_arena_create_segment(segment_name, payload_size, CFX_KIND_MESH, &payload);
  if (rc == CFX_OK) rc = cfx_wire_write_mesh(payload, payload_size, dimension, count, layout, fields);
  long long fields_offset = 0, stride = 0;
  if (rc == CFX_OK)
    rc = cfx_wire_read_mesh(payload, payload_size, segment_name, NULL, NULL, NULL, NULL, NULL, &fields_offset, &stride);
  for (int index = 0; rc == CFX_OK && index < field_count; index++)
    rc = cfx_wire_mesh_field_name(payload, index, mesh->names[index], sizeof mesh->names[index]);
  if (rc != CFX_OK) {
    free(mesh);
    return fail(rc, "mesh \"%s\": %s", name, cfx_last_error());
  }
  unsigned char *base = payload;
  mesh->count = count;
  mesh->field_count = field_count;
  mesh->coordinates = (double *)(void *)(base + MESH_COORDINATES);
  for (int index = 0; index < field_count; index++)
    mesh->values[index] = (double *)(void *)(base + fields_offset + index * stride);
  *out = mesh;
  return CFX_OK;
}

int cfx_arena_mesh_coordinates(const cfx_arena_mesh *mesh, double **coordinates) {
  if (mesh == NULL || coordinates == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_arena_mesh_coordinates: null argument");
  *coordinates = mesh->coordinates;
  return CFX_OK;
}

int cfx_arena_mesh_field(const cfx_arena_mesh *mesh, const char *field, double **values) {
  if (mesh == NULL || field == NULL || values == NULL) return fail(CFX_ERR_ARGUMENT, "cfx_arena_mesh_field: null argument");
  for (int index = 0; index < mesh->field_count; index++) {
    if (strcmp(mesh->names[index], field) == 0) {
      *values = mesh->values[index];
      return CFX_OK;
    }
  }
  return fail(CFX_ERR_NOT_FOUND, "the mesh has no field \"%s\"", field);
}

int cfx_arena_mesh_count(const cfx_arena_mesh *mesh) { return mesh ? mesh->count : 0; }
