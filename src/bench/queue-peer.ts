// The far side of the queue benchmark and of the queue's cross-process tests:
// attaches to a channel and answers, until told to stop.
//   ping  → pong with the same payload
//   flood → counted, not answered (payload[0] must count up from 0);
//   floodEnd → answered with the count, the sum of payload[0] and how many came out of order
// Started by queue-peer-main.ts, as a process or as a worker thread.
import { Channel } from "../queue/channel.ts";
import { Message } from "../queue/message.ts";
import type { WaitKind } from "../queue/wait-strategy.ts";
import { Run } from "../shm/run.ts";

export const PeerOpcode = { ping: 1, pong: 2, flood: 3, floodEnd: 4, stop: 0xffff } as const;

export function servePeer(runDirectory: string, channelName: string, kind: WaitKind, spinNs: number): void {
  const run = Run.join(runDirectory);
  const channel = Channel.attach(run, channelName, {
    wait: { kind, spinNs, timeoutNs: 600e9 },
    opcodes: Object.values(PeerOpcode),
  });
  const request = new Message();
  const reply = new Message();
  let flooded = 0;
  let floodSum = 0;
  // Out-of-order or duplicated flood values: the test of FIFO order counts them here.
  let outOfOrder = 0;
  try {
    for (;;) {
      channel.receive(request);
      const opcode = request.opcode;
      if (opcode === PeerOpcode.ping) {
        reply.set(PeerOpcode.pong, request.payload[0], request.payload[1]);
        channel.reply(request, reply);
      } else if (opcode === PeerOpcode.flood) {
        if (request.payload[0] !== flooded) outOfOrder++;
        flooded++;
        floodSum += request.payload[0] as number;
      } else if (opcode === PeerOpcode.floodEnd) {
        reply.set(PeerOpcode.floodEnd, flooded, floodSum);
        reply.payload[2] = outOfOrder;
        reply.length = 24;
        channel.reply(request, reply);
        flooded = 0;
        floodSum = 0;
        outOfOrder = 0;
      } else {
        break;
      }
    }
  } finally {
    channel.close();
    run.close();
  }
}
