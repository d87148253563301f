"""The Python client's side of the golden tests (test/clients/golden.test.ts):
it writes every golden image through the client's own code, reads the
committed images back, and checks segment headers.
  golden_py.py write DIR                       writes header.bin, registry.bin, ... into DIR
  golden_py.py read DIR                        prints what it reads from DIR's images
  golden_py.py check-header FILE KIND RUN_ID ...   prints, per file, "ok" or the client's error
                                                   (KIND -1, RUN_ID - for none)
  golden_py.py constants                       prints the protocol's and the waveform layout's constants
  golden_py.py weights < CASES                 prints the interpolation weights of each "read T" of each
                                               "case DEGREE N t0 ... tN-1" line, one read a line"""

import os
import struct
import sys

import conflux

RUN_ID = "0123456789abcdef"
DRIVER_PID, COMPONENT_PID = 4242, 4243
CREATED = 1714000000123.0
MESH_PAYLOAD = 832
WAVEFORM_PAYLOAD = 384
WAVEFORM_NAME = "appA.surface.temperature.waveform"


def golden_messages() -> list[conflux.Message]:
    go = conflux.Message().set(0x20, 7)
    reply = conflux.Message()
    reply.opcode, reply.flags, reply.correlation, reply.length = 0x41, 0x8001, 0x89ABCDEF, 48
    reply.payload[:] = [1.5, -2.25, 1e300, -0.0, 5e-324, 3.141592653589793]
    return [go, reply]


def write_images(directory: str) -> None:
    def save(name: str, memory: conflux.Memory) -> None:
        with open(os.path.join(directory, name), "wb") as file:
            file.write(memory.view)

    header = conflux.Memory(bytearray(conflux.HEADER_SIZE))
    conflux.write_header(
        header,
        0,
        payload_size=MESH_PAYLOAD,
        creator_pid=COMPONENT_PID,
        kind=conflux.KIND_MESH,
        run_id=RUN_ID,
        created_unix_ms=CREATED,
        name="appA.mesh.surface",
    )
    save("header.bin", header)

    registry = conflux.Memory(bytearray(conflux.HEADER_SIZE + conflux.REGISTRY_PAYLOAD_SIZE))
    conflux.write_header(
        registry,
        0,
        payload_size=conflux.REGISTRY_PAYLOAD_SIZE,
        creator_pid=DRIVER_PID,
        kind=conflux.KIND_REGISTRY,
        run_id=RUN_ID,
        created_unix_ms=CREATED,
        name="registry",
    )
    table = conflux.Registry(registry, conflux.HEADER_SIZE, conflux.REGISTRY_PAYLOAD_SIZE).format()
    table.register("appA.channel", "seg-0a1b2c3d4e5f", 0, conflux.HEADER_SIZE + 960, conflux.KIND_RING, DRIVER_PID)
    table.register(
        "appA.mesh.surface", "seg-a0b1c2d3e4f5", 0, conflux.HEADER_SIZE + MESH_PAYLOAD, conflux.KIND_MESH, COMPONENT_PID
    )
    save("registry.bin", registry)

    ring = conflux.Memory(bytearray(192 + 4 * 64))
    conflux.format_ring(ring, 0, 4)
    producer = conflux.RingProducer(ring, 0)
    for message in golden_messages():
        assert producer.try_send(message), "the golden ring is full"
    save("ring.bin", ring)

    channel = conflux.Memory(bytearray(960))
    conflux.format_channel(channel, 0, 960, 4, DRIVER_PID)
    conflux.attach_channel_control(channel, 0, 960, COMPONENT_PID)
    save("channel.bin", channel)

    soa = conflux.Memory(bytearray(MESH_PAYLOAD))
    conflux.write_mesh(soa, 0, MESH_PAYLOAD, 3, 5, "soa", ["temperature", "flux"])
    save("mesh-soa.bin", soa)
    interleaved = conflux.Memory(bytearray(MESH_PAYLOAD))
    conflux.write_mesh(interleaved, 0, MESH_PAYLOAD, 2, 3, "interleaved", ["u", "v", "pressure"])
    save("mesh-interleaved.bin", interleaved)

    assert conflux.waveform_geometry(3, 4)[2] == WAVEFORM_PAYLOAD
    waveform = conflux.Memory(bytearray(conflux.HEADER_SIZE + WAVEFORM_PAYLOAD))
    conflux.write_header(
        waveform,
        0,
        payload_size=WAVEFORM_PAYLOAD,
        creator_pid=DRIVER_PID,
        kind=conflux.KIND_WAVEFORM,
        run_id=RUN_ID,
        created_unix_ms=CREATED,
        name=WAVEFORM_NAME,
    )
    base = conflux.HEADER_SIZE
    conflux.write_waveform(waveform, base, WAVEFORM_PAYLOAD, conflux.WAVEFORM_BY_DRIVER, 3, 4, 2)
    spec = conflux.read_waveform(waveform, base, WAVEFORM_PAYLOAD)
    struct.pack_into("<d", waveform.view, base + conflux.WAVEFORM_WINDOW_START, 0.5)
    struct.pack_into("<3d", waveform.view, base + conflux.WAVEFORM_TIMES, 0.5, 0.55, 0.6)
    samples = [[1.5, -2.25, 0.0], [3.0, 1e300, -0.0], [5e-324, 3.141592653589793, 7.0]]
    for i, sample in enumerate(samples):
        struct.pack_into("<3d", waveform.view, base + spec.values_offset + i * spec.stride, *sample)
    conflux.set_waveform_sample_count(waveform, base, 3)
    save("waveform.bin", waveform)


