// The driver's setup of a component of many ranks: a link per rank, watched
// through its own rank's liveness; the ranks' partitions of every mesh joined
// into the union the driver works on; in a run in time, the partitions of each
// coupled field's waveform.
import { type Enclave, EnclaveGroup } from "../../enclave/index.ts";
import { type PeerLiveness, ProcessLiveness } from "../../queue/peer.ts";
import type { WaitStrategy } from "../../queue/wait-strategy.ts";
import type { Run } from "../../shm/run.ts";
import type { SharedMesh } from "../../shm/shared-mesh.ts";
import { specDifferences } from "../../shm/snapshot.ts";
import { rankedName } from "../../wire/environment.ts";
import { ComponentLink } from "../component-link.ts";
import type { CouplingLink } from "../coupling-link.ts";
import type { ComponentPlan, CouplingPlan } from "../plan.ts";
import type { CoupledWaveforms } from "../time/coupled-waveforms.ts";
import { type PartitionBridge, PartitionError } from "./partition-bridge.ts";
import { RankGroupLink } from "./rank-group-link.ts";

export interface RankLinkOptions {
  wait: Partial<WaitStrategy>;
  timed: boolean;
  /** How many steps the per-rank step times hold. */
  capacity: number;
}

/** How errors name rank `rank` of a component: `component "heat" rank 1 (process enclave)`. */
export function rankDescription(component: ComponentPlan, rank: number): string {
  return `component "${component.name}" rank ${rank} (${component.kind} enclave)`;
}

export function createRankGroupLink(
  run: Run,
  component: ComponentPlan,
  enclave: Enclave,
  options: RankLinkOptions,
): RankGroupLink {
  const ranks = component.ranks ?? 1;
  const links: ComponentLink[] = [];
  const liveness: PeerLiveness[] = [];
  try {
    for (let rank = 0; rank < ranks; rank++) {
      const description = rankDescription(component, rank);
      let link: ComponentLink | undefined;
      const peer = rankLiveness(enclave, rank, description, () => link?.channel.componentPid ?? 0);
      link = new ComponentLink(run, rankedName(component.name, rank, ranks), {
        wait: options.wait,
        timed: options.timed,
        description,
        peer,
      });
      links.push(link);
      liveness.push(peer);
    }
  } catch (error) {
    for (const link of links) link.close();
    throw error;
  }
  return new RankGroupLink(run, component.name, links, liveness, options.capacity);
}

/**
 * A rank the driver started itself lives while its own process does. A rank under mpirun lives while the
 * enclave does and, where the driver sees the rank's pid (a process enclave shares its pid namespace), while
 * that pid does: the pid the rank stored in its channel's control line.
 */
function rankLiveness(enclave: Enclave, rank: number, description: string, pidOf: () => number): PeerLiveness {
  if (enclave instanceof EnclaveGroup) {
    const member = enclave.member(rank);
    return {
      isAlive: () => member.isAlive(),
      identity: () => ({ description, pid: startedPid(member) }),
    };
  }
  const ownPid = enclave.kind === "process" ? new ProcessLiveness(pidOf, description) : undefined;
  return {
    isAlive: () => enclave.isAlive() && (ownPid === undefined || ownPid.isAlive()),
    identity: () => ({ description, pid: pidOf() }),
  };
}

/** The pid of rank `rank` as errors give it: its own process, or the pid it stored in its channel. */
/** Where a point of a ranked component's union mesh came from: the rank and its index in that rank's partition. */
export interface RankedPoint {
  rank: number;
  point: number;
}

/** The rank and local index of point `point` of `mesh` when `link` is a group of ranks; undefined when serial. */
export function rankedPoint(link: CouplingLink, mesh: string, point: number): RankedPoint | undefined {
  return link instanceof RankGroupLink ? link.bridge?.locate(mesh, point) : undefined;
}

/** How an error names point `point` of `mesh`: the rank's own index first, the union's after, when ranked. */
export function describePoint(link: CouplingLink, mesh: string, point: number): string {
  const located = rankedPoint(link, mesh, point);
  return located === undefined
    ? `point ${point}`
    : `point ${located.point} of rank ${located.rank}'s partition (point ${point} of the union)`;
}

export function rankPid(enclave: Enclave, link: RankGroupLink, rank: number, remote = false): number | undefined {
  // A rank on another node is named by its own pid there, which its relay keeps in the channel.
  if (enclave instanceof EnclaveGroup && !remote) return startedPid(enclave.member(rank)) || undefined;
  return (link.links[rank] as ComponentLink).channel.componentPid || undefined;
}

function startedPid(enclave: Enclave): number {
  try {
    return enclave.pid;
  } catch {
    return 0;
  }
}

/**
 * Opens every rank's partition of mesh `meshName`, checks each against the declaration and rank 0's, and
 * joins them into the union (created by the bridge). A PartitionError names the rank at fault.
 */
export function openPartitions(
  link: RankGroupLink,
  bridge: PartitionBridge,
  meshName: string,
  expected: ComponentPlan["meshes"][string],
  plan: CouplingPlan,
): SharedMesh {
  const parts: SharedMesh[] = [];
  try {
    for (let rank = 0; rank < link.ranks; rank++) {
      let part: SharedMesh;
      try {
        part = (link.links[rank] as ComponentLink).openMesh(meshName);
      } catch (error) {
        throw new PartitionError(
          rank,
          `published malformed metadata for its partition of mesh "${meshName}": ${(error as Error).message}`,
        );
      }
      parts.push(part);
      const problems = specDifferences(part.spec, { ...expected, count: undefined });
      if (problems.length > 0) {
        throw new PartitionError(
          rank,
          `published its partition of mesh "${meshName}" unlike the declaration: ${problems.join("; ")}`,
        );
      }
    }
    const total = parts.reduce((sum, part) => sum + part.spec.count, 0);
    if (expected.count !== undefined && total !== expected.count) {
      const counts = parts.map((part) => part.spec.count).join(" + ");
      throw new PartitionError(
        0,
        `published mesh "${meshName}" with ${total} points over its ${link.ranks} ranks (${counts}), declared ${expected.count}`,
      );
    }
    const targets = new Set(
      plan.transfers
        .filter((transfer) => transfer.to.component === link.component && transfer.to.mesh === meshName)
        .map((transfer) => transfer.to.field),
    );
    return bridge.addMesh(link.run, meshName, parts, targets);
  } catch (error) {
    if (!bridge.meshes.has(meshName)) for (const part of parts) part.close();
    throw error;
  }
}

/** A run in time: the ranks' partitions of every waveform of a field of this component. */
export function addPartitionWaveforms(bridge: PartitionBridge, run: Run, waveforms: CoupledWaveforms): void {
  for (const source of waveforms.sources) {
    if (source.component === bridge.component) bridge.addWaveform(run, source.mesh, source.field, source.waveform);
  }
  for (const target of waveforms.targets) {
    if (target.component !== bridge.component) continue;
    const [, mesh = "", field = ""] = target.label.split(".");
    bridge.addWaveform(run, mesh, field, target.waveform);
  }
}
