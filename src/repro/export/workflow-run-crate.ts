// A run record as a Workflow Run RO-Crate (profile 0.5), the form archives
// and workflow registries read: the composition is the crate's main entity, a
// ComputationalWorkflow; the run is a CreateAction whose instrument is that
// workflow, whose object is every input file and seed, whose result is every
// saved field (each realising one of the workflow's output FormalParameters),
// with its agent, start and end. Every File carries its sha256 and
// contentSize; run.json rides along as the engine's trace, `about` the run.
// Only builds the JSON-LD; crate-export.ts puts the files beside it.
import type { RunRecord } from "../../record/run-record.ts";

export const CRATE_METADATA_FILE = "ro-crate-metadata.json";

const RO_CRATE = "https://w3id.org/ro/crate/1.1";
const PROCESS_RUN_CRATE = "https://w3id.org/ro/wfrun/process/0.5";
const WORKFLOW_RUN_CRATE = "https://w3id.org/ro/wfrun/workflow/0.5";
const WORKFLOW_RO_CRATE = "https://w3id.org/workflowhub/workflow-ro-crate/1.0";
const FORMAL_PARAMETER_PROFILE = "https://bioschemas.org/profiles/FormalParameter/1.0-RELEASE";

export type CrateFileRole = "workflow" | "input" | "output" | "record";

/** A file that is part of the crate (a relative @id) or, when it could not be copied, referenced by a file: URI. */
export interface CrateFile {
  id: string;
  role: CrateFileRole;
  name: string;
  sha256: string;
  bytes: number;
  /** Where the run read or wrote it. */
  originalPath?: string;
  encodingFormat?: string;
  description?: string;
  /** For an output: the field it holds, component.mesh.field. */
  field?: string;
}

export interface CrateOptions {
  /** The person or organisation who ran it: an ORCID or other URL, or a name. */
  agent?: string;
  /** The licence of the crate's content: an SPDX identifier or a URL. */
  license?: string;
  /** When the crate is made (ISO 8601). */
  datePublished: string;
}

type Entity = Record<string, unknown> & { "@id": string };
const ref = (id: string) => ({ "@id": id });

