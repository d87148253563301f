"""The Python client of the Conflux wire format (docs/wire-format.md, layout
version 1; component protocol version 2).

Pure Python 3.11: mmap for the segments, struct for their fields, ctypes for
futex(2) and for the few atomic read-modify-writes the format needs (a
compare-and-swap to claim a registry entry, an add for the registry's
generation, sequentially consistent stores for the ring counters). Those come
from libatomic when it is installed, else from four x86-64 instructions placed
in an executable page; on another machine without libatomic, install it
(Debian: libatomic1).

A component, the talk's sequence::

    import conflux
    with conflux.connect() as app:                      # join the run, attach the channel
        mesh = app.share_mesh("surface", 3, n, "soa", ["temperature", "flux"])
        mesh.coordinates[:] = ...                       # numpy views when numpy imports,
        t = mesh.field("temperature")                   # memoryview casts ('d') otherwise
        app.ready()                                     # hello, then wait for the ACK
        while (iteration := app.next_step()) >= 0:      # answers pings; -1 after stop
            ...
            app.done()

In a run in physical time (docs/wire-format.md, "Component protocol")::

        app.ready()                                     # also attaches the fields' waveforms
        while app.is_coupling_ongoing():                # waits between windows; False after stop
            if app.requires_writing_checkpoint(): save(); app.checkpoint_written(t)
            if app.requires_reading_checkpoint(): t = restore(); app.checkpoint_restored(t)
            dt = min(solver_dt, app.max_time_step())
            temperature = app.read("surface", "temperature", dt)   # the driver's field at t + dt
            ...                                         # solve, write the mesh's own fields
            app.advance(dt)                             # samples them; done at the window's end
            t += dt

Set CONFLUX_NO_NUMPY=1 to get memoryviews even when numpy is installed.
"""

from __future__ import annotations

import ctypes
import errno as _errno
import json
import mmap
import os
import platform
import select
import stat
import struct
import time

__all__ = [
    "ConfluxError",
    "SegmentHeaderError",
    "RegistryError",
    "QueueError",
    "QueueTimeoutError",
    "PeerDiedError",
    "PeerClosedError",
    "CorruptRecordError",
    "MeshMetadataError",
    "SegmentTruncatedError",
    "WaveformError",
    "SnapshotError",
    "TimeCouplingError",
    "TimeInterpolation",
    "Message",
    "Wait",
    "Memory",
    "Run",
    "Segment",
    "Registry",
    "Channel",
    "ChannelClaimedError",
    "Mesh",
    "SnapshotWriter",
    "SnapshotReader",
    "Component",
    "connect",
    "rank_from_environment",
    "ranked_name",
    "RANK_SOURCES",
    "write_header",
    "check_header",
    "format_ring",
    "RingProducer",
    "RingConsumer",
    "format_channel",
    "attach_channel_control",
    "mesh_geometry",
    "write_mesh",
    "read_mesh",
    "waveform_geometry",
    "write_waveform",
    "read_waveform",
    "waveform_sample_count",
    "set_waveform_sample_count",
    "check_sample_times",
    "same_time",
    "snapshot_geometry",
    "write_snapshot",
    "read_snapshot",
]

WIRE_VERSION = 1  # the layout version of segments, registry, channels, meshes and waveforms (rings: below)
PROTOCOL_VERSION = 2  # the component protocol: 2 adds runs in physical time

# Segment header (docs/wire-format.md, "Segment header").
SEGMENT_MAGIC = 0x584C4643
BYTE_ORDER_MARK = 0x01020304
SEGMENT_LAYOUT_VERSION = 1
HEADER_SIZE = 256
MAX_NAME_BYTES = 96
RUN_ID_BYTES = 16
KIND_RAW, KIND_REGISTRY, KIND_RING, KIND_MESH, KIND_ARENA, KIND_WAVEFORM, KIND_SNAPSHOT = 0, 1, 2, 3, 4, 5, 6
# A VM's arena (docs/vm.md, "Arena", version 1): byte offsets of its layout version, page size, page count and cursor.
_ARENA_VERSION, _ARENA_PAGE_SIZE, _ARENA_PAGE_COUNT, _ARENA_NEXT_PAGE = 256, 260, 264, 268
_ARENA_LAYOUT_VERSION, _ARENA_PAGE = 1, 4096
_KIND_NAMES = {0: "raw", 1: "registry", 2: "ring", 3: "mesh", 4: "arena", 5: "waveform", 6: "snapshot"}

# Registry.
REGISTRY_CAPACITY = 256
REGISTRY_ENTRY_SIZE = 256
REGISTRY_TABLE_OFFSET = 64
REGISTRY_PAYLOAD_SIZE = REGISTRY_TABLE_OFFSET + REGISTRY_CAPACITY * REGISTRY_ENTRY_SIZE
_GENERATION = 8
# An entry's state (docs/wire-format.md, "Registry"): claimed 0 -> 1 and written, announced (3) to contenders for its
# name, live (2) once none is ahead of it; released by compare-and-swap to 1, zeroed, then 0.
_ENTRY_FREE, _ENTRY_WRITING, _ENTRY_LIVE, _ENTRY_ANNOUNCED = 0, 1, 2, 3
# How long a registrant waits for an announced contender at a higher index to publish or withdraw.
_ANNOUNCED_WAIT_MS = 2000

# Command ring.
RING_MAGIC = 0x474E4952
RING_LAYOUT_VERSION = 2  # 2: the consumer waits on the sequence of the record it expects, not on the tail
RECORD_SIZE = 64
PAYLOAD_BYTES = 48
_TAIL, _CONSUMER_SLEEPING, _PRODUCER_CLOSED = 0, 4, 8
_HEAD, _PRODUCER_SLEEPING, _CONSUMER_CLOSED = 64, 68, 72
_RING_MAGIC_AT, _RING_VERSION, _RING_CAPACITY, _RING_RECORD_SIZE, _RECORDS = 128, 132, 136, 140, 192
_RECORD = struct.Struct("<IHHII6d")
_RECORD_BODY = struct.Struct("<HHII6d")  # everything after the sequence, which is stored last (it publishes)

# Channel.
CHANNEL_MAGIC = 0x4E414843
CHANNEL_LAYOUT_VERSION = 1
CONTROL_LINE = 64

# Mesh.
MESH_MAGIC = 0x4853454D
MESH_LAYOUT_VERSION = 1
MAX_FIELDS = 16
MAX_FIELD_NAME_BYTES = 32
MAX_POINTS = 1 << 26
MESH_COORDINATES = 64 + MAX_FIELDS * MAX_FIELD_NAME_BYTES
_LAYOUTS = {"soa": 0, "interleaved": 1}

# Waveform.
WAVEFORM_MAGIC = 0x45564157
WAVEFORM_LAYOUT_VERSION = 1
WAVEFORM_BY_COMPONENT, WAVEFORM_BY_DRIVER = 1, 2
MAX_WAVEFORM_DEGREE = 3
MIN_WAVEFORM_CAPACITY = 2
MAX_WAVEFORM_CAPACITY = 65_536
WAVEFORM_SAMPLE_COUNT, WAVEFORM_WINDOW_START, WAVEFORM_TIMES = 24, 32, 64

# Snapshot (docs/wire-format.md, "Snapshot"): metadata, `latest` at 576, two buffers from 640; in a buffer, the
# sequence word at 0, step and time at 8 and 16, the coordinates at 64.
SNAPSHOT_MAGIC = 0x50414E53
SNAPSHOT_LAYOUT_VERSION = 1
SNAPSHOT_LATEST = 64 + MAX_FIELDS * MAX_FIELD_NAME_BYTES
SNAPSHOT_BUFFERS = 128 + MAX_FIELDS * MAX_FIELD_NAME_BYTES
SNAPSHOT_SEQUENCE, SNAPSHOT_STEP, SNAPSHOT_TIME, SNAPSHOT_COORDINATES = 0, 8, 16, 64
SNAPSHOT_READ_ATTEMPTS = 1000  # overwritten copies in a row before a reader names the writer
SNAPSHOTS_VARIABLE = "CONFLUX_SNAPSHOTS"  # JSON: the reader's name of each snapshot -> the segment's name
_SNAPSHOT_SLICE_NS = 10_000_000  # a reader waiting for a snapshot looks at its channel this often

# Component protocol.
HELLO, ACK, GO, DONE, STOP, BYE, PING, PONG = 0x10, 0x11, 0x20, 0x21, 0x30, 0x31, 0x40, 0x41
WINDOW, CHECKPOINTED, RESTORED = 0x22, 0x23, 0x24
COMPONENT_ACCEPTS = (ACK, GO, WINDOW, STOP, PING)
_OPCODE_NAMES = {
    HELLO: "hello",
    ACK: "ack",
    GO: "go",
    DONE: "done",
    WINDOW: "window",
    CHECKPOINTED: "checkpointed",
    RESTORED: "restored",
    STOP: "stop",
    BYE: "bye",
    PING: "ping",
    PONG: "pong",
}
# window's payload slots and flag bits, done's payload in a run in physical time; two times are one within
# TIME_TOLERANCE * max(1, |a|, |b|).
WINDOW_SLOT_WINDOW, WINDOW_SLOT_ITERATION, WINDOW_SLOT_START, WINDOW_SLOT_SIZE, WINDOW_SLOT_FLAGS, WINDOW_SLOT_END = range(6)
WINDOW_WRITE_CHECKPOINT, WINDOW_READ_CHECKPOINT, WINDOW_LAST = 1, 2, 4
DONE_SLOT_WINDOW, DONE_SLOT_ITERATION, DONE_SLOT_TIME, DONE_SLOT_SUBSTEPS = range(4)
TIME_TOLERANCE = 1e-9

_LIVENESS_INTERVAL_NS = 1_000_000
_SLEEP_SLICE_NS = 10_000_000
_SPIN_CHECK_MASK = 15
# backoff: the first sleep between polls, and the longest (which bounds the latency a long wait adds).
_FIRST_BACKOFF_NS = 10_000
_LONGEST_BACKOFF_NS = 1_000_000


# ---- errors -------------------------------------------------------------------
class ConfluxError(Exception):
    """Anything this client refuses or fails at; the message names the segment, channel or variable."""


class SegmentHeaderError(ConfluxError):
    """A segment whose header cannot be trusted; `problem` says which check failed."""

    def __init__(self, problem: str, where: str, message: str):
        super().__init__(f"segment {where}: {message}")
        self.problem = problem
        self.where = where


class RegistryError(ConfluxError):
    pass


class QueueError(ConfluxError):
    pass


class QueueTimeoutError(QueueError):
    pass


class PeerDiedError(QueueError):
    pass


class PeerClosedError(QueueError):
    pass


class CorruptRecordError(QueueError):
    pass


class MeshMetadataError(ConfluxError):
    pass


def _system_error(call: str, what: str, error: OSError) -> ConfluxError:
    name = _errno.errorcode.get(error.errno or 0, "errno")
    return ConfluxError(f"{call} {what}: {name} {error.errno} ({error.strerror})")


# ---- the system: futex, atomics, liveness ------------------------------------
_libc = ctypes.CDLL(None, use_errno=True)
_syscall = _libc.syscall
_syscall.restype = ctypes.c_long
_SYS_FUTEX = {"x86_64": 202, "amd64": 202, "aarch64": 98, "arm64": 98, "riscv64": 98, "ppc64le": 221, "s390x": 238}
_FUTEX_WAIT, _FUTEX_WAKE = 0, 1  # shared futexes (no FUTEX_PRIVATE_FLAG): the peer is another process


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


def _futex_number() -> int:
    machine = platform.machine().lower()
    if machine not in _SYS_FUTEX:
        raise ConfluxError(f"the futex system call number of {machine} is not known to this client")
    return _SYS_FUTEX[machine]


_FUTEX = _futex_number()


def _futex_wait(address: int, expected: int, timeout_ns: int) -> None:
    timeout = _Timespec(timeout_ns // 1_000_000_000, timeout_ns % 1_000_000_000)
    _syscall(
        ctypes.c_long(_FUTEX),
        ctypes.c_void_p(address),
        ctypes.c_long(_FUTEX_WAIT),
        ctypes.c_long(expected & 0xFFFFFFFF),
        ctypes.byref(timeout),
        ctypes.c_void_p(None),
        ctypes.c_long(0),
    )


def _futex_wake(address: int, count: int) -> None:
    _syscall(
        ctypes.c_long(_FUTEX),
        ctypes.c_void_p(address),
        ctypes.c_long(_FUTEX_WAKE),
        ctypes.c_long(count),
        ctypes.c_void_p(None),
        ctypes.c_void_p(None),
        ctypes.c_long(0),
    )


class _LibatomicOperations:
    """32-bit atomics from libatomic's sized entry points (the compiler's ABI for them)."""

    name = "libatomic"
    _SEQ_CST = 5

    def __init__(self) -> None:
        library = ctypes.CDLL("libatomic.so.1")
        self._load = getattr(library, "__atomic_load_4")
        self._load.argtypes = [ctypes.c_void_p, ctypes.c_int]
        self._load.restype = ctypes.c_uint32
        self._store = getattr(library, "__atomic_store_4")
        self._store.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int]
        self._store.restype = None
        self._cas = getattr(library, "__atomic_compare_exchange_4")
        self._cas.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_int]
        self._cas.restype = ctypes.c_bool
        self._add = getattr(library, "__atomic_fetch_add_4")
        self._add.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int]
        self._add.restype = ctypes.c_uint32
        self._expected = ctypes.c_uint32(0)

    def load(self, address: int) -> int:
        return self._load(address, self._SEQ_CST)

    def store(self, address: int, value: int) -> None:
        self._store(address, value & 0xFFFFFFFF, self._SEQ_CST)

    def cas(self, address: int, expected: int, desired: int) -> int:
        """Stores `desired` if the word holds `expected`; returns what it held."""
        self._expected.value = expected
        self._cas(address, ctypes.byref(self._expected), desired, self._SEQ_CST, self._SEQ_CST)
        return self._expected.value

    def add(self, address: int, delta: int) -> int:
        return self._add(address, delta & 0xFFFFFFFF, self._SEQ_CST)


class _X86Operations:
    """The same four operations as x86-64 instructions (System V calling convention) in an executable page."""

    name = "x86-64"
    _CODE = {
        "load": bytes.fromhex("8b07c3"),  # mov eax,[rdi]; ret        (x86 loads are acquire)
        "store": bytes.fromhex("8737c3"),  # xchg [rdi],esi; ret      (locked: sequentially consistent)
        "cas": bytes.fromhex("89f0f00fb117c3"),  # mov eax,esi; lock cmpxchg [rdi],edx; ret
        "add": bytes.fromhex("89f0f00fc107c3"),  # mov eax,esi; lock xadd [rdi],eax; ret
    }

    def __init__(self) -> None:
        if platform.machine().lower() not in ("x86_64", "amd64"):
            raise OSError("not an x86-64 machine")
        self._page = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
        self._anchor = ctypes.c_char.from_buffer(self._page)
        base = ctypes.addressof(self._anchor)
        offsets = {}
        at = 0
        for name, code in self._CODE.items():
            self._page[at : at + len(code)] = code
            offsets[name] = base + at
            at += 16
        u32, pointer = ctypes.c_uint32, ctypes.c_void_p
        self.load = ctypes.CFUNCTYPE(u32, pointer)(offsets["load"])
        self._store = ctypes.CFUNCTYPE(None, pointer, u32)(offsets["store"])
        self.cas = ctypes.CFUNCTYPE(u32, pointer, u32, u32)(offsets["cas"])
        self._add = ctypes.CFUNCTYPE(u32, pointer, u32)(offsets["add"])

    def store(self, address: int, value: int) -> None:
        self._store(address, value & 0xFFFFFFFF)

    def add(self, address: int, delta: int) -> int:
        return self._add(address, delta & 0xFFFFFFFF)


def _atomic_operations():
    wanted = os.environ.get("CONFLUX_PYTHON_ATOMICS", "")
    backends = {"libatomic": _LibatomicOperations, "x86-64": _X86Operations}
    if wanted in backends:
        return backends[wanted]()
    reasons = []
    for name, backend in backends.items():
        try:
            return backend()
        except (OSError, AttributeError, ValueError) as error:
            reasons.append(f"{name}: {error}")
    raise ConfluxError(
        "no atomic operations on shared memory: " + "; ".join(reasons) + ". Install libatomic (Debian: libatomic1)."
    )


_atomics = _atomic_operations()


# ---- truncation -------------------------------------------------------------------
class SegmentTruncatedError(ConfluxError):
    """Another process shrank a segment this process has mapped; the segment is unusable."""


