// Errors of the queue layer. Each names the channel and the peer, because a
// user with several components needs to know which one failed.

export interface PeerIdentity {
  /** What the peer is, e.g. `component "appA" (process enclave)`. */
  description: string;
  pid: number;
}

export class QueueError extends Error {
  override name = "QueueError";
}

export class QueueTimeoutError extends QueueError {
  override name = "QueueTimeoutError";
}

export class PeerDiedError extends QueueError {
  override name = "PeerDiedError";
  constructor(
    message: string,
    readonly peer: PeerIdentity,
  ) {
    super(message);
  }
}

export class PeerClosedError extends QueueError {
  override name = "PeerClosedError";
}

export class CorruptRecordError extends QueueError {
  override name = "CorruptRecordError";
}

/** A signal (Ctrl-C, SIGTERM) arrived while waiting; the run should end cleanly. */
export class InterruptedError extends QueueError {
  override name = "InterruptedError";
  constructor(
    message: string,
    readonly signal: number,
  ) {
    super(message);
  }
}

/** A second process attached a channel another process holds: two processes were started as the same rank. */
export class ChannelClaimedError extends QueueError {
  override name = "ChannelClaimedError";
  constructor(
    readonly channel: string,
    readonly holderPid: number,
  ) {
    super(`channel "${channel}" is already claimed by pid ${holderPid}`);
  }
}
