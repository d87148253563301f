/* The C client's side of the golden tests (test/clients/golden.test.ts): it
 * writes every golden image through the client's own code, reads the
 * committed images back, and checks segment headers.
 *   golden_c write DIR                       writes header.bin, registry.bin, ... into DIR
 *   golden_c read DIR                        prints what it reads from DIR's images
 *   golden_c check-header FILE KIND RUN_ID ...   prints, per file, "ok" or the client's error
 *                                                (KIND -1, RUN_ID - for none)
 *   golden_c constants                       prints the protocol's and the waveform layout's constants
 *   golden_c weights < CASES                 prints the interpolation weights of each "read T" of each
 *                                            "case DEGREE N t0 ... tN-1" line, one read a line */
#define _POSIX_C_SOURCE 200112L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conflux.h"

#define RUN_ID "0123456789abcdef"
#define DRIVER_PID 4242
#define COMPONENT_PID 4243
#define CREATED 1714000000123.0
#define MESH_PAYLOAD 832
#define WAVEFORM_PAYLOAD 384
#define WAVEFORM_NAME "appA.surface.temperature.waveform"

static int check(int rc, const char *what) {
  if (rc != CFX_OK) {
    fprintf(stderr, "golden_c: %s: %s (%s)\n", what, cfx_last_error(), cfx_error_name(rc));
    exit(1);
  }
  return rc;
}

/* Zeroed memory, aligned for a ring. */
static unsigned char *zeroed(size_t size) {
  unsigned char *memory = NULL;
  size_t rounded = (size + 63) / 64 * 64;
  if (posix_memalign((void **)&memory, 64, rounded) != 0) exit(1);
  memset(memory, 0, rounded);
  return memory;
}

static void save(const char *directory, const char *file, const unsigned char *bytes, size_t size) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", directory, file);
  FILE *out = fopen(path, "wb");
  if (out == NULL || fwrite(bytes, 1, size, out) != size || fclose(out) != 0) {
    perror(path);
    exit(1);
  }
}

static unsigned char *load(const char *directory, const char *file, size_t *size) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", directory, file);
  FILE *in = fopen(path, "rb");
  if (in == NULL) {
    perror(path);
    exit(1);
  }
  fseek(in, 0, SEEK_END);
  *size = (size_t)ftell(in);
  fseek(in, 0, SEEK_SET);
  unsigned char *bytes = zeroed(*size + 1);
  if (fread(bytes, 1, *size, in) != *size) exit(1);
  fclose(in);
  return bytes;
}

static void golden_messages(cfx_message *go, cfx_message *reply) {
  static const double payload[6] = {1.5, -2.25, 1e300, -0.0, 4.9406564584124654e-324, 3.141592653589793};
  memset(go, 0, sizeof *go);
  memset(reply, 0, sizeof *reply);
  cfx_message_set(go, 0x20, 7, 0);
  reply->opcode = 0x41;
  reply->flags = 0x8001;
  reply->correlation = (int)0x89abcdefu;
  reply->length = 48;
  memcpy(reply->payload, payload, sizeof payload);
}

