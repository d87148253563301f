// The network stack's own floor for a turn across nodes: a TCP ping-pong of
// the bytes a coupling window moves, between two processes on two nodes, in
// the relay's and the agent's own frames (cluster/frames.ts), read by their
// own reader, with Nagle off as theirs. `serve REPLY_BYTES` listens on a free
// port, prints {"port":P}, answers every frame with REPLY_BYTES and ends when
// its client goes; `ping HOST PORT SEND_BYTES ROUNDS` prints every round trip, in ns, as
// JSON. Run by `conflux bench coupling --nodes 2` on the simulated nodes.
import { connect, createServer, type Socket } from "node:net";
import { encodeFrame, FrameReader, FrameType } from "../cluster/frames.ts";

const WARM_UP_ROUNDS = 50;

function serve(replyBytes: number): void {
  const reply = encodeFrame(FrameType.segment, Buffer.alloc(replyBytes, 0x5a));
  const server = createServer((socket: Socket) => {
    socket.setNoDelay(true);
    const reader = new FrameReader(() => socket.write(reply), "tcp ping-pong server");
    socket.on("data", (chunk: Buffer) => reader.push(chunk));
    socket.on("close", () => server.close());
    socket.on("error", () => server.close());
  });
  server.listen(0, () => {
    const address = server.address();
    process.stdout.write(
      `${JSON.stringify({ port: typeof address === "object" && address !== null ? address.port : 0 })}\n`,
    );
  });
}

function ping(host: string, port: number, sendBytes: number, rounds: number): void {
  const request = encodeFrame(FrameType.segment, Buffer.alloc(sendBytes, 0x5a));
  const samples: number[] = [];
  let round = -WARM_UP_ROUNDS;
  let started = 0n;
  const socket = connect({ host, port });
  socket.setNoDelay(true);
  const next = () => {
    started = process.hrtime.bigint();
    socket.write(request);
  };
  const reader = new FrameReader(() => {
    if (round >= 0) samples.push(Number(process.hrtime.bigint() - started));
    round++;
    if (round < rounds) next();
    else {
      process.stdout.write(`${JSON.stringify({ samplesNs: samples })}\n`);
      socket.end();
    }
  }, `tcp ping-pong to ${host}:${port}`);
  socket.on("data", (chunk: Buffer) => reader.push(chunk));
  socket.on("connect", next);
  socket.on("error", (error) => {
    process.stderr.write(`tcp ping-pong to ${host}:${port}: ${error.message}\n`);
    process.exit(1);
  });
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === "serve") serve(Number(rest[0]));
else if (mode === "ping") ping(String(rest[0]), Number(rest[1]), Number(rest[2]), Number(rest[3]));
else {
  process.stderr.write("usage: tcp-ping-pong serve REPLY_BYTES | ping HOST PORT SEND_BYTES ROUNDS\n");
  process.exit(2);
}
