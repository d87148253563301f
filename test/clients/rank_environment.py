"""Prints what the Python client's rank_from_environment reads from this process's environment: "<rank> <ranks>",
or "error: <message>" and exit code 1, for rank-environment.test.ts to compare with the TypeScript SDK's reading."""

import sys

import conflux


def main() -> int:
    try:
        rank, ranks = conflux.rank_from_environment()
    except conflux.ConfluxError as error:
        print(f"error: {error}")
        return 1
    print(f"{rank} {ranks}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
