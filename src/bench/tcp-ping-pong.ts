// The network stack's own floor for a turn across nodes: a TCP ping-pong of
// the bytes a coupling window moves, between two processes on two nodes, with
// the same framing (a 4-byte length, then the bytes) and Nagle off, as a
// relay and an agent use. `serve REPLY_BYTES` listens on a free port, prints
// {"port":P}, answers every frame with REPLY_BYTES and ends when its client
// goes; `ping HOST PORT SEND_BYTES ROUNDS` prints every round trip, in ns, as
// JSON. Run by `conflux bench coupling --nodes 2` on the simulated nodes.
import { connect, createServer, type Socket } from "node:net";

const WARM_UP_ROUNDS = 50;

/** Calls `onFrame` with each whole frame's length as the stream delivers it. */
function frameCounter(onFrame: () => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.byteLength === 0 ? chunk : Buffer.concat([pending, chunk]);
    for (;;) {
      if (pending.byteLength < 4) return;
      const length = pending.readUInt32LE(0);
      if (pending.byteLength < 4 + length) return;
      pending = pending.subarray(4 + length);
      onFrame();
    }
  };
}

function frame(bytes: number): Buffer {
  const framed = Buffer.alloc(4 + bytes, 0x5a);
  framed.writeUInt32LE(bytes, 0);
  return framed;
}

function serve(replyBytes: number): void {
  const reply = frame(replyBytes);
  const server = createServer((socket: Socket) => {
    socket.setNoDelay(true);
    socket.on(
      "data",
      frameCounter(() => socket.write(reply)),
    );
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
  const request = frame(sendBytes);
  const samples: number[] = [];
  let round = -WARM_UP_ROUNDS;
  let started = 0n;
  const socket = connect({ host, port });
  socket.setNoDelay(true);
  const next = () => {
    started = process.hrtime.bigint();
    socket.write(request);
  };
  socket.on(
    "data",
    frameCounter(() => {
      if (round >= 0) samples.push(Number(process.hrtime.bigint() - started));
      round++;
      if (round < rounds) next();
      else {
        process.stdout.write(`${JSON.stringify({ samplesNs: samples })}\n`);
        socket.end();
      }
    }),
  );
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
