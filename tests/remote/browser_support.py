"""Browser end-to-end helpers: a textual-serve server as a subprocess, Debian's Chromium driven by
Playwright's async API, and polling for the files the served apps write.

The served terminal is drawn by xterm.js on a canvas, so the page has no text to read
(`document.body.innerText` is empty): type with `page.keyboard`, check results through files the
app writes (or a screenshot).

Typical use, in an async test (pytest-asyncio, asyncio_mode = "auto"):

    @pytest.fixture
    async def browser():
        async with chromium_browser() as browser:   # skips, or fails on CI, without Chromium
            yield browser

    async def test_x(browser, tmp_path):
        port = free_port()
        async with ServerProcess([sys.executable, "serve.py", str(port)], port) as server:
            page = await open_served_app(browser, server.url, (1000, 700),
                                         ready=lambda: next(tmp_path.glob("ready-*"), None))
            await page.keyboard.type("hello")
            await page.keyboard.press("Enter")
            await wait_for(lambda: (tmp_path / "result.json").exists(), 10, "the result file")
            await page.context.close()

Keys and focus: Textual hands each key to the widget that is focused when the key *arrives*, and a
Tab moves the focus only when it has been handled, so keys typed straight after a Tab go to the old
widget. After any key that moves the focus, wait for the app to show it (a state file it writes,
best) or at least for its output to settle (press_and_settle) before sending more keys.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import signal
import socket
import subprocess
import tempfile
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page, Playwright

CHROMIUM = "/usr/bin/chromium"
REQUIRE_ENV = "FACILITATOR_REQUIRE_BROWSER"
CHROMIUM_ARGS = [
    "--no-sandbox",  # we run as root in a container: Chromium's sandbox refuses to start there
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


# --- (f) can browser tests run here? -----------------------------------------------------------------


def browser_unavailable_reason() -> str | None:
    """Why the browser tests cannot run on this machine, or None if they can."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return (
            f"{CHROMIUM} is missing (install it with: apt-get update && apt-get install -y chromium;"
            " Playwright's own browser download is not used)"
        )
    try:
        import playwright.async_api  # noqa: F401
    except ImportError as error:
        return f"playwright is not installed ({error}); pip install -e '.[test]'"
    return None


def require_browser() -> None:
    """Skip the calling test if Chromium (or Playwright) is missing, or fail it when
    FACILITATOR_REQUIRE_BROWSER=1 (CI sets it, so the browser tests cannot silently skip there)."""
    reason = browser_unavailable_reason()
    if reason is None:
        return
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{REQUIRE_ENV}=1 but the browser tests cannot run: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason} (set {REQUIRE_ENV}=1 to make this a failure)")


# --- (a) a free loopback port -----------------------------------------------------------------------


