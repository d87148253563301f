"""The far side of `conflux bench queue` in Python: attaches to the bench channel
and answers, until told to stop, exactly as src/bench/queue-peer.ts does.
  ping (1) → pong (2) with the same payload; flood (3) → counted;
  floodEnd (4) → the count, the sum of payload[0] and how many came out of order;
  stop (0xffff) → exit 0.
These are the benchmark's opcodes, not the component protocol's.
Usage: python3 queue_peer.py RUN_DIR CHANNEL spin|hybrid|block|backoff SPIN_NS"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import conflux  # noqa: E402

PING, PONG, FLOOD, FLOOD_END, STOP = 1, 2, 3, 4, 0xFFFF


def main(run_directory: str, channel_name: str, kind: str, spin_ns: str) -> int:
    run = conflux.Run(run_directory)
    try:
        wait = conflux.Wait(kind, int(spin_ns), 600_000_000_000)
        channel = conflux.Channel(run, channel_name, wait, 10_000, (PING, PONG, FLOOD, FLOOD_END, STOP))
    except BaseException:
        run.close()
        raise
    request, reply = conflux.Message(), conflux.Message()
    flooded = flood_sum = out_of_order = 0
    try:
        while True:
            channel.receive(request)
            opcode = request.opcode
            if opcode == PING:
                channel.reply(request, reply.set(PONG, request.payload[0], request.payload[1]))
            elif opcode == FLOOD:
                if request.payload[0] != flooded:
                    out_of_order += 1
                flooded += 1
                flood_sum += request.payload[0]
            elif opcode == FLOOD_END:
                reply.set(FLOOD_END, flooded, flood_sum)
                reply.payload[2] = float(out_of_order)
                reply.length = 24
                channel.reply(request, reply)
                flooded = flood_sum = out_of_order = 0
            else:
                return 0
    except conflux.ConfluxError as error:
        print(f"queue_peer.py: {error}", file=sys.stderr)
        return 1
    finally:
        channel.close()
        run.close()


if __name__ == "__main__":
    if len(sys.argv) != 5:
        print(__doc__.splitlines()[-1], file=sys.stderr)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
