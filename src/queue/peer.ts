// Whether the process on the other side of a ring still lives. Checked between
// spin slices and futex sleeps, never per message.
import { native } from "../native/index.ts";
import type { PeerIdentity } from "./errors.ts";

export interface PeerLiveness {
  /** Cheap enough to call every millisecond: no allocation, at most one system call. */
  isAlive(): boolean;
  identity(): PeerIdentity;
}

/**
 * Liveness of a peer process through a pidfd, which stays tied to that very
 * process (no pid-reuse races) and reports a zombie as dead. The pid may become
 * known only later (a driver learns its component's pid when it attaches), so
 * it is read through `pidOf` until it is non-zero. A peer in this same process
 * (a thread) is alive as long as we are: its death shows as the ring's closed
 * flag instead.
 */
export class ProcessLiveness implements PeerLiveness {
  private fd = -1;
  private pid = 0;

  constructor(
    private readonly pidOf: () => number,
    private readonly description: string,
  ) {
    this.resolve();
  }

  isAlive(): boolean {
    if (this.pid === 0 && !this.resolve()) return true;
    if (this.pid === process.pid) return true;
    return this.fd >= 0 ? native.pidfdAlive(this.fd) : native.isAlive(this.pid);
  }

  identity(): PeerIdentity {
    if (this.pid === 0) this.resolve();
    return { description: this.description, pid: this.pid };
  }

  close(): void {
    if (this.fd >= 0) native.closeFd(this.fd);
    this.fd = -1;
  }

  private resolve(): boolean {
    const pid = this.pidOf();
    if (pid <= 0) return false;
    this.pid = pid;
    if (pid !== process.pid) {
      try {
        this.fd = native.pidfdOpen(pid);
      } catch {
        // Already gone: isAlive falls back to asking by pid, which says dead.
        this.fd = -1;
      }
    }
    return true;
  }
}

/**
 * A driver this component cannot see, in an enclave that ends the component
 * when the driver ends (its own pid namespace, a virtual machine): there is no
 * pid to watch, and none is needed, because a component alive to ask has a
 * driver alive too. Its closing shows as the ring's closed flag.
 */
export class EnclaveBoundLiveness implements PeerLiveness {
  constructor(private readonly description: string) {}

  isAlive(): boolean {
    return true;
  }

  identity(): PeerIdentity {
    return { description: this.description, pid: 0 };
  }
}
