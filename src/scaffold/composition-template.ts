// The two-component composition a scaffold's component is run in: the new component and a partner of the same
// program, coupled through one mesh with a transfer each way.
import type { ScaffoldLanguage } from "./scaffold-files.ts";

export interface CompositionTemplate {
  name: string;
  partner: string;
  language: ScaffoldLanguage;
  /** The component's launch, as YAML lines under its name (module: or command:). */
  launch: string;
  /** Extra environment for both components, e.g. where the Python client is. */
  env: Record<string, string>;
}

export function compositionText(template: CompositionTemplate): string {
  const env =
    Object.keys(template.env).length === 0
      ? ""
      : `    env: { ${Object.entries(template.env)
          .map(([key, value]) => `${key}: ${JSON.stringify(value)}`)
          .join(", ")} }\n`;
  const component = (name: string, ownsTemperature: 0 | 1) =>
    `  ${name}:\n    enclave: { kind: process }\n    ${template.launch}\n    args: { points: 64, owns_temperature: ${ownsTemperature} }\n${env}    meshes:\n      interface: { dimension: 1, points: 64, fields: [temperature, flux] }\n`;
  return `# ${template.name}: a component (written by conflux init, language ${template.language}) coupled to a partner that
# runs the same program. Run it with: conflux run conflux.yaml
# Draw it with: conflux graph conflux.yaml -o ${template.name}.svg
version: 1
name: ${template.name}
description: ${template.name} and its partner, coupled through one shared mesh.

components:
${component(template.name, 1)}${component(template.partner, 0)}
transfers:
  - from: ${template.name}.interface.temperature
    to: ${template.partner}.interface.temperature
    operator: { method: nearest }
  - from: ${template.partner}.interface.flux
    to: ${template.name}.interface.flux
    operator: { method: nearest }

coupling:
  scheme: serial-explicit
  iterations: 40
  order: [${template.name}, ${template.partner}]

results:
  outputs:
    - { field: ${template.name}.interface.temperature }
    - { field: ${template.partner}.interface.flux }
`;
}
