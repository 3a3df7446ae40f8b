"""The process a customised template is rendered in: `python -m facilitator.reports.child MAX_BYTES SECONDS`.

A template runs in Jinja2's sandbox with size checks on what it builds (see `reports`), but one
C call (printing a list of a million long strings) can still take gigabytes and seconds that no
check or thread can stop. So a customised template is rendered here, in a process of its own:

- it reads what to render from standard input (a pickle the facilitator's process wrote: the
  template folder, the file, and the context of plain data);
- it limits its own address space to what it uses now plus MAX_BYTES (RLIMIT_AS), so piling up
  memory ends in a MemoryError or in the process's death, never in the machine swapping; and its
  CPU time (RLIMIT_CPU), so it ends even if the facilitator's process is gone;
- it writes one JSON object to standard output: {"text": ...} or {"error": "one sentence"}.

The facilitator's process kills it (and its process group) at the deadline (see
`reports._render_in_child`). Nothing here trusts the template; the parent trusts nothing it writes
beyond a JSON object of text.
"""

from __future__ import annotations

import json
import os
import pickle
import sys
from typing import Any

MEMORY_EXIT = 3  # exit code when even the error could not be written for lack of memory


def _limit_resources(max_bytes: int, seconds: float) -> None:
    try:
        import resource
    except ImportError:  # pragma: no cover - not a POSIX system: the parent's deadline still holds
        return
    try:
        with open("/proc/self/statm", "rb") as handle:
            in_use = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        in_use = 256 * 1024 * 1024  # where the system does not say: a generous guess of the interpreter's size
    for limit, value in ((resource.RLIMIT_AS, in_use + max_bytes), (resource.RLIMIT_CPU, int(seconds) + 2)):
        try:
            _soft, hard = resource.getrlimit(limit)
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(limit, (value, hard))
        except (ValueError, OSError):
            pass  # not allowed here: the parent's deadline still holds


def _reply(answer: dict[str, Any]) -> None:
    sys.stdout.buffer.write(json.dumps(answer, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    sys.stdout.buffer.flush()


def main(argv: list[str]) -> int:
    max_bytes, seconds = int(argv[0]), float(argv[1])
    folder, path, context = pickle.loads(sys.stdin.buffer.read())
    from pathlib import Path

    from facilitator.base.errors import ReportError
    from facilitator.reports.render import _render_template

    _limit_resources(max_bytes, seconds)
    try:
        try:
            text = _render_template(Path(folder), Path(path), context)
        except ReportError as error:
            _reply({"error": str(error)})
        else:
            del context
            _reply({"text": text})
    except MemoryError:
        try:
            _reply({"memory": True})
        except MemoryError:
            return MEMORY_EXIT
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    os._exit(code)  # no teardown of what the template built
