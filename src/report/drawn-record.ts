// A finished run's record with what every page about it draws first: the components in the composition's order
// (the graph's boxes) and the composition drawn, or why it is not.
import { compositionDot, dotToSvg } from "../diagram/index.ts";
import { type RecordInput, readRecordInput } from "./record-input.ts";
import type { CompositionDrawing } from "./sections/composition-section.ts";

export interface DrawnRecord extends RecordInput {
  components: string[];
  drawing: CompositionDrawing;
}

export async function drawnRecord(directory: string): Promise<DrawnRecord> {
  const { record, composition } = readRecordInput(directory);
  const components = composition.present
    ? Object.keys(composition.document.components)
    : (record.enclaves ?? []).map((enclave) => enclave.component);
  const drawing: CompositionDrawing = composition.present
    ? { present: true, svg: await dotToSvg(compositionDot(composition.document)) }
    : composition;
  return { record, composition, components, drawing };
}
