import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_manage_py_fake_provider_serves_pennylane_over_http_on_localhost():
    port = _free_port()
    server = subprocess.Popen([sys.executable, "manage.py", "fake_provider", "pennylane", "--port", str(port),
                               "--fault", "rate_limited=1"], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/api/external/v2"
    try:
        for _ in range(120):
            try:
                first = httpx.get(f"{base}/me", headers={"Authorization": "Bearer demo-pennylane-lumen"})
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stdout.read().decode()[-2000:]
                time.sleep(0.25)
        second = httpx.get(f"{base}/me", headers={"Authorization": "Bearer demo-pennylane-lumen"})
        anonymous = httpx.get(f"{base}/me")
    finally:
        server.terminate()
        server.wait(timeout=10)

    assert first.status_code == 429 and first.text.startswith("Rate limit exceeded")  # the --fault asked for it
    assert second.status_code == 200 and second.json()["company"]["name"] == "Maison Lumen SAS"
    assert anonymous.status_code == 401