def read_images(directory: str) -> None:
    def load(name: str) -> bytearray:
        with open(os.path.join(directory, name), "rb") as file:
            return bytearray(file.read())

    # header.bin followed by mesh-soa.bin is appA's whole mesh segment.
    segment = conflux.Memory(load("header.bin") + load("mesh-soa.bin"))
    header = conflux.check_header(segment, 0, segment.size, "header.bin", conflux.KIND_MESH, RUN_ID)
    print(f"header name={header.name} payload={header.payload_size} created={header.created_unix_ms:.0f}")

    registry = conflux.Memory(load("registry.bin"))
    checked = conflux.check_header(registry, 0, registry.size, "registry.bin", conflux.KIND_REGISTRY, RUN_ID)
    table = conflux.Registry(registry, conflux.HEADER_SIZE, checked.payload_size).check()
    print(f"registry generation={table.generation}")
    for name in ("appA.channel", "appA.mesh.surface"):
        entry = table.lookup(name)
        print(
            f"entry {name} file={entry.file} offset={entry.offset} length={entry.length} kind={entry.kind} "
            f"pid={entry.creator_pid}"
        )

    ring = conflux.Memory(load("ring.bin"))
    consumer = conflux.RingConsumer(ring, 0)
    message = conflux.Message()
    while consumer.try_receive(message):
        bits = ",".join(f"{struct.unpack('<Q', struct.pack('<d', value))[0]:016x}" for value in message.payload)
        print(
            f"record sequence={message.sequence} opcode=0x{message.opcode:04x} flags=0x{message.flags:04x} "
            f"length={message.length} correlation=0x{message.correlation:08x} payload={bits}"
        )
    print("ring empty")

    channel = conflux.Memory(load("channel.bin"))
    # The image is of a claimed channel: another pid loses the claim and is left in the contender word.
    try:
        conflux.attach_channel_control(channel, 0, channel.size, COMPONENT_PID + 1)
        raise SystemExit("golden_py: channel.bin: a second claim was not refused")
    except conflux.ChannelClaimedError as error:
        assert error.holder == COMPONENT_PID and channel.u32(20) == COMPONENT_PID + 1, (str(error), channel.u32(20))
    channel.set_u32(16, 0)
    channel.set_u32(20, 0)
    capacity = conflux.attach_channel_control(channel, 0, channel.size, COMPONENT_PID)
    print(f"channel capacity={capacity} driver={channel.u32(12)}")

    for label, file in (("mesh-soa", "mesh-soa.bin"), ("mesh-interleaved", "mesh-interleaved.bin")):
        memory = conflux.Memory(load(file))
        spec = conflux.read_mesh(memory, 0, memory.size, label)
        print(
            f"{label} dimension={spec.dimension} count={spec.count} layout={conflux._LAYOUTS[spec.layout]} "
            f"fields={','.join(spec.fields)} coordinates={spec.coordinates_offset} "
            f"fields_offset={spec.fields_offset} stride={spec.field_stride}"
        )

    waveform = conflux.Memory(load("waveform.bin"))
    header = conflux.check_header(waveform, 0, waveform.size, "waveform.bin", conflux.KIND_WAVEFORM, RUN_ID)
    base = conflux.HEADER_SIZE
    spec = conflux.read_waveform(waveform, base, header.payload_size, "waveform.bin")
    n = conflux.waveform_sample_count(waveform, base, spec.capacity, "waveform.bin")
    start = struct.unpack_from("<d", waveform.view, base + conflux.WAVEFORM_WINDOW_START)[0]
    times = struct.unpack_from(f"<{n}d", waveform.view, base + conflux.WAVEFORM_TIMES)
    conflux.check_sample_times(times, n, start, float("inf"), "waveform.bin")
    values = ",".join(
        f"{struct.unpack_from('<Q', waveform.view, base + spec.values_offset + i * spec.stride + j * 8)[0]:016x}"
        for i in range(n)
        for j in range(spec.count)
    )
    print(
        f"waveform name={header.name} role={spec.role} count={spec.count} capacity={spec.capacity} "
        f"degree={spec.degree} n={n} start={start!r} times={','.join(format(t, '.17g') for t in times)} values={values}"
    )


