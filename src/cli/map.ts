// `conflux map`: map the fields of a source point cloud onto target points,
// CSV in and CSV out, so that anyone can check a transfer without writing code.
// Thin: read the files, call src/mapping, write the result.
import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import {
  createOperator,
  formatPointCsv,
  MappingError,
  optionFlag,
  type PointCsv,
  parsePointCsv,
  parseTransferSpec,
  TRANSFER_METHODS,
  TRANSFER_OPTION_NAMES,
  TRANSFER_OPTIONS,
  type TransferOptionName,
} from "../mapping/index.ts";
import { UsageError } from "./exit-codes.ts";

type MapOptions = { source: string; target: string; method: string; out: string } & Partial<
  Record<TransferOptionName, string | boolean>
>;

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
      "map the fields of a source point cloud onto target points; CSV files with a header line x,y[,z],field…; the output has the target's coordinates and the mapped fields",
    )
    .requiredOption("--source <file>", "source points and fields (CSV)")
    .requiredOption("--target <file>", "target points (CSV; field columns, if any, are ignored)")
    .requiredOption("--method <method>", TRANSFER_METHODS.join(" | "));
  addOperatorOptions(command)
    .requiredOption("--out <file>", "where to write the mapped fields (CSV)")
    .action((options: MapOptions) => {
      const spec = parseSpec(options);
      const source = readPointCsv(options.source);
      const target = readPointCsv(options.target);
      if (source.fieldNames.length === 0) {
        throw new UsageError(
          `${options.source}:1: the source has no field columns; add one column per field after the coordinates`,
        );
      }
      const operator = withPlaces(() => createOperator(source.points, target.points, spec), options, source, target);
      const mapped = source.fields.map((field) => {
        const values = new Float64Array(target.points.count);
        operator.apply(field, values);
        return values;
      });
      const text = formatPointCsv(target.points, source.fieldNames, mapped);
      try {
        writeFileSync(options.out, text);
      } catch (error) {
        throw new UsageError(`cannot write ${options.out}: ${(error as Error).message}`);
      }
    });
}

function parseSpec(options: MapOptions) {
  const number = (flag: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (value.trim() === "" || !Number.isFinite(parsed))
      throw new UsageError(`${flag} must be a number; got "${value}"`);
    return parsed;
  };
  const candidate: Record<string, unknown> = { method: options.method };
  for (const name of TRANSFER_OPTION_NAMES) {
    const given = options[name];
    if (given === undefined) continue;
    const kind = TRANSFER_OPTIONS[name].value;
    candidate[name] = kind === "number" ? number(optionFlag(name), String(given)) : kind === "switch" ? true : given;
  }
  const place = (field: string) =>
    field === "" ? "options" : field === "method" ? "--method" : optionFlag(field as TransferOptionName);
  try {
    return parseTransferSpec(candidate, place);
  } catch (error) {
    if (error instanceof MappingError) throw new UsageError(error.message);
    throw error;
  }
}

function readPointCsv(file: string): PointCsv {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return parsePointCsv(text, file);
  } catch (error) {
    if (error instanceof MappingError) throw new UsageError(error.message);
    throw error;
  }
}

/** Runs setup; a MappingError about "source point 17" also gets that point's file:line. */
function withPlaces<T>(setup: () => T, options: MapOptions, source: PointCsv, target: PointCsv): T {
  try {
    return setup();
  } catch (error) {
    if (!(error instanceof MappingError)) throw error;
    const message = error.message.replace(
      /\b(source|target)( mesh)?: point (\d+)|\b(source|target) point (\d+)/g,
      (match, ...groups) => {
        const side = (groups[0] ?? groups[3]) as "source" | "target";
        const index = Number(groups[2] ?? groups[4]);
        const csv = side === "source" ? source : target;
        const file = side === "source" ? options.source : options.target;
        const line = csv.lines[index];
        return line === undefined ? match : `${match} (${file}:${line})`;
      },
    );
    throw new UsageError(`mapping ${options.source} onto ${options.target}: ${message}`);
  }
}
