"""``dailypapers serve`` as a user runs it: a real process, its URL, its answers, Ctrl-C, a port in use."""

from __future__ import annotations

import os
import re
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from dailypapers.serve.server import bind
from reader_world import second_run_ids, seed_archive

URL = re.compile(r"^dailypapers: reading (?P<db>\S+) at (?P<url>http://\S+/) \(Ctrl-C stops\)$")


def serve(config: Path, *options: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "dailypapers", "serve", "--config", str(config), *options]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def first_lines(process: subprocess.Popen[str], wanted: re.Pattern[str], deadline: float = 10.0) -> list[str]:
    """The lines ``process`` writes to standard error until one matches ``wanted`` (or it ends)."""
    assert process.stderr is not None
    lines: list[str] = []
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        ready, _, _ = select.select([process.stderr], [], [], end - time.monotonic())
        line = process.stderr.readline() if ready else ""
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if wanted.match(lines[-1]):
            return lines
    process.kill()
    raise AssertionError(f"no line matching {wanted.pattern} in {lines}")


def stop(process: subprocess.Popen[str]) -> tuple[int, float]:
    """Ctrl-C: the exit status, and how long the process took to end."""
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    try:
        status = process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    return status, time.monotonic() - started


def test_serve_prints_its_url_answers_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    config, database = seed_archive(tmp_path)
    process = serve(config, "--port", "0")
    lines = first_lines(process, URL)
    found = URL.match(lines[-1])
    assert found is not None and found["db"] == str(database.resolve()) or found and found["db"] == str(database)
    assert lines == [lines[-1]]  # nothing else: no warning on loopback, no access log
    page = httpx.get(found["url"], timeout=5)
    assert page.status_code == 200 and f'data-paper="{second_run_ids()[0]}"' in page.text
    status, took = stop(process)
    assert status == 0 and took < 3
    assert process.stderr is not None and "Traceback" not in process.stderr.read()


def test_a_port_in_use_is_one_line_and_exit_2(tmp_path: Path) -> None:
    config, _ = seed_archive(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "dailypapers", "serve", "--config", str(config), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=20,
        )
    assert done.returncode == 2 and done.stdout == ""
    assert (
        done.stderr == f"dailypapers: error: 127.0.0.1:{port} is in use; choose another --port (0 picks a free one)\n"
    )


@pytest.mark.parametrize("host", ["0.0.0.0", "::"])
def test_a_host_others_can_reach_is_warned_about(tmp_path: Path, host: str) -> None:
    """The warning comes before the socket: shown here with a port in use, so nothing is ever exposed."""
    if host == "::" and not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    config, _ = seed_archive(tmp_path)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        taken = socket.socket(family)
        taken.bind((host, 0))
    except OSError:
        pytest.skip(f"cannot bind {host} here")
    with taken:
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "dailypapers",
                "serve",
                "--config",
                str(config),
                "--host",
                host,
                "--port",
                str(port),
            ],
            capture_output=True,
            text=True,
            timeout=20,
        )
    warning, failure = done.stderr.splitlines()
    assert warning.startswith(f"dailypapers: warning: serving on {host}: anyone who can reach this machine can read")
    assert "reverse proxy" in warning
    assert failure == f"dailypapers: error: {host}:{port} is in use; choose another --port (0 picks a free one)"
    assert done.returncode == 2


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.5"])
def test_loopback_hosts_are_not_warned_about(tmp_path: Path, host: str) -> None:
    config, _ = seed_archive(tmp_path)
    process = serve(config, "--host", host, "--port", "0")
    try:
        lines = first_lines(process, URL)
    except AssertionError:
        if host == "::1":
            pytest.skip("no IPv6 loopback here")
        raise
    assert len(lines) == 1 and "warning" not in lines[0]
    found = URL.match(lines[0])
    assert found is not None and httpx.get(found["url"], timeout=5).status_code == 200
    assert stop(process)[0] == 0


def test_serve_without_a_database_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "dailypapers.toml"
    config.write_text('[[topics]]\nname = "x"\nquery = "ti:x"\n', encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "dailypapers", "serve", "--config", str(config), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert done.returncode != 0 and len(done.stderr.splitlines()) == 1 and "no database yet" in done.stderr
    assert not (tmp_path / "dailypapers.db").exists()


def test_open_hands_the_url_to_the_web_browser_once_it_answers(tmp_path: Path) -> None:
    """``BROWSER`` is the standard library's own way to choose the browser: here a script noting the URL."""
    config, _ = seed_archive(tmp_path)
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser"
    browser.write_text(f'#!/bin/sh\necho "$1" > {opened}\n', encoding="utf-8")
    browser.chmod(0o755)
    command = [sys.executable, "-m", "dailypapers", "serve", "--config", str(config), "--port", "0", "--open"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "BROWSER": f"{browser} %s"}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    found = URL.match(first_lines(process, URL)[-1])
    end = time.monotonic() + 5
    while not (opened.exists() and opened.read_text(encoding="utf-8").endswith("\n")) and time.monotonic() < end:
        time.sleep(0.05)
    assert stop(process)[0] == 0
    assert found is not None and opened.read_text(encoding="utf-8").strip() == found["url"]


def test_the_listening_socket_says_tcp_so_each_connection_sends_without_delay() -> None:
    """asyncio sets TCP_NODELAY on a connection only when its socket's protocol is IPPROTO_TCP; left 0, every
    request a browser sends on a kept-alive connection waits 40 ms for the server's delayed acknowledgement."""
    sock = bind("127.0.0.1", 0)
    with sock:
        assert sock.proto == socket.IPPROTO_TCP
        with socket.create_connection(sock.getsockname()[:2]):
            accepted, _ = sock.accept()
            with accepted:
                assert accepted.proto == socket.IPPROTO_TCP
