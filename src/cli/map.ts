// `conflux map`: map the fields of a source point cloud onto target points,
// from CSV, VTU, VTK or Gmsh files to CSV or VTU, so that anyone can check a
// transfer without writing code. This declares the command; the work is in
// map-files.ts, loaded when the command runs.
import type { Command } from "commander";
import {
  optionFlag,
  TRANSFER_METHODS,
  TRANSFER_OPTION_NAMES,
  TRANSFER_OPTIONS,
} from "../mapping/operators/transfer-options.ts";
import type { MapOptions } from "./map-files.ts";

/** The transfer's options, as the composition offers them (one definition, in src/mapping). */
function addOperatorOptions(command: Command): Command {
  for (const name of TRANSFER_OPTION_NAMES) {
    const option = TRANSFER_OPTIONS[name];
    const value = option.value === "switch" ? "" : option.value === "number" ? " <number>" : " <name>";
    command.option(`${optionFlag(name)}${value}`, option.description);
  }
  return command;
}

export function registerMap(program: Command): void {
  const command = program
    .command("map")
    .description(
      "map the fields of a source point cloud onto target points; mesh files by extension: .csv (a header line x,y[,z],field…), .vtu/.vtp (point data), .vtk (legacy ASCII) or .msh (Gmsh ASCII, $NodeData); the output has the target's coordinates and the mapped fields",
    )
    .requiredOption("--source <file>", "source points and fields (.csv, .vtu, .vtp, .vtk or .msh)")
    .requiredOption(
      "--target <file>",
      "target points (.csv, .vtu, .vtp, .vtk or .msh; its fields, if any, are ignored)",
    )
    .requiredOption("--method <method>", TRANSFER_METHODS.join(" | "));
  addOperatorOptions(command)
    .requiredOption("--out <file>", "where to write the mapped fields (.csv, or .vtu for ParaView)")
    .action(async (options: MapOptions) => {
      const { mapFiles } = await import("./map-files.ts");
      mapFiles(options);
    });
}
