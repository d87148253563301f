/* conflux.h: the C client of the Conflux wire format (docs/wire-format.md,
 * layout version 1 of segments, registry, channels, meshes and waveforms,
 * layout version 2 of command rings, and version 2 of the component protocol).
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

/** The layout version of segments, registry, channels, meshes and waveforms. */
#define CFX_WIRE_VERSION 1
/** The layout version of command rings: 2, whose consumer waits on the sequence of the record it expects. */
#define CFX_RING_LAYOUT_VERSION 2
/** The component protocol's version: 2 adds runs in physical time (window, checkpointed, restored). */
#define CFX_PROTOCOL_VERSION 2

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
/**
 * A call out of turn in a run in physical time: cfx_advance, cfx_read or cfx_max_time_step with no window under
 * way, a checkpoint answered that was not asked for, or answered twice.
 */
#define CFX_ERR_STATE (-14)

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
#define CFX_KIND_WAVEFORM 5

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
#define CFX_OP_WINDOW 0x22
#define CFX_OP_CHECKPOINTED 0x23
#define CFX_OP_RESTORED 0x24
#define CFX_OP_STOP 0x30
#define CFX_OP_BYE 0x31
#define CFX_OP_PING 0x40
#define CFX_OP_PONG 0x41

/* The payload of window (doubles), its flag bits, and the payload of done in a run in physical time. */
#define CFX_WINDOW_SLOT_WINDOW 0
#define CFX_WINDOW_SLOT_ITERATION 1
#define CFX_WINDOW_SLOT_START 2
#define CFX_WINDOW_SLOT_SIZE 3 /* Infinity when the first component's own step sets it */
#define CFX_WINDOW_SLOT_FLAGS 4
#define CFX_WINDOW_SLOT_END 5 /* the run's end time, Infinity when the run ends after a number of windows */
#define CFX_WINDOW_WRITE_CHECKPOINT 1
#define CFX_WINDOW_READ_CHECKPOINT 2
#define CFX_WINDOW_LAST 4
#define CFX_DONE_SLOT_WINDOW 0
#define CFX_DONE_SLOT_ITERATION 1
#define CFX_DONE_SLOT_TIME 2
#define CFX_DONE_SLOT_SUBSTEPS 3
/** Two times are one when |a - b| <= CFX_TIME_TOLERANCE * max(1, |a|, |b|). */
#define CFX_TIME_TOLERANCE 1e-9

/* Waveforms: who writes the samples, and the limits of the layout. */
#define CFX_WAVEFORM_BY_COMPONENT 1
#define CFX_WAVEFORM_BY_DRIVER 2
#define CFX_MAX_WAVEFORM_DEGREE 3
#define CFX_MIN_WAVEFORM_CAPACITY 2
#define CFX_MAX_WAVEFORM_CAPACITY 65536

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
 * CONFLUX_RUN_DIR, CONFLUX_COMPONENT_ARGS, CONFLUX_WAIT, and the rank: see
 * cfx_rank_from_environment) and attaches the driver's channel
 * "<ranked name>.channel", waiting up to 30 s for the driver to register it.
 * It claims the channel for this process; CFX_ERR_EXISTS when another process
 * already has (two processes started as the same rank).
 */
int cfx_connect(cfx_component **component);
/** The component's name as the composition gives it, the same on every rank. */
const char *cfx_component_name(const cfx_component *component);
/** This process's rank, 0 <= rank < cfx_ranks (docs/parallel.md). */
int cfx_rank(const cfx_component *component);
/** How many ranks the component runs as: 1 for a serial component. */
int cfx_ranks(const cfx_component *component);
/** The name its channel and segments carry: "<name>@<rank>" when cfx_ranks > 1, else the name. */
const char *cfx_ranked_name(const cfx_component *component);
/**
 * The rank and rank count from the environment, as cfx_connect reads them (docs/parallel.md, "How ranks join"):
 * CONFLUX_RANKS (1 when unset; then rank 0 of 1, whatever a launcher set), else the first of CONFLUX_RANK,
 * OMPI_COMM_WORLD_RANK, PMI_RANK, SLURM_PROCID that is set, with its size variable. CFX_ERR_ENVIRONMENT, naming
 * the variables, for a size that differs from CONFLUX_RANKS, a rank not below it, or no rank variable at all.
 */
