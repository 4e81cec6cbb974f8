"""The in-process job registry: progress, results, errors, owners, room and memory limits."""

from __future__ import annotations

import threading
import time

import pytest

from portal.admin import jobs
from portal.admin.jobs import Job, JobGone, JobRegistry
from wifidesa.errors import ErrorCode, InvalidInput


def _finished(registry: JobRegistry, job: Job, owner: int = 1) -> Job:
    deadline = time.monotonic() + 60
    while not registry.get(job.id, owner).finished:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    return job


def test_a_page_reads_one_state_of_a_job_while_the_work_goes_on() -> None:
    # The job page once read `finished` twice (template, then Refresh header): a job that
    # ended in between gave a page that reloads without saying so, or the reverse.
    registry = JobRegistry()
    gate = threading.Event()
    job = registry.start(kind="pdf", owner_id=1, title="t", total=1, work=lambda j: gate.wait(30))
    seen = registry.get(job.id, 1)
    gate.set()
    _finished(registry, job)
    assert not seen.finished and seen.ended is None


def test_a_job_reports_progress_and_keeps_its_result_for_its_owner_only() -> None:
    registry = JobRegistry()
    gate = threading.Event()

    def work(job: Job) -> None:
        job.progress(1, 3)
        gate.wait(5)
        job.progress(3, 3)
        job.data, job.filename = b"%PDF", "x.pdf"

    job = registry.start(kind="pdf", owner_id=1, title="t", total=3, work=work)
    assert len(job.id) == 16
    seen = registry.get(job.id, 1)
    assert not seen.finished
    gate.set()
    _finished(registry, job)
    assert (job.done, job.total, job.data, job.error) == (3, 3, b"%PDF", None)
    with pytest.raises(JobGone):
        registry.get(job.id, 2)
    with pytest.raises(JobGone):
        registry.get("no-such-job", 1)


def test_a_failing_job_says_why_without_a_stack_trace(caplog: pytest.LogCaptureFixture) -> None:
    registry = JobRegistry()

    def refused(job: Job) -> None:
        raise InvalidInput(ErrorCode.COUNT_OUT_OF_RANGE, maximum=50000)

    def broken(job: Job) -> None:
        raise RuntimeError("secret detail")

    first = _finished(
        registry, registry.start(kind="g", owner_id=1, title="", total=1, work=refused)
    )
    second = _finished(
        registry, registry.start(kind="g", owner_id=1, title="", total=1, work=broken)
    )
    assert first.error == "count must be between 1 and 50000"
    assert second.error == "the job failed"
    assert "background g job" in caplog.text


def test_no_more_than_max_running_jobs_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs, "MAX_RUNNING", 1)
    registry = JobRegistry()
    gate = threading.Event()
    job = registry.start(kind="pdf", owner_id=1, title="", total=1, work=lambda j: gate.wait(5))
    assert not registry.has_room()
    with pytest.raises(InvalidInput):
        registry.start(kind="pdf", owner_id=1, title="", total=1, work=lambda j: None)
    gate.set()
    _finished(registry, job)
    assert registry.has_room()


def test_old_results_make_room_for_new_ones() -> None:
    registry = JobRegistry(max_bytes=10)

    def made(size: int) -> Job:
        def work(job: Job) -> None:
            job.data = b"x" * size

        return _finished(
            registry, registry.start(kind="pdf", owner_id=1, title="", total=1, work=work)
        )

    oldest, newer = made(6), made(4)
    made(1)  # 6 + 4 + 1 > 10: the oldest file goes
    with pytest.raises(JobGone):
        registry.get(oldest.id, 1)
    assert registry.get(newer.id, 1).data == b"xxxx"