def free_port(host: str = "127.0.0.1") -> int:
    """A port that was free a moment ago (the kernel picks it; another process could still take it
    before our server binds it, which is why ServerProcess reports a server that exits early)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False


# --- (b) a server subprocess ------------------------------------------------------------------------


class ServerStartError(RuntimeError):
    pass


class ServerProcess:
    """Run `argv` as a subprocess until it listens on host:port; stop it on exit.

    Usable as `with` (blocking waits; fine before an event loop is busy) or `async with` (waits with
    asyncio.sleep, so a Textual app running under run_test in the same test keeps running).

    The process gets its own process group: stopping sends SIGINT to the server (textual-serve exits
    gracefully and tells each app process to quit), waits `stop_timeout`, then SIGKILLs the whole
    group, which also takes any app process left behind. Its stdout and stderr go to a temporary
    file (not a pipe, which would block the server once full); `output()` returns them and a server
    that exits or never listens raises ServerStartError showing them.
    """

    def __init__(
        self,
        argv: Sequence[str],
        port: int,
        *,
        host: str = "127.0.0.1",
        start_timeout: float = 20.0,
        stop_timeout: float = 5.0,
        env: dict[str, str] | None = None,
        cwd: str | os.PathLike | None = None,
    ) -> None:
        self.argv = [str(part) for part in argv]
        self.host, self.port = host, port
        self.start_timeout, self.stop_timeout = start_timeout, stop_timeout
        self.env, self.cwd = env, cwd
        self.process: subprocess.Popen | None = None
        self._log = None
        self.started_in: float | None = None  # seconds from spawn to accepting connections

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def output(self) -> str:
        """Everything the server has written to stdout and stderr so far."""
        if self._log is None:
            return ""
        self._log.flush()
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")

    # starting

    def _spawn(self) -> None:
        self._log = tempfile.TemporaryFile()
        env = None if self.env is None else {**os.environ, **self.env}
        self._t0 = time.perf_counter()
        self.process = subprocess.Popen(
            self.argv,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=self.cwd,
            start_new_session=True,
        )

    def _check(self) -> bool:
        """True once listening; raises if the process has exited or the start timed out."""
        assert self.process is not None
        if self.process.poll() is not None:
            self._fail(f"exited with code {self.process.returncode} before listening")
        if _port_open(self.host, self.port):
            self.started_in = time.perf_counter() - self._t0
            return True
        if time.perf_counter() - self._t0 > self.start_timeout:
            self._fail(f"was not listening after {self.start_timeout:.0f}s")
        return False

    def _fail(self, what: str) -> None:
        output = self.output().strip() or "(no output)"
        self.stop()
        raise ServerStartError(
            f"server {' '.join(self.argv)!r} {what} on {self.host}:{self.port}. Its output:\n{output[-4000:]}"
        )

    def start(self) -> ServerProcess:
        self._spawn()
        while not self._check():
            time.sleep(0.05)
        return self

    async def start_async(self) -> ServerProcess:
        self._spawn()
        while not self._check():
            await asyncio.sleep(0.05)
        return self

    # stopping

    def _signal_group(self, sig: int) -> None:
        assert self.process is not None
        try:
            os.killpg(self.process.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def _begin_stop(self) -> bool:
        """Send SIGINT; False if there is nothing to stop."""
        if self.process is None:
            return False
        if self.process.poll() is None:
            try:
                self.process.send_signal(signal.SIGINT)
            except ProcessLookupError:
                pass
        return True

    def _finish_stop(self) -> None:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self._signal_group(signal.SIGKILL)  # app processes that outlived the server

    def stop(self) -> None:
        if not self._begin_stop():
            return
        try:
            self.process.wait(self.stop_timeout)
        except subprocess.TimeoutExpired:
            pass
        self._finish_stop()

    async def stop_async(self) -> None:
        if not self._begin_stop():
            return
        deadline = time.perf_counter() + self.stop_timeout
        while self.process.poll() is None and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
        self._finish_stop()

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    async def __aenter__(self) -> ServerProcess:
        return await self.start_async()

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop_async()


# --- (e) polling ------------------------------------------------------------------------------------


async def wait_for(
    predicate: Callable[[], Any | Awaitable[Any]],
    timeout: float = 10.0,
    what: str | None = None,
    interval: float = 0.05,
) -> Any:
    """Call `predicate` (sync or async) until it returns something truthy; return that value.

    Exceptions from the predicate count as "not yet" (a file being replaced, JSON not there yet); the
    last one is shown if the wait times out, as TimeoutError naming `what`.
    """
    deadline = time.perf_counter() + timeout
    last_error: BaseException | None = None
    while True:
        try:
            value = predicate()
            if inspect.isawaitable(value):
                value = await value
            if value:
                return value
        except Exception as error:  # noqa: BLE001 - "not yet", reported on timeout
            last_error = error
        if time.perf_counter() >= deadline:
            detail = f" (last error: {last_error!r})" if last_error is not None else ""
            raise TimeoutError(
                f"timed out after {timeout:g}s waiting for "
                f"{what or getattr(predicate, '__name__', 'the condition')}{detail}"
            )
        await asyncio.sleep(interval)


# --- (c) Chromium -----------------------------------------------------------------------------------


async def launch_chromium(playwright: Playwright, **kwargs: Any) -> Browser:
    """Debian's Chromium, headless, with the flags that work in our containers (no download)."""
    return await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, **kwargs)


@asynccontextmanager
async def chromium_browser(**kwargs: Any) -> AsyncIterator[Browser]:
    """`async with chromium_browser() as browser:` (skips or fails first, see require_browser).
    Made for an async pytest fixture: `async with chromium_browser() as b: yield b`."""
    require_browser()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await launch_chromium(playwright, **kwargs)
        try:
            yield browser
        finally:
            await browser.close()


# --- (d) a served app in a page ---------------------------------------------------------------------


class _OutputWatch:
    """Counts the terminal-output frames the page receives on textual-serve's websocket."""

    def __init__(self) -> None:
        self.frames = 0
        self.last = time.perf_counter()

    def attach(self, websocket) -> None:
        websocket.on("framereceived", self._frame)

    def _frame(self, payload) -> None:
        if isinstance(payload, (bytes, bytearray)):  # text frames are pongs and meta
            self.frames += 1
            self.last = time.perf_counter()