int cfx_rank_from_environment(int *rank, int *ranks);
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
 * Creates the mesh segment "<ranked name>.mesh.<name>" for `count` points (0 for a rank's empty partition) in
 * `dimension` (1..3) dimensions with `layout` (CFX_LAYOUT_SOA: x[], y[], z[];
 * CFX_LAYOUT_INTERLEAVED: x0 y0 z0 x1 ...) and the comma-separated `fields`
 * ("temperature,flux"), and publishes its metadata. CFX_ERR_EXISTS when this component already shares `name`.
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

/* ---- runs in physical time (the time API) ----------------------------------
 *
 *   if ((rc = cfx_ready(app)) != CFX_OK) ...;                   also attaches the waveforms of the meshes' fields
 *   for (;;) {
 *     if ((rc = cfx_is_coupling_ongoing(app, &ongoing)) != CFX_OK) ...;  if (!ongoing) break;
 *     if ((rc = cfx_requires_writing_checkpoint(app, &required)) != CFX_OK) ...;
 *     if (required) { ...save...; if ((rc = cfx_checkpoint_written(app, t)) != CFX_OK) ...; }
 *     if ((rc = cfx_requires_reading_checkpoint(app, &required)) != CFX_OK) ...;
 *     if (required) { ...restore, t = the saved time...; if ((rc = cfx_checkpoint_restored(app, t)) != CFX_OK) ...; }
 *     if ((rc = cfx_max_time_step(app, &dt)) != CFX_OK) ...;  if (dt > solver_dt) dt = solver_dt;
 *     if ((rc = cfx_read(app, "interface", "T", dt, T)) != CFX_OK) ...;   the driver's field at t + dt
 *     ...solve; write the mesh's own fields...
 *     if ((rc = cfx_advance(app, dt)) != CFX_OK) ...;  t += dt;            samples them; done at the window's end
 *   }
 *   cfx_close(app);
 *
 * where "..." reports rc with cfx_error_name(rc) and cfx_last_error() and stops: every function returns CFX_OK or
 * an error code, cfx_last_error() naming what is wrong (clients/c/README.md has the whole program). */

/**
 * Whether the run goes on (*ongoing 1 or 0). Inside a window attempt: 1 at once. After the attempt's last
 * advance (and before the first window): waits for the driver, answering pings, and starts the attempt it
 * announces; 0 when the driver said stop (bye has then been sent; call cfx_close). CFX_ERR_PROTOCOL when the
 * driver sends go (an iteration run: use cfx_next_step).
 */
int cfx_is_coupling_ongoing(cfx_component *component, int *ongoing);
/** 1 at the start of an attempt whose state the component must save (then cfx_checkpoint_written). */
int cfx_requires_writing_checkpoint(cfx_component *component, int *required);
/** 1 at the start of a repeated attempt: restore the saved state (then cfx_checkpoint_restored). */
int cfx_requires_reading_checkpoint(cfx_component *component, int *required);
/** The checkpoint is written; `time` is the component's own time. */
int cfx_checkpoint_written(cfx_component *component, double time);
/** The checkpoint is restored; `time` is the component's own time after restoring (the window start). */
int cfx_checkpoint_restored(cfx_component *component, double time);
/** How far the component may step: the window's end minus cfx_time (Infinity when its own step sets the window). */
int cfx_max_time_step(cfx_component *component, double *dt);
/**
 * Field `field` of mesh `mesh` as the driver wrote it, interpolated in time at cfx_time + relative_time
 * (relative_time in [0, cfx_max_time_step]), into `out` (the mesh's count of doubles), or into the mesh's own
 * field array when `out` is NULL. CFX_ERR_NOT_FOUND when the field is not the target of a transfer in time.
 */
int cfx_read(cfx_component *component, const char *mesh, const char *field, double relative_time, double *out);
/**
 * A step of dt (0 < dt <= cfx_max_time_step): samples the fields the component writes from its mesh arrays; at
 * the window's end tells the driver the attempt is done. CFX_ERR_ARGUMENT for a step beyond cfx_max_time_step,
 * CFX_ERR_FULL for more steps than a window's waveforms hold (coupling.max_substeps).
 */
int cfx_advance(cfx_component *component, double dt);
/** The client's time: the window start plus the steps taken in this attempt. */
int cfx_time(const cfx_component *component, double *time);
/** The window under way (-1 before the first). */
int cfx_window(const cfx_component *component, int *window);
/** The attempt within the window (0 the first; -1 before the first window); in an iteration run the last go's step. */
int cfx_iteration(const cfx_component *component, int *iteration);

/* ---- interpolation in time (preCICE's Waveform::sample, as weights) --------
 * value(t) = sum_i weights[i] * sample_i. Used degree min(degree, n - 1); degree 0: the first sample at or after t;
 * a sample time within 1e-14 of t: that sample; otherwise the interpolating B-spline through all n samples (times
 * normalised to [0, 1], knots by averaging). Memory is allocated by create only. */
typedef struct cfx_time_interpolation cfx_time_interpolation;
int cfx_time_interpolation_create(int capacity, cfx_time_interpolation **interpolation);
/** For samples at times[0..n-1] (strictly increasing, n <= capacity), read with `degree` (0..3). */
int cfx_time_interpolation_prepare(cfx_time_interpolation *interpolation, const double *times, int n, int degree);
/** The n weights at time t. */
int cfx_time_interpolation_weights(cfx_time_interpolation *interpolation, double t, double *weights);
/** min(degree, n - 1) of the last prepare. */
int cfx_time_interpolation_used_degree(const cfx_time_interpolation *interpolation);
void cfx_time_interpolation_free(cfx_time_interpolation *interpolation);

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
 * timeout_ms for it to be registered, checks it, and claims it (a compare-and-swap
 * of its component pid from 0 to this process's pid). CFX_ERR_EXISTS when another
 * process holds it: this one's pid is then left in the contender word. Every
 * opcode is accepted until cfx_channel_accept says otherwise.
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
/** The component's side: checks the control line, claims it for `component_pid`, returns the ring capacity. */
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

/** Payload bytes of a waveform segment of `capacity` samples of `count` points. */
int cfx_wire_waveform_size(int count, int capacity, long long *payload_size);
/** Writes waveform metadata (role CFX_WAVEFORM_BY_*, n = 0, window start 0), the magic last. */
int cfx_wire_write_waveform(void *payload, long long payload_size, int role, int count, int capacity, int degree);
/**
 * Reads and checks waveform metadata; every out-pointer may be NULL. Sample times start at payload byte 64,
 * sample i's values at values_offset + i * stride.
 */
int cfx_wire_read_waveform(const void *payload, long long payload_size, const char *where, int *role, int *count,
                           int *capacity, int *degree, long long *values_offset, long long *stride);
/** Loads the sample count once (acquire) and checks it is 1..capacity. */
int cfx_wire_waveform_sample_count(const void *payload, int capacity, const char *where, int *n);
/** Publishes the sample count (release), after the samples and times it covers. */
int cfx_wire_waveform_set_sample_count(void *payload, int n);
/**
 * Checks n sample times: finite, strictly increasing, times[0] at window_start, none after window_end (Infinity:
 * no end), each within CFX_TIME_TOLERANCE * max(1, |time|).
 */
int cfx_wire_check_sample_times(const double *times, int n, double window_start, double window_end,
                                const char *where);

#ifdef __cplusplus
}
#endif

#endif /* CONFLUX_H */
