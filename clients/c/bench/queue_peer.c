/* The far side of `conflux bench queue` in C: attaches to the bench channel
 * and answers, until told to stop, exactly as src/bench/queue-peer.ts does.
 *   ping (1)      → pong (2) with the same payload
 *   flood (3)     → counted, not answered (payload[0] must count up from 0)
 *   floodEnd (4)  → answered with the count, the sum of payload[0] and how many came out of order
 *   stop (0xffff) → exit 0
 * These are the benchmark's opcodes, not the component protocol's.
 * Usage: queue_peer RUN_DIR CHANNEL spin|hybrid|block|backoff SPIN_NS */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conflux.h"

enum { PING = 1, PONG = 2, FLOOD = 3, FLOOD_END = 4, STOP = 0xffff };

static int failed(const char *what) {
  fprintf(stderr, "queue_peer: %s: %s\n", what, cfx_last_error());
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s RUN_DIR CHANNEL spin|hybrid|block|backoff SPIN_NS\n", argv[0]);
    return 2;
  }
  cfx_wait wait = {CFX_WAIT_HYBRID, 0, atoll(argv[4]), 600000000000LL};
  if (strcmp(argv[3], "spin") == 0) wait.kind = CFX_WAIT_SPIN;
  else if (strcmp(argv[3], "block") == 0) wait.kind = CFX_WAIT_BLOCK;
  else if (strcmp(argv[3], "backoff") == 0) wait.kind = CFX_WAIT_BACKOFF;
  cfx_run *run = NULL;
  cfx_channel *channel = NULL;
  if (cfx_run_join(argv[1], &run) != CFX_OK) return failed("joining the run");
  if (cfx_channel_attach(run, argv[2], &wait, 10000, &channel) != CFX_OK) {
    cfx_run_close(run);
    return failed("attaching the channel");
  }
  static const int opcodes[] = {PING, PONG, FLOOD, FLOOD_END, STOP};
  cfx_channel_accept(channel, opcodes, 5);
  cfx_message request, reply;
  memset(&request, 0, sizeof request);
  memset(&reply, 0, sizeof reply);
  double flooded = 0, flood_sum = 0, out_of_order = 0;
  int rc = CFX_OK;
  for (;;) {
    if ((rc = cfx_channel_receive(channel, &request)) != CFX_OK) break;
    if (request.opcode == PING) {
      cfx_message_set(&reply, PONG, request.payload[0], request.payload[1]);
      rc = cfx_channel_reply(channel, &request, &reply);
    } else if (request.opcode == FLOOD) {
      if (request.payload[0] != flooded) out_of_order++;
      flooded++;
      flood_sum += request.payload[0];
    } else if (request.opcode == FLOOD_END) {
      cfx_message_set(&reply, FLOOD_END, flooded, flood_sum);
      reply.payload[2] = out_of_order;
      reply.length = 24;
      rc = cfx_channel_reply(channel, &request, &reply);
      flooded = flood_sum = out_of_order = 0;
    } else {
      break;
    }
    if (rc != CFX_OK) break;
  }
  if (rc != CFX_OK) fprintf(stderr, "queue_peer: %s\n", cfx_last_error());
  cfx_channel_close(channel);
  cfx_run_close(run);
  return rc == CFX_OK ? 0 : 1;
}
