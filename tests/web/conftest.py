"""Fixtures for the web workbench tests.

- ``live_server``: a factory; ``live_server(project, team=False, local_user=None)`` serves
  the workbench for ``project`` with uvicorn on 127.0.0.1 (a free port, in a background
  thread) and returns its base URL. Every server started is stopped after the test.
- ``browser``: one headless Chromium for the session (Debian's ``chromium`` driven by
  Playwright; ``playwright install`` is not used). When the browser or Playwright is
  missing the browser tests skip on a user's machine, and fail when ``CI=true``.
- Each test item gets ``rep_setup`` / ``rep_call`` / ``rep_teardown`` (its reports), so a
  fixture can tell in its teardown whether the test failed.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from diplocode.project import Project

CHROMIUM = Path(os.environ.get("DIPLOCODE_CHROMIUM", "/usr/bin/chromium"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


LiveServer = Callable[..., str]


@pytest.fixture
def live_server() -> Iterator[LiveServer]:
    """``live_server(project, team=False, local_user=None) -> "http://127.0.0.1:PORT"``."""
    import uvicorn

    from diplocode.web.app import create_app

    running: list[tuple[Any, threading.Thread]] = []

    def start(project: Project, *, team: bool = False, local_user: str | None = None) -> str:
        app = create_app(project, team=team, local_user=local_user)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))  # bound here, so no other process can take the port
        port = sock.getsockname()[1]
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name=f"uvicorn-{port}", daemon=True
        )
        thread.start()
        running.append((server, thread))
        deadline = time.monotonic() + 20
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError(f"the workbench server on port {port} did not start")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the workbench server on port {port} took over 20 s to start")
            time.sleep(0.02)
        return f"http://127.0.0.1:{port}"

    yield start
    for server, _ in running:
        server.should_exit = True
    for _, thread in running:
        thread.join(timeout=15)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium (``/usr/bin/chromium``, or ``$DIPLOCODE_CHROMIUM``)."""
    in_ci = os.environ.get("CI") == "true"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - the dev group installs it
        if in_ci:
            pytest.fail(f"CI=true but Playwright is not installed: {exc}")
        pytest.skip(f"Playwright is not installed ({exc}); the browser tests run in CI")
    if not CHROMIUM.is_file():
        if in_ci:
            pytest.fail(f"CI=true but {CHROMIUM} is missing: apt-get install chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); these tests run in CI")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def extractor() -> ModuleType:
    """``scripts/extract_messages.py`` loaded as a module (the i18n tests call it)."""
    spec = importlib.util.spec_from_file_location(
        "extract_messages", Path(__file__).resolve().parents[2] / "scripts" / "extract_messages.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
