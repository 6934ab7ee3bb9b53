"""Ctrl-C and SIGTERM during a run: both become KeyboardInterrupt, which the run turns into its
partial outputs and the command that resumes it (common/training.py).

Two guarantees on top of Python's own handling:
- `interruptions_held()` defers a signal to the end of a block, so files that belong together
  (an epoch's logs and weights) are written together;
- a signal is remembered until the run ends on it: a library that swallows the exception
  (Keras' `.keras` writer catches everything while it opens its temporary file) cannot make
  the run carry on as if nothing happened; `raise_if_interrupted()`, at each epoch's end and
  before metrics.json, raises it again.
"""

from __future__ import annotations

import contextlib
import signal
import threading

_received: list[int] = []  # signals the run has not ended on yet
_held = 0  # depth of interruptions_held() blocks


def interrupt(signum, frame):
    """The handler `handling_interrupts` installs for SIGTERM and Ctrl-C."""
    _received.append(signum)
    if not _held:
        raise KeyboardInterrupt


def raise_if_interrupted():
    """KeyboardInterrupt again if a signal came and the run did not end on it."""
    if _received and not _held:
        raise KeyboardInterrupt


@contextlib.contextmanager
def interruptions_held():
    """Hold Ctrl-C and SIGTERM back until the block is done, then deliver them (and any
    that a library swallowed before). Outside `handling_interrupts` (a script's functions
    called from a notebook), the caller's handlers are swapped for the block and get the
    signal at its end."""
    global _held
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach the main thread only: nothing to hold here
        return
    callers = {}
    _held += 1
    try:
        for signum in (signal.SIGINT, signal.SIGTERM):
            handler = signal.getsignal(signum)
            if handler not in (interrupt, signal.SIG_IGN, None):
                callers[signum] = signal.signal(signum, interrupt)
        yield
    finally:
        for signum, handler in callers.items():
            signal.signal(signum, handler)
        _held -= 1
    if callers and _received:
        signum = _received[0]
        _received.clear()
        signal.raise_signal(signum)  # the handler it would have met
    raise_if_interrupted()


@contextlib.contextmanager
def handling_interrupts():
    """`kill PID` (SIGTERM) stops a run the way Ctrl-C does. Ctrl-C keeps being ignored
    where the shell started the run ignoring it (`cmd &` in a script). Outside the main
    thread, signals are left alone."""
    _received.clear()
    previous = {}
    try:
        with contextlib.suppress(ValueError):  # not the main thread
            for signum in (signal.SIGTERM, signal.SIGINT):
                if signum == signal.SIGINT and signal.getsignal(signum) is signal.SIG_IGN:
                    continue
                previous[signum] = signal.signal(signum, interrupt)
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        _received.clear()