static void write_images(const char *directory) {
  unsigned char *header = zeroed(CFX_HEADER_SIZE);
  check(cfx_wire_write_header(header, MESH_PAYLOAD, COMPONENT_PID, CFX_KIND_MESH, RUN_ID, CREATED, "appA.mesh.surface"),
        "header");
  save(directory, "header.bin", header, CFX_HEADER_SIZE);

  size_t registry_size = CFX_HEADER_SIZE + CFX_REGISTRY_PAYLOAD_SIZE;
  unsigned char *registry = zeroed(registry_size);
  check(cfx_wire_write_header(registry, CFX_REGISTRY_PAYLOAD_SIZE, DRIVER_PID, CFX_KIND_REGISTRY, RUN_ID, CREATED,
                              "registry"),
        "registry header");
  unsigned char *table = registry + CFX_HEADER_SIZE;
  check(cfx_wire_format_registry(table, CFX_REGISTRY_PAYLOAD_SIZE), "registry format");
  check(cfx_wire_register(table, CFX_REGISTRY_PAYLOAD_SIZE, "appA.channel", "seg-0a1b2c3d4e5f", 0,
                          CFX_HEADER_SIZE + CFX_CHANNEL_PAYLOAD_BYTES(4), CFX_KIND_RING, DRIVER_PID),
        "register appA.channel");
  check(cfx_wire_register(table, CFX_REGISTRY_PAYLOAD_SIZE, "appA.mesh.surface", "seg-a0b1c2d3e4f5", 0,
                          CFX_HEADER_SIZE + MESH_PAYLOAD, CFX_KIND_MESH, COMPONENT_PID),
        "register appA.mesh.surface");
  save(directory, "registry.bin", registry, registry_size);

  size_t ring_size = (size_t)CFX_RING_BYTES(4);
  unsigned char *ring = zeroed(ring_size);
  check(cfx_wire_format_ring(ring, 4), "ring format");
  cfx_message go, reply;
  golden_messages(&go, &reply);
  check(cfx_wire_ring_try_send(ring, &go), "ring send go");
  check(cfx_wire_ring_try_send(ring, &reply), "ring send reply");
  save(directory, "ring.bin", ring, ring_size);

  size_t channel_size = (size_t)CFX_CHANNEL_PAYLOAD_BYTES(4);
  unsigned char *channel = zeroed(channel_size);
  int capacity = 0;
  check(cfx_wire_format_channel(channel, (long long)channel_size, 4, DRIVER_PID), "channel format");
  check(cfx_wire_attach_channel(channel, (long long)channel_size, COMPONENT_PID, &capacity), "channel attach");
  save(directory, "channel.bin", channel, channel_size);

  unsigned char *soa = zeroed(MESH_PAYLOAD);
  check(cfx_wire_write_mesh(soa, MESH_PAYLOAD, 3, 5, CFX_LAYOUT_SOA, "temperature,flux"), "mesh soa");
  save(directory, "mesh-soa.bin", soa, MESH_PAYLOAD);
  unsigned char *interleaved = zeroed(MESH_PAYLOAD);
  check(cfx_wire_write_mesh(interleaved, MESH_PAYLOAD, 2, 3, CFX_LAYOUT_INTERLEAVED, "u,v,pressure"), "mesh interleaved");
  save(directory, "mesh-interleaved.bin", interleaved, MESH_PAYLOAD);

  long long waveform_payload = 0;
  check(cfx_wire_waveform_size(3, 4, &waveform_payload), "waveform size");
  if (waveform_payload != WAVEFORM_PAYLOAD) exit(1);
  unsigned char *waveform = zeroed(CFX_HEADER_SIZE + WAVEFORM_PAYLOAD);
  check(cfx_wire_write_header(waveform, WAVEFORM_PAYLOAD, DRIVER_PID, CFX_KIND_WAVEFORM, RUN_ID, CREATED, WAVEFORM_NAME),
        "waveform header");
  unsigned char *w = waveform + CFX_HEADER_SIZE;
  check(cfx_wire_write_waveform(w, WAVEFORM_PAYLOAD, CFX_WAVEFORM_BY_DRIVER, 3, 4, 2), "waveform metadata");
  static const double start = 0.5, times[3] = {0.5, 0.55, 0.6};
  static const double samples[3][3] = {{1.5, -2.25, 0}, {3, 1e300, -0.0}, {4.9406564584124654e-324, 3.141592653589793, 7}};
  long long values_offset = 0, stride = 0;
  check(cfx_wire_read_waveform(w, WAVEFORM_PAYLOAD, "waveform", NULL, NULL, NULL, NULL, &values_offset, &stride),
        "waveform read");
  memcpy(w + 32, &start, 8);
  memcpy(w + 64, times, sizeof times);
  for (int i = 0; i < 3; i++) memcpy(w + values_offset + i * stride, samples[i], sizeof samples[i]);
  check(cfx_wire_waveform_set_sample_count(w, 3), "waveform n");
  save(directory, "waveform.bin", waveform, CFX_HEADER_SIZE + WAVEFORM_PAYLOAD);
  free(waveform);
  free(header);
  free(registry);
  free(ring);
  free(channel);
  free(soa);
  free(interleaved);
}

