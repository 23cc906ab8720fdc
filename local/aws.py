"""moto's server, in this process, on loopback, and the process environment boto3 needs to reach it."""

from __future__ import annotations

import json
import logging
import os
import urllib.request

from moto.server import ThreadedMotoServer

from local.config import REGION

# What boto3 (ours and the handlers') reads to find moto instead of AWS.
_FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


class MotoServer:
    """moto's threaded server with Step Functions execution turned on."""

    def __init__(self, host: str, port: int) -> None:
        self._server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
        self.host = host
        self.port = port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        # Quiet before the first request: werkzeug logs every request at INFO otherwise.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._server.start()
        self.port = self._server.get_host_and_port()[1]  # the real port when 0 was asked for
        # moto's ASL interpreter calls back into the server on localhost:$MOTO_PORT.
        os.environ["MOTO_PORT"] = str(self.port)
        # Backends are process-wide: a stack started earlier in this process left its resources.
        self._post("/moto-api/reset", {})
        self._post("/moto-api/config", {"stepfunctions": {"execute_state_machine": True}})
        # The interpreter logs whole reprs of every state at INFO and WARNING.
        logging.getLogger("moto.stepfunctions.parser").setLevel(logging.CRITICAL)

    def stop(self) -> None:
        self._server.stop()

    def client_environment(self) -> dict[str, str]:
        """Variables that point every boto3 client in this process at this server."""
        return {
            **_FAKE_CREDENTIALS,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_ENDPOINT_URL": self.url,
            "MOTO_PORT": str(self.port),
        }

    def _post(self, path: str, body: dict[str, object]) -> None:
        request = urllib.request.Request(
            f"{self.url}{path}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
            response.read()
