// A component in C, on the C client (clients/c), with the Makefile that builds it.
import { SCAFFOLD_PHYSICS } from "./scaffold-files.ts";

export function cComponent(name: string): string {
  return `/* ${name}: a conflux component. It shares one mesh, "interface" (64 points on [0, 1]), with two fields; each
 * step it writes the field it owns from the one it receives. The stand-in physics: ${SCAFFOLD_PHYSICS}.
 * Put your solver in the loop. Build with: make */
#include <stdio.h>

#include "conflux.h"

int main(void) {
  cfx_component *component = NULL;
  cfx_mesh *mesh = NULL;
  double *coordinates, *owned, *received;
  int points, owns_temperature, iteration, rc;

  if ((rc = cfx_connect(&component)) != CFX_OK) {
    fprintf(stderr, "ERROR: cfx_connect() failed: %s\\n", cfx_last_error());
    return 1;
  }
  if ((rc = cfx_arg_int(component, "points", 64, &points)) != CFX_OK) goto failed;
  if ((rc = cfx_arg_int(component, "owns_temperature", 1, &owns_temperature)) != CFX_OK) goto failed;
  if ((rc = cfx_share_mesh(component, "interface", 1, points, CFX_LAYOUT_SOA, "temperature,flux", &mesh)) != CFX_OK)
    goto failed;
  cfx_mesh_coordinates(mesh, &coordinates);
  cfx_mesh_field(mesh, owns_temperature ? "temperature" : "flux", &owned);
  cfx_mesh_field(mesh, owns_temperature ? "flux" : "temperature", &received);
  for (int point = 0; point < points; point++) coordinates[point] = (double)point / (points - 1);
  if ((rc = cfx_ready(component)) != CFX_OK) goto failed;
  while ((rc = cfx_next_step(component, &iteration)) == CFX_OK && iteration >= 0) {
    for (int point = 0; point < points; point++)
      owned[point] = owns_temperature ? coordinates[point] + received[point] / 2 : received[point] / 2;
    if ((rc = cfx_done(component)) != CFX_OK) break;
  }
  if (rc != CFX_OK) goto failed;
  cfx_close(component);
  return 0;

failed:
  fprintf(stderr, "ERROR: ${name} failed (%s): %s\\n", cfx_error_name(rc), cfx_last_error());
  cfx_close(component);
  return 1;
}
`;
}

/** The client is compiled in with the component: one command, nothing installed, nothing written to the package. */
export function cMakefile(clientDirectory: string): string {
  return `# Builds the component against the conflux C client.
CC ?= cc
CFLAGS ?= -O2
CONFLUX_CLIENT ?= ${clientDirectory}

component: component.c $(CONFLUX_CLIENT)/conflux.c $(CONFLUX_CLIENT)/conflux.h
\t$(CC) -std=c99 -Wall -Wextra $(CFLAGS) -I$(CONFLUX_CLIENT) component.c $(CONFLUX_CLIENT)/conflux.c -lm -o $@

clean:
\trm -f component

.PHONY: clean
`;
}
