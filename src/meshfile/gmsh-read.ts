// Reads the nodes of a Gmsh mesh (.msh) in ASCII, format 4.1 or 2.2 (Gmsh's
// reference manual, "MSH file format"): the points in node-tag order, and every
// $NodeData view (its last time step) as fields; elements are skipped. Every
// error names file:line and the fix.
import { MeshFileError } from "./mesh-file-error.ts";
import { type PointMesh, pointMeshFromXyz } from "./point-mesh.ts";

class Lines {
  index = 0;
  constructor(
    readonly lines: readonly string[],
    readonly file: string,
  ) {}

  get done(): boolean {
    return this.index >= this.lines.length;
  }

  /** The next line's whitespace-separated words; `what` says what it should hold. */
  words(what: string): string[] {
    if (this.index >= this.lines.length) {
      throw new MeshFileError(
        `${this.file}:${this.lines.length}: the file ends where ${what} should follow; the file is cut short: write it again`,
      );
    }
    return (this.lines[this.index++] as string)
      .trim()
      .split(/\s+/)
      .filter((word) => word !== "");
  }

  get line(): number {
    return this.index;
  }

  numbers(what: string, least: number): number[] {
    const words = this.words(what);
    const values = words.map(Number);
    if (values.length < least || values.some(Number.isNaN)) {
      throw new MeshFileError(
        `${this.file}:${this.line}: expected ${what}, found "${words.join(" ")}"; check the counts before it`,
      );
    }
    return values;
  }

  whole(value: number, what: string): number {
    if (!Number.isInteger(value) || value < 0) {
      throw new MeshFileError(`${this.file}:${this.line}: ${what} is ${value}; write a whole number ≥ 0`);
    }
    return value;
  }

  skipTo(end: string): void {
    while (this.index < this.lines.length && (this.lines[this.index] as string).trim() !== end) this.index++;
    if (this.index === this.lines.length)
      throw new MeshFileError(`${this.file}: ${end} is missing; the file is cut short: write it again`);
    this.index++;
  }

  expect(end: string): void {
    const words = this.words(end);
    if (words[0] !== end)
      throw new MeshFileError(
        `${this.file}:${this.line}: expected ${end}, found "${words.join(" ")}"; check the counts before it`,
      );
  }
}

interface Nodes {
  tags: number[];
  xyz: number[];
  lines: number[];
}

function readNodes41(lines: Lines): Nodes {
  const [blocks, total] = lines.numbers("numEntityBlocks numNodes minNodeTag maxNodeTag", 4) as [number, number];
  const nodes: Nodes = { tags: [], xyz: [], lines: [] };
  lines.whole(blocks, "numEntityBlocks");
  for (let block = 0; block < blocks; block++) {
    const [entityDim, , parametric, count] = lines.numbers("entityDim entityTag parametric numNodesInBlock", 4) as [
      number,
      number,
      number,
      number,
    ];
    lines.whole(count, "numNodesInBlock");
    const tags: number[] = [];
    for (let node = 0; node < count; node++)
      tags.push(lines.whole((lines.numbers("a node tag", 1) as [number])[0], "a node tag"));
    for (let node = 0; node < count; node++) {
      const values = lines.numbers(parametric === 1 ? `x y z and ${entityDim} parametric coordinates` : "x y z", 3);
      nodes.tags.push(tags[node] as number);
      nodes.xyz.push(values[0] as number, values[1] as number, values[2] as number);
      nodes.lines.push(lines.line);
    }
  }
  if (nodes.tags.length !== total) {
    throw new MeshFileError(
      `${lines.file}:${lines.line}: $Nodes says ${total} nodes but its blocks hold ${nodes.tags.length}; fix the counts`,
    );
  }
  lines.expect("$EndNodes");
  return nodes;
}

function readNodes22(lines: Lines): Nodes {
  const count = lines.whole((lines.numbers("the number of nodes", 1) as [number])[0], "the number of nodes");
  const nodes: Nodes = { tags: [], xyz: [], lines: [] };
  for (let node = 0; node < count; node++) {
    const [tag, x, y, z] = lines.numbers("node-number x y z", 4) as [number, number, number, number];
    nodes.tags.push(lines.whole(tag, "a node number"));
    nodes.xyz.push(x, y, z);
    nodes.lines.push(lines.line);
  }
  lines.expect("$EndNodes");
  return nodes;
}

interface NodeData {
  name: string;
  components: number;
  values: Map<number, number[]>;
  line: number;
}