class _SigbusGuard:
    """Catches SIGBUS from a mapping whose file another process shrank (docs/wire-format.md, "Truncation").

    Python cannot recover from SIGBUS in Python code: the fault happens inside the interpreter's own C code
    (a memcpy of struct.unpack_from, a numpy loop). So the handler is machine code, like the x86-64 atomics:
    sigbus_x86_64.S beside this file, assembled, placed in an executable page with the data it reads. A fault
    inside a registered mapping maps zero pages over it (mmap MAP_FIXED), marks it and returns, so the
    interpreter goes on reading zeros; the client's next call raises SegmentTruncatedError. Any other SIGBUS
    gets the action installed before (the default kills the process, as without the client)."""

    _CODE = bytes.fromhex(
        "564885f674338b460885c07e2c488b46104c8d05e8010000b9800000004d8b084d85c9740c4989c24d29ca4d3b500872464983c018ffc975e4bf07000000488d35bb00000031d241ba08000000b80d0000000f055e4885f6741c8b460885c07f15b8270000000f0589c7be07000000b83e0000000f05c341504c89cf498b7008ba0300000041ba3200000049c7c0ffffffff4531c9b8090000000f054158483d01f0ffff739349c7401001000000f048ff056a0000005ec3"
    )
    _PREVIOUS, _COUNT, _TABLE, _SLOTS, _ENTRY = 0x100, 0x120, 0x200, 128, 24
    _SIGBUS, _SA_SIGINFO, _SA_ONSTACK, _SA_RESTART = 7, 0x4, 0x08000000, 0x10000000

    def __init__(self) -> None:
        if platform.machine().lower() not in ("x86_64", "amd64"):
            raise OSError("the SIGBUS handler is x86-64 code")
        self._page = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
        self._page[: len(self._CODE)] = self._CODE
        self._anchor = ctypes.c_char.from_buffer(self._page)
        self.base = ctypes.addressof(self._anchor)
        self._count = ctypes.c_uint64.from_address(self.base + self._COUNT)
        self.segments: dict[int, Segment] = {}
        # The action there now, as the kernel stores it: the handler reinstates it for any SIGBUS not its own.
        if _syscall(ctypes.c_long(13), ctypes.c_long(self._SIGBUS), None, ctypes.c_void_p(self.base + self._PREVIOUS), ctypes.c_long(8)) != 0:
            raise OSError(ctypes.get_errno(), "rt_sigaction")
        action = (ctypes.c_char * 152)()  # glibc's struct sigaction: handler, mask (128 bytes), flags, restorer
        struct.pack_into("<Q", action, 0, self.base)
        struct.pack_into("<i", action, 136, self._SA_SIGINFO | self._SA_ONSTACK | self._SA_RESTART)
        sigaction = _libc.sigaction
        sigaction.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p]
        if sigaction(self._SIGBUS, action, None) != 0:
            raise OSError(ctypes.get_errno(), "sigaction")

    def add(self, segment: Segment) -> int:
        """Registers the mapping of `segment`; -1 when the table is full (then only fstat checks it)."""
        for slot in range(self._SLOTS):
            if slot not in self.segments:
                entry = self.base + self._TABLE + slot * self._ENTRY
                ctypes.c_uint64.from_address(entry + 8).value = segment.memory.size
                ctypes.c_uint64.from_address(entry + 16).value = 0
                ctypes.c_uint64.from_address(entry).value = segment.memory.address  # published last
                self.segments[slot] = segment
                return slot
        return -1

    def remove(self, slot: int) -> None:
        if slot < 0 or slot not in self.segments:
            return
        entry = self.base + self._TABLE + slot * self._ENTRY
        ctypes.c_uint64.from_address(entry).value = 0
        if ctypes.c_uint64.from_address(entry + 16).value:
            ctypes.c_uint64.from_address(entry + 16).value = 0
            self._count.value -= 1
        del self.segments[slot]

    def truncated(self) -> list[Segment]:
        if self._count.value == 0:
            return []
        return [
            segment
            for slot, segment in self.segments.items()
            if ctypes.c_uint64.from_address(self.base + self._TABLE + slot * self._ENTRY + 16).value
        ]


def _sigbus_guard():
    if os.environ.get("CONFLUX_PYTHON_SIGBUS", "") == "off":
        return None
    try:
        return _SigbusGuard()
    except (OSError, ValueError):
        return None  # fstat checks only: a truncation touched between two checks kills the process


_guard = _sigbus_guard()
_measured: list = []  # segments without a guard slot, checked with fstat instead


def _truncation_error(segment) -> SegmentTruncatedError:
    try:
        left = max(0, os.fstat(segment.fd).st_size - segment.file_offset)
    except OSError:
        left = 0
    return SegmentTruncatedError(
        f'segment "{segment.name}" ({segment.path}) was truncated while this process had it mapped: its file holds '
        f"{min(left, segment.memory_size)} of its {segment.memory_size} bytes. Another process shrank it; the segment "
        "is unusable (its pages now read as zeros)."
    )


def _check_truncation() -> None:
    """Raises SegmentTruncatedError for the first segment of this process found truncated."""
    if _guard is not None:
        for segment in _guard.truncated():
            raise _truncation_error(segment)
    for segment in _measured:
        if not segment.intact():
            raise _truncation_error(segment)


def _now_ns() -> int:
    return time.monotonic_ns()


# ---- memory --------------------------------------------------------------------
class Memory:
    """A writable buffer (a shared mapping, or a bytearray for tests) with its address, for atomics and futexes."""

    def __init__(self, buffer):
        self.buffer = buffer
        self.view = memoryview(buffer).cast("B")
        self.size = len(self.view)
        self._anchor = (ctypes.c_char * self.size).from_buffer(buffer)
        self.address = ctypes.addressof(self._anchor)

    def u32(self, offset: int) -> int:
        return struct.unpack_from("<I", self.view, offset)[0]

    def set_u32(self, offset: int, value: int) -> None:
        struct.pack_into("<I", self.view, offset, value & 0xFFFFFFFF)

    def u64(self, offset: int) -> int:
        return struct.unpack_from("<Q", self.view, offset)[0]

    def set_u64(self, offset: int, value: int) -> None:
        struct.pack_into("<Q", self.view, offset, value)

    def load(self, offset: int) -> int:
        return _atomics.load(self.address + offset)

    def store(self, offset: int, value: int) -> None:
        _atomics.store(self.address + offset, value)

    def cas(self, offset: int, expected: int, desired: int) -> int:
        return _atomics.cas(self.address + offset, expected, desired)

    def add(self, offset: int, delta: int) -> int:
        return _atomics.add(self.address + offset, delta)

    def wake(self, offset: int, count: int) -> None:
        _futex_wake(self.address + offset, count)

    def wait(self, offset: int, expected: int, timeout_ns: int) -> None:
        _futex_wait(self.address + offset, expected, timeout_ns)

    def close(self) -> bool:
        """Releases this object's hold on the buffer; closes a mapping unless views of it are still in use."""
        self._anchor = None
        self.view.release()
        if isinstance(self.buffer, mmap.mmap):
            try:
                self.buffer.close()
            except BufferError:
                return False  # a numpy array or memoryview handed out still uses it; it unmaps when they go
        return True


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _encode_name(name: str, what: str = "segment name") -> bytes:
    data = name.encode("utf-8")
    if not 1 <= len(data) <= MAX_NAME_BYTES:
        raise ValueError(f'{what} "{name}" must be 1 to {MAX_NAME_BYTES} bytes of UTF-8; it is {len(data)}')
    return data


# ---- segment header -----------------------------------------------------------
def write_header(
    memory: Memory,
    offset: int,
    *,
    payload_size: int,
    creator_pid: int,
    kind: int,
    run_id: str,
    created_unix_ms: float,
    name: str,
) -> None:
    """Writes a 256-byte header at `offset`, the magic last (sequentially consistent)."""
    name_bytes = _encode_name(name)
    run_id_bytes = run_id.encode("ascii")
    if len(run_id_bytes) != RUN_ID_BYTES:
        raise ValueError(f'run id "{run_id}" must be {RUN_ID_BYTES} ASCII characters')
    if payload_size < 0:
        raise ValueError(f'segment "{name}": payload size {payload_size} is negative')
    memory.view[offset : offset + HEADER_SIZE] = bytes(HEADER_SIZE)
    struct.pack_into(
        "<IIIQII16sdI",
        memory.view,
        offset + 4,
        BYTE_ORDER_MARK,
        SEGMENT_LAYOUT_VERSION,
        HEADER_SIZE,
        payload_size,
        creator_pid,
        kind,
        run_id_bytes,
        created_unix_ms,
        len(name_bytes),
    )
    memory.view[offset + 64 : offset + 64 + len(name_bytes)] = name_bytes
    memory.store(offset, SEGMENT_MAGIC)


class SegmentHeader:
    __slots__ = ("payload_size", "creator_pid", "kind", "run_id", "created_unix_ms", "name")

    def __init__(self, payload_size, creator_pid, kind, run_id, created_unix_ms, name):
        self.payload_size = payload_size
        self.creator_pid = creator_pid
        self.kind = kind
        self.run_id = run_id
        self.created_unix_ms = created_unix_ms
        self.name = name


def _swap32(value: int) -> int:
    return int.from_bytes(value.to_bytes(4, "little"), "big")


def check_header(
    memory: Memory,
    offset: int,
    available: int,
    where: str,
    expect_kind: int | None = None,
    expect_run_id: str | None = None,
) -> SegmentHeader:
    """Checks the header at `offset` in the order of docs/wire-format.md; each failure has its own message."""
    if available < 12:
        raise SegmentHeaderError(
            "truncated",
            where,
            f"truncated: {available} bytes, too short to hold a segment header ({HEADER_SIZE} bytes). It was not "
            "created by conflux or its creator died while creating it; remove it with `conflux clean`.",
        )
    magic = memory.load(offset)
    mark = memory.u32(offset + 4)
    if magic == _swap32(SEGMENT_MAGIC) or (magic == SEGMENT_MAGIC and mark == _swap32(BYTE_ORDER_MARK)):
        raise SegmentHeaderError(
            "byte-order",
            where,
            "written in the other byte order (big-endian). Segments are shared only between processes on one host "
            "of one byte order; create it on this host.",
        )
    if magic != SEGMENT_MAGIC:
        raise SegmentHeaderError(
            "foreign",
            where,
            f'not a conflux segment (magic 0x{magic:08x}, expected 0x{SEGMENT_MAGIC:08x} "CFLX"). Check the name or '
            "path; another program owns this memory.",
        )
    if mark != BYTE_ORDER_MARK:
        raise SegmentHeaderError("foreign", where, f"byte-order mark 0x{mark:x} is corrupt.")
    version = memory.u32(offset + 8)
    if version != SEGMENT_LAYOUT_VERSION:
        raise SegmentHeaderError(
            "version",
            where,
            f"segment layout version {version}, but this conflux client reads version {SEGMENT_LAYOUT_VERSION}. "
            "Run every component of a run with the same conflux release.",
        )
    if available < HEADER_SIZE:
        raise SegmentHeaderError(
            "truncated",
            where,
            f"truncated: {available} bytes, shorter than its {HEADER_SIZE}-byte header. Remove it with `conflux "
            "clean` and start the run again.",
        )
    header_size, payload_size, creator_pid, kind, run_id_bytes, created, name_length = struct.unpack_from(
        "<IQII16sdI", memory.view, offset + 12
    )
    if header_size != HEADER_SIZE:
        raise SegmentHeaderError(
            "foreign", where, f"header size {header_size}, expected {HEADER_SIZE}: the header is corrupt."
        )
    if available < header_size + payload_size:
        raise SegmentHeaderError(
            "truncated",
            where,
            f"truncated: the header announces {payload_size} payload bytes but only {available - header_size} are "
            "there. Remove it with `conflux clean` and start the run again.",
        )
    if not 1 <= name_length <= MAX_NAME_BYTES:
        raise SegmentHeaderError(
            "foreign", where, f"name length {name_length} is outside 1..{MAX_NAME_BYTES}: the header is corrupt."
        )
    name_bytes = bytes(memory.view[offset + 64 : offset + 64 + name_length])
    if not _valid_utf8(name_bytes) or not _valid_utf8(run_id_bytes):
        raise SegmentHeaderError("foreign", where, "its name or run id is not valid UTF-8: the header is corrupt.")
    run_id = run_id_bytes.decode("utf-8")
    if expect_kind is not None and kind != expect_kind:
        raise SegmentHeaderError(
            "kind",
            where,
            f"holds a {_KIND_NAMES.get(kind, f'unknown kind {kind}')}, not a "
            f"{_KIND_NAMES.get(expect_kind, f'unknown kind {expect_kind}')}. Check the segment name.",
        )
    if expect_run_id is not None and run_id != expect_run_id:
        raise SegmentHeaderError(
            "run",
            where,
            f"belongs to run {run_id}, not to run {expect_run_id}. A stale segment of an earlier run is in the way; "
            "run `conflux clean`.",
        )
    return SegmentHeader(payload_size, creator_pid, kind, run_id, created, name_bytes.decode("utf-8"))


# ---- registry -------------------------------------------------------------------
class RegistryEntry:
    __slots__ = ("name", "file", "offset", "length", "kind", "creator_pid")

    def __init__(self, name, file, offset, length, kind, creator_pid):
        self.name = name
        self.file = file
        self.offset = offset
        self.length = length
        self.kind = kind
        self.creator_pid = creator_pid


