"""A small, bounded HTTP load generator (stdlib only): N requests from C keep-alive connections.

Only loopback addresses are accepted, every run stops after `requests` answers or `max_seconds`,
whichever comes first.
"""

import http.client
import ipaddress
import statistics
import threading
import time
from dataclasses import dataclass, field


@dataclass
class RunResult:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float] = field(repr=False)
    status_counts: dict[int, int]
    stopped_by_time: bool

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        # Nearest-rank percentile: the value below which p% of the answers fall.
        rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
        return ordered[rank - 1]

    def summary(self) -> dict:
        return {
            "name": self.name,
            "requests": self.requests,
            "errors": self.errors,
            "seconds": round(self.seconds, 3),
            "rps": round(self.rps, 1),
            "p50_ms": round(self.percentile(50), 2),
            "p95_ms": round(self.percentile(95), 2),
            "p99_ms": round(self.percentile(99), 2),
            "mean_ms": round(statistics.fmean(self.latencies_ms), 2) if self.latencies_ms else None,
            "max_ms": round(max(self.latencies_ms), 2) if self.latencies_ms else None,
            "status": {str(k): v for k, v in sorted(self.status_counts.items())},
            "stopped_by_time": self.stopped_by_time,
        }


def check_loopback(host: str) -> None:
    if host == "localhost":
        return
    if not ipaddress.ip_address(host).is_loopback:
        raise ValueError(f"the bench only sends requests to loopback addresses, not {host}")


def get(host: str, port: int, path: str, timeout: float = 30.0) -> tuple[int, bytes]:
    """One request on a fresh connection (for warm-up, probes and readiness checks)."""
    check_loopback(host)
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Accept": "application/json"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def run(
    name: str,
    host: str,
    port: int,
    paths: list[str],
    *,
    requests: int,
    concurrency: int,
    max_seconds: float,
) -> RunResult:
    """Send `requests` GETs cycling through `paths`, `concurrency` at a time.

    Each connection is kept alive while the server allows it; gunicorn's sync workers close it
    after every answer, and http.client then reconnects by itself, as a real client would.
    """
    check_loopback(host)
    lock = threading.Lock()
    next_index = [0]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = [0]
    deadline = time.monotonic() + max_seconds
    timed_out = [False]

    def take() -> int | None:
        with lock:
            if next_index[0] >= requests:
                return None
            if time.monotonic() > deadline:
                timed_out[0] = True
                return None
            next_index[0] += 1
            return next_index[0] - 1

    def worker():
        conn = http.client.HTTPConnection(host, port, timeout=60)
        mine: list[float] = []
        my_status: dict[int, int] = {}
        my_errors = 0
        while (i := take()) is not None:
            path = paths[i % len(paths)]
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Accept": "application/json"})
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException):
                conn.close()
                my_errors += 1
                continue
            mine.append((time.perf_counter() - start) * 1000)
            my_status[status] = my_status.get(status, 0) + 1
            if status != 200:
                my_errors += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += my_errors
            for k, v in my_status.items():
                statuses[k] = statuses.get(k, 0) + v

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(max_seconds + 120)
    seconds = time.perf_counter() - began
    return RunResult(
        name=name,
        requests=len(latencies),
        errors=errors[0],
        seconds=seconds,
        latencies_ms=latencies,
        status_counts=statuses,
        stopped_by_time=timed_out[0],
    )
