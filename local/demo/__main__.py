"""`python -m local.demo` (what `make demo` runs). Exit 0 only when every outcome is as expected.

Ports as for `make local` (RETAIL_SYNC_PORT, RETAIL_SYNC_AWS_PORT, RETAIL_SYNC_SANDBOX_PORT).
"""

from __future__ import annotations

import logging
import os
import sys
import time

import httpx
from rich.console import Console
from rich.status import Status

from local.config import LocalConfig
from local.demo.driver import Answer, deliver, seed_square_sandbox
from local.demo.report import collect, render
from local.demo.scenario import EXPECTED, PHASES
from local.stack import LocalStack

IDLE_TIMEOUT_S = 120.0


def main() -> int:
    console = Console(width=None if sys.stdout.isatty() else 150)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # Refused deliveries are part of the story: keep the handlers' warnings out of the report.
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
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
    try:
        answers: list[Answer] = []
        with httpx.Client(timeout=30.0) as client:
            seed_square_sandbox(client, stack.sandbox_urls["square"])
            for number, phase in enumerate(PHASES, 1):
                console.print(f"[bold]{number}. {phase.title}")
                with console.status(phase.title):
                    for delivery in phase.deliveries:
                        answer = deliver(client, stack.api_url, delivery)
                        answers.append(answer)
                        mark = "[green]✓[/]" if answer.as_expected else "[red]✗[/]"
                        console.print(f"   {mark} {delivery.label}: {answer.status} {answer.outcome}")
                    stack.wait_idle(IDLE_TIMEOUT_S)
            outcome = collect(client, stack.api_url, stack.sandbox_urls["erp"], answers, EXPECTED)
        render(outcome, console)
        console.print(f"demo finished in {time.monotonic() - started:.1f} s")
        return 1 if outcome.problems else 0
    except TimeoutError as error:
        console.print(f"[red]the flows did not finish:[/] {error}")
        return 1
    finally:
        stack.stop()


def _progress(console: Console, status: Status, line: str) -> None:
    console.print(f"  {line}")
    status.update(f"booting: {line.split()[0] if line.strip() else ''}")


if __name__ == "__main__":
    sys.exit(main())
