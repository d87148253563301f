"""What every participant of this example does before it touches its FEniCS
(standard library only, so it can speak on any Python): find the Conflux
client, installed or this checkout's, and import the FEniCS it was written
against, after the client's adapter for it (which sets the JIT cache first).
On any other FEniCS, or none, the participant ends at once with exit code 3,
saying which stack it needs; the driver names the component."""

import importlib
import sys


def client():
    """The conflux module: the client `conflux run` puts on the participant's PYTHONPATH (its own conflux's), as a
    participant runs only under `conflux run` (connect() needs the run it starts)."""
    import conflux

    return conflux


def require(who: str, adapter: str, solver: str, version_prefix: str, stack: str, written_against: str):
    """The client's adapter module `adapter` and the solver module `solver`, whose version must start with
    `version_prefix`; otherwise the participant `who` refuses, naming `stack`."""

    def refuse(reason: str) -> None:
        print(
            f"{who}: {reason}. It is written against {written_against} — run it in its own stack: "
            f"enclave {{kind: container, container: {{stack: {stack}}}}} (examples/heat-fenics/{stack}.stack.yaml)",
            file=sys.stderr,
        )
        sys.exit(3)

    try:
        adapter_module = importlib.import_module(f"conflux.{adapter}")
        solver_module = importlib.import_module(solver)
    except ImportError as error:
        refuse(f"{sys.executable} (Python {sys.version.split()[0]}) cannot import {solver} ({error})")
    if not solver_module.__version__.startswith(version_prefix):
        refuse(f"{sys.executable} has {solver} {solver_module.__version__}")
    return adapter_module, solver_module