static void print_mesh(const char *label, const unsigned char *payload, size_t size) {
  int dimension, count, layout, fields;
  long long coordinates, fields_offset, stride;
  check(cfx_wire_read_mesh(payload, (long long)size, label, &dimension, &count, &layout, &fields, &coordinates,
                           &fields_offset, &stride),
        label);
  printf("%s dimension=%d count=%d layout=%d fields=", label, dimension, count, layout);
  for (int index = 0; index < fields; index++) {
    char name[CFX_MAX_FIELD_NAME_BYTES + 1];
    check(cfx_wire_mesh_field_name(payload, index, name, sizeof name), "field name");
    printf("%s%s", index ? "," : "", name);
  }
  printf(" coordinates=%lld fields_offset=%lld stride=%lld\n", coordinates, fields_offset, stride);
}

static void read_images(const char *directory) {
  size_t header_size, soa_size;
  unsigned char *header = load(directory, "header.bin", &header_size);
  unsigned char *soa = load(directory, "mesh-soa.bin", &soa_size);
  /* header.bin followed by mesh-soa.bin is appA's whole mesh segment. */
  unsigned char *segment = zeroed(header_size + soa_size);
  memcpy(segment, header, header_size);
  memcpy(segment + header_size, soa, soa_size);
  long long payload = 0;
  check(cfx_wire_check_header(segment, (long long)(header_size + soa_size), "header.bin", CFX_KIND_MESH, RUN_ID, &payload),
        "header.bin");
  double created;
  memcpy(&created, segment + 48, 8);
  printf("header name=%.*s payload=%lld created=%.0f\n", (int)segment[56], (const char *)segment + 64, payload, created);

  size_t registry_size;
  unsigned char *registry = load(directory, "registry.bin", &registry_size);
  check(cfx_wire_check_header(registry, (long long)registry_size, "registry.bin", CFX_KIND_REGISTRY, RUN_ID, &payload),
        "registry.bin");
  int generation = 0;
  check(cfx_wire_registry_generation(registry + CFX_HEADER_SIZE, payload, &generation), "generation");
  printf("registry generation=%d\n", generation);
  static const char *names[] = {"appA.channel", "appA.mesh.surface"};
  for (int index = 0; index < 2; index++) {
    char file[CFX_MAX_NAME_BYTES + 1];
    long long offset, length;
    int kind, pid;
    check(cfx_wire_lookup(registry + CFX_HEADER_SIZE, payload, names[index], file, sizeof file, &offset, &length, &kind,
                          &pid),
          names[index]);
    printf("entry %s file=%s offset=%lld length=%lld kind=%d pid=%d\n", names[index], file, offset, length, kind, pid);
  }

  size_t ring_size;
  unsigned char *ring = load(directory, "ring.bin", &ring_size);
  cfx_message message;
  int rc;
  while ((rc = cfx_wire_ring_try_receive(ring, &message)) == CFX_OK) {
    printf("record sequence=%d opcode=0x%04x flags=0x%04x length=%d correlation=0x%08x payload=", message.sequence,
           message.opcode, message.flags, message.length, (unsigned)message.correlation);
    for (int index = 0; index < 6; index++) {
      uint64_t bits;
      memcpy(&bits, &message.payload[index], 8);
      printf("%s%016llx", index ? "," : "", (unsigned long long)bits);
    }
    printf("\n");
  }
  if (rc != CFX_EMPTY) check(rc, "ring.bin");
  printf("ring empty\n");

  size_t channel_size;
  unsigned char *channel = load(directory, "channel.bin", &channel_size);
  int capacity = 0;
  /* The image is of a claimed channel: another pid loses the claim and is left in the contender word. */
  if (cfx_wire_attach_channel(channel, (long long)channel_size, COMPONENT_PID + 1, &capacity) != CFX_ERR_EXISTS ||
      strstr(cfx_last_error(), "already claimed by pid 4243") == NULL || channel[20] != (unsigned char)(COMPONENT_PID + 1) ||
      channel[21] != (unsigned char)((COMPONENT_PID + 1) >> 8)) {
    fprintf(stderr, "golden_c: channel.bin: a second claim was not refused (%s)\n", cfx_last_error());
    exit(1);
  }
  memset(channel + 16, 0, 8);
  check(cfx_wire_attach_channel(channel, (long long)channel_size, COMPONENT_PID, &capacity), "channel.bin");
  unsigned driver;
  memcpy(&driver, channel + 12, 4);
  printf("channel capacity=%d driver=%u\n", capacity, driver);

  print_mesh("mesh-soa", soa, soa_size);
  size_t interleaved_size;
  unsigned char *interleaved = load(directory, "mesh-interleaved.bin", &interleaved_size);
  print_mesh("mesh-interleaved", interleaved, interleaved_size);

  size_t waveform_size;
  unsigned char *waveform = load(directory, "waveform.bin", &waveform_size);
  check(cfx_wire_check_header(waveform, (long long)waveform_size, "waveform.bin", CFX_KIND_WAVEFORM, RUN_ID, &payload),
        "waveform.bin");
  const unsigned char *w = waveform + CFX_HEADER_SIZE;
  int role, count, capacity_w, degree, n;
  long long values_offset, stride;
  check(cfx_wire_read_waveform(w, payload, "waveform.bin", &role, &count, &capacity_w, &degree, &values_offset, &stride),
        "waveform.bin metadata");
  check(cfx_wire_waveform_sample_count(w, capacity_w, "waveform.bin", &n), "waveform.bin n");
  double start, times[4];
  memcpy(&start, w + 32, 8);
  memcpy(times, w + 64, (size_t)n * 8);
  check(cfx_wire_check_sample_times(times, n, start, 1.0 / 0.0, "waveform.bin"), "waveform.bin times");
  printf("waveform name=%.*s role=%d count=%d capacity=%d degree=%d n=%d start=%.17g times=", (int)waveform[56],
         (const char *)waveform + 64, role, count, capacity_w, degree, n, start);
  for (int i = 0; i < n; i++) printf("%s%.17g", i ? "," : "", times[i]);
  printf(" values=");
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < count; j++) {
      uint64_t bits;
      memcpy(&bits, w + values_offset + i * stride + j * 8, 8);
      printf("%s%016llx", i || j ? "," : "", (unsigned long long)bits);
    }
  }
  printf("\n");
  free(waveform);
  free(header);
  free(soa);
  free(segment);
  free(registry);
  free(ring);
  free(channel);
  free(interleaved);
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "write") == 0) {
    write_images(argv[2]);
    return 0;
  }
  if (argc == 3 && strcmp(argv[1], "read") == 0) {
    read_images(argv[2]);
    return 0;
  }
  if (argc >= 5 && (argc - 2) % 3 == 0 && strcmp(argv[1], "check-header") == 0) {
    static unsigned char bytes[1 << 20];
    for (int at = 2; at < argc; at += 3) {
      FILE *in = fopen(argv[at], "rb");
      if (in == NULL) return 2;
      size_t size = fread(bytes, 1, sizeof bytes, in);
      fclose(in);
      const char *run_id = strcmp(argv[at + 2], "-") == 0 ? NULL : argv[at + 2];
      int rc = cfx_wire_check_header(bytes, (long long)size, argv[at], atoi(argv[at + 1]), run_id, NULL);
      printf("%s\n", rc == CFX_OK ? "ok" : cfx_last_error());
    }
    return 0;
  }
  if (argc == 2 && strcmp(argv[1], "constants") == 0) {
    double tolerance = CFX_TIME_TOLERANCE;
    uint64_t bits;
    memcpy(&bits, &tolerance, 8);
    printf("protocol %d\n", CFX_PROTOCOL_VERSION);
    printf("opcode hello=0x%02x ack=0x%02x go=0x%02x done=0x%02x window=0x%02x checkpointed=0x%02x restored=0x%02x "
           "stop=0x%02x bye=0x%02x ping=0x%02x pong=0x%02x\n",
           CFX_OP_HELLO, CFX_OP_ACK, CFX_OP_GO, CFX_OP_DONE, CFX_OP_WINDOW, CFX_OP_CHECKPOINTED, CFX_OP_RESTORED,
           CFX_OP_STOP, CFX_OP_BYE, CFX_OP_PING, CFX_OP_PONG);
    printf("window-slot window=%d iteration=%d start=%d size=%d flags=%d end=%d\n", CFX_WINDOW_SLOT_WINDOW,
           CFX_WINDOW_SLOT_ITERATION, CFX_WINDOW_SLOT_START, CFX_WINDOW_SLOT_SIZE, CFX_WINDOW_SLOT_FLAGS,
           CFX_WINDOW_SLOT_END);
    printf("window-flag write-checkpoint=%d read-checkpoint=%d last-window=%d\n", CFX_WINDOW_WRITE_CHECKPOINT,
           CFX_WINDOW_READ_CHECKPOINT, CFX_WINDOW_LAST);
    printf("done-slot window=%d iteration=%d time=%d substeps=%d\n", CFX_DONE_SLOT_WINDOW, CFX_DONE_SLOT_ITERATION,
           CFX_DONE_SLOT_TIME, CFX_DONE_SLOT_SUBSTEPS);
    printf("time-tolerance-bits %016llx\n", (unsigned long long)bits);
    /* The layout's offsets are the client's own: read back from metadata it wrote. */
    unsigned char probe[CFX_HEADER_SIZE];
    memset(probe, 0, sizeof probe);
    check(cfx_wire_write_waveform(probe, 0x7fffffff, CFX_WAVEFORM_BY_DRIVER, 0x0c0c, 0x1010, 3), "probe");
    uint32_t magic;
    memcpy(&magic, probe, 4);
    int at_role = -1, at_count = -1, at_capacity = -1, at_degree = -1;
    for (int at = 4; at < 64; at += 4) {
      uint32_t word;
      memcpy(&word, probe + at, 4);
      if (word == CFX_WAVEFORM_BY_DRIVER) at_role = at;
      if (word == 0x0c0c) at_count = at;
      if (word == 0x1010) at_capacity = at;
      if (word == 3) at_degree = at;
    }
    check(cfx_wire_waveform_set_sample_count(probe, 0x2424), "probe n");
    int at_n = -1;
    for (int at = 4; at < 64; at += 4) {
      uint32_t word;
      memcpy(&word, probe + at, 4);
      if (word == 0x2424) at_n = at;
    }
    printf("waveform kind=%d magic=0x%x version=%u by-component=%d by-driver=%d max-degree=%d capacity=%d..%d\n",
           CFX_KIND_WAVEFORM, magic, (unsigned)probe[4], CFX_WAVEFORM_BY_COMPONENT, CFX_WAVEFORM_BY_DRIVER,
           CFX_MAX_WAVEFORM_DEGREE, CFX_MIN_WAVEFORM_CAPACITY, CFX_MAX_WAVEFORM_CAPACITY);
    printf("waveform-offset role=%d count=%d capacity=%d degree=%d sample-count=%d window-start=32 times=64\n", at_role,
           at_count, at_capacity, at_degree, at_n);
    return 0;
  }
  if (argc == 2 && strcmp(argv[1], "weights") == 0) {
    static double times[CFX_MAX_WAVEFORM_CAPACITY], weights[CFX_MAX_WAVEFORM_CAPACITY];
    cfx_time_interpolation *interpolation = NULL;
    check(cfx_time_interpolation_create(CFX_MAX_WAVEFORM_CAPACITY, &interpolation), "interpolation");
    char word[32];
    int n = 0;
    while (scanf("%31s", word) == 1) {
      if (strcmp(word, "case") == 0) {
        int degree;
        if (scanf("%d %d", &degree, &n) != 2 || n < 1 || n > CFX_MAX_WAVEFORM_CAPACITY) return 2;
        for (int i = 0; i < n; i++)
          if (scanf("%lf", &times[i]) != 1) return 2;
        check(cfx_time_interpolation_prepare(interpolation, times, n, degree), "prepare");
        printf("case used-degree=%d\n", cfx_time_interpolation_used_degree(interpolation));
      } else if (strcmp(word, "read") == 0) {
        double t;
        if (scanf("%lf", &t) != 1) return 2;
        check(cfx_time_interpolation_weights(interpolation, t, weights), "weights");
        for (int i = 0; i < n; i++) printf("%s%.17g", i ? " " : "", weights[i]);
        printf("\n");
      } else {
        return 2;
      }
    }
    cfx_time_interpolation_free(interpolation);
    return 0;
  }
  fprintf(stderr, "usage: golden_c write DIR | read DIR | check-header FILE KIND RUN_ID ... | constants | weights\n");
  return 2;
}
