"""`python -m local.demo` (what `make demo` runs). Exit 0 only when every outcome is as expected.

Ports as for `make local` (RETAIL_SYNC_PORT, RETAIL_SYNC_AWS_PORT, RETAIL_SYNC_SANDBOX_PORT).
"""

from __future__ import annotations

import logging
import os
import sys
import time
import warnings

import httpx
from rich.console import Console
from rich.status import Status

from local.config import LocalConfig
from local.demo.report import render
from local.demo.run import Result, namespace, run_scenario
from local.key_audit import stack_audit
from local.stack import LocalStack


def main() -> int:
    console = Console(width=None if sys.stdout.isatty() else 150)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # Refused deliveries are part of the story: keep the handlers' warnings out of the report.
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")  # no EMF lines in the report
    # In one process every handler shares botocore's connection pools (Lambda runs one request
    # per container): their "pool is full" notices and Powertools' empty-flush warning are noise here.
    logging.getLogger("urllib3.connectionpool").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    config = LocalConfig(visibility_scale=0.05, schedules=False, quiet=True)
    stack = LocalStack(config)
    started = time.monotonic()
    console.rule("[bold]retail-sync demo")
    with console.status("booting the local stack") as status:
        try:
            stack.start(progress=lambda line: _progress(console, status, line))
        except Exception as error:  # a port in use, a synth failure: say so plainly
            console.print(f"[red]the local stack failed to start:[/] {error}")
            return 1
    progress = ConsoleProgress(console)
    # Every table access of every function is checked against its IAM grants (local/key_audit.py):
    # moto does not enforce them, so a grant narrower than the code would pass unseen otherwise.
    audit = stack_audit(stack)
    try:
        with httpx.Client(timeout=30.0) as client, audit.installed():
            outcome = run_scenario(stack, client, namespace(), progress)
        progress.close()
        render(outcome, console)
        refused = audit.violations()
        if refused:
            console.print("[red]table accesses the template does not grant (IAM would refuse them):[/]")
            console.print(audit.report())
        else:
            console.print(f"every table access was within its function's grants ({len(audit.accesses)} distinct)")
        console.print(f"demo finished in {time.monotonic() - started:.1f} s")
        return 1 if outcome.problems or refused else 0
    except TimeoutError as error:
        progress.close()
        console.print(f"[red]the flows did not finish:[/] {error}")
        return 1
    finally:
        stack.stop()


class ConsoleProgress:
    """One line per phase and per step, as they happen."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.status: Status | None = None

    def phase(self, number: int, title: str) -> None:
        self.close()
        self.console.print(f"[bold]{number}. {title}")
        self.status = self.console.status(title)
        self.status.start()

    def step(self, result: Result) -> None:
        mark = "[green]✓[/]" if result.as_expected else "[red]✗[/]"
        self.console.print(f"   {mark} {result.label}: {result.answer_text}")

    def close(self) -> None:
        if self.status is not None:
            self.status.stop()
            self.status = None


def _progress(console: Console, status: Status, line: str) -> None:
    console.print(f"  {line}")
    status.update(f"booting: {line.split()[0] if line.strip() else ''}")


if __name__ == "__main__":
    sys.exit(main())
