"""Plain moto, as a point of comparison: moto's own `moto_server` from the venv, in a process of its own.

Nothing of localaws runs in it (no IAM, no validation, moto's own Kinesis storage); it accepts any credentials.
"""

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import botocore.config

from benchmarks.endpoint import REGION, free_port

START_TIMEOUT_SECONDS = 30.0


@dataclass
class MotoServer:
    url: str
    pid: int

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            region_name=REGION,
            endpoint_url=self.url,
            aws_access_key_id="AKIAPLAINMOTOBENCH00",  # moto_server checks no signature: any key will do
            aws_secret_access_key="plain-moto-accepts-any-secret",
            config=botocore.config.Config(retries={"max_attempts": 1}, read_timeout=300),
        )


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@contextmanager
def moto_server() -> Iterator[MotoServer]:
    port = free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # a line per request
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not _answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"moto_server did not start on port {port}")
            time.sleep(0.1)
        yield MotoServer(url=f"http://127.0.0.1:{port}", pid=process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