def print_constants() -> None:
    c = conflux
    print(f"protocol {c.PROTOCOL_VERSION}")
    print(
        f"opcode hello=0x{c.HELLO:02x} ack=0x{c.ACK:02x} go=0x{c.GO:02x} done=0x{c.DONE:02x} window=0x{c.WINDOW:02x} "
        f"checkpointed=0x{c.CHECKPOINTED:02x} restored=0x{c.RESTORED:02x} stop=0x{c.STOP:02x} bye=0x{c.BYE:02x} "
        f"ping=0x{c.PING:02x} pong=0x{c.PONG:02x}"
    )
    print(
        f"window-slot window={c.WINDOW_SLOT_WINDOW} iteration={c.WINDOW_SLOT_ITERATION} start={c.WINDOW_SLOT_START} "
        f"size={c.WINDOW_SLOT_SIZE} flags={c.WINDOW_SLOT_FLAGS} end={c.WINDOW_SLOT_END}"
    )
    print(
        f"window-flag write-checkpoint={c.WINDOW_WRITE_CHECKPOINT} read-checkpoint={c.WINDOW_READ_CHECKPOINT} "
        f"last-window={c.WINDOW_LAST}"
    )
    print(
        f"done-slot window={c.DONE_SLOT_WINDOW} iteration={c.DONE_SLOT_ITERATION} time={c.DONE_SLOT_TIME} "
        f"substeps={c.DONE_SLOT_SUBSTEPS}"
    )
    print(f"time-tolerance-bits {struct.unpack('<Q', struct.pack('<d', c.TIME_TOLERANCE))[0]:016x}")
    print(
        f"waveform kind={c.KIND_WAVEFORM} magic=0x{c.WAVEFORM_MAGIC:x} version={c.WAVEFORM_LAYOUT_VERSION} "
        f"by-component={c.WAVEFORM_BY_COMPONENT} by-driver={c.WAVEFORM_BY_DRIVER} max-degree={c.MAX_WAVEFORM_DEGREE} "
        f"capacity={c.MIN_WAVEFORM_CAPACITY}..{c.MAX_WAVEFORM_CAPACITY}"
    )
    # The layout's offsets are the client's own: read back from metadata it wrote.
    probe = conflux.Memory(bytearray(256))
    conflux.write_waveform(probe, 0, 0x7FFFFFFF, c.WAVEFORM_BY_DRIVER, 0x0C0C, 0x1010, 3)
    conflux.set_waveform_sample_count(probe, 0, 0x2424)
    words = {probe.u32(at): at for at in range(4, 64, 4)}
    print(
        f"waveform-offset role={words[c.WAVEFORM_BY_DRIVER]} count={words[0x0C0C]} capacity={words[0x1010]} "
        f"degree={words[3]} sample-count={words[0x2424]} window-start={c.WAVEFORM_WINDOW_START} times={c.WAVEFORM_TIMES}"
    )


def print_weights() -> None:
    interpolation = None
    n = 0
    for line in sys.stdin:
        words = line.split()
        if words[0] == "case":
            degree, n = int(words[1]), int(words[2])
            times = [float(word) for word in words[3 : 3 + n]]
            interpolation = conflux.TimeInterpolation(n)
            interpolation.prepare(times, n, degree)
            print(f"case used-degree={interpolation.used_degree}")
        elif words[0] == "read":
            print(" ".join(format(weight, ".17g") for weight in interpolation.weights(float(words[1]))))


def check_header_file(path: str, kind: str, run_id: str) -> None:
    with open(path, "rb") as file:
        memory = conflux.Memory(bytearray(file.read()))
    try:
        conflux.check_header(memory, 0, memory.size, path, None if kind == "-1" else int(kind), None if run_id == "-" else run_id)
        print("ok")
    except conflux.SegmentHeaderError as error:
        print(error)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if len(arguments) == 2 and arguments[0] == "write":
        write_images(arguments[1])
    elif len(arguments) == 2 and arguments[0] == "read":
        read_images(arguments[1])
    elif arguments == ["constants"]:
        print_constants()
    elif arguments == ["weights"]:
        print_weights()
    elif len(arguments) >= 4 and len(arguments) % 3 == 1 and arguments[0] == "check-header":
        for at in range(1, len(arguments), 3):
            check_header_file(*arguments[at : at + 3])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
