/* Prints what cfx_rank_from_environment reads from this process's environment:
 * "<rank> <ranks>", or "error: <cfx_last_error()>" and exit code 1, for
 * rank-environment.test.ts to compare with the TypeScript SDK's reading. */
#include <stdio.h>

#include "conflux.h"

int main(void) {
  int rank = -1, ranks = -1;
  if (cfx_rank_from_environment(&rank, &ranks) != CFX_OK) {
    printf("error: %s\n", cfx_last_error());
    return 1;
  }
  printf("%d %d\n", rank, ranks);
  return 0;
}
