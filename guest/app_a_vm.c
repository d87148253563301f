/* appA of the talk for a VM guest: examples/c-component/app_a.c itself, with
 * its mesh created inside the VM's arena (conflux_ivshmem.h) instead of as a
 * file of its own, which the host could not map. Everything else — connect,
 * the handshake, the step loop, the arithmetic — is that file's, unchanged. */
#include "conflux_ivshmem.h"

#define cfx_mesh cfx_arena_mesh
#define cfx_share_mesh cfx_arena_share_mesh
#define cfx_mesh_coordinates cfx_arena_mesh_coordinates
#define cfx_mesh_field cfx_arena_mesh_field

#include "../examples/c-component/app_a.c"
