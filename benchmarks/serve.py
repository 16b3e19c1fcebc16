"""Latency and throughput of the scoring endpoint: 10,000 requests of one prospect each from 32 concurrent
keep-alive clients, against `apollo serve` (uvicorn) on loopback. Self-contained: a temporary data dir with a
reply model trained on synthetic sends. Target on 2 cores: p95 <= 25 ms and >= 500 requests/s.

The clients speak HTTP/1.1 over raw asyncio streams: an HTTP client library would spend more CPU per request than
the server, on the same two cores, and the benchmark would measure itself.

    python benchmarks/serve.py [--requests 10000] [--concurrency 32] [--workers 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import secrets
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PROSPECTS = [
    {"person_seniority": "vp", "company_industry": "Retail", "company_num_employees": 120, "send_hour": 9},
    {"person_seniority": "entry", "previous_replies_from_person": 1, "previous_messages_to_person": 2},
    {"company_size_bucket": "51-200", "person_intent_score": 42.5, "send_day_of_week": 2},
    {},
]


def register_model(data_dir: Path) -> None:
    from ml_assets.registry import ModelRegistry
    from ml_assets.reply_propensity.features import FEATURES
    from ml_assets.reply_propensity.synthetic import synthetic_sends
    from ml_assets.reply_propensity.train import PARAMS, train_reply_model

    trained = train_reply_model(synthetic_sends(4_000), explain=False)
    checks = {"no_identifier_features": True, "beats_baseline": True}
    registry = ModelRegistry(data_dir / "ml" / "registry")
    registry.register(
        "reply_propensity", trained.pipeline, "bench", trained.metrics, FEATURES, params=PARAMS, checks=checks
    )


def encoded_requests(port: int, token: str) -> list[bytes]:
    requests = []
    for prospect in PROSPECTS:
        body = json.dumps({"prospects": [prospect]}).encode()
        head = (
            f"POST /models/reply_propensity/score HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        requests.append(head.encode() + body)
    return requests


async def one_client(port: int, requests: list[bytes], budget: list[int], latencies: list[float]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while budget[0] > 0:
            budget[0] -= 1
            request = requests[budget[0] % len(requests)]
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
            body = await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if not head.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(f"unexpected response: {head[:40]!r} {body[:200]!r}")
    finally:
        writer.close()


async def load(port: int, token: str, total: int, concurrency: int) -> tuple[list[float], float]:
    requests, budget, latencies = encoded_requests(port, token), [total], []
    started = time.perf_counter()
    await asyncio.gather(*(one_client(port, requests, budget, latencies) for _ in range(concurrency)))
    return latencies, time.perf_counter() - started


def server_cpu(pid: int) -> float:
    """CPU seconds of the server and its worker processes."""
    import psutil

    process = psutil.Process(pid)
    return sum(sum(p.cpu_times()[:2]) for p in [process, *process.children(recursive=True)])


def client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    from ml_assets.service.process import start_service

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    try:
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    except ImportError:
        pass
    token = secrets.token_hex(32)
    with tempfile.TemporaryDirectory(prefix="apollo-bench-serve-") as folder:
        register_model(Path(folder))
        env = {**os.environ, "APOLLO_DATA_DIR": folder, "APOLLO_SERVICE_TOKEN": token, "OMP_NUM_THREADS": "1"}
        service = start_service(env, "--no-access-log", "--workers", str(args.workers), model="reply_propensity")
        try:
            asyncio.run(load(service.port, token, 500, args.concurrency))  # warm-up: connections, caches
            server_before, client_before = server_cpu(service.process.pid), client_cpu()
            latencies, seconds = asyncio.run(load(service.port, token, args.requests, args.concurrency))
            server_ms = (server_cpu(service.process.pid) - server_before) * 1000 / args.requests
            client_ms = (client_cpu() - client_before) * 1000 / args.requests
        finally:
            service.stop()
    p50, p95, p99 = (float(np.percentile(latencies, q) * 1000) for q in (50, 95, 99))
    rps = len(latencies) / seconds
    print(
        f"{len(latencies)} requests, {args.concurrency} clients, {args.workers} worker(s), {os.cpu_count()} cores: "
        f"p50 {p50:.2f} ms, p95 {p95:.2f} ms, p99 {p99:.2f} ms, {rps:.0f} requests/s"
    )
    # CPU per request does not depend on what else the machine runs, unlike latency and throughput.
    print(
        f"CPU per request: server {server_ms:.3f} ms, load generator {client_ms:.3f} ms; "
        f"load average {os.getloadavg()[0]:.1f} (other processes compete for the same cores)"
    )
    result = {
        "bench": "serve",
        "p50_ms": round(p50, 3),
        "p95_ms": round(p95, 3),
        "p99_ms": round(p99, 3),
        "rps": round(rps, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
