// wire/ owns every shared-memory layout and protocol constant, one module per layout, each with the version it checks.
// It must not import anything, map memory or wait: the code that moves these bytes lives in shm/ and queue/.

// A VM enclave's arena (docs/vm.md, "Arena", version 1): one shared file a
// guest maps at boot, holding the segments a component in the guest creates
// (page aligned, each with its own header) and, on its first page, the words
// the guest agent and the host exchange. The allocation lives in shm/arena.ts.
export const ARENA_LAYOUT_VERSION = 1;
export const ARENA_PAGE = 4096;

/** Byte offsets in the arena file. */
export const ArenaOffset = {
  version: 256,
  pageSize: 260,
  pageCount: 264,
  nextFreePage: 268,
  agentState: 320,
  agentExit: 324,
  agentHeartbeat: 328,
  agentComponentPid: 332,
  agentBootMs: 336,
  agentKernel: 352,
  launchOffset: 448,
  launchLength: 452,
} as const;

/** The launch records start on the second page. */
export const LAUNCH_OFFSET = ARENA_PAGE;

/** The guest kernel's release, NUL padded. */
export const AGENT_KERNEL_BYTES = 64;

/** The agent state word's values. */
export const AgentState = { booting: 0, running: 1, ended: 2, launchFailed: 3 } as const;
export type AgentState = (typeof AgentState)[keyof typeof AgentState];
