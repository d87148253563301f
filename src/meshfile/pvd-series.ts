// A series of VTU files that ParaView opens as one data set in time: every
// step writes one .vtu per mesh and rewrites the .pvd collection naming them
// all (each mesh a part, each step a timestep), so a run that stops early
// still leaves a series that opens.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MeshFileError } from "./mesh-file-error.ts";
import { type MeshValues, vtuDocument, xmlDocument } from "./vtu-write.ts";

export interface SeriesEntry {
  /** Relative to the .pvd's directory. */
  readonly file: string;
  readonly time: number;
  readonly part: number;
  readonly name: string;
}

export function pvdDocument(entries: readonly SeriesEntry[]): string {
  return xmlDocument({
    VTKFile: {
      "@type": "Collection",
      "@version": "1.0",
      "@byte_order": "LittleEndian",
      Collection: {
        DataSet: entries.map((entry) => ({
          "@timestep": String(entry.time),
          "@group": "",
          "@part": String(entry.part),
          "@name": entry.name,
          "@file": entry.file,
        })),
      },
    },
  });
}

export class VtuSeries {
  readonly entries: SeriesEntry[] = [];
  private readonly parts = new Map<string, number>();

  /** Writes into `directory` (made when missing): `<name>-<step>.vtu` per mesh and `<seriesName>.pvd`. */
  constructor(
    readonly directory: string,
    readonly seriesName: string,
  ) {}

  get pvdPath(): string {
    return join(this.directory, `${this.seriesName}.pvd`);
  }

  /** One step at `time`: every mesh by its name (a file name: letters, digits, ".", "-", "_"). */
  write(meshes: ReadonlyMap<string, MeshValues>, step: number, time: number): void {
    try {
      mkdirSync(this.directory, { recursive: true });
      for (const [name, mesh] of meshes) {
        let part = this.parts.get(name);
        if (part === undefined) {
          part = this.parts.size;
          this.parts.set(name, part);
        }
        const file = `${name}-${String(step).padStart(6, "0")}.vtu`;
        writeFileSync(join(this.directory, file), vtuDocument(mesh));
        this.entries.push({ file, time, part, name });
      }
      // Replaced whole, never seen half written.
      const next = `${this.pvdPath}.next`;
      writeFileSync(next, pvdDocument(this.entries));
      renameSync(next, this.pvdPath);
    } catch (error) {
      throw new MeshFileError(`cannot write the VTU series in ${this.directory}: ${(error as Error).message}`);
    }
  }
}
