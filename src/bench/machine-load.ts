// The machine a benchmark ran on, as its report states it: the CPUs and the
// load average, sampled between measurements, because other work on the
// machine inflates every figure and a reader must see when it did.
import { cpus, loadavg } from "node:os";

export interface MachineDuring {
  cpus: number;
  load_before: number;
  load_after: number;
  load_max: number;
  started: string;
}

export class MachineLoad {
  private readonly started = new Date().toISOString();
  private readonly loads = [loadavg()[0] ?? 0];

  /** Takes one sample of the one-minute load average; call it between measurements. */
  sample(): void {
    this.loads.push(loadavg()[0] ?? 0);
  }

  during(): MachineDuring {
    return {
      cpus: cpus().length,
      load_before: this.loads[0] as number,
      load_after: this.loads[this.loads.length - 1] as number,
      load_max: Math.max(...this.loads),
      started: this.started,
    };
  }
}

/** The report's machine line; `note` follows the load figures. */
export function machineLine(machine: MachineDuring, note = ""): string {
  return `machine: ${machine.cpus} CPUs, load average ${machine.load_before.toFixed(2)} at the start, ${machine.load_after.toFixed(2)} at the end, ${machine.load_max.toFixed(2)} at most${note}; started ${machine.started}`;
}
