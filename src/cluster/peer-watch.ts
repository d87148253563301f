// Heartbeats on a connection between nodes: a beat every HEARTBEAT_MS, and the
// peer taken for lost when nothing at all (beat, record, segment) has come for
// LOST_AFTER_MS. TCP alone would notice a node whose network dropped only after
// minutes; a run must end within a second. Four beats may go missing first: an
// event loop busy copying a large segment for a few hundred milliseconds is not
// a lost node.
export const HEARTBEAT_MS = 150;
export const LOST_AFTER_MS = HEARTBEAT_MS * 4;

export class PeerWatch {
  private lastHeard = performance.now();
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(beat: () => void, lost: () => void) {
    this.timer = setInterval(() => {
      if (this.closed) return;
      if (performance.now() - this.lastHeard > LOST_AFTER_MS) {
        this.close();
        lost();
        return;
      }
      beat();
    }, HEARTBEAT_MS);
  }

  heard(): void {
    this.lastHeard = performance.now();
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
  }
}