function readNodeData(lines: Lines): NodeData {
  const start = lines.line;
  const strings = lines.whole((lines.numbers("numStringTags", 1) as [number])[0], "numStringTags");
  let name = "";
  for (let index = 0; index < strings; index++) {
    const text = (lines.lines[lines.index++] ?? "").trim();
    if (index === 0) name = text.replace(/^"(.*)"$/, "$1");
  }
  const reals = lines.whole((lines.numbers("numRealTags", 1) as [number])[0], "numRealTags");
  for (let index = 0; index < reals; index++) lines.numbers("a real tag", 1);
  const integers = lines.whole((lines.numbers("numIntegerTags", 1) as [number])[0], "numIntegerTags");
  const integerTags: number[] = [];
  for (let index = 0; index < integers; index++) integerTags.push((lines.numbers("an integer tag", 1) as [number])[0]);
  if (integers < 3) {
    throw new MeshFileError(
      `${lines.file}:${start}: $NodeData needs 3 integer tags (time step, components, nodes); it has ${integers}`,
    );
  }
  const components = lines.whole(integerTags[1] as number, "the number of components");
  const count = lines.whole(integerTags[2] as number, "the number of nodes");
  const values = new Map<number, number[]>();
  for (let node = 0; node < count; node++) {
    const row = lines.numbers(`node-tag and ${components} value${components === 1 ? "" : "s"}`, 1 + components);
    values.set(row[0] as number, row.slice(1, 1 + components));
  }
  lines.expect("$EndNodeData");
  return { name: name === "" ? `view${start}` : name, components, values, line: start };
}

export function readGmsh(text: string, file: string): PointMesh {
  const lines = new Lines(text.split(/\r?\n/), file);
  let version: string | undefined;
  let nodes: Nodes | undefined;
  const data = new Map<string, NodeData>();
  while (!lines.done) {
    const words = lines.words("a section");
    const section = words[0];
    if (section === undefined) continue;
    if (section === "$MeshFormat") {
      const [number, fileType] = lines.words("version file-type data-size");
      version = number;
      if (fileType !== "0") {
        throw new MeshFileError(
          `${file}:${lines.line}: the mesh is binary Gmsh; save it as ASCII (gmsh -save -format msh41 without -bin, or File › Export with binary unticked)`,
        );
      }
      if (version !== "4.1" && !/^2(\.\d)?$/.test(version ?? "")) {
        throw new MeshFileError(
          `${file}:${lines.line}: Gmsh format ${version} is not read; save it as format 4.1 or 2.2 (gmsh -format msh41)`,
        );
      }
      lines.skipTo("$EndMeshFormat");
    } else if (section === "$Nodes") {
      if (version === undefined)
        throw new MeshFileError(
          `${file}:${lines.line}: $Nodes before $MeshFormat; the file must start with $MeshFormat`,
        );
      nodes = version === "4.1" ? readNodes41(lines) : readNodes22(lines);
    } else if (section === "$NodeData") {
      const view = readNodeData(lines);
      data.set(view.name, view); // a later time step of the same view replaces the earlier
    } else if (section.startsWith("$") && !section.startsWith("$End")) {
      lines.skipTo(`$End${section.slice(1)}`);
    } else {
      throw new MeshFileError(
        `${file}:${lines.line}: "${words.join(" ")}" is outside any section; check the counts of the section before it`,
      );
    }
  }
  if (version === undefined) throw new MeshFileError(`${file}:1: no $MeshFormat section; this is not a Gmsh .msh file`);
  if (nodes === undefined || nodes.tags.length === 0)
    throw new MeshFileError(`${file}: no $Nodes section with nodes; the mesh has no points`);
  // Points in node-tag order, as Gmsh numbers them.
  const order = nodes.tags
    .map((_, index) => index)
    .sort((a, b) => (nodes.tags[a] as number) - (nodes.tags[b] as number));
  const count = order.length;
  const xyz = new Float64Array(3 * count);
  const index = new Map<number, number>();
  order.forEach((from, to) => {
    const tag = nodes.tags[from] as number;
    if (index.has(tag))
      throw new MeshFileError(`${file}:${nodes.lines[from]}: node tag ${tag} is given twice; number every node once`);
    index.set(tag, to);
    for (let axis = 0; axis < 3; axis++) xyz[3 * to + axis] = nodes.xyz[3 * from + axis] as number;
  });
  const fieldNames: string[] = [];
  const fields: Float64Array[] = [];
  for (const view of data.values()) {
    const columns = Array.from({ length: view.components }, () => new Float64Array(count).fill(Number.NaN));
    for (const [tag, values] of view.values) {
      const at = index.get(tag);
      if (at === undefined)
        throw new MeshFileError(
          `${file}:${view.line}: $NodeData "${view.name}" has a value for node ${tag}, which $Nodes does not list`,
        );
      values.forEach((value, component) => {
        (columns[component] as Float64Array)[at] = value;
      });
    }
    if (view.values.size !== count) {
      throw new MeshFileError(
        `${file}:${view.line}: $NodeData "${view.name}" has values for ${view.values.size} of the ${count} nodes; give every node a value`,
      );
    }
    columns.forEach((column, component) => {
      fieldNames.push(view.components === 1 ? view.name : `${view.name}_${component}`);
      fields.push(column);
    });
  }
  const lineOf = order.map((from) => nodes.lines[from] as number);
  return pointMeshFromXyz(xyz, count, fieldNames, fields, file, (point) =>
    lineOf[point] === undefined ? undefined : `${file}:${lineOf[point]}`,
  );
}
