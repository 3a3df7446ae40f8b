"""The serving process the app starts never outlives it, even when two stops overlap: the meeting
screen's own stop (patient: it waits for the server to end by itself) may still be waiting when
the exit guard, about to end the process after a hangup, stops the server with its short timeout."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from facilitator.remote.link import RemoteLink

# A server that ignores SIGTERM, as one busy closing its participants' connections may seem to.
STUBBORN = "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nprint('up', flush=True)\ntime.sleep(60)"


def test_the_guards_stop_ends_a_server_the_screens_stop_is_still_waiting_for(tmp_path: Path) -> None:
    link = RemoteLink(tmp_path, "some-session")
    server = subprocess.Popen([sys.executable, "-c", STUBBORN], stdout=subprocess.PIPE, start_new_session=True)
    assert server.stdout is not None and server.stdout.readline() == b"up\n"
    link._server = server  # as start_server leaves it
    patient = threading.Thread(target=link.stop_server, kwargs={"timeout": 30.0}, daemon=True)
    patient.start()
    time.sleep(0.2)  # the screen's stop has sent SIGTERM and waits
    assert server.poll() is None
    link.stop_server(timeout=0.2)  # the guard's, just before the process ends
    assert server.poll() is not None, "the server outlived the guard's stop"
    assert not link.server_running
    patient.join(timeout=5)
    assert not patient.is_alive()