class Registry:
    """The run's name service (docs/wire-format.md, "Registry") in the payload at `offset` of `memory`."""

    def __init__(self, memory: Memory, offset: int, payload_size: int, where: str = "registry"):
        self.memory = memory
        self.offset = offset
        self.payload_size = payload_size
        self.where = where

    def format(self) -> Registry:
        if self.payload_size < REGISTRY_PAYLOAD_SIZE:
            raise ValueError(f"a registry needs {REGISTRY_PAYLOAD_SIZE} payload bytes")
        self.memory.set_u32(self.offset, REGISTRY_CAPACITY)
        self.memory.set_u32(self.offset + 4, REGISTRY_ENTRY_SIZE)
        return self

    def check(self) -> Registry:
        capacity, entry_size = self.memory.u32(self.offset), self.memory.u32(self.offset + 4)
        if entry_size != REGISTRY_ENTRY_SIZE or capacity == 0 or 64 + capacity * entry_size > self.payload_size:
            raise RegistryError(
                f"registry {self.where}: capacity {capacity} × entry size {entry_size} does not fit its "
                f"{self.payload_size}-byte payload; the registry is corrupt or from another conflux release"
            )
        self._checked_capacity = capacity
        return self

    @property
    def capacity(self) -> int:
        """The capacity check() found fitting, never re-read: another process could change the stored one."""
        checked = getattr(self, "_checked_capacity", None)
        if checked is None:
            self.check()
            checked = self._checked_capacity
        return checked

    @property
    def generation(self) -> int:
        return self.memory.load(self.offset + _GENERATION)

    def _entry(self, index: int) -> int:
        return self.offset + REGISTRY_TABLE_OFFSET + index * REGISTRY_ENTRY_SIZE

    def _named_state(self, index: int, name_bytes: bytes) -> int:
        """The state of entry `index` if it is live or announced under `name_bytes`, else free. The name is read
        between two loads of the state: an entry released and reused meanwhile is read again."""
        memory = self.memory
        entry = self._entry(index)
        for _ in range(1000):
            state = memory.load(entry)
            if state != _ENTRY_LIVE and state != _ENTRY_ANNOUNCED:
                return _ENTRY_FREE
            length = memory.u32(entry + 28)
            same = length == len(name_bytes) and bytes(memory.view[entry + 64 : entry + 64 + length]) == name_bytes
            if memory.load(entry) == state:
                return state if same else _ENTRY_FREE
        return _ENTRY_FREE

    def _index_of(self, name_bytes: bytes) -> int:
        for index in range(self.capacity):
            if self._named_state(index, name_bytes) == _ENTRY_LIVE:
                return index
        return -1

    def _release(self, index: int, from_state: int) -> bool:
        """Releases entry `index` from `from_state` (live, or one's own announcement): compare-and-swap to 1, bump
        the generation, zero the fields, free it, bump again, so a reader that copied it sees the state or the
        generation change. False when the entry was not in `from_state`."""
        entry = self._entry(index)
        if self.memory.cas(entry, from_state, _ENTRY_WRITING) != from_state:
            return False
        self._publish_change()
        self.memory.view[entry + 4 : entry + REGISTRY_ENTRY_SIZE] = bytes(REGISTRY_ENTRY_SIZE - 4)
        self.memory.store(entry, _ENTRY_FREE)
        self._publish_change()
        return True

    def _publish_change(self) -> None:
        self.memory.add(self.offset + _GENERATION, 1)
        self.memory.wake(self.offset + _GENERATION, 0x7FFFFFFF)

    def _contest(self, own: int, name_bytes: bytes) -> tuple[str, int]:
        """An announced registrant's scan: lost when the name is live elsewhere or announced at a lower index;
        wait (for the index returned) when it is announced at a higher index only; won otherwise."""
        verdict, contender = "won", -1
        for index in range(self.capacity):
            if index == own:
                continue
            state = self._named_state(index, name_bytes)
            if state == _ENTRY_LIVE or (state == _ENTRY_ANNOUNCED and index < own):
                return "lost", index
            if state == _ENTRY_ANNOUNCED:
                verdict, contender = "wait", index
        return verdict, contender

    def register(self, name: str, file: str, offset: int, length: int, kind: int, creator_pid: int) -> None:
        """Registers `name`. Linearizable: of contenders for one name, each announces its entry before it scans
        (sequentially consistent), so at least one sees the other, and exactly one wins."""
        name_bytes = _encode_name(name)
        file_bytes = _encode_name(file, "segment file name")
        if self._index_of(name_bytes) >= 0:
            raise RegistryError(f'segment name "{name}" is already registered in this run; choose another name')
        claimed = -1
        for index in range(self.capacity):
            if self.memory.cas(self._entry(index), _ENTRY_FREE, _ENTRY_WRITING) == _ENTRY_FREE:
                claimed = index
                break
        if claimed < 0:
            raise RegistryError(
                f'the run\'s registry is full ({self.capacity} segments); cannot register "{name}". '
                "Share fewer, larger segments."
            )
        entry = self._entry(claimed)
        struct.pack_into(
            "<IQQIII", self.memory.view, entry + 4, kind, offset, length, creator_pid, len(name_bytes), len(file_bytes)
        )
        self.memory.view[entry + 64 : entry + 160] = name_bytes.ljust(MAX_NAME_BYTES, b"\0")
        self.memory.view[entry + 160 : entry + 256] = file_bytes.ljust(MAX_NAME_BYTES, b"\0")
        self.memory.store(entry, _ENTRY_ANNOUNCED)
        deadline = _now_ns() + _ANNOUNCED_WAIT_MS * 1_000_000
        while True:
            generation = self.generation
            verdict, contender = self._contest(claimed, name_bytes)
            if verdict == "won":
                self.memory.store(entry, _ENTRY_LIVE)
                self._publish_change()
                return
            if verdict == "lost":
                self._release(claimed, _ENTRY_ANNOUNCED)
                raise RegistryError(
                    f'segment name "{name}" was registered concurrently by another process; choose another name'
                )
            remaining = deadline - _now_ns()
            if remaining <= 0:
                pid = self.memory.u32(self._entry(contender) + 24)
                self._release(claimed, _ENTRY_ANNOUNCED)
                raise RegistryError(
                    f'segment name "{name}": another registration of it (registry entry {contender}, pid {pid}) has '
                    f"been announced for {_ANNOUNCED_WAIT_MS} ms without being published or withdrawn; its process "
                    "may have died while registering. Choose another name, or start the run again."
                )
            # Whatever ends the contender's announcement bumps the generation.
            self.memory.wait(self.offset + _GENERATION, generation, min(remaining, 10_000_000))

    def unregister(self, name: str) -> bool:
        """Removes a live name (only its registrant should); False when it is not registered."""
        name_bytes = name.encode("utf-8")
        while True:
            index = self._index_of(name_bytes)
            if index < 0:
                return False
            if self._release(index, _ENTRY_LIVE):
                return True

    def lookup(self, name: str) -> RegistryEntry | None:
        # The entry is copied between two looks at its state and the registry's generation, and only the copy is
        # read: its owner may release it (and another process reuse it) while it is read, and a release bumps the
        # generation before it zeroes the entry and after it frees it.
        name_bytes = name.encode("utf-8")
        for _ in range(1000):
            generation = self.generation
            index = self._index_of(name_bytes)
            if index < 0:
                return None
            at = self._entry(index)
            entry = bytes(self.memory.view[at : at + REGISTRY_ENTRY_SIZE])
            kind, offset, length, pid, name_length, file_length = struct.unpack_from("<IQQIII", entry, 4)
            if (
                self.memory.load(at) == _ENTRY_LIVE
                and self.generation == generation
                and entry[64 : 64 + name_length] == name_bytes
                and name_length == len(name_bytes)
            ):
                break
        else:
            raise RegistryError(f'registry entry "{name}" changed under every one of 1000 reads')
        if not 1 <= file_length <= MAX_NAME_BYTES:
            raise RegistryError(f'registry entry "{name}": file name length {file_length} is corrupt')
        raw = entry[160 : 160 + file_length]
        try:
            file = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise RegistryError(f'registry entry "{name}": its file name is not UTF-8') from None
        if "\0" in file or "/" in file or file in (".", ".."):
            raise RegistryError(f'registry entry "{name}": file name "{file}" is not a plain file name')
        return RegistryEntry(name, file, offset, length, kind, pid)

    def names(self) -> list[str]:
        found = []
        for index in range(self.capacity):
            entry = self._entry(index)
            if self.memory.load(entry) == _ENTRY_LIVE:
                length = min(self.memory.u32(entry + 28), MAX_NAME_BYTES)
                found.append(bytes(self.memory.view[entry + 64 : entry + 64 + length]).decode("utf-8", "replace"))
        return found

    def wait_for(self, name: str, timeout_ms: int) -> RegistryEntry | None:
        """Waits until `name` is registered, sleeping on the generation word."""
        deadline = _now_ns() + timeout_ms * 1_000_000
        while True:
            generation = self.generation
            entry = self.lookup(name)
            if entry is not None:
                return entry
            remaining = deadline - _now_ns()
            if remaining <= 0:
                return None
            self.memory.wait(self.offset + _GENERATION, generation, remaining)


# ---- segments and runs ------------------------------------------------------------
class Segment:
    """One shared mapping that begins with a segment header."""

    def __init__(self, path: str, memory: Memory, header: SegmentHeader, fd: int = -1, file_offset: int = 0):
        self.path = path
        self.memory = memory
        self.header = header
        self.name = header.name
        self.payload_offset = HEADER_SIZE
        self.payload_size = header.payload_size
        self.fd = fd  # kept open: after a truncation, fstat says how much of the file is left
        self.file_offset = file_offset
        self.memory_size = memory.size
        self._slot = -1
        if fd >= 0:
            self._slot = _guard.add(self) if _guard is not None else -1
            if self._slot < 0:
                _measured.append(self)

    def intact(self) -> bool:
        """Whether the file still holds the whole mapping (a truncation within its last page raises no SIGBUS)."""
        try:
            return os.fstat(self.fd).st_size - self.file_offset >= self.memory_size
        except OSError:
            return False

    @staticmethod
    def map(
        path: str,
        offset: int = 0,
        length: int = 0,
        kind: int | None = None,
        run_id: str | None = None,
        name: str | None = None,
    ) -> Segment:
        """Maps the segment at `offset` of `path` (`length` bytes, or the whole file when 0). The file must be a
        regular file, not a symbolic link, and hold the whole range; with `name`, the header must carry it."""
        try:
            fd = os.open(path, os.O_RDWR | os.O_CLOEXEC | os.O_NOFOLLOW)
        except FileNotFoundError:
            raise ConfluxError(f"segment {path} does not exist: its run has ended or the name is wrong") from None
        except OSError as error:
            if error.errno == _errno.ELOOP:
                raise ConfluxError(f"segment {path} is a symbolic link; a segment is a file of its run") from None
            raise _system_error("open", path, error) from None
        try:
            status = os.fstat(fd)
            if not stat.S_ISREG(status.st_mode):
                raise ConfluxError(f"segment {path} is not a regular file; a segment is a file of its run")
            if offset != 0 or length > 0:
                if offset < 0 or offset % _ARENA_PAGE or length < HEADER_SIZE or offset + length > status.st_size:
                    raise RegistryError(
                        f"segment {path}@{offset}: the registry places it at bytes {offset}..{offset + length} of a file "
                        f"of {status.st_size} bytes; a segment lies page aligned inside its file: the registry entry "
                        "is corrupt"
                    )
            else:
                length = status.st_size
            if length < 12:
                raise SegmentHeaderError(
                    "truncated",
                    path,
                    f"truncated: {max(length, 0)} bytes, too short to hold a segment header ({HEADER_SIZE} bytes). "
                    "It was not created by conflux or its creator died while creating it; remove it with "
                    "`conflux clean`.",
                )
            mapping = mmap.mmap(fd, length, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE, offset=offset)
        except OSError as error:
            os.close(fd)
            raise _system_error("mmap", path, error) from None
        except ConfluxError:
            os.close(fd)
            raise
        memory = Memory(mapping)
        where = path if offset == 0 else f"{path}@{offset}"
        try:
            header = check_header(memory, 0, length, where, kind, run_id)
            if name is not None and header.name != name:
                raise RegistryError(
                    f'segment {where}: its header names it "{header.name}", but the registry entry "{name}" points '
                    "to it: the registry entry is corrupt or was changed while it was read"
                )
        except ConfluxError:
            memory.close()
            os.close(fd)
            raise
        segment = Segment(path, memory, header, fd, offset)
        try:
            _check_truncation()  # shrunk while the header was read
        except ConfluxError:
            segment.close()
            raise
        return segment

    def close(self) -> None:
        if self.memory is not None:
            if _guard is not None:
                _guard.remove(self._slot)
            if self in _measured:
                _measured.remove(self)
            self.memory.close()
            self.memory = None
            if self.fd >= 0:
                os.close(self.fd)
                self.fd = -1