export function workflowRunCrate(record: RunRecord, files: readonly CrateFile[], options: CrateOptions): object {
  const workflow = files.find((file) => file.role === "workflow");
  if (workflow === undefined) throw new Error("a workflow run crate needs the composition file");
  const runId = `#run-${record.runId || "unstarted"}`;
  const local = (file: CrateFile) => !/^[a-z]+:/i.test(file.id);
  const outputs = files.filter((file) => file.role === "output");
  const parameterId = (field: string) => `#output-${field}`;
  const runtime = record.driver.environment.runtime;
  const software: Entity[] = [
    {
      "@id": "#conflux",
      "@type": "SoftwareApplication",
      name: "Conflux",
      softwareVersion: record.driver.conflux.version,
      ...(record.driver.conflux.commit === undefined
        ? {}
        : { identifier: `git commit ${record.driver.conflux.commit}` }),
      description: "Couples scientific codes through shared memory; ran this composition (the workflow engine).",
    },
    ...(runtime === undefined
      ? []
      : [
          {
            "@id": "#nodejs",
            "@type": "SoftwareApplication",
            name: "Node.js",
            softwareVersion: runtime.versions.node ?? "unknown",
          },
        ]),
  ];
  const agent = agentEntity(options.agent ?? record.driver.host.account);
  const seeds: Entity[] = record.seeds.map((seed, index) => ({
    "@id": `#seed-${index + 1}`,
    "@type": "PropertyValue",
    name: `${seed.component} ${seed.source}`,
    value: typeof seed.value === "string" ? seed.value : JSON.stringify(seed.value),
  }));
  const numericEnvironment = Object.entries(record.driver.environment.floatingPoint.env).map(([name, value]) => ({
    "@id": `#env-${name}`,
    "@type": "PropertyValue",
    name,
    value,
  }));
  const license = options.license === undefined ? undefined : licenseEntity(options.license);

  const graph: Entity[] = [
    {
      "@id": CRATE_METADATA_FILE,
      "@type": "CreativeWork",
      about: ref("./"),
      conformsTo: [ref(RO_CRATE), ref(WORKFLOW_RO_CRATE)],
    },
    {
      "@id": "./",
      "@type": "Dataset",
      name: `Run ${record.runId} of ${record.name}`,
      description: `A ${record.status} run of the Conflux composition ${record.name}: ${record.iterations.completed} of ${record.iterations.planned} coupling iterations, with the run record (run.json) that describes every enclave's environment.`,
      datePublished: options.datePublished,
      conformsTo: [ref(PROCESS_RUN_CRATE), ref(WORKFLOW_RUN_CRATE), ref(WORKFLOW_RO_CRATE)],
      hasPart: files.filter(local).map((file) => ref(file.id)),
      mainEntity: ref(workflow.id),
      mentions: [ref(runId)],
      ...(license === undefined ? {} : { license: ref(license["@id"]) }),
    },
    { "@id": PROCESS_RUN_CRATE, "@type": "CreativeWork", name: "Process Run Crate", version: "0.5" },
    { "@id": WORKFLOW_RUN_CRATE, "@type": "CreativeWork", name: "Workflow Run Crate", version: "0.5" },
    { "@id": WORKFLOW_RO_CRATE, "@type": "CreativeWork", name: "Workflow RO-Crate", version: "1.0" },
    ...(outputs.length === 0
      ? []
      : [
          {
            "@id": FORMAL_PARAMETER_PROFILE,
            "@type": "CreativeWork",
            name: "Bioschemas FormalParameter profile",
            version: "1.0-RELEASE",
          },
        ]),
    {
      ...fileEntity(workflow),
      "@type": ["File", "SoftwareSourceCode", "ComputationalWorkflow"],
      name: record.name,
      programmingLanguage: ref("#conflux-composition"),
      runtimePlatform: `Conflux ${record.driver.conflux.version}${runtime === undefined ? "" : `, Node.js ${runtime.versions.node}`}`,
      softwareRequirements: software.map((entity) => ref(entity["@id"])),
      output: outputs.map((file) => ref(parameterId(file.field ?? file.name))),
    },
    {
      "@id": "#conflux-composition",
      "@type": "ComputerLanguage",
      name: "Conflux composition",
      alternateName: "conflux.yaml",
      version: "1",
    },
    ...software,
    ...outputs.map((file) => ({
      "@id": parameterId(file.field ?? file.name),
      "@type": "FormalParameter",
      additionalType: "File",
      conformsTo: ref(FORMAL_PARAMETER_PROFILE),
      name: file.field ?? file.name,
      encodingFormat: "application/octet-stream",
      description: "Little-endian IEEE-754 doubles, one per mesh point (coordinates: in the mesh's layout).",
      workExample: ref(file.id),
    })),
    {
      "@id": runId,
      "@type": "CreateAction",
      name: `Conflux run ${record.runId} of ${record.name}`,
      description: record.commandLine.join(" "),
      instrument: ref(workflow.id),
      agent: ref(agent["@id"]),
      startTime: new Date(record.startedUnixMs).toISOString(),
      endTime: new Date(record.finishedUnixMs).toISOString(),
      object: [
        ...files.filter((file) => file.role === "input").map((file) => ref(file.id)),
        ...seeds.map((seed) => ref(seed["@id"])),
      ],
      result: outputs.map((file) => ref(file.id)),
      ...(numericEnvironment.length === 0
        ? {}
        : { environment: numericEnvironment.map((entity) => ref(entity["@id"])) }),
      actionStatus: ref(
        record.status === "completed"
          ? "http://schema.org/CompletedActionStatus"
          : "http://schema.org/FailedActionStatus",
      ),
      ...(record.error === undefined ? {} : { error: record.error }),
    },
    agent,
    ...seeds,
    ...numericEnvironment,
    ...(license === undefined ? [] : [license]),
    ...files
      .filter((file) => file.role !== "workflow")
      .map((file) => ({
        ...fileEntity(file),
        ...(file.role === "output" ? { exampleOfWork: ref(parameterId(file.field ?? file.name)) } : {}),
        ...(file.role === "record" ? { about: ref(runId) } : {}),
      })),
  ];
  return {
    "@context": [
      `${RO_CRATE}/context`,
      "https://w3id.org/ro/terms/workflow-run/context",
      // RO-Crate 1.1's context predates schema.org's sha256; name the term so JSON-LD tools keep it.
      { sha256: "http://schema.org/sha256" },
    ],
    "@graph": graph,
  };
}

function fileEntity(file: CrateFile): Entity {
  return {
    "@id": file.id,
    "@type": "File",
    name: file.name,
    sha256: file.sha256,
    contentSize: String(file.bytes),
    ...(file.encodingFormat === undefined ? {} : { encodingFormat: file.encodingFormat }),
    ...(file.description === undefined ? {} : { description: file.description }),
    ...(file.originalPath === undefined ? {} : { alternateName: file.originalPath }),
  };
}

function agentEntity(agent: string | undefined): Entity {
  if (agent !== undefined && /^https?:\/\//.test(agent)) return { "@id": agent, "@type": "Person" };
  return { "@id": "#agent", "@type": "Person", name: agent ?? "unknown" };
}

function licenseEntity(license: string): Entity {
  if (/^https?:\/\//.test(license)) return { "@id": license, "@type": "CreativeWork", name: license };
  return { "@id": `http://spdx.org/licenses/${license}`, "@type": "CreativeWork", name: license, identifier: license };
}
