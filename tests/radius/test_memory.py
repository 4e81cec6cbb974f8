"""The worker process's memory settings (in a subprocess: they are global to a process)."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_full_collections_wait_for_housekeeping() -> None:
    script = textwrap.dedent(
        """
        import gc
        from radius.memory import collect_garbage, settle_memory

        settle_memory()
        assert gc.get_freeze_count() > 0, "start-up objects frozen"
        young, middle, full = gc.get_threshold()
        assert (young, middle) == (700, 10) and full >= 1 << 30, gc.get_threshold()

        class Node:
            pass

        collected = []
        gc.callbacks.append(lambda phase, info: phase == "stop" and collected.append(info))
        for _ in range(200_000):  # cycles that only a collection frees
            a, b = Node(), Node()
            a.b, b.a = b, a
        assert all(info["generation"] < 2 for info in collected), "no full collection by itself"
        del collected[:]
        collect_garbage()
        assert [info["generation"] for info in collected] == [2]
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
