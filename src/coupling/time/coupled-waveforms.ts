// The waveforms of a run in time, created by the driver after the mesh check
// and before ack (so a component attaches them once it is acknowledged): one
// per field of a transfer, written by its component for a from, by the
// driver for a to. Sample 0 at t = 0 is the initial value: a component's own
// mesh field, and for a target that field mapped through the transfer, so the
// first read of window 0 sees the initial value, constant in time.
import type { TransferOperator } from "../../mapping/index.ts";
import type { Run } from "../../shm/run.ts";
import type { SharedMesh } from "../../shm/shared-mesh.ts";
import { SharedWaveform } from "../../shm/waveform.ts";
import { WaveformRole, waveformSegmentName } from "../../wire/waveform.ts";
import { fieldLabel, type TransferPlan } from "../plan.ts";
import { SourceWaveform, TargetWaveform, TimeTransfer } from "./time-transfer.ts";

export interface CoupledWaveforms {
  sources: SourceWaveform[];
  targets: TargetWaveform[];
  /** In the plan's order. */
  transfers: TimeTransfer[];
  /** Every waveform, to close at the end. */
  all: SharedWaveform[];
}

export function createCoupledWaveforms(
  run: Run,
  plans: readonly TransferPlan[],
  operators: readonly TransferOperator[],
  meshes: ReadonlyMap<string, SharedMesh>,
  maxSubsteps: number,
): CoupledWaveforms {
  const created: CoupledWaveforms = { sources: [], targets: [], transfers: [], all: [] };
  const sources = new Map<string, SourceWaveform>();
  try {
    plans.forEach((plan, index) => {
      const fromLabel = fieldLabel(plan.from);
      const toLabel = fieldLabel(plan.to);
      const degree = plan.waveformDegree ?? 1;
      const sourceMesh = meshes.get(`${plan.from.component}.${plan.from.mesh}`) as SharedMesh;
      const targetMesh = meshes.get(`${plan.to.component}.${plan.to.mesh}`) as SharedMesh;
      let source = sources.get(fromLabel);
      if (source === undefined) {
        const waveform = SharedWaveform.create(
          run,
          waveformSegmentName(plan.from.component, plan.from.mesh, plan.from.field),
          {
            role: WaveformRole.writtenByComponent,
            count: sourceMesh.spec.count,
            capacity: maxSubsteps + 1,
            degree,
          },
        );
        created.all.push(waveform);
        (waveform.samples[0] as Float64Array).set(sourceMesh.field(plan.from.field));
        waveform.times[0] = 0;
        waveform.windowStart = 0;
        waveform.publishSampleCount(1);
        source = new SourceWaveform(fromLabel, plan.from.component, plan.from.mesh, plan.from.field, waveform);
        sources.set(fromLabel, source);
        created.sources.push(source);
      }
      const waveform = SharedWaveform.create(run, waveformSegmentName(plan.to.component, plan.to.mesh, plan.to.field), {
        role: WaveformRole.writtenByDriver,
        count: targetMesh.spec.count,
        capacity: maxSubsteps + 1,
        degree,
      });
      created.all.push(waveform);
      const operator = operators[index] as TransferOperator;
      operator.apply(source.waveform.samples[0] as Float64Array, waveform.samples[0] as Float64Array);
      waveform.times[0] = 0;
      waveform.windowStart = 0;
      waveform.publishSampleCount(1);
      const target = new TargetWaveform(toLabel, plan.to.component, waveform, degree);
      created.targets.push(target);
      created.transfers.push(new TimeTransfer(`${fromLabel} → ${toLabel}`, source, target, operator));
    });
  } catch (error) {
    for (const waveform of created.all) waveform.close();
    throw error;
  }
  return created;
}
