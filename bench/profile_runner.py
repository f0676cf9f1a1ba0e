"""Run a tidings command under cProfile, every thread of the process in one profile.

    python -P bench/profile_runner.py OUT.prof update --all

``python -m cProfile`` sees only the main thread, and times with the wall clock: an update
would show mostly its event loop waiting, and none of the store's thread or of the threads that
parse. Here each thread gets its own profiler timed by that thread's CPU clock
(``time.thread_time``), and the profiles are added up into OUT.prof at exit, after the
interpreter has joined the threads. Worker processes are not seen: run with
``TIDINGS_PARSE_PROCESSES=0`` for parsing to happen in threads of this process.
"""

from __future__ import annotations

import atexit
import cProfile
import pstats
import runpy
import sys
import threading
import time
from typing import Any


def main(argv: list[str]) -> None:
    out, command = argv[0], argv[1:]
    profiles: list[cProfile.Profile] = []
    lock = threading.Lock()
    thread_run = threading.Thread.run

    def profiled_run(self: threading.Thread) -> None:
        prof = cProfile.Profile(time.thread_time)
        with lock:
            profiles.append(prof)
        prof.enable()
        try:
            thread_run(self)
        finally:
            prof.disable()

    threading.Thread.run = profiled_run  # type: ignore[method-assign]

    def dump() -> None:
        with lock:
            stats = pstats.Stats(main_profile)
            for prof in profiles:
                stats.add(prof)
        stats.dump_stats(out)

    main_profile = cProfile.Profile(time.thread_time)
    atexit.register(dump)  # atexit runs after the interpreter has joined its threads
    sys.argv = ["tidings", *command]
    code: Any = 0
    main_profile.enable()
    try:
        runpy.run_module("tidings.cli", run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        code = exc.code
    finally:
        main_profile.disable()
    sys.exit(code)


if __name__ == "__main__":
    main(sys.argv[1:])