_WATCHES: weakref.WeakKeyDictionary[Page, _OutputWatch] = weakref.WeakKeyDictionary()


def output_frames(page: Page) -> int:
    """How many output frames the served app has sent this page so far."""
    return _WATCHES[page].frames


async def wait_output_settled(page: Page, since: int | None = None, quiet: float = 0.25, timeout: float = 10.0) -> None:
    """Wait until the app has sent at least one output frame after `since` (a count from
    output_frames; None: no new frame needed) and then nothing for `quiet` seconds.

    App-agnostic but best-effort: it tells "the app redrew and went idle", e.g. after a Tab moved
    the focus. A file the app writes (or any state the app reports) is the exact signal; use this
    only where the app under test reports nothing."""
    watch = _WATCHES[page]
    floor = watch.frames if since is None else since + 1

    def settled() -> bool:
        return watch.frames >= floor and time.perf_counter() - watch.last >= quiet

    await wait_for(settled, timeout, "the served app's output to settle", interval=0.02)


async def press_and_settle(page: Page, key: str, quiet: float = 0.25, timeout: float = 10.0) -> None:
    """Press `key` and wait for the app to redraw and go quiet (see wait_output_settled)."""
    since = output_frames(page)
    await page.keyboard.press(key)
    await wait_output_settled(page, since, quiet, timeout)


async def _keep_local(route, origin: str) -> None:
    url = route.request.url
    if url.startswith(origin) or url.startswith(("data:", "blob:")):
        await route.continue_()
    else:
        # The page's Google web font: refusing it at once keeps the page from waiting on a DNS
        # lookup that cannot succeed (window.onload, which starts the terminal, waits for the
        # stylesheet). xterm.js then draws with the fallback monospace font, as offline it would.
        await route.abort()


async def open_served_app(
    browser: Browser,
    url: str,
    size: tuple[int, int] = (1000, 700),
    *,
    ready: Callable[[], Any | Awaitable[Any]] | None = None,
    timeout: float = 30.0,
) -> Page:
    """Open `url` (a textual-serve server) in a new browser context with a `size` viewport (width,
    height in CSS pixels) and return the page once the served app can take keys.

    Waits for, in order:
    1. `.textual-terminal.-connected`: textual.js adds the class when the app's websocket opens
       (textual-serve has started the app process by then);
    2. `body.-first-byte`: added when the first output packet of more than 10 bytes arrives, that is,
       the app has started drawing;
    3. `ready()` if given (sync or async, polled until truthy): the app's own signal, e.g. a file it
       writes on Textual's Ready event. Without it there is no sure sign that the app has mounted and
       focused its first widget (keys sent earlier can be lost), so without `ready` this only waits
       for the app's output to go quiet for 0.3 s (best effort; an Input's cursor blinks every 0.5 s);
    then focuses xterm's hidden textarea (which is what a click on the terminal does, without sending
    the app a mouse click), so `page.keyboard` goes to the app.

    Each page gets its own context (cookies, storage), as separate participants would. Close it with
    `await page.context.close()`; closing the browser closes everything. Requests leaving the
    server's origin are refused (the web font).
    """
    width, height = size
    context = await browser.new_context(viewport={"width": width, "height": height})
    try:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        await context.route("**/*", lambda route: _keep_local(route, origin))
        page = await context.new_page()
        watch = _WATCHES[page] = _OutputWatch()
        page.on("websocket", watch.attach)
        page.set_default_timeout(timeout * 1000)
        await page.goto(url, wait_until="load")
        await page.wait_for_selector(".textual-terminal.-connected", state="attached")
        await page.wait_for_selector("body.-first-byte", state="attached")
        if await page.locator("body.-closed").count():
            raise RuntimeError(f"the served app closed its connection at once ({url})")
        if ready is not None:
            await wait_for(ready, timeout, "the served app to report ready")
        else:
            await wait_output_settled(page, quiet=0.3, timeout=timeout)
        await page.focus(".xterm-helper-textarea")
        return page
    except BaseException:
        await context.close()
        raise


def png_ok(path: Path) -> bool:
    """A non-empty PNG file."""
    data = Path(path).read_bytes()
    return len(data) > 100 and data[:8] == b"\x89PNG\r\n\x1a\n"


__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "REQUIRE_ENV",
    "ServerProcess",
    "ServerStartError",
    "browser_unavailable_reason",
    "chromium_browser",
    "free_port",
    "launch_chromium",
    "open_served_app",
    "output_frames",
    "png_ok",
    "press_and_settle",
    "require_browser",
    "wait_for",
    "wait_output_settled",
]
