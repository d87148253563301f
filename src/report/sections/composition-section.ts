// The composition drawn: the SVG Graphviz made of it (src/diagram), inline, so it shows without scripts. Graphviz
// writes every label as XML text, escaped, so a component's name cannot become markup.
import { absentNote, section } from "./absent-note.ts";

export type CompositionDrawing = { present: true; svg: string } | { present: false; absent: string };

export function compositionSection(drawing: CompositionDrawing): string {
  // The XML prolog and doctype Graphviz writes belong to a file of its own, not inside an HTML page.
  const body = drawing.present
    ? `<figure class="composition">${drawing.svg.slice(Math.max(0, drawing.svg.indexOf("<svg")))}</figure>`
    : absentNote(drawing.absent);
  return section("composition", "Composition", body);
}
