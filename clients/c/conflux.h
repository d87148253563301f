/* conflux.h: the C client of the Conflux wire format (docs/wire-format.md,
 * layout version 1 of segments, registry, rings, channels and meshes, and
 * version 1 of the component protocol).
 *
 * C99, usable from C++ (extern "C") and from Fortran through iso_c_binding
 * (conflux.f90 declares the component API): every argument is an int, a long
 * long, a double, a pointer or a NUL-terminated string; handles are opaque
 * pointers (type(c_ptr)).
 *
 * Every function that can fail returns an error code: CFX_OK (0) on success, a
 * negative CFX_ERR_* otherwise, and cfx_last_error() then says what failed
 * (which segment, channel or variable, and the errno name of a failed system
 * call). Nothing here prints or exits.
 *
 * A component, the talk's initialisation sequence:
 *
 *   cfx_component *app;  cfx_mesh *mesh;  double *xyz, *t;  int it;
 *   if (cfx_connect(&app) != CFX_OK) { fprintf(stderr, "%s\n", cfx_last_error()); return 1; }
 *   cfx_share_mesh(app, "surface", 3, n, CFX_LAYOUT_SOA, "temperature,flux", &mesh);
 *   cfx_mesh_coordinates(mesh, &xyz);  cfx_mesh_field(mesh, "temperature", &t);
 *   ... fill xyz and t ...
 *   cfx_ready(app);                                  hello, then wait for the ACK
 *   while (cfx_next_step(app, &it) == CFX_OK && it >= 0) { ...step...; cfx_done(app); }
 *   cfx_close(app);
 */
#ifndef CONFLUX_H
#define CONFLUX_H

