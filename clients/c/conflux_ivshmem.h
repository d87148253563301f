/* conflux_ivshmem.h: what a C component needs beyond conflux.h when it runs in
 * a VM enclave (docs/vm.md).
 *
 * In a guest the run directory is laid out read-only by the guest agent: the
 * registry and the run's segments are the BARs of ivshmem devices, so
 * cfx_connect, cfx_run_open_segment and the channel functions work unchanged.
 * What cannot work unchanged is creating a segment: a file made in the guest
 * lives in the guest's memory, where the host cannot map it. A guest component
 * therefore creates its segments inside the arena, the one shared region the
 * VM enclave made for that (CONFLUX_ARENA names it in the registry), and
 * registers them as (arena file, offset, length).
 *
 * Waiting: futex wakes do not cross the VM boundary, so the VM enclave sets
 * CONFLUX_WAIT to kind "spin" for the component; cfx_wait_from_environment
 * reads it as usual.
 *
 * The mesh functions have the signatures of cfx_share_mesh and friends, so a
 * component written for a process enclave builds for a guest by naming these
 * instead (guest/app_a_vm.c does it with four #defines). */
#ifndef CONFLUX_IVSHMEM_H
#define CONFLUX_IVSHMEM_H

#include "conflux.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The variable the VM enclave sets: the registry name of this guest's arena. */
#define CFX_ARENA_VARIABLE "CONFLUX_ARENA"
#define CFX_ARENA_LAYOUT_VERSION 1

/**
 * Creates segment `name` with `payload_size` payload bytes inside the arena,
 * writes its header and registers it in the run's registry. *payload receives
 * the payload's address (64-byte aligned, zeroed); it stays mapped until the
 * process ends. CFX_ERR_FULL when the arena has no room left.
 */
int cfx_arena_create_segment(const char *name, long long payload_size, int kind, void **payload);

typedef struct cfx_arena_mesh cfx_arena_mesh;

/** cfx_share_mesh, with the mesh segment "<component>.mesh.<name>" inside the arena. */
int cfx_arena_share_mesh(cfx_component *component, const char *name, int dimension, int count, int layout,
                         const char *fields, cfx_arena_mesh **mesh);
int cfx_arena_mesh_coordinates(const cfx_arena_mesh *mesh, double **coordinates);
int cfx_arena_mesh_field(const cfx_arena_mesh *mesh, const char *field, double **values);
int cfx_arena_mesh_count(const cfx_arena_mesh *mesh);

#ifdef __cplusplus
}
#endif

#endif /* CONFLUX_IVSHMEM_H */
