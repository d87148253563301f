// Takes records off a channel for a process whose event loop also serves a
// socket (the relay, the agent): it polls, never sleeps in the ring, so the
// socket's frames and heartbeats keep flowing while the other side works.
// First at once on every turn of the event loop, then, when nothing has come
// for a while, every millisecond: a step that takes long costs a poll a
// millisecond, a quick answer costs nothing. The peer never has to wake this
// side, because it never says it sleeps.
import type { Channel } from "../queue/channel.ts";
import type { Message } from "../queue/message.ts";

/** After this long without a record, poll on a timer instead of every turn. */
const EAGER_MS = 2;

export class ChannelPump {
  private stopped = false;
  private idleSince = performance.now();
  /** The timer of a pump that has gone quiet, while it waits on it. */
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly channel: Channel,
    private readonly message: Message,
    /** Called with each record; what it returns decides nothing, errors stop the pump and go to onError. */
    private readonly onRecord: (message: Message) => void,
    private readonly onError: (error: Error) => void,
  ) {}

  start(): void {
    this.turn();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /**
   * Takes what the channel still holds, then stops: for a peer that has ended, whose last records (its bye) may
   * have come after the last poll; the pump's own timer may not have had its turn since.
   */
  drainAndStop(): void {
    if (!this.stopped) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.turn();
    }
    this.stop();
  }

  /** Something was just passed into the channel whose answer is coming: poll eagerly from now on. */
  kick(): void {
    this.idleSince = performance.now();
    if (this.timer === undefined || this.stopped) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    setImmediate(this.turn);
  }

  private turn = (): void => {
    this.timer = undefined;
    if (this.stopped) return;
    try {
      let received = false;
      while (!this.stopped && this.channel.tryReceive(this.message)) {
        received = true;
        this.onRecord(this.message);
      }
      if (received) this.idleSince = performance.now();
    } catch (error) {
      this.stopped = true;
      this.onError(error as Error);
      return;
    }
    if (this.stopped) return;
    if (performance.now() - this.idleSince < EAGER_MS) setImmediate(this.turn);
    else this.timer = setTimeout(this.turn, 1);
  };
}
