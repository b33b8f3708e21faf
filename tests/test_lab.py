"""The analysts' JupyterLab: `make lab` serves the notebook, Run All works, git stays clean.

The server is started with exactly the arguments of `make lab` on a fresh clone of this
repository with the notebook filter installed as `make venv` does; the notebook is run
through the server's own kernel and contents API, the way JupyterLab's "Run All" and
autosave do it.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "sozialraumbericht.ipynb"
JUPYTER = Path(sys.executable).with_name("jupyter")

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _lab_args() -> list[str]:
    out = subprocess.run(
        ["make", "-s", "lab-args"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return shlex.split(out.stdout)


class _Lab:
    def __init__(self, base: str, token: str) -> None:
        self.base, self.token = base, token

    def request(self, method: str, path: str, body: dict | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            f"{self.base}{path}",
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=60) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else {}


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(repo)], check=True)
    subprocess.run([sys.executable, "-m", "sozialraum.nbclean", "--install", str(repo)], check=True)
    return repo


@pytest.fixture
def lab(clone: Path, tmp_path: Path):
    token = secrets.token_hex(16)
    port = _free_port()
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    proc = subprocess.Popen(
        [
            str(JUPYTER),
            "lab",
            f"--notebook-dir={clone / 'notebooks'}",
            f"--ServerApp.port={port}",
            f"--IdentityProvider.token={token}",
            *_lab_args(),
        ],
        cwd=clone,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    server = _Lab(f"http://127.0.0.1:{port}", token)
    deadline = time.monotonic() + 90
    while True:
        try:
            server.request("GET", "/api/status")
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("JupyterLab did not start: " + proc.stderr.read().decode()[-2000:])
            time.sleep(0.5)
    yield server
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


async def _run_cells(base: str, token: str, kernel_id: str, cells: list[dict]) -> None:
    """Execute each code cell in order and store its outputs, as JupyterLab's Run All does."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    url = base.replace("http", "ws") + f"/api/kernels/{kernel_id}/channels"
    ws = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {token}"}))
    session = uuid.uuid4().hex
    try:
        for count, cell in enumerate((c for c in cells if c["cell_type"] == "code"), 1):
            msg_id = uuid.uuid4().hex
            await ws.write_message(
                json.dumps(
                    {
                        "header": {
                            "msg_id": msg_id,
                            "msg_type": "execute_request",
                            "username": "test",
                            "session": session,
                            "version": "5.3",
                        },
                        "parent_header": {},
                        "metadata": {},
                        "content": {
                            "code": "".join(cell["source"]),
                            "silent": False,
                            "store_history": True,
                            "user_expressions": {},
                            "allow_stdin": False,
                            "stop_on_error": True,
                        },
                        "channel": "shell",
                    }
                )
            )
            outputs: list[dict] = []
            while True:
                raw = await asyncio.wait_for(ws.read_message(), timeout=600)
                assert raw is not None, "the kernel's websocket closed"
                msg = json.loads(raw)
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind, content = msg["msg_type"], msg["content"]
                if kind in ("display_data", "execute_result"):
                    outputs.append({"output_type": kind, **content})
                elif kind == "stream":
                    outputs.append({"output_type": "stream", **content})
                elif kind == "error":
                    outputs.append({"output_type": "error", **content})
                elif kind == "status" and content["execution_state"] == "idle":
                    break
            for out in outputs:
                if out["output_type"] == "execute_result":
                    out["execution_count"] = count
                out.pop("transient", None)
            cell["outputs"], cell["execution_count"] = outputs, count
    finally:
        ws.close()


def test_lab_runs_the_notebook_and_git_stays_clean(lab: _Lab, clone: Path):
    nb = lab.request("GET", f"/api/contents/{NOTEBOOK}?content=1")["content"]
    session = lab.request(
        "POST",
        "/api/sessions",
        {"path": NOTEBOOK, "type": "notebook", "name": NOTEBOOK, "kernel": {"name": "python3"}},
    )
    asyncio.run(_run_cells(lab.base, lab.token, session["kernel"]["id"], nb["cells"]))

    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    errors = [o for c in code for o in c["outputs"] if o["output_type"] == "error"]
    assert not errors, f"{errors[0]['ename']}: {errors[0]['evalue']}"
    html = "\n".join(
        o["data"].get("text/html", "")
        for c in code
        for o in c["outputs"]
        if o["output_type"] in ("display_data", "execute_result")
    )
    for section in ("Auf einen Blick", "Lage in der Stadt", "Die Indikatoren im Einzelnen"):
        assert f">{section}</h2>" in html, f"section {section!r} missing"
    assert "<figure" in html and "<table" in html

    # what autosave does after Run All, with another Sozialraum picked in the parameter cell
    params = next(c for c in code if "parameters" in c["metadata"].get("tags", []))
    params["source"] = "".join(params["source"]).replace(
        "sozialraum = None", 'sozialraum = "Sterkrade-Mitte"'
    )
    assert "Sterkrade-Mitte" in params["source"]
    # JupyterLab's frontend describes the kernel as ipykernel names it, with the kernel's details
    nb["metadata"]["kernelspec"]["display_name"] = "Python 3 (ipykernel)"
    nb["metadata"]["language_info"] = {
        "codemirror_mode": {"name": "ipython", "version": 3},
        "name": "python",
        "pygments_lexer": "ipython3",
        "version": "3.12.3",
    }
    lab.request(
        "PUT", f"/api/contents/{NOTEBOOK}", {"type": "notebook", "format": "json", "content": nb}
    )
    on_disk = clone / "notebooks" / NOTEBOOK
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=clone, capture_output=True, text=True, check=True
    )
    assert status.stdout == "", f"the run left changes for git: {status.stdout}"
    assert on_disk.read_bytes() == (ROOT / "notebooks" / NOTEBOOK).read_bytes()

    # another editor writes outputs and the edited parameter: the git filter keeps them out
    on_disk.write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=clone, check=True)
    staged = subprocess.run(
        ["git", "diff", "--cached", "--stat"], cwd=clone, capture_output=True, text=True
    )
    assert staged.stdout == "", f"outputs or parameters reached git: {staged.stdout}"