#ifdef __cplusplus
extern "C" {
#endif

#define CFX_WIRE_VERSION 1

/* ---- error codes ------------------------------------------------------- */
#define CFX_OK 0
/** Not an error: cfx_channel_try_receive found nothing, cfx_channel_try_send no room. */
#define CFX_EMPTY 1
/** A CONFLUX_* variable is missing or malformed. */
#define CFX_ERR_ENVIRONMENT (-1)
/** A system call failed; the message names it, the file and the errno. */
#define CFX_ERR_SYSTEM (-2)
/** Bytes in shared memory are not what the wire format says (foreign, truncated, other version, corrupt). */
#define CFX_ERR_FORMAT (-3)
/** A name is not registered in the run (within the time allowed), or a key or field does not exist. */
#define CFX_ERR_NOT_FOUND (-4)
#define CFX_ERR_TIMEOUT (-5)
/** The process on the other side of a channel has died. */
#define CFX_ERR_PEER_DIED (-6)
/** The other side closed the channel. */
#define CFX_ERR_PEER_CLOSED (-7)
/** The peer sent a corrupt record, an unknown opcode, or an opcode out of turn. */
#define CFX_ERR_PROTOCOL (-8)
/** The caller passed something out of range (a null handle, a name too long, ...). */
#define CFX_ERR_ARGUMENT (-9)
/** The name is already registered in this run. */
#define CFX_ERR_EXISTS (-10)
/** The run's registry has no free entry. */
#define CFX_ERR_FULL (-11)
#define CFX_ERR_NO_MEMORY (-12)
/**
 * Another process shrank a segment this process has mapped (its file is shorter than the mapping). The
 * client caught the SIGBUS, put zero pages in its place, and every later call fails so, naming the segment.
 */
#define CFX_ERR_TRUNCATED (-13)

/** What the last failing call on this thread said; never NULL. */
const char *cfx_last_error(void);
/** "CFX_ERR_TIMEOUT" etc. */
const char *cfx_error_name(int code);

/* ---- constants of the wire format --------------------------------------- */
#define CFX_KIND_ANY (-1)
#define CFX_KIND_RAW 0
#define CFX_KIND_REGISTRY 1
#define CFX_KIND_RING 2
#define CFX_KIND_MESH 3
#define CFX_KIND_ARENA 4

#define CFX_LAYOUT_SOA 0
#define CFX_LAYOUT_INTERLEAVED 1

#define CFX_WAIT_SPIN 0
#define CFX_WAIT_HYBRID 1
#define CFX_WAIT_BLOCK 2
#define CFX_WAIT_BACKOFF 3

/* Component protocol opcodes. */
#define CFX_OP_HELLO 0x10
#define CFX_OP_ACK 0x11
#define CFX_OP_GO 0x20
#define CFX_OP_DONE 0x21
#define CFX_OP_STOP 0x30
#define CFX_OP_BYE 0x31
#define CFX_OP_PING 0x40
#define CFX_OP_PONG 0x41

#define CFX_HEADER_SIZE 256
#define CFX_MAX_NAME_BYTES 96
#define CFX_RUN_ID_BYTES 16
#define CFX_REGISTRY_CAPACITY 256
#define CFX_REGISTRY_PAYLOAD_SIZE (64 + 256 * 256)
#define CFX_RECORD_SIZE 64
#define CFX_PAYLOAD_BYTES 48
#define CFX_RING_BYTES(capacity) (192 + 64 * (long long)(capacity))
#define CFX_CHANNEL_PAYLOAD_BYTES(capacity) (64 + 2 * CFX_RING_BYTES(capacity))
#define CFX_MAX_FIELDS 16
#define CFX_MAX_FIELD_NAME_BYTES 32
#define CFX_MAX_POINTS (1 << 26)

/* ---- messages and wait strategies --------------------------------------- */

/** One command record as the program sees it (the wire record is 64 bytes). */
typedef struct cfx_message {
  int opcode;      /* 0..65535 */
  int flags;       /* 0..65535 */
  int sequence;    /* set by a send: the record's position (a 32-bit counter; it wraps) */
  int correlation; /* in a reply: the sequence of the request it answers */
  int length;      /* payload bytes in use, 0..48 */
  int reserved;
  double payload[6]; /* all 48 bytes travel, whatever `length` says */
} cfx_message;

/** opcode, payload[0] = first, payload[1] = second, length 16, flags and correlation 0. */
void cfx_message_set(cfx_message *message, int opcode, double first, double second);

/** How a side waits for the other (docs/wire-format.md, "Waiting"). */
typedef struct cfx_wait {
  int kind;           /* CFX_WAIT_SPIN, CFX_WAIT_HYBRID (default), CFX_WAIT_BLOCK or CFX_WAIT_BACKOFF */
  int reserved;
  long long spin_ns;    /* how long to busy-wait before backing off (default 50,000) */
  long long timeout_ns; /* every wait gives up after this long (default 30 s) */
} cfx_wait;

/** The defaults, overridden by CONFLUX_WAIT ({"kind", "spinNs", "timeoutNs"}) when it is set. */
int cfx_wait_from_environment(cfx_wait *wait);

/* ---- the component API (mirrors the TypeScript SDK) --------------------- */
typedef struct cfx_component cfx_component;
typedef struct cfx_mesh cfx_mesh;

/**
 * Joins the run from the environment the launcher set (CONFLUX_COMPONENT_NAME,
 * CONFLUX_RUN_DIR, CONFLUX_COMPONENT_ARGS, CONFLUX_WAIT) and attaches the
 * driver's channel "<name>.channel", waiting up to 30 s for the driver to register it.
 */
int cfx_connect(cfx_component **component);
const char *cfx_component_name(const cfx_component *component);
/** CONFLUX_COMPONENT_ARGS as given ("{}" when unset). */
const char *cfx_component_args(const cfx_component *component);

/**
 * A whole number from the component's args by key: `fallback` when the key is
 * absent; CFX_ERR_ARGUMENT when its value is not an integer that fits an int.
 * Only top-level keys of the args object are seen (see cfx_json_number).
 */
int cfx_arg_int(const cfx_component *component, const char *key, int fallback, int *value);
int cfx_arg_double(const cfx_component *component, const char *key, double fallback, double *value);

/**
 * The number stored under `key` among the top-level members of the JSON object
 * `json`. Limits: keys are compared byte for byte (a key written with \u
 * escapes is not recognised), nested objects are skipped, not searched, and
 * the number is read with strtod, so LC_NUMERIC must be "C" (the default).
 * CFX_ERR_NOT_FOUND when the key is absent, CFX_ERR_FORMAT when its value is
 * not a number or the text is not an object.
 */
int cfx_json_number(const char *json, const char *key, double *value);

/**
 * Creates the mesh segment "<component>.mesh.<name>" for `count` points in
 * `dimension` (1..3) dimensions with `layout` (CFX_LAYOUT_SOA: x[], y[], z[];
 * CFX_LAYOUT_INTERLEAVED: x0 y0 z0 x1 ...) and the comma-separated `fields`
 * ("temperature,flux"), and publishes its metadata.
 */
int cfx_share_mesh(cfx_component *component, const char *name, int dimension, int count, int layout,
                   const char *fields, cfx_mesh **mesh);
/** count × dimension doubles in the mesh's layout, in shared memory. */
int cfx_mesh_coordinates(const cfx_mesh *mesh, double **coordinates);
/** The `count` doubles of field `field`, in shared memory. */
int cfx_mesh_field(const cfx_mesh *mesh, const char *field, double **values);
int cfx_mesh_count(const cfx_mesh *mesh);

/** Tells the driver the meshes are published (hello) and waits for its ACK. */
int cfx_ready(cfx_component *component);
/**
 * Waits for the driver's next command, answering pings on the way. Sets
 * *iteration to the step to compute, or to -1 when the driver said stop (bye
 * has then been sent; call cfx_close).
 */
int cfx_next_step(cfx_component *component, int *iteration);
/** The current step's fields are written. */
int cfx_done(cfx_component *component);
/** Closes the channel (the driver sees it at once), unmaps everything, frees the handle. NULL is fine. */
int cfx_close(cfx_component *component);

/* ---- runs, segments and channels (the layer under the component API) ---- */
typedef struct cfx_run cfx_run;
typedef struct cfx_segment cfx_segment;
typedef struct cfx_channel cfx_channel;

/** Joins the run in `directory` (its owner.json and registry). */
int cfx_run_join(const char *directory, cfx_run **run);
const char *cfx_run_id(const cfx_run *run);
const char *cfx_run_directory(const cfx_run *run);
/**
 * Creates a segment file under a random name (O_CREAT|O_EXCL, 0600), writes its header and registers `name`.
 * In a VM guest (CONFLUX_ARENA set) the segment is carved out of the arena instead: page aligned, registered as
 * (arena file, offset, length); CFX_ERR_FULL when the arena has no room left.
 */
int cfx_run_create_segment(cfx_run *run, const char *name, long long payload_size, int kind,
                           cfx_segment **segment);
/** Maps the segment registered as `name`, waiting up to timeout_ms for it to appear; kind may be CFX_KIND_ANY. */
int cfx_run_open_segment(cfx_run *run, const char *name, int kind, int timeout_ms, cfx_segment **segment);
/** Unmaps the registry and frees the handle (a component never removes the run). */
int cfx_run_close(cfx_run *run);

void *cfx_segment_payload(const cfx_segment *segment);
long long cfx_segment_payload_size(const cfx_segment *segment);
const char *cfx_segment_path(const cfx_segment *segment);
int cfx_segment_close(cfx_segment *segment);

/**
 * The component side of channel `name` (created by the driver): waits up to
 * timeout_ms for it to be registered, checks it, and records this process's pid
 * in its control line. Every opcode is accepted until cfx_channel_accept says otherwise.
 */
int cfx_channel_attach(cfx_run *run, const char *name, const cfx_wait *wait, int timeout_ms,
                       cfx_channel **channel);
/** From now on a record with any other opcode is reported as CFX_ERR_PROTOCOL, never delivered. */
int cfx_channel_accept(cfx_channel *channel, const int *opcodes, int count);
/** Publishes `message` (its sequence is set), waiting for room by the wait strategy. */
int cfx_channel_send(cfx_channel *channel, cfx_message *message);
/** CFX_OK, or CFX_EMPTY when the ring is full. */
int cfx_channel_try_send(cfx_channel *channel, cfx_message *message);
/** Copies the next record out, waiting by the wait strategy. */
int cfx_channel_receive(cfx_channel *channel, cfx_message *message);
/** CFX_OK, or CFX_EMPTY when nothing is waiting. */
int cfx_channel_try_receive(cfx_channel *channel, cfx_message *message);
/** Sends `reply` with correlation = request->sequence. */
int cfx_channel_reply(cfx_channel *channel, const cfx_message *request, cfx_message *reply);
/** Sets both closed flags, wakes the peer, unmaps, frees. */
int cfx_channel_close(cfx_channel *channel);

/* ---- the wire format on plain memory ------------------------------------
 * What the functions above do to shared memory, on memory the caller
 * provides: what the golden tests call, and what a driver written in C needs.
 * Multi-byte fields are little-endian (this client builds on little-endian
 * hosts only). */

/** Writes a 256-byte segment header at `at`, the magic last (release). */
int cfx_wire_write_header(void *at, long long payload_size, int creator_pid, int kind, const char *run_id,
                          double created_unix_ms, const char *name);
/**
 * Checks the header at `at` (`available` bytes mapped from there) in the order
 * of docs/wire-format.md; expect_kind may be CFX_KIND_ANY, expect_run_id NULL.
 * On success, payload_size (may be NULL) receives the payload size.
 */
int cfx_wire_check_header(const void *at, long long available, const char *where, int expect_kind,
                          const char *expect_run_id, long long *payload_size);

int cfx_wire_format_registry(void *payload, long long payload_size);
/** Registers `name` (linearizable: of contenders for one name, exactly one wins; the others get CFX_ERR_EXISTS). */
int cfx_wire_register(void *payload, long long payload_size, const char *name, const char *file, long long offset,
                      long long length, int kind, int creator_pid);
/** Removes a live name (only its registrant should); CFX_ERR_NOT_FOUND when it is not registered. */
int cfx_wire_unregister(void *payload, long long payload_size, const char *name);
/** file receives the file name (file_size ≥ 97 bytes); any other out-pointer may be NULL. */
int cfx_wire_lookup(void *payload, long long payload_size, const char *name, char *file, int file_size,
                    long long *offset, long long *length, int *kind, int *creator_pid);
int cfx_wire_registry_generation(void *payload, long long payload_size, int *generation);

/** Formats a ring of `capacity` records (a power of two, 2..1,048,576) at `ring`, 64-byte aligned. */
int cfx_wire_format_ring(void *ring, int capacity);
/** Publishes one record on the ring at `ring`, as its producer; CFX_EMPTY when full. */
int cfx_wire_ring_try_send(void *ring, cfx_message *message);
/** Takes one record from the ring at `ring`, as its consumer; CFX_EMPTY when empty. */
int cfx_wire_ring_try_receive(void *ring, cfx_message *message);

/** The driver's side of a channel payload: control line and both rings. */
int cfx_wire_format_channel(void *payload, long long payload_size, int capacity, int driver_pid);
/** The component's side: checks the control line, stores `component_pid`, returns the ring capacity. */
int cfx_wire_attach_channel(void *payload, long long payload_size, int component_pid, int *capacity);

/** Payload bytes of a mesh segment. */
int cfx_wire_mesh_size(int dimension, int count, int field_count, long long *payload_size);
/** Writes mesh metadata (the magic last) for comma-separated `fields`. */
int cfx_wire_write_mesh(void *payload, long long payload_size, int dimension, int count, int layout,
                        const char *fields);
/** Reads and checks mesh metadata; every out-pointer may be NULL. */
int cfx_wire_read_mesh(const void *payload, long long payload_size, const char *where, int *dimension,
                       int *count, int *layout, int *field_count, long long *coordinates_offset,
                       long long *fields_offset, long long *field_stride);
/** The name of field `index` of checked mesh metadata, into `name` (size ≥ 33 bytes). */
int cfx_wire_mesh_field_name(const void *payload, int index, char *name, int size);

#ifdef __cplusplus
}
#endif

#endif /* CONFLUX_H */
