"""Background jobs for work that outlasts a page load: generating thousands of voucher cards,
drawing thousands of them into a PDF. The page that starts one sends the admin to a progress
page that reloads itself ("x of y", no JavaScript) until a link to the result appears.

Jobs run in a thread of the web process and live in its memory. They are lost on restart,
which is harmless: a generation job's batch is stored in one transaction, so it is either in
the batch list or not there at all, and a PDF can simply be drawn again. The web service runs
as one process (portal.service), so every request sees the same registry.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from wifidesa.errors import ErrorCode, InvalidInput, WifidesaError

log = logging.getLogger(__name__)

KEEP_SECONDS = 3600  # a finished job (and its file) is kept this long
MAX_RESULT_BYTES = 256 * 1024**2  # files kept in memory, all jobs together
MAX_RUNNING = 2  # at once: the machine also answers RADIUS


class JobGone(WifidesaError):
    """No such job here (finished long ago, started by someone else, or lost on a restart)."""


@dataclass
class Job:
    id: str
    kind: str  # "generate" | "pdf"
    owner_id: int  # the admin who started it; nobody else sees it
    title: str
    total: int
    done: int = 0
    finished: bool = False
    error: str | None = None  # in English, for logs and the JSON API
    failure: WifidesaError | None = None  # the same, for a page to translate
    link: str | None = None  # where the result is shown (a generated batch's page)
    data: bytes | None = None  # the file made (a PDF)
    filename: str = ""
    media_type: str = ""
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None

    def progress(self, done: int, total: int) -> None:
        """A progress callback for the work (`progress(done, total)`)."""
        self.done, self.total = done, total


Work = Callable[[Job], None]


class JobRegistry:
    """The jobs of this process, by id (random: ids cannot be guessed)."""

    def __init__(self, *, max_bytes: int = MAX_RESULT_BYTES, keep_seconds: float = KEEP_SECONDS):
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._max_bytes = max_bytes
        self._keep = keep_seconds

    def has_room(self) -> bool:
        """Whether another job may start now."""
        with self._lock:
            return sum(not j.finished for j in self._jobs.values()) < MAX_RUNNING

    def start(self, *, kind: str, owner_id: int, title: str, total: int, work: Work) -> Job:
        """Run `work(job)` in a thread; it fills in done/total, then `data` or `link`."""
        with self._lock:
            self._prune()
            if sum(not j.finished for j in self._jobs.values()) >= MAX_RUNNING:
                raise InvalidInput(ErrorCode.JOBS_BUSY)
            job = Job(secrets.token_urlsafe(12), kind, owner_id, title, total)
            self._jobs[job.id] = job
        thread = threading.Thread(target=self._run, args=(job, work), name=f"job-{kind}")
        thread.daemon = True  # a job must not keep a stopping service alive
        thread.start()
        return job

    def get(self, job_id: str, owner_id: int) -> Job:
        """A copy of the job as it stands: a page reads one state, while the work goes on."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.owner_id != owner_id:
                raise JobGone(ErrorCode.JOB_GONE)
            return replace(job)

    def _run(self, job: Job, work: Work) -> None:
        try:
            work(job)
        except WifidesaError as exc:
            job.failure, job.error = exc, str(exc)
        except Exception:
            log.exception("background %s job %s failed", job.kind, job.id)
            failed = WifidesaError(ErrorCode.JOB_FAILED)
            job.failure, job.error = failed, str(failed)
        finally:
            with self._lock:
                job.ended = time.monotonic()
                job.finished = True
                self._prune()

    def _prune(self) -> None:
        """Forget old finished jobs, then the oldest files while they take too much memory
        (never the newest: a file larger than the limit is still handed over once)."""
        now = time.monotonic()
        for job_id, job in list(self._jobs.items()):
            if job.ended is not None and now - job.ended > self._keep:
                del self._jobs[job_id]
        done = sorted((j for j in self._jobs.values() if j.data), key=lambda j: j.ended or 0)
        size = sum(len(j.data or b"") for j in done)
        for job in done[:-1]:
            if size <= self._max_bytes:
                break
            size -= len(job.data or b"")
            del self._jobs[job.id]


_CREATE = threading.Lock()


def registry_of(state: object) -> JobRegistry:
    """The app's registry (created on first use, kept on `app.state`)."""
    with _CREATE:
        registry = getattr(state, "voucher_jobs", None)
        if registry is None:
            registry = JobRegistry()
            state.voucher_jobs = registry  # type: ignore[attr-defined]
    return registry
