"""Shared by the bad-input sweeps (tests/test_bad_inputs_*.py): each case is (id, call, exception, fragment),
where ``call`` must raise ``exception`` with a message containing ``fragment`` (the argument's name).

Run a sweep file as a script (``python tests/test_bad_inputs_more.py -v``) to count, per module, how
many cases give a clear error, a deep one, a silent wrong result or a hang: the issue's tally.
"""

from __future__ import annotations

import collections
import signal
import sys
import threading

import pytest

OUTCOMES = ("clear", "deep", "silent", "hang")


class Hang(Exception):
    pass


def run_with_timeout(call, seconds: int = 10):
    """Run ``call``; raise ``Hang`` if it takes longer than ``seconds`` (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        return call()

    def on_alarm(signum, frame):
        raise Hang(f"no answer after {seconds} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        return call()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def check(case, seconds: int = 10) -> None:
    """The case raises exactly its exception, naming its fragment, in time."""
    _, call, exc, fragment = case
    with pytest.raises(exc) as info:
        run_with_timeout(call, seconds)
    assert info.type is exc, f"raised {info.type.__name__}, expected {exc.__name__}: {info.value}"
    assert fragment in str(info.value), f"message {str(info.value)!r} does not name {fragment!r}"


def params(cases):
    """Parametrize a test over ``cases``, each named by its id."""
    return pytest.mark.parametrize("case", cases, ids=[c[0] for c in cases])


def classify(case, seconds: int = 10, clear: tuple = (ValueError, TypeError), silent: tuple = ()) -> str:
    """clear / deep / silent / hang for one case: ``clear`` errors naming the fragment are clear,
    ``silent`` errors (a fixture noticing a wrong result) are silent, any other error is deep."""
    _, call, exc, fragment = case
    try:
        run_with_timeout(call, seconds)
    except Hang:
        return "hang"
    except silent:
        return "silent"
    except clear as err:
        return "clear" if fragment in str(err) else "deep"
    except Exception:  # noqa: BLE001 - anything else does not name the argument
        return "deep"
    return "silent"


def sweep(modules: dict, width: int = 24, **classify_args) -> None:
    """Print the tally per module and in total (``-v`` on the command line lists every case not clear)."""
    verbose = "-v" in sys.argv
    total: collections.Counter = collections.Counter()
    for module, cases in modules.items():
        counts: collections.Counter = collections.Counter()
        for case in cases:
            outcome = classify(case, **classify_args)
            counts[outcome] += 1
            if verbose and outcome != "clear":
                print(f"  {module}: {case[0]}: {outcome}")
        total.update(counts)
        print(f"{module:{width}} {len(cases):4} cases  " + "  ".join(f"{k} {counts[k]}" for k in OUTCOMES))
    print(f"{'total':{width}} {sum(total.values()):4} cases  " + "  ".join(f"{k} {total[k]}" for k in OUTCOMES))