class Run:
    """A run another process created, found by its directory."""

    def __init__(self, directory: str, arena_name: str | None = None):
        self.directory = directory
        self._arena_name = arena_name  # in a VM guest: where new segments go (CONFLUX_ARENA)
        self._arena = None
        self._arena_file = ""
        try:
            with open(os.path.join(directory, "owner.json"), encoding="utf-8") as file:
                owner = json.load(file)
        except (OSError, ValueError):
            reason = "it has no readable owner file" if os.path.exists(directory) else "it does not exist"
            raise ConfluxError(f"cannot join run {directory}: {reason}. Start components through `conflux run`.") from None
        run_id = owner.get("runId") if isinstance(owner, dict) else None
        if not isinstance(run_id, str) or len(run_id) != RUN_ID_BYTES:
            raise ConfluxError(f"cannot join run {directory}: its owner.json has no 16-character runId")
        self.id = run_id
        path = os.path.join(directory, "registry")
        self._registry_segment = Segment.map(path, kind=KIND_REGISTRY, run_id=run_id)
        try:
            self.registry = Registry(self._registry_segment.memory, HEADER_SIZE, self._registry_segment.payload_size, path)
            self.registry.check()
        except ConfluxError:
            self._registry_segment.close()
            raise

    @staticmethod
    def from_environment(environment=None) -> Run:
        environment = os.environ if environment is None else environment
        directory = environment.get("CONFLUX_RUN_DIR", "")
        if directory == "":
            raise ConfluxError("CONFLUX_RUN_DIR is not set: this component must be started by `conflux run`.")
        return Run(directory, environment.get("CONFLUX_ARENA", "") or None)

    def create_segment(self, name: str, payload_size: int, kind: int = KIND_RAW) -> Segment:
        """Creates a segment file under a random name (O_CREAT|O_EXCL, 0600), writes its header, registers `name`.
        In a VM guest (CONFLUX_ARENA set) the segment is carved out of the arena instead (docs/vm.md, "Arena")."""
        _check_truncation()
        _encode_name(name)
        if not isinstance(payload_size, int) or payload_size < 0:
            raise ValueError(f'segment "{name}": payload size must be a whole number of bytes >= 0, got {payload_size}')
        if self._arena_name is not None:
            return self._create_in_arena(self._arena_name, name, payload_size, kind)
        file = f"seg-{os.urandom(6).hex()}"
        path = os.path.join(self.directory, file)
        length = HEADER_SIZE + payload_size
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        except OSError as error:
            raise _system_error("open(O_CREAT|O_EXCL)", path, error) from None
        try:
            os.ftruncate(fd, length)
            # tmpfs accepts an ftruncate it cannot back and fails the first write to a page it has no room for with
            # SIGBUS: the pages are reserved now, so a full /dev/shm is an error here.
            try:
                os.posix_fallocate(fd, 0, length)
            except OSError as error:
                if error.errno == _errno.ENOSPC:
                    free = os.statvfs(self.directory)
                    raise ConfluxError(
                        f'no room for segment "{name}" ({length:,} bytes) in {self.directory}: '
                        f"{free.f_bavail * free.f_frsize:,} bytes are free. Give it more room (a larger /dev/shm: "
                        "`mount -o remount,size=… /dev/shm`; in Docker, `--shm-size`, which is 64 MB unless set), or "
                        "point CONFLUX_SHM_ROOT at a larger tmpfs."
                    ) from None
                if error.errno not in (_errno.EOPNOTSUPP, _errno.EINVAL):
                    raise
            mapping = mmap.mmap(fd, length, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        except ConfluxError:
            os.close(fd)
            os.unlink(path)
            raise
        except OSError as error:
            os.close(fd)
            os.unlink(path)
            raise _system_error("ftruncate/fallocate/mmap", path, error) from None
        memory = Memory(mapping)
        created = float(time.time_ns() // 1_000_000)
        try:
            write_header(
                memory,
                0,
                payload_size=payload_size,
                creator_pid=os.getpid(),
                kind=kind,
                run_id=self.id,
                created_unix_ms=created,
                name=name,
            )
            self.registry.register(name, file, 0, length, kind, os.getpid())
        except (ConfluxError, ValueError):
            memory.close()
            os.close(fd)
            os.unlink(path)
            raise
        return Segment(path, memory, SegmentHeader(payload_size, os.getpid(), kind, self.id, created, name), fd)

    def open_segment(self, name: str, kind: int | None = None, timeout_ms: int = 0) -> Segment:
        """Maps the segment registered as `name`, waiting up to timeout_ms for it to appear."""
        _check_truncation()
        entry = self.registry.wait_for(name, timeout_ms) if timeout_ms > 0 else self.registry.lookup(name)
        _check_truncation()  # the registry itself may have been shrunk under the lookup
        if entry is None:
            waited = f" within {timeout_ms} ms" if timeout_ms > 0 else ""
            known = ", ".join(self.registry.names()) or "none"
            raise ConfluxError(f'no segment named "{name}" in run {self.id}{waited}; registered: {known}')
        if "/" in entry.file or entry.file in (".", ".."):
            raise RegistryError(f'registry entry "{name}": file name "{entry.file}" is not a plain file name')
        path = os.path.join(self.directory, entry.file)
        segment = Segment.map(path, entry.offset, entry.length, kind, self.id, name)
        return segment

    def _create_in_arena(self, arena_name: str, name: str, payload_size: int, kind: int) -> Segment:
        """A file made here would live in guest memory only: the segment goes in the arena host and guest both map."""
        if self._arena is None:
            entry = self.registry.lookup(arena_name)
            if entry is None:
                raise ConfluxError(
                    f'CONFLUX_ARENA names arena "{arena_name}", which run {self.id} does not have: '
                    "run this component in a vm enclave"
                )
            arena = Segment.map(os.path.join(self.directory, entry.file), 0, 0, KIND_ARENA, self.id)
            memory = arena.memory
            version, page = memory.load(_ARENA_VERSION), memory.load(_ARENA_PAGE_SIZE)
            if version != _ARENA_LAYOUT_VERSION or page != _ARENA_PAGE:
                arena.close()
                raise ConfluxError(
                    f"arena {arena.path} has layout version {version} (page size {page}); "
                    f"this client reads version {_ARENA_LAYOUT_VERSION}"
                )
            self._arena, self._arena_file = arena, entry.file
        memory = self._arena.memory
        length = HEADER_SIZE + payload_size
        pages = -(-length // _ARENA_PAGE)
        total = min(memory.load(_ARENA_PAGE_COUNT), memory.size // _ARENA_PAGE)
        while True:
            first = memory.load(_ARENA_NEXT_PAGE)
            if first + pages > total:
                raise ConfluxError(
                    f'arena {self._arena.path} has {max(0, total - first)} free pages, segment "{name}" needs '
                    f"{pages}; give the VM a larger arena (vm.arena_mib)"
                )
            if memory.cas(_ARENA_NEXT_PAGE, first, first + pages) == first:
                break
        offset = first * _ARENA_PAGE
        created = float(time.time_ns() // 1_000_000)
        write_header(
            memory,
            offset,
            payload_size=payload_size,
            creator_pid=os.getpid(),
            kind=kind,
            run_id=self.id,
            created_unix_ms=created,
            name=name,
        )
        segment = Segment.map(self._arena.path, offset, length, kind, self.id)
        try:
            self.registry.register(name, self._arena_file, offset, length, kind, os.getpid())
        except (ConfluxError, ValueError):
            segment.close()  # its pages stay unused: an arena never gives pages back
            raise
        return segment

    def close(self) -> None:
        if self._arena is not None:
            self._arena.close()
        self._registry_segment.close()


# ---- rings and channels ---------------------------------------------------------------
class Wait:
    """How a side waits for the other: spin, hybrid (spin then futex; the default), block, or backoff
    (spin, then poll with sleeps growing from 10 µs to 1 ms: for a side no futex wake can reach)."""

    def __init__(self, kind: str = "hybrid", spin_ns: int = 50_000, timeout_ns: int = 30_000_000_000):
        if kind not in ("spin", "hybrid", "block", "backoff"):
            raise ValueError(f'wait strategy "{kind}" is not one of spin, hybrid, block, backoff')
        if not (spin_ns >= 0 and timeout_ns > 0):
            raise ValueError(f"wait strategy needs spinNs ≥ 0 and timeoutNs > 0 (got {spin_ns}, {timeout_ns})")
        self.kind = kind
        self.spin_ns = int(spin_ns)
        self.timeout_ns = int(timeout_ns)

    @staticmethod
    def from_environment(environment=None) -> Wait:
        environment = os.environ if environment is None else environment
        text = environment.get("CONFLUX_WAIT", "")
        if text == "":
            return Wait()
        try:
            spec = json.loads(text)
            if not isinstance(spec, dict):
                raise ValueError("not a JSON object")
            return Wait(spec.get("kind", "hybrid"), spec.get("spinNs", 50_000), spec.get("timeoutNs", 30_000_000_000))
        except (ValueError, TypeError) as error:
            raise ConfluxError(f"CONFLUX_WAIT={text}: {error}") from None


class Message:
    """One command record: opcode, flags, sequence, correlation, length and six payload doubles."""

    __slots__ = ("opcode", "flags", "sequence", "correlation", "length", "payload")

    def __init__(self) -> None:
        self.opcode = 0
        self.flags = 0
        self.sequence = 0
        self.correlation = 0
        self.length = 0
        self.payload = [0.0] * 6

    def set(self, opcode: int, first: float = 0.0, second: float = 0.0) -> Message:
        self.opcode = opcode
        self.flags = 0
        self.correlation = 0
        self.payload[0] = float(first)
        self.payload[1] = float(second)
        self.length = 16
        return self


def _driver_is_enclave_bound(environment=None) -> bool:
    """CONFLUX_DRIVER_LIVENESS (docs/wire-format.md, "Channel"): "enclave", or "pid" / unset."""
    environment = os.environ if environment is None else environment
    value = environment.get("CONFLUX_DRIVER_LIVENESS", "")
    if value in ("", "pid"):
        return False
    if value == "enclave":
        return True
    raise ConfluxError(
        f'CONFLUX_DRIVER_LIVENESS is "{value[:40]}"; it must be "pid" or "enclave" (or unset): '
        "start this component through `conflux run`"
    )


class _Peer:
    """Whether the process on the other side lives: a pidfd when the kernel has them, else kill(pid, 0)."""

    def __init__(self, pid_of, description: str):
        self._pid_of = pid_of
        self.description = description
        self.pid = 0
        self._poll = None
        self._fd = -1

    def resolve(self) -> None:
        if self.pid > 0:
            return
        pid = self._pid_of()
        if pid <= 0:
            return
        self.pid = pid
        if pid != os.getpid():
            try:
                self._fd = os.pidfd_open(pid)
                self._poll = select.poll()
                self._poll.register(self._fd, select.POLLIN)
            except (OSError, AttributeError):
                self._fd = -1
                self._poll = None

    def alive(self) -> bool:
        self.resolve()
        if self.pid <= 0 or self.pid == os.getpid():
            return True
        if self._poll is not None:
            return not self._poll.poll(0)  # a pidfd turns readable when its process exits
        try:
            os.kill(self.pid, 0)
            return True
        except ProcessLookupError:
            return False
        except PermissionError:
            return True

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


_READY, _TIMED_OUT, _PEER_DIED, _PEER_CLOSED = 0, 1, 2, 3


def _wait_for_change(
    memory, wait, peer, word, unchanged, sleep_word, sleep_unchanged, lag, sleeping, peer_closed, timeout_ns
) -> int:
    """Waits until the word at `word` differs from `unchanged` (docs/wire-format.md, "Waiting"), sleeping on
    `sleep_word`, which the peer stores after publishing. A sleep word more than `lag` behind `sleep_unchanged`
    (mod 2**32) also ends the wait, for the caller to judge: a consumer spins on the sequence of the record it
    expects and sleeps on the tail (lag 1: the producer stores the sequence, then the tail); a producer spins and
    sleeps on the head (lag 0)."""
    load = memory.load
    if load(word) != unchanged:
        return _READY
    start = _now_ns()
    deadline = start + timeout_ns
    next_check = start + _LIVENESS_INTERVAL_NS
    if wait.kind != "block":
        spin_until = start + wait.spin_ns
        backoff_ns = _FIRST_BACKOFF_NS
        iterations = 0
        while True:
            if load(word) != unchanged:
                return _READY
            iterations += 1
            if iterations & _SPIN_CHECK_MASK:
                continue
            now = _now_ns()
            if now >= next_check:
                status = _check_peer(memory, peer, peer_closed)
                if status != _READY:
                    return status
                # Once a millisecond, not at every look: reading the peer's line while spinning is what version 1 paid.
                if sleep_word != word and (sleep_unchanged - load(sleep_word)) & 0xFFFFFFFF > lag:
                    return _READY
                next_check = now + _LIVENESS_INTERVAL_NS
            if now >= deadline:
                return _TIMED_OUT
            if now >= spin_until:
                if wait.kind == "hybrid":
                    break
                if wait.kind == "backoff":
                    time.sleep(min(backoff_ns, deadline - now) / 1e9)
                    backoff_ns = min(2 * backoff_ns, _LONGEST_BACKOFF_NS)
                    iterations = _SPIN_CHECK_MASK  # read the clock right after the next look at the word
                    continue
                os.sched_yield()  # a spinner past its window lets a peer on this core run
    while True:
        # Flag, then re-read: the producer stores the tail, then reads the flag, so either it sees the flag and
        # wakes this side, or this side sees its tail (and through it the sequence stored before it).
        memory.store(sleeping, 1)
        sleep_value = load(sleep_word)
        if load(word) != unchanged or (sleep_unchanged - sleep_value) & 0xFFFFFFFF > lag:
            memory.store(sleeping, 0)
            return _READY
        now = _now_ns()
        if now >= deadline:
            memory.store(sleeping, 0)
            return _TIMED_OUT
        # Asleep while the sleep word holds what was just read (within its lag: the peer's next store changes it).
        memory.wait(sleep_word, sleep_value, min(deadline - now, _SLEEP_SLICE_NS))
        memory.store(sleeping, 0)
        if load(word) != unchanged:
            return _READY
        status = _check_peer(memory, peer, peer_closed)
        if status != _READY:
            return status


def _check_peer(memory, peer, peer_closed) -> int:
    _check_truncation()
    if memory.load(peer_closed) != 0:
        return _PEER_CLOSED
    if peer is not None and not peer.alive():
        return _PEER_DIED
    return _READY


def format_ring(memory: Memory, offset: int, capacity: int) -> None:
    """Formats a ring of `capacity` records at `offset` (64-byte aligned), the magic last."""
    if capacity < 2 or capacity > 1 << 20 or capacity & (capacity - 1):
        raise ValueError(f"ring capacity {capacity} must be a power of two between 2 and 1048576")
    size = _RECORDS + capacity * RECORD_SIZE
    memory.view[offset : offset + size] = bytes(size)
    # Slot i holds record i first; until then the sequence of the record a capacity before, which it cannot match.
    for slot in range(capacity):
        memory.set_u32(offset + _RECORDS + slot * RECORD_SIZE, (slot - capacity) & 0xFFFFFFFF)
    struct.pack_into("<III", memory.view, offset + _RING_VERSION, RING_LAYOUT_VERSION, capacity, RECORD_SIZE)
    memory.store(offset + _RING_MAGIC_AT, RING_MAGIC)


def _ring_capacity(memory: Memory, offset: int, where: str) -> int:
    if offset % 64 or offset + _RECORDS > memory.size:
        raise CorruptRecordError(f"{where}: no ring fits at byte {offset} of a {memory.size}-byte mapping")
    magic = memory.load(offset + _RING_MAGIC_AT)
    if magic != RING_MAGIC:
        raise CorruptRecordError(
            f"{where}: not a command ring (magic 0x{magic:x}); the channel segment is corrupt or not yet formatted"
        )
    version, capacity, record_size = struct.unpack_from("<III", memory.view, offset + _RING_VERSION)
    if version != RING_LAYOUT_VERSION:
        raise CorruptRecordError(
            f"{where}: ring layout version {version}, this conflux client speaks {RING_LAYOUT_VERSION}; "
            "use one conflux release for every component"
        )
    if record_size != RECORD_SIZE:
        raise CorruptRecordError(f"{where}: record size {record_size}, expected {RECORD_SIZE}")
    if capacity < 2 or capacity > 1 << 20 or capacity & (capacity - 1):
        raise CorruptRecordError(f"{where}: ring capacity {capacity} is not a power of two between 2 and 1048576")
    if offset + _RECORDS + capacity * RECORD_SIZE > memory.size:
        raise CorruptRecordError(f"{where}: a ring of {capacity} records does not fit in its {memory.size}-byte mapping")
    return capacity


class _RingEnd:
    def __init__(self, memory: Memory, offset: int, where: str, wait: Wait, peer: _Peer | None):
        self.memory = memory
        self.offset = offset
        self.where = where
        self.wait = wait
        self.peer = peer
        self.capacity = _ring_capacity(memory, offset, where)
        self.mask = self.capacity - 1

    def _failure(self, status: int, what: str, timeout_ns: int) -> QueueError:
        if self.peer is not None:
            self.peer.resolve()
        description = self.peer.description if self.peer is not None else "the peer"
        pid = f" (pid {self.peer.pid})" if self.peer is not None and self.peer.pid > 0 else ""
        if status == _TIMED_OUT:
            return QueueTimeoutError(f"{self.where}: {description}{pid} did not {what} within {timeout_ns // 1_000_000} ms")
        if status == _PEER_DIED:
            return PeerDiedError(f"{self.where}: {description}{pid} died while this side waited for it to {what}")
        return PeerClosedError(f"{self.where}: {description}{pid} closed the channel")

    def _wake_both(self) -> None:
        self.memory.wake(self.offset + _TAIL, 1)
        self.memory.wake(self.offset + _HEAD, 1)


class RingProducer(_RingEnd):
    def __init__(self, memory: Memory, offset: int, where: str = "ring", wait: Wait | None = None, peer=None):
        super().__init__(memory, offset, where, wait or Wait(), peer)
        self.tail = memory.load(offset + _TAIL)
        self.cached_head = memory.load(offset + _HEAD)

    def try_send(self, message: Message) -> bool:
        """Publishes `message` if there is room (and sets its sequence); False when the ring is full."""
        _check_truncation()
        tail = self.tail
        if (tail - self.cached_head) & 0xFFFFFFFF >= self.capacity:
            self.cached_head = self.memory.load(self.offset + _HEAD)
            if (tail - self.cached_head) & 0xFFFFFFFF > self.capacity:
                _check_truncation()  # a truncated ring reads as zeros: the truncation is the cause
                raise CorruptRecordError(
                    f"{self.where}: ring counters are corrupt: tail {tail}, head {self.cached_head} (head is ahead of "
                    f"tail, or {(tail - self.cached_head) & 0xFFFFFFFF} records in flight in a ring of {self.capacity}). "
                    "Something other than the channel's consumer wrote into the ring."
                )
            if (tail - self.cached_head) & 0xFFFFFFFF >= self.capacity:
                return False
        if not 0 <= message.length <= PAYLOAD_BYTES:
            raise ValueError(f"{self.where}: payload of {message.length} bytes; a record holds at most {PAYLOAD_BYTES}")
        record = self.offset + _RECORDS + (tail & self.mask) * RECORD_SIZE
        _RECORD_BODY.pack_into(
            self.memory.view,
            record + 4,
            message.opcode & 0xFFFF,
            message.flags & 0xFFFF,
            message.length,
            message.correlation & 0xFFFFFFFF,
            *message.payload,
        )
        # The sequence publishes the record to a consumer spinning on it; the tail follows, for one that sleeps.
        self.memory.store(record, tail)
        message.sequence = tail
        self.tail = (tail + 1) & 0xFFFFFFFF
        self.memory.store(self.offset + _TAIL, self.tail)
        if self.memory.load(self.offset + _CONSUMER_SLEEPING) != 0:
            self.memory.wake(self.offset + _TAIL, 1)
        return True

    def send(self, message: Message, timeout_ns: int | None = None) -> None:
        timeout_ns = self.wait.timeout_ns if timeout_ns is None else timeout_ns
        while not self.try_send(message):
            if self.memory.load(self.offset + _CONSUMER_CLOSED) != 0:
                raise self._failure(_PEER_CLOSED, "receive", timeout_ns)
            status = _wait_for_change(
                self.memory,
                self.wait,
                self.peer,
                self.offset + _HEAD,
                self.cached_head,
                self.offset + _HEAD,
                self.cached_head,
                0,
                self.offset + _PRODUCER_SLEEPING,
                self.offset + _CONSUMER_CLOSED,
                timeout_ns,
            )
            if status != _READY:
                raise self._failure(status, "make room in a full ring", timeout_ns)

    def close(self) -> None:
        self.memory.store(self.offset + _PRODUCER_CLOSED, 1)
        self._wake_both()


class RingConsumer(_RingEnd):
    def __init__(self, memory: Memory, offset: int, where: str = "ring", wait: Wait | None = None, peer=None, opcodes=None):
        super().__init__(memory, offset, where, wait or Wait(), peer)
        self.head = memory.load(offset + _HEAD)
        tail = memory.load(offset + _TAIL)
        if (tail - self.head) & 0xFFFFFFFF > self.capacity:
            raise CorruptRecordError(
                f"{where}: ring counters are corrupt: tail {tail}, head {self.head} in a ring of {self.capacity} records"
            )
        self.opcodes = None if opcodes is None else frozenset(opcodes)

    def _peer_description(self) -> str:
        return self.peer.description if self.peer is not None else "the peer"

    def _corrupt_sequence(self, head: int, sequence: int) -> CorruptRecordError:
        _check_truncation()  # a truncated ring reads as zeros: the truncation is the cause
        return CorruptRecordError(
            f"{self.where}: corrupt record from {self._peer_description()} at position {head}: sequence {sequence} "
            f"(expected {head}, or {(head - self.capacity) & 0xFFFFFFFF} until it is published). Something other than "
            f"the channel's producer wrote into the ring; check that the peer speaks ring layout version "
            f"{RING_LAYOUT_VERSION}."
        )

    def try_receive(self, message: Message) -> bool:
        """Copies the next record into `message` and frees its slot; False when the ring is empty."""
        _check_truncation()
        head = self.head
        record = self.offset + _RECORDS + (head & self.mask) * RECORD_SIZE
        # The slot's sequence says whether record `head` is there (the tail, on the producer's line, is not read):
        # `head` once published, the sequence of the record a capacity before until then.
        sequence = self.memory.load(record)
        if sequence != head:
            if sequence == (head - self.capacity) & 0xFFFFFFFF:
                return False
            raise self._corrupt_sequence(head, sequence)
        fields = _RECORD.unpack_from(self.memory.view, record)  # one copy; everything below reads the copy
        _check_truncation()
        opcode, flags, length, correlation = fields[1:5]
        if length > PAYLOAD_BYTES:
            raise CorruptRecordError(
                f"{self.where}: corrupt record from {self._peer_description()} at position {head}: payload length "
                f"{length} (at most {PAYLOAD_BYTES}). Something other than the channel's producer wrote into the ring."
            )
        if self.opcodes is not None and opcode not in self.opcodes:
            raise CorruptRecordError(
                f"{self.where}: unknown opcode 0x{opcode:04x} from {self._peer_description()} at position {head}; the "
                "peer speaks another protocol version or sent garbage"
            )
        message.sequence = sequence
        message.opcode = opcode
        message.flags = flags
        message.length = length
        message.correlation = correlation
        message.payload[:] = fields[5:]
        self.head = (head + 1) & 0xFFFFFFFF
        self.memory.store(self.offset + _HEAD, self.head)
        if self.memory.load(self.offset + _PRODUCER_SLEEPING) != 0:
            self.memory.wake(self.offset + _HEAD, 1)
        return True

    def receive(self, message: Message, timeout_ns: int | None = None) -> None:
        timeout_ns = self.wait.timeout_ns if timeout_ns is None else timeout_ns
        while not self.try_receive(message):
            head = self.head
            status = _wait_for_change(
                self.memory,
                self.wait,
                self.peer,
                self.offset + _RECORDS + (head & self.mask) * RECORD_SIZE,  # the expected record's sequence
                (head - self.capacity) & 0xFFFFFFFF,
                self.offset + _TAIL,
                head,
                1,
                self.offset + _CONSUMER_SLEEPING,
                self.offset + _PRODUCER_CLOSED,
                timeout_ns,
            )
            if self.try_receive(message):  # a peer may publish and then close or die: deliver what it sent first
                return
            if status != _READY:
                raise self._failure(status, "send", timeout_ns)
            self._check_unpublished(head)

    def _check_unpublished(self, head: int) -> None:
        """The wait ended without record `head`: with a producer that follows the protocol that cannot be (it
        stores a tail past `head` after the record's sequence). Returns if the record came meanwhile."""
        tail = self.memory.load(self.offset + _TAIL)
        sequence = self.memory.load(self.offset + _RECORDS + (head & self.mask) * RECORD_SIZE)
        if sequence == head:
            return
        _check_truncation()
        ahead = (tail - head + 1) & 0xFFFFFFFF  # 0 for a tail one behind the head
        peer = self._peer_description()
        if ahead > self.capacity + 1:
            raise CorruptRecordError(
                f"{self.where}: ring counters from {peer} are corrupt: tail {tail}, head {head}, "
                f"{(tail - head) & 0xFFFFFFFF} records in flight in a ring of {self.capacity}. "
                "Something other than the channel's producer wrote into the ring."
            )
        if sequence != (head - self.capacity) & 0xFFFFFFFF:
            raise self._corrupt_sequence(head, sequence)
        if ahead > 1:
            raise CorruptRecordError(
                f"{self.where}: corrupt record from {peer} at position {head}: the tail ({tail}) says it was "
                f"published, but its slot still holds sequence {sequence}, the record a capacity before. Something "
                f"other than the channel's producer wrote into the ring; check that the peer speaks ring layout "
                f"version {RING_LAYOUT_VERSION}."
            )
        raise CorruptRecordError(
            f"{self.where}: corrupt ring from {peer} at position {head}: the tail ({tail}) or the record's sequence "
            f"({sequence}) moved back. Something other than the channel's producer wrote into the ring."
        )

    def close(self) -> None:
        self.memory.store(self.offset + _CONSUMER_CLOSED, 1)
        self._wake_both()


def format_channel(memory: Memory, offset: int, payload_size: int, capacity: int, driver_pid: int) -> None:
    """The driver's side of a channel payload at `offset`: both rings, then the control line (magic last)."""
    ring = _RECORDS + capacity * RECORD_SIZE
    if payload_size < CONTROL_LINE + 2 * ring:
        raise ValueError(f"a channel of capacity {capacity} needs {CONTROL_LINE + 2 * ring} payload bytes")
    format_ring(memory, offset + CONTROL_LINE, capacity)
    format_ring(memory, offset + CONTROL_LINE + ring, capacity)
    memory.set_u32(offset + 4, CHANNEL_LAYOUT_VERSION)
    memory.set_u32(offset + 8, capacity)
    memory.store(offset + 12, driver_pid)
    memory.store(offset, CHANNEL_MAGIC)


def attach_channel_control(memory: Memory, offset: int, payload_size: int, component_pid: int, where: str = "channel") -> int:
    """The component's side: checks the control line at `offset`, stores its pid, returns the ring capacity."""
    if payload_size < CONTROL_LINE or memory.load(offset) != CHANNEL_MAGIC:
        raise CorruptRecordError(f"{where}: not a channel (bad magic); the segment is corrupt")
    version, capacity = memory.u32(offset + 4), memory.u32(offset + 8)
    if version != CHANNEL_LAYOUT_VERSION:
        raise CorruptRecordError(f"{where}: channel layout version {version}, this conflux client speaks {CHANNEL_LAYOUT_VERSION}")
    if (
        capacity < 2
        or capacity > 1 << 20
        or capacity & (capacity - 1)
        or CONTROL_LINE + 2 * (_RECORDS + capacity * RECORD_SIZE) > payload_size
    ):
        raise CorruptRecordError(f"{where}: capacity {capacity} does not fit its {payload_size}-byte payload")
    # A compare-and-swap, not a store: two processes started as one rank must not both believe they own it.
    holder = memory.cas(offset + 16, 0, component_pid)
    if holder != 0:
        # Only the first loser is recorded: the driver names one contender, and it must stay the one it names.
        memory.cas(offset + 20, 0, component_pid)
        raise ChannelClaimedError(f"{where}: already claimed by pid {holder}", holder)
    return capacity


class ChannelClaimedError(ConfluxError):
    """Another process holds the channel: two processes were started as the same rank (or component)."""

    def __init__(self, message: str, holder: int):
        super().__init__(message)
        self.holder = holder


class Channel:
    """The component side of a channel the driver created: a ring from the driver and a ring to it."""

    def __init__(
        self,
        run: Run,
        name: str,
        wait: Wait | None = None,
        timeout_ms: int = 10_000,
        opcodes=None,
        driver_enclave_bound: bool | None = None,
    ):
        self.name = name
        self.segment = run.open_segment(name, KIND_RING, timeout_ms)
        memory = self.segment.memory
        payload = self.segment.payload_offset
        try:
            capacity = attach_channel_control(
                memory, payload, self.segment.payload_size, os.getpid(), f'channel "{name}" in {self.segment.path}'
            )
            wait = wait or Wait.from_environment()
            # In its own pid namespace or a guest the driver's pid names nobody; the enclave ends us with the driver.
            if driver_enclave_bound is None:
                driver_enclave_bound = _driver_is_enclave_bound()
            driver_pid = (lambda: 0) if driver_enclave_bound else (lambda: memory.load(payload + 12))
            self.peer = _Peer(driver_pid, "the driver")
            where = f'channel "{name}" (component side)'
            ring = _RECORDS + capacity * RECORD_SIZE
            self.receiver = RingConsumer(memory, payload + CONTROL_LINE, where, wait, self.peer, opcodes)
            self.sender = RingProducer(memory, payload + CONTROL_LINE + ring, where, wait, self.peer)
            # Each ring holds exactly the control line's capacity, or the two would overlap.
            if self.receiver.capacity != capacity or self.sender.capacity != capacity:
                raise CorruptRecordError(
                    f'channel "{name}" in {self.segment.path}: the control line says rings of {capacity} records, the '
                    f"rings say {self.receiver.capacity} and {self.sender.capacity}: the channel is corrupt"
                )
        except (ConfluxError, ValueError):
            self.segment.close()
            raise
        self.closed = False

    def send(self, message: Message, timeout_ns: int | None = None) -> None:
        self.sender.send(message, timeout_ns)

    def try_send(self, message: Message) -> bool:
        return self.sender.try_send(message)

    def receive(self, message: Message, timeout_ns: int | None = None) -> None:
        self.receiver.receive(message, timeout_ns)

    def try_receive(self, message: Message) -> bool:
        return self.receiver.try_receive(message)

    def reply(self, request: Message, reply: Message, timeout_ns: int | None = None) -> None:
        reply.correlation = request.sequence
        self.sender.send(reply, timeout_ns)

    def close(self) -> None:
        """Tells the driver this side is gone (it stops waiting at once) and releases the mapping."""
        if self.closed:
            return
        self.closed = True
        self.sender.close()
        self.receiver.close()
        self.peer.close()
        self.segment.close()


# ---- meshes ---------------------------------------------------------------------------
def _align64(value: int) -> int:
    return (value + 63) // 64 * 64


def mesh_geometry(dimension: int, count: int, field_count: int) -> tuple[int, int, int, int]:
    """(coordinates offset, fields offset, field stride, payload bytes) of a mesh segment's payload."""
    fields_offset = _align64(MESH_COORDINATES + count * dimension * 8)
    stride = _align64(count * 8)
    return MESH_COORDINATES, fields_offset, stride, fields_offset + field_count * stride


def _check_mesh_spec(dimension, count, layout, fields, where) -> None:
    if dimension not in (1, 2, 3):
        raise MeshMetadataError(f"{where}: dimension {dimension} is not 1, 2 or 3")
    if layout not in _LAYOUTS:
        raise MeshMetadataError(f'{where}: layout "{layout}" is not soa or interleaved')
    if not isinstance(count, int) or not 0 <= count <= MAX_POINTS:
        raise MeshMetadataError(f"{where}: point count {count} must be a whole number from 0 to {MAX_POINTS}")
    if not 1 <= len(fields) <= MAX_FIELDS:
        raise MeshMetadataError(f"{where}: {len(fields)} fields; a mesh shares 1 to {MAX_FIELDS}")
    seen = set()
    for field in fields:
        if not 1 <= len(field.encode("utf-8")) <= MAX_FIELD_NAME_BYTES:
            raise MeshMetadataError(f'{where}: field name "{field}" must be 1 to {MAX_FIELD_NAME_BYTES} bytes')
        if field in seen:
            raise MeshMetadataError(f'{where}: field "{field}" is listed twice')
        seen.add(field)


def _write_field_names(memory: Memory, offset: int, fields) -> None:
    """The field names of mesh or snapshot metadata: one 64-byte slot each from byte 64, NUL-padded UTF-8."""
    for index, field in enumerate(fields):
        at = offset + 64 + index * MAX_FIELD_NAME_BYTES
        memory.view[at : at + MAX_FIELD_NAME_BYTES] = field.encode("utf-8").ljust(MAX_FIELD_NAME_BYTES, b"\0")


def _read_layout_and_fields(memory: Memory, offset: int, layout_code: int, field_count: int, where: str):
    """The layout and field names of mesh or snapshot metadata another process wrote, each checked."""
    if layout_code not in (0, 1):
        raise MeshMetadataError(f"{where}: layout code {layout_code} is not 0 (soa) or 1 (interleaved)")
    if not 1 <= field_count <= MAX_FIELDS:
        raise MeshMetadataError(f"{where}: field count {field_count} is outside 1..{MAX_FIELDS}")
    fields = []
    for index in range(field_count):
        at = offset + 64 + index * MAX_FIELD_NAME_BYTES
        raw = bytes(memory.view[at : at + MAX_FIELD_NAME_BYTES]).split(b"\0", 1)[0]
        try:
            fields.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise MeshMetadataError(f"{where}: the name of field {index} is not valid UTF-8") from None
    return ("soa" if layout_code == 0 else "interleaved"), fields


def write_mesh(memory: Memory, offset: int, payload_size: int, dimension: int, count: int, layout: str, fields) -> None:
    """Writes mesh metadata at payload `offset`, the magic last."""
    fields = list(fields)
    _check_mesh_spec(dimension, count, layout, fields, "mesh")
    coordinates, fields_offset, stride, needed = mesh_geometry(dimension, count, len(fields))
    if payload_size < needed:
        raise MeshMetadataError(f"mesh: {count} points and {len(fields)} fields need {needed} bytes; got {payload_size}")
    struct.pack_into(
        "<IIIIIIII",
        memory.view,
        offset + 4,
        MESH_LAYOUT_VERSION,
        dimension,
        _LAYOUTS[layout],
        count,
        len(fields),
        coordinates,
        fields_offset,
        stride,
    )
    _write_field_names(memory, offset, fields)
    memory.store(offset, MESH_MAGIC)


class MeshSpec:
    __slots__ = ("dimension", "count", "layout", "fields", "coordinates_offset", "fields_offset", "field_stride")

    def __init__(self, dimension, count, layout, fields, coordinates_offset, fields_offset, field_stride):
        self.dimension = dimension
        self.count = count
        self.layout = layout
        self.fields = fields
        self.coordinates_offset = coordinates_offset
        self.fields_offset = fields_offset
        self.field_stride = field_stride


def read_mesh(memory: Memory, offset: int, payload_size: int, where: str = "mesh") -> MeshSpec:
    """Reads and checks mesh metadata; every inconsistency is an error that names it."""
    if payload_size < MESH_COORDINATES:
        raise MeshMetadataError(f"{where}: {payload_size} bytes cannot hold mesh metadata ({MESH_COORDINATES} bytes)")
    magic = memory.load(offset)
    if magic != MESH_MAGIC:
        raise MeshMetadataError(f"{where}: no mesh metadata (magic 0x{magic:x}); the component did not publish its mesh")
    version, dimension, layout_code, count, field_count, coordinates, fields_offset, stride = struct.unpack_from(
        "<IIIIIIII", memory.view, offset + 4
    )
    if version != MESH_LAYOUT_VERSION:
        raise MeshMetadataError(f"{where}: mesh layout version {version}, this conflux client reads {MESH_LAYOUT_VERSION}")
    layout, fields = _read_layout_and_fields(memory, offset, layout_code, field_count, where)
    _check_mesh_spec(dimension, count, layout, fields, where)
    expected = mesh_geometry(dimension, count, field_count)
    if (coordinates, fields_offset, stride) != expected[:3]:
        raise MeshMetadataError(
            f"{where}: offsets (coordinates {coordinates}, fields {fields_offset}, stride {stride}) disagree with "
            f"{count} points in {dimension}-D (expected {expected[0]}, {expected[1]}, {expected[2]})"
        )
    if expected[3] > payload_size:
        raise MeshMetadataError(
            f"{where}: {count} points and {field_count} fields need {expected[3]} bytes; the segment has {payload_size}"
        )
    return MeshSpec(dimension, count, layout, fields, coordinates, fields_offset, stride)



# ---- waveforms (docs/wire-format.md, "Waveform") ----------------------------------------
class WaveformError(ConfluxError):
    """A waveform's metadata, sample count or sample times cannot be used."""


def waveform_geometry(count: int, capacity: int) -> tuple[int, int, int]:
    """(values offset, stride, payload bytes) of a waveform segment's payload; times start at WAVEFORM_TIMES."""
    values = _align64(WAVEFORM_TIMES + capacity * 8)
    stride = _align64(count * 8)
    return values, stride, values + capacity * stride


def _waveform_spec_problem(role, count, capacity, degree) -> str | None:
    if role not in (WAVEFORM_BY_COMPONENT, WAVEFORM_BY_DRIVER):
        return f"role {role} is not 1 (written by the component) or 2 (written by the driver)"
    if not isinstance(count, int) or not 0 <= count <= MAX_POINTS:
        return f"point count {count} must be a whole number from 0 to {MAX_POINTS}"
    if not isinstance(capacity, int) or not MIN_WAVEFORM_CAPACITY <= capacity <= MAX_WAVEFORM_CAPACITY:
        return (
            f"capacity {capacity} must be a whole number from {MIN_WAVEFORM_CAPACITY} to {MAX_WAVEFORM_CAPACITY} "
            "samples (max_substeps + 1)"
        )
    if not isinstance(degree, int) or not 0 <= degree <= MAX_WAVEFORM_DEGREE:
        return f"degree {degree} must be a whole number from 0 to {MAX_WAVEFORM_DEGREE}"
    return None


def write_waveform(memory: Memory, offset: int, payload_size: int, role: int, count: int, capacity: int, degree: int) -> None:
    """Writes waveform metadata at payload `offset` (n = 0, window start 0), the magic last."""
    problem = _waveform_spec_problem(role, count, capacity, degree)
    if problem is not None:
        raise WaveformError(f"waveform: {problem}")
    needed = waveform_geometry(count, capacity)[2]
    if payload_size < needed:
        raise WaveformError(f"waveform: {capacity} samples of {count} points need {needed} bytes; got {payload_size}")
    struct.pack_into("<IIIIIIId", memory.view, offset + 4, WAVEFORM_LAYOUT_VERSION, role, count, capacity, degree, 0, 0, 0.0)
    memory.store(offset, WAVEFORM_MAGIC)


class WaveformSpec:
    __slots__ = ("role", "count", "capacity", "degree", "values_offset", "stride")

    def __init__(self, role, count, capacity, degree, values_offset, stride):
        self.role = role
        self.count = count
        self.capacity = capacity
        self.degree = degree
        self.values_offset = values_offset
        self.stride = stride


def read_waveform(memory: Memory, offset: int, payload_size: int, where: str = "waveform") -> WaveformSpec:
    """Reads and checks waveform metadata; every inconsistency is an error that names it."""
    if payload_size < WAVEFORM_TIMES:
        raise WaveformError(f"{where}: {payload_size} bytes cannot hold waveform metadata ({WAVEFORM_TIMES} bytes)")
    magic = memory.load(offset)
    if magic != WAVEFORM_MAGIC:
        raise WaveformError(
            f'{where}: no waveform metadata (magic 0x{magic:x}, expected 0x{WAVEFORM_MAGIC:x} "WAVE"); the driver did '
            "not create this waveform"
        )
    version, role, count, capacity, degree = struct.unpack_from("<IIIII", memory.view, offset + 4)
    if version != WAVEFORM_LAYOUT_VERSION:
        raise WaveformError(f"{where}: waveform layout version {version}, this conflux client reads {WAVEFORM_LAYOUT_VERSION}")
    problem = _waveform_spec_problem(role, count, capacity, degree)
    if problem is not None:
        raise WaveformError(f"{where}: {problem}")
    values, stride, needed = waveform_geometry(count, capacity)
    if needed > payload_size:
        raise WaveformError(
            f"{where}: {capacity} samples of {count} points need {needed} bytes; the segment has {payload_size}"
        )
    return WaveformSpec(role, count, capacity, degree, values, stride)


def waveform_sample_count(memory: Memory, offset: int, capacity: int, where: str = "waveform") -> int:
    """Loads the sample count once (acquire) and checks it is 1..capacity."""
    n = memory.load(offset + WAVEFORM_SAMPLE_COUNT)
    if not 1 <= n <= capacity:
        signed = n - (1 << 32) if n >= 1 << 31 else n
        raise WaveformError(f"{where}: sample count {signed} is outside 1..{capacity}")
    return n


def set_waveform_sample_count(memory: Memory, offset: int, n: int) -> None:
    """Publishes the sample count (release), after the samples and times it covers."""
    memory.store(offset + WAVEFORM_SAMPLE_COUNT, n)


def _is_finite(x: float) -> bool:
    return x - x == 0.0


def same_time(a: float, b: float) -> bool:
    """Whether two times are one: |a - b| <= TIME_TOLERANCE * max(1, |a|, |b|)."""
    if a == b:
        return True
    # An infinite time (a window whose size the component's step sets) is the same only as itself.
    difference = abs(a - b)
    return difference != float("inf") and difference <= TIME_TOLERANCE * max(1.0, abs(a), abs(b))


def check_sample_times(times, n: int, window_start: float, window_end: float, where: str = "waveform") -> None:
    """The first n times: finite, strictly increasing, times[0] at window_start, none after window_end (inf: no end)."""
    first = times[0]
    if not _is_finite(first) or abs(first - window_start) > TIME_TOLERANCE * max(1.0, abs(window_start)):
        raise WaveformError(f"{where}: sample 0 is at time {first!r}, not at the window start {window_start!r}")
    end_slack = TIME_TOLERANCE * max(1.0, abs(window_end)) if _is_finite(window_end) else 0.0
    previous = first
    for i in range(1, n):
        t = times[i]
        if not _is_finite(t):
            raise WaveformError(f"{where}: sample {i} has time {t!r}")
        if not t > previous:
            raise WaveformError(f"{where}: sample {i} is at time {t!r}, not after sample {i - 1} at {previous!r}")
        if t - window_end > end_slack:
            raise WaveformError(f"{where}: sample {i} is at time {t!r}, after the window's end {window_end!r}")
        previous = t


# ---- interpolation in time (as src/bspline/time-interpolation.ts) -----------------------
SAME_TIME_TOLERANCE = 1e-14


class TimeInterpolation:
    """preCICE's Waveform::sample as weights: value(t) = sum_i w_i(t) * sample_i.

    Used degree min(degree, n - 1); degree 0: the first sample at or after t; a sample time within 1e-14 of t: that
    sample; otherwise the interpolating B-spline through all n samples (times normalised to [0, 1], knots by
    averaging, the banded collocation matrix factorised without pivoting), w = A^-T b(t)."""

    def __init__(self, capacity: int):
        if not isinstance(capacity, int) or capacity < 1:
            raise ValueError(f"time interpolation: capacity {capacity} must be a whole number >= 1")
        self.capacity = capacity
        self.n = 0
        self.used_degree = 0
        self._times: list[float] = []
        self._knots: list[float] = []
        self._band: list[list[float]] = []  # the LU factors of A, row i's columns i-p..i+p at [i][column - i + p]

    def prepare(self, times, n: int, degree: int) -> None:
        """For samples at times[0..n-1] (strictly increasing, checked by the caller), read with `degree`."""
        if not isinstance(n, int) or not 1 <= n <= self.capacity:
            raise ValueError(f"time interpolation: {n} samples, outside 1..{self.capacity}")
        if not isinstance(degree, int) or not 0 <= degree <= MAX_WAVEFORM_DEGREE:
            raise ValueError(f"time interpolation: degree {degree} is outside 0..{MAX_WAVEFORM_DEGREE}")
        self.n = n
        self.used_degree = p = min(degree, n - 1)
        self._times = [float(times[i]) for i in range(n)]
        if p == 0:
            return
        first = self._times[0]
        span = self._times[n - 1] - first
        u = [(t - first) / span for t in self._times]
        u[0], u[n - 1] = 0.0, 1.0
        knots = [0.0] * (n + p + 1)
        for j in range(p + 1):
            knots[n + j] = 1.0
        for j in range(1, n - p):
            total = 0.0
            for i in range(j, j + p):
                total += u[i]
            knots[j + p] = total / p
        self._knots = knots
        band = [[0.0] * (2 * p + 1) for _ in range(n)]
        band[0][p] = 1.0
        band[n - 1][p] = 1.0
        for i in range(1, n - 1):
            s, basis = self._basis(u[i])
            for k in range(p + 1):
                band[i][s - p + k - i + p] = basis[k]
        for k in range(n):
            pivot = band[k][p]
            if not abs(pivot) > 0.0:
                raise ValueError(f"time interpolation: the collocation matrix is singular at row {k}")
            last = min(n - 1, k + p)
            for i in range(k + 1, last + 1):
                factor = band[i][k - i + p] / pivot
                band[i][k - i + p] = factor
                if factor == 0.0:
                    continue
                for j in range(k + 1, last + 1):
                    band[i][j - i + p] = band[i][j - i + p] - factor * band[k][j - k + p]
        self._band = band

    def _basis(self, u: float) -> tuple[int, list[float]]:
        """The span s and the p + 1 non-zero basis functions at u (The NURBS Book A2.2)."""
        p, n, knots = self.used_degree, self.n, self._knots
        s = p
        if u > knots[0]:
            s = n - 1
            for k in range(p, n):
                if knots[k] > u:
                    s = k - 1
                    break
        basis = [1.0] + [0.0] * p
        left = [0.0] * (p + 1)
        right = [0.0] * (p + 1)
        for j in range(1, p + 1):
            left[j] = u - knots[s + 1 - j]
            right[j] = knots[s + j] - u
            saved = 0.0
            for r in range(j):
                temp = basis[r] / (right[r + 1] + left[j - r])
                basis[r] = saved + right[r + 1] * temp
                saved = left[j - r] * temp
            basis[j] = saved
        return s, basis

    def weights(self, t: float) -> list[float]:
        """The n weights at time t."""
        n = self.n
        if n == 0:
            raise ValueError("time interpolation: weights before prepare")
        times = self._times
        w = [0.0] * n
        if self.used_degree == 0:
            chosen = n - 1
            if n > 1:
                for i in range(n):
                    if times[i] - t >= -SAME_TIME_TOLERANCE:
                        chosen = i
                        break
            w[chosen] = 1.0
            return w
        for i in range(n):
            difference = times[i] - t
            if abs(difference) <= SAME_TIME_TOLERANCE:
                w[i] = 1.0
                return w
            if difference > SAME_TIME_TOLERANCE:
                break
        p, band = self.used_degree, self._band
        first = times[0]
        u = (t - first) / (times[n - 1] - first)
        u = 0.0 if not u > 0.0 else min(1.0, u)
        s, basis = self._basis(u)
        for k in range(p + 1):
            w[s - p + k] = basis[k]
        for k in range(s - p, n):
            total = w[k]
            for i in range(max(0, k - p), k):
                total -= band[i][k - i + p] * w[i]
            w[k] = total / band[k][p]
        for k in range(n - 1, -1, -1):
            total = w[k]
            for i in range(k + 1, min(n - 1, k + p) + 1):
                total -= band[i][k - i + p] * w[i]
            w[k] = total
        return w


# ---- snapshots (docs/wire-format.md, "Snapshot") -------------------------------------------
class SnapshotError(ConfluxError):
    """A snapshot its writer left unusable: `latest` went back, or no whole snapshot could be copied."""


def snapshot_geometry(dimension: int, count: int, field_count: int) -> tuple[int, int, int, int, int, int]:
    """(buffers offset, buffer stride, coordinates offset, fields offset, field stride, payload bytes) of a
    snapshot segment's payload; the offsets of coordinates and fields are from a buffer's start."""
    fields_offset = _align64(SNAPSHOT_COORDINATES + count * dimension * 8)
    stride = _align64(count * 8)
    buffer_stride = fields_offset + field_count * stride
    return SNAPSHOT_BUFFERS, buffer_stride, SNAPSHOT_COORDINATES, fields_offset, stride, SNAPSHOT_BUFFERS + 2 * buffer_stride


def write_snapshot(memory: Memory, offset: int, payload_size: int, dimension: int, count: int, layout: str, fields) -> None:
    """Writes snapshot metadata at payload `offset`, the magic last; latest and both sequence words stay 0."""
    fields = list(fields)
    _check_mesh_spec(dimension, count, layout, fields, "snapshot")
    buffers, buffer_stride, _, fields_offset, stride, needed = snapshot_geometry(dimension, count, len(fields))
    if payload_size < needed:
        raise MeshMetadataError(f"snapshot: {count} points and {len(fields)} fields need {needed} bytes; got {payload_size}")
    struct.pack_into(
        "<IIIIIIIII",
        memory.view,
        offset + 4,
        SNAPSHOT_LAYOUT_VERSION,
        dimension,
        _LAYOUTS[layout],
        count,
        len(fields),
        buffers,
        buffer_stride,
        fields_offset,
        stride,
    )
    _write_field_names(memory, offset, fields)
    memory.store(offset, SNAPSHOT_MAGIC)


def read_snapshot(memory: Memory, offset: int, payload_size: int, where: str = "snapshot") -> MeshSpec:
    """Reads and checks snapshot metadata (as a MeshSpec: dimension, count, layout, fields); every inconsistency
    is an error that names it."""
    if payload_size < SNAPSHOT_BUFFERS:
        raise MeshMetadataError(f"{where}: {payload_size} bytes cannot hold snapshot metadata ({SNAPSHOT_BUFFERS} bytes)")
    magic = memory.load(offset)
    if magic != SNAPSHOT_MAGIC:
        raise MeshMetadataError(
            f"{where}: no snapshot metadata (magic 0x{magic:x}); its writer did not publish the snapshot's layout"
        )
    version, dimension, layout_code, count, field_count, buffers, buffer_stride, fields_offset, stride = struct.unpack_from(
        "<IIIIIIIII", memory.view, offset + 4
    )
    if version != SNAPSHOT_LAYOUT_VERSION:
        raise MeshMetadataError(f"{where}: snapshot layout version {version}, this conflux client reads {SNAPSHOT_LAYOUT_VERSION}")
    layout, fields = _read_layout_and_fields(memory, offset, layout_code, field_count, where)
    _check_mesh_spec(dimension, count, layout, fields, where)
    expected = snapshot_geometry(dimension, count, field_count)
    stored = (buffers, buffer_stride, fields_offset, stride)
    wanted = (expected[0], expected[1], expected[3], expected[4])
    if stored != wanted:
        raise MeshMetadataError(
            f"{where}: offsets (buffers {buffers}, buffer stride {buffer_stride}, fields {fields_offset}, field stride "
            f"{stride}) disagree with {count} points and {field_count} fields in {dimension}-D (expected "
            f"{', '.join(str(value) for value in wanted)})"
        )
    if expected[5] > payload_size:
        raise MeshMetadataError(
            f"{where}: {count} points and {field_count} fields need {expected[5]} bytes in two buffers; the segment has "
            f"{payload_size}"
        )
    return MeshSpec(dimension, count, layout, fields, SNAPSHOT_COORDINATES, fields_offset, stride)


def _views(buffer, offset: int, spec: MeshSpec) -> tuple:
    """Coordinates and {field: values} over `buffer` (a mapping or a bytearray) for a snapshot buffer at `offset`."""
    numpy = _numpy()

    def view(at: int, length: int):
        if numpy is not None:
            return numpy.frombuffer(buffer, dtype=numpy.float64, count=length, offset=at)
        return memoryview(buffer)[at : at + 8 * length].cast("d")

    coordinates = view(offset + SNAPSHOT_COORDINATES, spec.count * spec.dimension)
    fields = {field: view(offset + spec.fields_offset + i * spec.field_stride, spec.count) for i, field in enumerate(spec.fields)}
    return coordinates, fields


class _SnapshotBuffer:
    """The views of the buffer a writer fills: write in place, then publish()."""

    def __init__(self, coordinates, fields: dict, where: str):
        self.coordinates = coordinates
        self._fields = fields
        self._where = where

    def field(self, name: str):
        if name not in self._fields:
            raise KeyError(f'{self._where} has no field "{name}"; it has {", ".join(self._fields)}')
        return self._fields[name]


class SnapshotWriter:
    """The owner's side of a snapshot: fill the buffer begin() returns, then publish(). It never waits: snapshot k
    goes into buffer k mod 2, between its sequence word made 2k - 1 and then 2k, and `latest` names it after."""

    def __init__(self, component: str, name: str, segment: Segment, spec: MeshSpec):
        self.component = component
        self.name = name
        self.segment = segment
        self.spec = spec
        self.where = f'snapshot "{segment.name}" of component "{component}"'
        buffers, buffer_stride = snapshot_geometry(spec.dimension, spec.count, len(spec.fields))[:2]
        base = segment.payload_offset + buffers
        self._sequence = [base, base + buffer_stride]
        self._buffers = [
            _SnapshotBuffer(*_views(segment.memory.buffer, at, spec), self.where) for at in self._sequence
        ]
        self.count = 0  # published so far: the writer counts itself, it never trusts the segment's words
        self._open = False

    def begin(self) -> _SnapshotBuffer:
        """Marks the buffer of snapshot k = count + 1 (which held k - 2) as being written; returns its views."""
        if self._open:
            raise SnapshotError(f"{self.where}: begin() twice without publish()")
        k = self.count + 1
        self.segment.memory.store(self._sequence[k & 1] + SNAPSHOT_SEQUENCE, 2 * k - 1)  # before any data is written
        self._open = True
        return self._buffers[k & 1]

    def publish(self, step: float = 0.0, time_: float = 0.0) -> int:
        """The buffer is whole: stamps it with the step and time, makes its word 2k, names it latest and wakes the
        readers sleeping on it. Returns k."""
        if not self._open:
            raise SnapshotError(f"{self.where}: publish() without begin()")
        _check_truncation()  # a truncated segment took the writes as zeros: say so instead of publishing them
        memory, k = self.segment.memory, self.count + 1
        at = self._sequence[k & 1]
        struct.pack_into("<dd", memory.view, at + SNAPSHOT_STEP, float(step), float(time_))
        memory.store(at + SNAPSHOT_SEQUENCE, 2 * k)
        memory.store(self.segment.payload_offset + SNAPSHOT_LATEST, k)
        memory.wake(self.segment.payload_offset + SNAPSHOT_LATEST, 0x7FFFFFFF)
        self.count, self._open = k, False
        return k

    def close(self) -> None:
        self._buffers = []
        self.segment.close()


class SnapshotReader:
    """A reader's side of a snapshot: read() copies the latest one, whole, into arrays of this reader's own
    (`coordinates`, `field(name)`: numpy arrays, or memoryviews without numpy), with its `number`, `step` and
    `time`; `read` counts the snapshots copied and `skipped` those published but overwritten before this reader
    came to them. The writer is another component: what it wrote is checked before it is used."""

    def __init__(self, component: str, name: str, segment: Segment):
        self.component = component
        self.name = name
        self.segment = segment
        self.where = f'component "{component}": snapshot "{segment.name}"'
        try:
            self.spec = read_snapshot(segment.memory, segment.payload_offset, segment.payload_size, self.where)
        except ConfluxError:
            segment.close()
            raise
        buffers, buffer_stride = snapshot_geometry(self.spec.dimension, self.spec.count, len(self.spec.fields))[:2]
        base = segment.payload_offset + buffers
        self._sequence = [base, base + buffer_stride]
        self._data = buffer_stride - SNAPSHOT_COORDINATES  # coordinates and fields: one copy of one range
        self._copy = bytearray(buffer_stride)
        self.coordinates, self._fields = _views(self._copy, 0, self.spec)
        self._copy_view = memoryview(self._copy)
        self._fence = ctypes.c_uint32(0)  # a private word: a read-modify-write on it orders the copy's loads
        self.number = 0
        self.step = self.time = float("nan")
        self.read = self.skipped = 0

    def field(self, name: str):
        if name not in self._fields:
            raise KeyError(f'{self.where} has no field "{name}"; it has {", ".join(self.spec.fields)}')
        return self._fields[name]

    def latest(self) -> int:
        """The number `latest` holds now (0: nothing published yet)."""
        return self.segment.memory.load(self.segment.payload_offset + SNAPSHOT_LATEST)

    def try_read(self) -> bool:
        """Copies the latest snapshot if it is newer than the one held: True when it did (a seqlock: the copy is
        kept only if the buffer's sequence word read 2k before and after it). Raises SnapshotError when `latest`
        went back, or when SNAPSHOT_READ_ATTEMPTS copies in a row were overwritten."""
        memory, view = self.segment.memory, self.segment.memory.view
        for _ in range(SNAPSHOT_READ_ATTEMPTS):
            k = self.latest()
            if k == 0 or k == self.number:
                return False
            ahead = (k - self.number) & 0xFFFFFFFF
            if ahead >= 0x80000000:
                raise SnapshotError(
                    f"{self.where}: its latest snapshot went back from {self.number} to {k}; its writer wrote out of turn"
                )
            at = self._sequence[k & 1]
            sequence = (2 * k) & 0xFFFFFFFF
            if memory.load(at + SNAPSHOT_SEQUENCE) != sequence:
                continue  # overwritten since: the newer latest is whole
            step, time_ = struct.unpack_from("<dd", view, at + SNAPSHOT_STEP)
            self._copy_view[SNAPSHOT_COORDINATES:] = view[at + SNAPSHOT_COORDINATES : at + SNAPSHOT_COORDINATES + self._data]
            _atomics.add(ctypes.addressof(self._fence), 0)  # a full barrier: the copy's loads before the next one
            if memory.load(at + SNAPSHOT_SEQUENCE) != sequence:
                continue  # written while it was copied: torn
            _check_truncation()  # a truncated segment reads as zeros: that is no snapshot
            self.skipped += ahead - 1
            self.read += 1
            self.number, self.step, self.time = k, step, time_
            return True
        raise SnapshotError(
            f"{self.where}: no whole snapshot could be copied in {SNAPSHOT_READ_ATTEMPTS} tries; its writer publishes "
            "two snapshots faster than one is copied, or writes out of turn"
        )

    def wait(self, timeout_ns: int) -> None:
        """Sleeps until `latest` changes from the snapshot held, or timeout_ns passes."""
        self.segment.memory.wait(self.segment.payload_offset + SNAPSHOT_LATEST, self.number, timeout_ns)

    def close(self) -> None:
        self.coordinates, self._fields = None, {}
        self._copy_view.release()
        self.segment.close()


def _numpy():
    if os.environ.get("CONFLUX_NO_NUMPY", "") not in ("", "0"):
        return None
    try:
        import numpy
    except ImportError:
        return None
    return numpy


class Mesh:
    """A mesh in a shared segment: coordinates and fields are views of the segment, written in place."""

    def __init__(
        self, component: str, name: str, segment: Segment, dimension: int, count: int, layout: str, fields, label=None
    ):
        self.component = component
        self._label = label or f'component "{component}"'
        self.name = name
        self.segment = segment
        self.dimension = dimension
        self.count = count
        self.layout = layout
        self.fields = list(fields)
        _, fields_offset, stride, _ = mesh_geometry(dimension, count, len(self.fields))
        base = segment.payload_offset
        numpy = _numpy()
        mapping = segment.memory.buffer

        def view(offset: int, length: int):
            if numpy is not None:
                return numpy.frombuffer(mapping, dtype=numpy.float64, count=length, offset=offset)
            return memoryview(mapping)[offset : offset + 8 * length].cast("d")

        self.coordinates = view(base + MESH_COORDINATES, count * dimension)
        self._fields = {field: view(base + fields_offset + i * stride, count) for i, field in enumerate(self.fields)}

    def field(self, name: str):
        if name not in self._fields:
            raise KeyError(
                f'mesh "{self.name}" of {self._label} has no field "{name}"; it has {", ".join(self.fields)}'
            )
        return self._fields[name]

    def close(self) -> None:
        self.coordinates = None
        self._fields = {}
        self.segment.close()


# ---- the component ---------------------------------------------------------------------
class Component:
    """What a component calls: share meshes, say ready, then step until the driver says stop."""

    def __init__(self, name: str, args: dict, run: Run, channel: Channel, rank: int = 0, ranks: int = 1):
        self.name = name
        #: This process's rank, 0 <= rank < ranks, and the component's rank count (1 when serial): docs/parallel.md.
        self.rank = rank
        self.ranks = ranks
        #: What its channel and segments are named after: "<name>@<rank>" with more than one rank.
        self.ranked_name = ranked_name(name, rank, ranks)
        self._label = _component_label(name, rank, ranks)
        self.args = args
        self.run = run
        self.channel = channel
        self.meshes: dict[str, Mesh] = {}
        self.snapshots: dict[str, SnapshotWriter] = {}
        self._readers: dict[str, SnapshotReader] = {}
        self._step = -1
        self._request = Message()
        self._reply = Message()
        self._closed = False
        self._ready = False
        self._stopped = False
        # A run in physical time: the fields' waveforms, and the window attempt under way.
        self._written: list[_Waveform] = []
        self._readable: dict[tuple[str, str], _Waveform] = {}
        self._max_substeps = 1 << 62
        self._window = self._window_iteration = -1
        self._start = self._size = self._time = 0.0
        self._run_end = float("inf")
        self._flags = self._substeps = self._attempt = 0
        self._in_attempt = self._checkpoint_written = self._checkpoint_restored = False

    def share_mesh(self, name: str, dimension: int, count: int, layout: str = "soa", fields=("value",)) -> Mesh:
        """Allocates mesh `name` in a shared segment and publishes its metadata."""
        if name in self.meshes:
            raise ConfluxError(f'mesh "{name}" is already shared by {self._label}')
        fields = list(fields)
        where = f'mesh "{name}" of {self._label}'
        _check_mesh_spec(dimension, count, layout, fields, where)
        payload = mesh_geometry(dimension, count, len(fields))[3]
        segment = self.run.create_segment(f"{self.ranked_name}.mesh.{name}", payload, KIND_MESH)
        try:
            write_mesh(segment.memory, segment.payload_offset, payload, dimension, count, layout, fields)
            mesh = Mesh(self.name, name, segment, dimension, count, layout, fields, self._label)
        except (ConfluxError, ValueError):
            segment.close()
            raise
        self.meshes[name] = mesh
        return mesh

    def share_snapshot(self, name: str, dimension: int, count: int, layout: str = "soa", fields=("value",)) -> SnapshotWriter:
        """Allocates mesh `name` as a snapshot (docs/wire-format.md, "Snapshot"): published double-buffered, with
        writer.begin() and writer.publish(step, time), for components that read it while this one runs on (the
        composition's `asynchronous`). It is checked against the composition's declaration like a mesh."""
        if name in self.meshes or name in self.snapshots:
            raise ConfluxError(f'mesh or snapshot "{name}" is already shared by {self._label}')
        fields = list(fields)
        where = f'snapshot "{name}" of {self._label}'
        _check_mesh_spec(dimension, count, layout, fields, where)
        payload = snapshot_geometry(dimension, count, len(fields))[5]
        segment = self.run.create_segment(f"{self.ranked_name}.snapshot.{name}", payload, KIND_SNAPSHOT)
        try:
            write_snapshot(segment.memory, segment.payload_offset, payload, dimension, count, layout, fields)
            spec = read_snapshot(segment.memory, segment.payload_offset, payload, where)
            writer = SnapshotWriter(self.name, name, segment, spec)
        except (ConfluxError, ValueError):
            segment.close()
            raise
        self.snapshots[name] = writer
        return writer

    def snapshot(self, name: str) -> SnapshotReader:
        """After ready(): the snapshot this component reads as `name` (the `to` of an asynchronous coupling), mapped
        and its metadata checked. Read it with next_snapshot(reader), or reader.try_read() in a loop of your own."""
        if not self._ready:
            raise ConfluxError(f'{self._label}: snapshot("{name}") needs ready() first')
        if name in self._readers:
            return self._readers[name]
        text = os.environ.get(SNAPSHOTS_VARIABLE, "")
        try:
            names = json.loads(text) if text else {}
        except ValueError:
            raise ConfluxError(f"{SNAPSHOTS_VARIABLE} is not JSON: {text[:80]}") from None
        segment_name = names.get(name) if isinstance(names, dict) else None
        if not isinstance(segment_name, str):
            known = ", ".join(names) if isinstance(names, dict) and names else "none"
            raise ConfluxError(
                f'{self._label} reads no snapshot "{name}": the composition\'s asynchronous couplings give it '
                f"{known}. Add one with to: {self.name}.{name}"
            )
        reader = SnapshotReader(self.name, name, self.run.open_segment(segment_name, KIND_SNAPSHOT))
        self._readers[name] = reader
        return reader

    def next_snapshot(self, reader: SnapshotReader, timeout_ms: int | None = None) -> int | None:
        """Waits until `reader` has copied a snapshot newer than the one it holds and returns its number, answering
        the driver's pings meanwhile. When the driver says stop, the latest snapshot is still copied if it is new
        (its writer has stopped, so the last one is never missed), then bye is sent and None returned after it.
        A component that only reads snapshots (left out of coupling.order) loops on this until it returns None."""
        channel, reply = self.channel, self._reply
        deadline = None if timeout_ms is None else _now_ns() + timeout_ms * 1_000_000
        while True:
            if self._stopped:
                return reader.number if reader.try_read() else None
            if reader.try_read():
                return reader.number
            while channel.try_receive(reply):
                if reply.opcode == PING:
                    channel.reply(reply, self._request.set(PONG))
                elif reply.opcode == STOP:
                    channel.send(self._request.set(BYE))
                    self._stopped = True
                    break
                else:
                    raise QueueError(
                        f'{self._label}: the driver sent {_OPCODE_NAMES.get(reply.opcode, hex(reply.opcode))} '
                        "to a component that only reads snapshots; put it in coupling.order and loop on next_step() "
                        "instead"
                    )
            if self._stopped:
                continue
            if deadline is not None and _now_ns() >= deadline:
                raise QueueTimeoutError(
                    f'{self._label}: no new snapshot in "{reader.segment.name}" within {timeout_ms} ms'
                )
            reader.wait(_SNAPSHOT_SLICE_NS)

    def _measure_meshes(self) -> None:
        """A truncation within a mesh's last page raises no SIGBUS: its file is measured once a step."""
        for segment in [mesh.segment for mesh in self.meshes.values()] + [s.segment for s in self.snapshots.values()]:
            if not segment.intact():
                raise _truncation_error(segment)

    def ready(self) -> None:
        """Tells the driver the meshes are published (hello), waits for its ACK, then attaches the waveforms the
        driver created for the meshes' fields (none in an iteration run)."""
        self._measure_meshes()
        self.channel.send(self._request.set(HELLO, len(self.meshes)))
        self.channel.receive(self._reply)
        if self._reply.opcode != ACK:
            raise self._unexpected(ACK)
        self._attach_waveforms()
        self._ready = True

    def next_step(self) -> int:
        """Waits for the next go and returns its iteration, answering pings; -1 (after bye) when the driver says stop."""
        channel, reply = self.channel, self._reply
        channel.receive(reply)
        while reply.opcode == PING:
            channel.reply(reply, self._request.set(PONG))
            channel.receive(reply)
        if reply.opcode == STOP:
            channel.send(self._request.set(BYE))
            return -1
        if reply.opcode == WINDOW:
            raise QueueError(
                f'{self._label}: the driver sent window: this is a run in physical time; loop on '
                "is_coupling_ongoing() and advance(dt), not next_step()"
            )
        if reply.opcode != GO:
            raise self._unexpected(GO)
        self._measure_meshes()  # before the step writes into them
        step = reply.payload[0]
        if not (0 <= step <= 0x7FFFFFFF and step == int(step)):  # NaN fails the first test, so int() never sees it
            raise CorruptRecordError(
                f'{self._label}: the driver\'s go carries iteration {step!r}, which is not a whole number '
                "from 0 to 2147483647; the driver is broken or something else wrote into the channel"
            )
        self._step = int(step)
        return self._step

    def done(self) -> None:
        """The current step's fields are written."""
        self._measure_meshes()
        self.channel.send(self._request.set(DONE, self._step))

    def loop(self, step) -> None:
        """ready(), then step(iteration) and done() for every go until stop."""
        self.ready()
        iteration = self.next_step()
        while iteration >= 0:
            step(iteration)
            self.done()
            iteration = self.next_step()

    # ---- runs in physical time ---------------------------------------------------------
    def _attach_waveforms(self) -> None:
        """After ack: the waveforms the driver created for the meshes' fields (a field without one is not coupled in time)."""
        self._written: list[_Waveform] = []
        self._readable: dict[tuple[str, str], _Waveform] = {}
        try:
            for mesh_name, mesh in self.meshes.items():
                for field in mesh.fields:
                    name = f"{self.ranked_name}.{mesh_name}.{field}.waveform"
                    if len(name.encode("utf-8")) > MAX_NAME_BYTES or self.run.registry.lookup(name) is None:
                        continue
                    waveform = _Waveform(self.run.open_segment(name, KIND_WAVEFORM), self._label, mesh, field)
                    if waveform.role == WAVEFORM_BY_COMPONENT:
                        self._written.append(waveform)
                    else:
                        self._readable[(mesh_name, field)] = waveform
            _check_truncation()
        except ConfluxError:
            self._close_waveforms()
            raise
        capacities = [w.capacity for w in self._written] + [w.capacity for w in self._readable.values()]
        self._max_substeps = min(capacities) - 1 if capacities else 1 << 62

    def _close_waveforms(self) -> None:
        for waveform in self._written + list(self._readable.values()):
            waveform.close()
        self._written, self._readable = [], {}

    def _time_state(self, what: str) -> None:
        if not self._ready:
            raise TimeCouplingError(f'{self._label}: {what} needs ready() first')

    def _check_attempt(self, what: str) -> None:
        self._time_state(what)
        if not self._in_attempt:
            raise TimeCouplingError(
                f'{self._label}: {what} with no window under way; call is_coupling_ongoing() first (and '
                "stop when it is False)"
            )

    def is_coupling_ongoing(self) -> bool:
        """Whether the run goes on. Inside a window attempt: True at once. After the attempt's last advance (and
        before the first window): waits for the driver, answering pings, and starts the attempt it announces; False
        when the driver says stop (bye has then been sent)."""
        self._time_state("is_coupling_ongoing()")
        _check_truncation()
        if self._stopped or self._closed:
            return False
        if self._in_attempt:
            return True
        channel, reply = self.channel, self._reply
        channel.receive(reply)
        while reply.opcode == PING:
            channel.reply(reply, self._request.set(PONG))
            channel.receive(reply)
        if reply.opcode == STOP:
            channel.send(self._request.set(BYE))
            self._stopped = True
            return False
        if reply.opcode == GO:
            raise QueueError(
                f'{self._label}: the driver sent go: this is an iteration run; loop on next_step() and '
                "done(), not is_coupling_ongoing()"
            )
        if reply.opcode != WINDOW:
            raise self._unexpected(WINDOW)
        self._measure_meshes()
        for waveform in self._written:  # a truncation within a page raises no SIGBUS: measured before writing
            waveform.measure()
        self._begin_attempt(reply.payload)
        return True

    def _begin_attempt(self, payload) -> None:
        window, iteration = payload[WINDOW_SLOT_WINDOW], payload[WINDOW_SLOT_ITERATION]
        start, size = payload[WINDOW_SLOT_START], payload[WINDOW_SLOT_SIZE]
        flags, end = payload[WINDOW_SLOT_FLAGS], payload[WINDOW_SLOT_END]

        def whole(x) -> bool:
            return _is_finite(x) and 0 <= x <= 0x7FFFFFFF and x == int(x)

        problem = None
        if not whole(window):
            problem = f"window index {window!r}"
        elif not whole(iteration):
            problem = f"iteration {iteration!r}"
        elif not _is_finite(start):
            problem = f"start time {start!r}"
        elif not size > 0:
            problem = f"window size {size!r}"
        elif not whole(flags) or int(flags) & ~(WINDOW_WRITE_CHECKPOINT | WINDOW_READ_CHECKPOINT | WINDOW_LAST):
            problem = f"flags {flags!r}"
        elif not end > start:
            problem = f"run end {end!r} (the window starts at {start!r})"
        if problem is not None:
            raise CorruptRecordError(f'{self._label}: the driver sent a window with {problem}')
        new_window = iteration == 0
        self._window, self._window_iteration = int(window), int(iteration)
        self._start, self._size, self._flags, self._run_end = start, size, int(flags), end
        self._time = start
        self._substeps = 0
        self._in_attempt = True
        self._checkpoint_written = self._checkpoint_restored = False
        self._attempt += 1
        for waveform in self._written:
            waveform.begin(start, new_window)
        _check_truncation()

    def _attempt_end(self) -> float:
        return min(self._start + self._size, self._run_end)

    def _requires(self, flag: int, answered: bool) -> bool:
        return self._in_attempt and bool(self._flags & flag) and not answered and self._substeps == 0

    def requires_writing_checkpoint(self) -> bool:
        """True at the start of an attempt whose state the component must save (then checkpoint_written)."""
        self._time_state("requires_writing_checkpoint()")
        return self._requires(WINDOW_WRITE_CHECKPOINT, self._checkpoint_written)

    def requires_reading_checkpoint(self) -> bool:
        """True at the start of a repeated attempt: restore the saved state (then checkpoint_restored)."""
        self._time_state("requires_reading_checkpoint()")
        return self._requires(WINDOW_READ_CHECKPOINT, self._checkpoint_restored)

    def _answer_checkpoint(self, flag: int, time_: float, opcode: int, what: str) -> None:
        self._check_attempt(what)
        _check_truncation()
        answered = self._checkpoint_written if flag == WINDOW_WRITE_CHECKPOINT else self._checkpoint_restored
        asked = "write" if flag == WINDOW_WRITE_CHECKPOINT else "read"
        where = f"window {self._window} (iteration {self._window_iteration})"
        if not self._flags & flag:
            raise TimeCouplingError(
                f'{self._label}: {what} in {where}, where the driver did not ask to {asked} a checkpoint; '
                f"call it only when requires_{'writing' if asked == 'write' else 'reading'}_checkpoint() is True"
            )
        if answered or self._substeps > 0:
            raise TimeCouplingError(
                f'{self._label}: {what} in {where} {"a second time" if answered else "after a step"}; '
                "answer once, before the first advance"
            )
        if not isinstance(time_, (int, float)) or not _is_finite(float(time_)):
            raise TimeCouplingError(f'{self._label}: {what}: the time {time_!r} must be a finite number')
        message = self._request.set(opcode, float(time_))
        message.length = 8
        self.channel.send(message)
        if flag == WINDOW_WRITE_CHECKPOINT:
            self._checkpoint_written = True
        else:
            self._checkpoint_restored = True

    def checkpoint_written(self, time_: float) -> None:
        """The checkpoint is written; `time_` is the component's own time."""
        self._answer_checkpoint(WINDOW_WRITE_CHECKPOINT, time_, CHECKPOINTED, f"checkpoint_written({time_!r})")

    def checkpoint_restored(self, time_: float) -> None:
        """The checkpoint is restored; `time_` is the component's own time after restoring (the window start)."""
        self._answer_checkpoint(WINDOW_READ_CHECKPOINT, time_, RESTORED, f"checkpoint_restored({time_!r})")

    def max_time_step(self) -> float:
        """How far the component may step: the window's end minus time() (inf when its own step sets the window)."""
        self._check_attempt("max_time_step()")
        return max(0.0, self._attempt_end() - self._time)

    def time(self) -> float:
        """The client's time: the window start plus the steps taken in this attempt."""
        return self._time

    def window(self) -> int:
        """The window under way (-1 before the first)."""
        return self._window

    def iteration(self) -> int:
        """The attempt within the window (0 the first; -1 before the first window); in an iteration run the last go's step."""
        return self._window_iteration if self._window >= 0 else self._step

    def advance(self, dt: float) -> None:
        """A step of dt (0 < dt <= max_time_step()): samples the fields this component writes from its mesh arrays;
        at the window's end tells the driver the attempt is done."""
        what = f"advance({dt!r})"
        self._check_attempt(what)
        _check_truncation()
        if not isinstance(dt, (int, float)) or not dt > 0 or not _is_finite(float(dt)):
            raise TimeCouplingError(f'{self._label}: {what}: the step must be a finite time > 0')
        end = self._attempt_end()
        following = self._time + dt
        if following - end > TIME_TOLERANCE * max(1.0, abs(end)):
            raise TimeCouplingError(
                f'{self._label}: {what} goes beyond max_time_step() = {end - self._time!r} (window '
                f"{self._window} ends at {end!r}); take min(dt, max_time_step())"
            )
        if self._substeps + 1 > self._max_substeps:
            raise TimeCouplingError(
                f'{self._label}: {what} would be step {self._substeps + 1} of window {self._window} '
                f"(iteration {self._window_iteration}), more than the {self._max_substeps} substeps a window holds; "
                "raise coupling.max_substeps or take larger steps"
            )
        self._measure_meshes()
        for waveform in self._written:
            waveform.measure()
        # The window's end, or the one step that sets a window of unknown size (first-participant).
        reached_end = same_time(following, end)
        over = reached_end or not _is_finite(self._size)
        sample_time = end if reached_end else following
        for waveform in self._written:
            waveform.append(sample_time)
        _check_truncation()
        self._time = following
        self._substeps += 1
        if over:
            self._in_attempt = False
            message = self._request.set(DONE, self._window, self._window_iteration)
            message.payload[DONE_SLOT_TIME] = self._time
            message.payload[DONE_SLOT_SUBSTEPS] = float(self._substeps)
            message.length = 32
            self.channel.send(message)

    def read(self, mesh: str, field: str, relative_time: float, out=None):
        """Field `field` of mesh `mesh` as the driver wrote it, interpolated at time() + relative_time (in [0,
        max_time_step()]), into `out` or into the mesh's own field array; returns it."""
        what = f'read("{mesh}", "{field}", {relative_time!r})'
        self._check_attempt(what)
        _check_truncation()
        waveform = self._readable.get((mesh, field))
        if waveform is None:
            readable = ", ".join(f"{m}.{f}" for m, f in self._readable) or "none"
            written = any(w.mesh.name == mesh and w.field == field for w in self._written)
            reason = (
                f"{mesh}.{field} is a field this component writes (the from of a transfer); read the fields the driver writes"
                if written
                else f"{mesh}.{field} is not the target of a transfer in time"
            )
            raise TimeCouplingError(f'{self._label}: {what}: {reason}; readable: {readable}')
        end = self._attempt_end()
        left = end - self._time
        if (
            not isinstance(relative_time, (int, float))
            or not _is_finite(float(relative_time))
            or relative_time < -TIME_TOLERANCE * max(1.0, abs(self._time))
            or relative_time - left > TIME_TOLERANCE * max(1.0, abs(end))
        ):
            raise TimeCouplingError(
                f'{self._label}: {what}: the relative time must lie in [0, max_time_step() = {left!r}]'
            )
        target = waveform.values if out is None else out
        if len(target) < waveform.count:
            raise TimeCouplingError(
                f'{self._label}: {what}: the output holds {len(target)} values, the field has {waveform.count}'
            )
        waveform.interpolate(self._attempt, self._start, self._start + self._size, self._time + relative_time, target)
        _check_truncation()
        return target


    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.channel.close()
        self._close_waveforms()
        for mesh in self.meshes.values():
            mesh.close()
        for shared in list(self.snapshots.values()) + list(self._readers.values()):
            shared.close()
        self.run.close()

    def __enter__(self) -> Component:
        return self

    def __exit__(self, *exception) -> None:
        self.close()

    def _unexpected(self, expected: int) -> QueueError:
        got = _OPCODE_NAMES.get(self._reply.opcode, f"0x{self._reply.opcode:04x}")
        return QueueError(f'{self._label}: the driver sent {got} where {_OPCODE_NAMES[expected]} was expected')


class TimeCouplingError(ConfluxError):
    """A misuse of the time API (a step beyond max_time_step(), too many substeps, a call out of turn)."""


class _Waveform:
    """The waveform of one of the component's fields (docs/wire-format.md, "Waveform"), mapped after ack."""

    def __init__(self, segment: Segment, label: str, mesh: Mesh, field: str):
        self.segment = segment
        self.mesh = mesh
        self.field = field
        self.where = f'{label}: waveform "{segment.name}"'
        memory, base = segment.memory, segment.payload_offset
        try:
            spec = read_waveform(memory, base, segment.payload_size, self.where)
            if spec.count != mesh.count:
                raise WaveformError(f"{self.where}: {spec.count} points a sample, but its mesh has {mesh.count}")
            self.role, self.count, self.capacity, self.degree = spec.role, spec.count, spec.capacity, spec.degree
            self.values = mesh.field(field)
            numpy = _numpy()
            mapping = memory.buffer
            start = base + spec.values_offset

            def view(offset: int, length: int):
                if numpy is not None:
                    return numpy.frombuffer(mapping, dtype=numpy.float64, count=length, offset=offset)
                return memoryview(mapping)[offset : offset + 8 * length].cast("d")

            self._numpy = numpy
            self.samples = [view(start + i * spec.stride, spec.count) for i in range(spec.capacity)]
            self.times = view(base + WAVEFORM_TIMES, spec.capacity)
            self.n = waveform_sample_count(memory, base, spec.capacity, self.where) if spec.role == WAVEFORM_BY_COMPONENT else 0
            self._interpolation = TimeInterpolation(spec.capacity) if spec.role == WAVEFORM_BY_DRIVER else None
            self._prepared = (-1, 0)
        except ConfluxError:
            segment.close()
            raise

    def begin(self, start: float, new_window: bool) -> None:
        """A written waveform at the start of an attempt: a new window starts from the end of the converged one."""
        if new_window:
            if self.n > 1:
                self.samples[0][:] = self.samples[self.n - 1]
            self.times[0] = start
            struct.pack_into("<d", self.segment.memory.view, self.segment.payload_offset + WAVEFORM_WINDOW_START, start)
        self.n = 1
        set_waveform_sample_count(self.segment.memory, self.segment.payload_offset, 1)

    def measure(self) -> None:
        if not self.segment.intact():
            raise _truncation_error(self.segment)

    def append(self, time_: float) -> None:
        self.samples[self.n][:] = self.values
        self.times[self.n] = time_
        self.n += 1
        set_waveform_sample_count(self.segment.memory, self.segment.payload_offset, self.n)

    def interpolate(self, attempt: int, start: float, end: float, t: float, out) -> None:
        try:
            n = waveform_sample_count(self.segment.memory, self.segment.payload_offset, self.capacity, self.where)
            if self._prepared != (attempt, n):
                self._prepared = (-1, 0)
                times = struct.unpack_from(f"<{n}d", self.segment.memory.view, self.segment.payload_offset + WAVEFORM_TIMES)
                _check_truncation()
                check_sample_times(times, n, start, end, self.where)
                self._interpolation.prepare(times, n, self.degree)
                self._prepared = (attempt, n)
        except WaveformError:
            # A file shrunk within its first page reads as zeros there, without SIGBUS: say so if that is why.
            self.measure()
            raise
        weights = self._interpolation.weights(t)
        count = self.count
        if self._numpy is not None and not isinstance(out, memoryview):
            total = None
            for i in range(n):
                if weights[i] != 0.0:
                    term = weights[i] * self.samples[i]
                    total = term if total is None else total + term
            out[:count] = total
            return
        result = [0.0] * count
        for i in range(n):
            weight = weights[i]
            if weight == 0.0:
                continue
            sample = self.samples[i]
            for j in range(count):
                result[j] += weight * sample[j]
        for j in range(count):
            out[j] = result[j]

    def close(self) -> None:
        self.samples = []
        self.times = None
        self.values = None
        self.segment.close()


# ---- ranks (docs/parallel.md, "How ranks join"; src/wire/environment.ts is the reference) ----------------
RANKS_VARIABLE = "CONFLUX_RANKS"
RANK_VARIABLE = "CONFLUX_RANK"
MAX_RANKS = 256
#: Where a rank reads its rank and the launcher's size, first found first.
RANK_SOURCES = (
    (RANK_VARIABLE, RANKS_VARIABLE),
    ("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"),
    ("PMI_RANK", "PMI_SIZE"),
    ("SLURM_PROCID", "SLURM_NTASKS"),
)


def _whole_number(text: str) -> int | None:
    # 1 to 9 ASCII digits, blanks around them allowed: what the TypeScript reader takes, so every client agrees.
    stripped = text.strip()
    if not 1 <= len(stripped) <= 9 or not all("0" <= c <= "9" for c in stripped):
        return None
    return int(stripped)


def rank_from_environment(environment=None) -> tuple[int, int]:
    """(rank, ranks) from the environment, or a ConfluxError naming the variables. With CONFLUX_RANKS unset or 1 a
    launcher's variables are ignored: a serial component inside an allocation is still rank 0 of 1."""
    environment = os.environ if environment is None else environment
    declared_text = environment.get(RANKS_VARIABLE)
    declared = 1 if declared_text is None else _whole_number(declared_text)
    if declared is None or not 1 <= declared <= MAX_RANKS:
        raise ConfluxError(f'{RANKS_VARIABLE}="{declared_text}" is not a whole number from 1 to {MAX_RANKS}')
    if declared == 1:
        return 0, 1
    for rank_name, size_name in RANK_SOURCES:
        rank_text = environment.get(rank_name)
        if rank_text is None:
            continue
        size_text = environment.get(size_name)
        rank = _whole_number(rank_text)
        size = None if size_text is None else _whole_number(size_text)
        if rank is None:
            raise ConfluxError(f'{rank_name}="{rank_text}" is not a whole number')
        if size is None:
            got = "not" if size_text is None else f'"{size_text}", not a whole number'
            raise ConfluxError(f"{rank_name} is set but {size_name} is {got}")
        if size != declared:
            raise ConfluxError(
                f"the launcher started {size} ranks ({size_name}={size}) but the composition declares ranks: "
                f"{declared}; make them agree (mpirun -n {declared}, or ranks: {size})"
            )
        if rank >= size:
            raise ConfluxError(f"rank {rank} ({rank_name}) is not below the size {size}")
        return rank, size
    names = ", ".join(rank_name for rank_name, _ in RANK_SOURCES)
    raise ConfluxError(
        f"the composition declares ranks: {declared} but nothing in the environment says which rank this process is "
        f"({names}); start it with an MPI launcher, or with launcher: processes"
    )


def ranked_name(component: str, rank: int, ranks: int) -> str:
    """The name a rank's channel and segments carry: the component's own with one rank, else "<component>@<rank>"."""
    return f"{component}@{rank}" if ranks > 1 else component


def _component_label(component: str, rank: int, ranks: int) -> str:
    return f'component "{component}" rank {rank}' if ranks > 1 else f'component "{component}"'


def connect(timeout_ms: int = 30_000, environment=None) -> Component:
    """Joins the run and the driver's channel from the variables the launcher set."""
    environment = os.environ if environment is None else environment
    name = environment.get("CONFLUX_COMPONENT_NAME", "")
    if name == "":
        raise ConfluxError("CONFLUX_COMPONENT_NAME is not set: start this component through `conflux run`")
    if environment.get("CONFLUX_RUN_DIR", "") == "":
        raise ConfluxError("CONFLUX_RUN_DIR is not set: start this component through `conflux run`")
    text = environment.get("CONFLUX_COMPONENT_ARGS", "")
    try:
        args = json.loads(text) if text else {}
    except ValueError:
        raise ConfluxError(f"CONFLUX_COMPONENT_ARGS is not JSON: {text[:80]}") from None
    if not isinstance(args, dict):
        raise ConfluxError(f"CONFLUX_COMPONENT_ARGS is not a JSON object: {text[:80]}")
    wait = Wait.from_environment(environment)
    driver_enclave_bound = _driver_is_enclave_bound(environment)
    try:
        rank, ranks = rank_from_environment(environment)
    except ConfluxError as error:
        raise ConfluxError(f'component "{name}": {error}') from None
    ranked = ranked_name(name, rank, ranks)
    if len(f"{ranked}.channel".encode("utf-8")) > MAX_NAME_BYTES:
        raise ConfluxError(
            f'CONFLUX_COMPONENT_NAME "{name}" is too long: its channel "{ranked}.channel" would be over '
            f"{MAX_NAME_BYTES} bytes"
        )
    run = Run.from_environment(environment)
    try:
        channel = Channel(run, f"{ranked}.channel", wait, timeout_ms, COMPONENT_ACCEPTS, driver_enclave_bound)
    except ChannelClaimedError as error:
        run.close()
        if ranks > 1:
            raise ChannelClaimedError(
                f'rank {rank} of component "{name}" is already claimed by pid {error.holder}: two processes were '
                "started as the same rank (check the launcher's -n and the composition's ranks)",
                error.holder,
            ) from None
        raise ChannelClaimedError(
            f'component "{name}" is already claimed by pid {error.holder}: two processes were started as the same '
            "component",
            error.holder,
        ) from None
    except BaseException:
        run.close()
        raise
    return Component(name, args, run, channel, rank, ranks)

