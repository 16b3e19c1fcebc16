"""The real-time path on a real Kafka-protocol broker (Tansu, local, in memory), in one run:

1. **Throughput**: 1,000,000 events (70 % usage, 30 % e-mail, the sample world's) are produced first; then one
   consumer process (`StreamService`, every partition) decodes, validates, masks and commits them to the lake as
   Parquet. Target >= 100,000 events/s.
2. **Naive baseline**, same events, same process kind: per message one `json.loads`, masking of a one-row table and
   one Parquet row written (on the first `--naive-events`, extrapolated as a rate).
3. **Latency**: a producer process paced at `--rate` (10,000/s) for `--seconds`, the consumer process running
   beside it (batches of at most 1 s), and this process polling the lake's commit log and querying each newly
   committed file with DuckDB: produce -> queryable latency per event. Target p95 <= 5 s. The producer starts
   once the consumer is consuming, its events are stamped from a start that lies after their generation (else
   the generation's time would count as every event's latency), and the poller runs until every event was seen.
4. **Memory**: peak RSS of the consumer processes. Target <= 1 GB.

The last line is one JSON object. Producers, consumer and poller share the machine's 2 cores with the broker, so
the wall-clock rates are the share of the machine the consumer got: `consumer_cpu_us_per_event` (the bulk run's
CPU without the process's start) and `live_consumer_cpu_us_per_event` (at 10,000 events/s: fixed costs per
micro-batch weigh more) are what a change to the consumer moves.

    python benchmarks/stream.py [--events 1000000] [--rate 10000] [--seconds 30] [--naive-events 20000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KEY = b"benchmark-masking-key-0123456789abcdef"


def _kafka(bootstrap: str, prefix: str):
    from apollo_assets.stream.kafka_settings import KafkaSettings

    return KafkaSettings(bootstrap, f"bench-{prefix}", prefix, 50_000, 1.0, {})


def produce_role(args: argparse.Namespace) -> None:
    """Generate and produce `--count` events; paced at `--rate` when given. Prints produce times of a sample."""
    from apollo_assets.sample_data.live_events import LiveEventSource, world_at_latest_backup
    from apollo_assets.stream.admin import ensure_topics
    from apollo_assets.stream.produce import produce_events

    kafka = _kafka(args.bootstrap, args.prefix)
    ensure_topics(kafka)
    world = world_at_latest_backup(None)
    if not args.rate:
        events = list(LiveEventSource(world, seed=7).events(1_796_000_000_000, 10_000, args.count))
    lead = 2.0
    while args.rate:
        # Events are generated before the clock, stamped from `start` on: a start that passed while they were being
        # generated would be counted as latency by every event. Generated again with a longer lead until it holds.
        start = time.time() + lead
        events = list(LiveEventSource(world, seed=7).events(int(start * 1000), args.rate, args.count))
        if time.time() < start:
            time.sleep(start - time.time())
            break
        lead = 1.5 * (time.time() - start + lead) + 1
    summary = produce_events(kafka, events, args.rate or None)
    print(json.dumps({"produced": sum(summary.produced.values()), "seconds": summary.seconds}), flush=True)


def consume_role(args: argparse.Namespace) -> None:
    """One consumer process: StreamService over every partition until `--count` events are committed."""
    from apollo_assets.masking import MaskingKey
    from apollo_assets.storage import open_location
    from apollo_assets.stream.service import StreamOptions, StreamService

    kafka = _kafka(args.bootstrap, args.prefix)
    options = StreamOptions(batch_events=50_000, batch_seconds=args.batch_seconds, assignment="all")
    service = StreamService(kafka, open_location(args.lake), MaskingKey(KEY), options=options)
    ready = []

    def until(stats) -> bool:
        if not ready:  # the loop is running, its partitions assigned: the producer may start its clock
            ready.append(time.perf_counter())
            print("ready", flush=True)
        return stats.events >= args.count

    started = time.perf_counter()
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    stats = service.run(until=until)
    elapsed = time.perf_counter() - started
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "events": stats.events,
                "seconds": elapsed,
                "cpu_seconds": cpu.ru_utime + cpu.ru_stime,
                # The run's own CPU, without the process's start (imports, compiled kernels loaded from cache).
                "run_cpu_seconds": cpu.ru_utime + cpu.ru_stime - cpu_before.ru_utime - cpu_before.ru_stime,
                "stages": stats.seconds,
                "commits": stats.commits,
                "peak_rss_mb": cpu.ru_maxrss / 1024,
            }
        ),
        flush=True,
    )


def naive_role(args: argparse.Namespace) -> None:
    """Per message: json.loads, a one-row Arrow table masked, one Parquet row written."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from confluent_kafka import Consumer, TopicPartition

    from apollo_assets.masking import Masker, MaskingKey, load_policy
    from apollo_assets.stream.decode import reference_decode
    from apollo_assets.stream.topics import TOPICS

    topic = TOPICS["usage_events"]
    contract = topic.contract()
    masker = Masker(load_policy("usage_events"), MaskingKey(KEY), contract.arrow_schema)
    consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": "naive", "enable.auto.commit": False})
    consumer.assign([TopicPartition(f"{args.prefix}usage_events", p, 0) for p in range(3)])
    writer = pq.ParquetWriter(Path(args.lake) / "naive.parquet", masker.output_schema)
    done, started = 0, time.perf_counter()
    while done < args.count:
        for message in consumer.consume(1000, timeout=1.0):
            if message.error() or done >= args.count:
                continue
            row = json.loads(message.value())
            reference_decode(topic, message.value())  # the schema check, per message
            table = contract.to_lake(pa.Table.from_pylist([row], schema=contract.parse_schema))
            writer.write_table(masker.mask_table(table))
            done += 1
    writer.close()
    consumer.close()
    print(json.dumps({"events": done, "seconds": time.perf_counter() - started}), flush=True)


def _role(role: str, *extra: str) -> subprocess.Popen:
    command = [sys.executable, __file__, "--role", role, *extra]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)


def _result(process: subprocess.Popen, timeout: float = 1800) -> dict:
    out, _ = process.communicate(timeout=timeout)
    if process.returncode:
        raise RuntimeError(f"{process.args[3]} exited with {process.returncode}")
    return json.loads(out.strip().splitlines()[-1])


def _poll_latencies(
    lake: Path, topics: list[str], expected: int, producer: subprocess.Popen, timeout: float
) -> tuple[list[float], int]:
    """Poll the commit logs; each newly committed file is queried with DuckDB, and each of its events' latency is
    the time it became queryable minus its event time (= its produce time: the producer is paced to it). Until
    every expected event was seen, or 15 s after the producer ended, or `timeout`."""
    import duckdb

    from apollo_assets.storage import open_location
    from apollo_assets.stream.progress import stream_log
    from apollo_assets.stream.topics import TOPICS

    location = open_location(str(lake))
    logs = [(stream_log(location, t), TOPICS[t].event_time) for t in topics]
    seen_records: set[str] = set()
    latencies: list[float] = []
    con = duckdb.connect()
    deadline, ended = time.time() + timeout, None
    while len(latencies) < expected and time.time() < min(deadline, (ended or float("inf")) + 15):
        if ended is None and producer.poll() is not None:
            ended = time.time()
        for log, event_time in logs:
            fresh = []
            for partition in log.partitions():
                folder = Path(log.path) / "_commits" / f"partition={partition}"
                for record in folder.glob("[0-9]*.json"):
                    if str(record) not in seen_records:
                        seen_records.add(str(record))
                        payload = json.loads(record.read_text())
                        fresh += [f"{log.path}/{f['path']}" for f in payload["files"]]
            if fresh:
                rows = con.execute(f'select epoch_ms("{event_time}") from read_parquet({fresh!r})').fetchall()
                now_ms = time.time() * 1000
                latencies += [(now_ms - t) / 1000 for (t,) in rows]
        time.sleep(0.1)
    return latencies, len(seen_records)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--rate", type=float, default=10_000)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--naive-events", type=int, default=20_000)
    parser.add_argument("--role", choices=["produce", "consume", "naive"], help=argparse.SUPPRESS)
    parser.add_argument("--bootstrap", help=argparse.SUPPRESS)
    parser.add_argument("--prefix", help=argparse.SUPPRESS)
    parser.add_argument("--lake", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--batch-seconds", type=float, default=1.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role:
        {"produce": produce_role, "consume": consume_role, "naive": naive_role}[args.role](args)
        return

    from apollo_assets.stream.local_broker import start_local_broker

    with tempfile.TemporaryDirectory(prefix="apollo-stream-bench-") as tmp, start_local_broker() as broker:
        common = ["--bootstrap", broker.bootstrap]
        started = time.perf_counter()
        produced = _result(_role("produce", *common, "--prefix", "bulk.", "--count", str(args.events)))
        print(f"produced {produced['produced']:,} events in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        bulk = _result(
            _role("consume", *common, "--prefix", "bulk.", "--lake", f"{tmp}/bulk", "--count", str(args.events))
        )
        rate = bulk["events"] / bulk["seconds"]
        print(f"consumer: {rate:,.0f} events/s; stages {bulk['stages']}", file=sys.stderr)
        Path(f"{tmp}/naive").mkdir()
        naive = _result(
            _role("naive", *common, "--prefix", "bulk.", "--lake", f"{tmp}/naive", "--count", str(args.naive_events))
        )
        naive_rate = naive["events"] / naive["seconds"]
        print(f"naive: {naive_rate:,.0f} events/s", file=sys.stderr)

        live = int(args.rate * args.seconds)
        from apollo_assets.stream.admin import ensure_topics

        ensure_topics(_kafka(broker.bootstrap, "live."))  # before the consumer lists their partitions
        consumer = _role("consume", *common, "--prefix", "live.", "--lake", f"{tmp}/live", "--count", str(live))
        # The producer's clock starts once the consumer is consuming: a consumer still starting would be measured
        # as latency (its start is a deployment's, once, not a per-event cost).
        if consumer.stdout.readline().strip() != "ready":
            raise RuntimeError("the live consumer did not start")
        producer = _role("produce", *common, "--prefix", "live.", "--count", str(live), "--rate", str(args.rate))
        try:
            latencies, commits = _poll_latencies(
                Path(f"{tmp}/live"), ["usage_events", "email_events"], live, producer, 10 * args.seconds + 120
            )
            live_producer, live_consumer = _result(producer, 120), _result(consumer, 120)
        finally:
            for process in (producer, consumer):
                if process.poll() is None:
                    process.kill()
        latencies.sort()
        p50 = statistics.median(latencies) if latencies else None
        p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else None
        print(
            f"latency over {len(latencies):,} events ({commits} commits): p50 {p50:.2f} s, p95 {p95:.2f} s; "
            f"producer {live_producer['produced'] / live_producer['seconds']:,.0f}/s",
            file=sys.stderr,
        )
        peak = max(bulk["peak_rss_mb"], live_consumer["peak_rss_mb"])
        print(
            json.dumps(
                {
                    "bench": "stream",
                    "events": bulk["events"],
                    "events_per_s": round(rate),
                    "naive_events_per_s": round(naive_rate),
                    "p50_latency_s": round(p50, 3) if p50 is not None else None,
                    "p95_latency_s": round(p95, 3) if p95 is not None else None,
                    "peak_rss_mb": round(peak),
                    "consumer_cpu_s": round(bulk["cpu_seconds"], 1),
                    "consumer_cpu_us_per_event": round(1e6 * bulk["run_cpu_seconds"] / bulk["events"], 2),
                    "live_consumer_cpu_us_per_event": round(1e6 * live_consumer["run_cpu_seconds"] / live, 2),
                    "stages_s": {k: round(v, 2) for k, v in bulk["stages"].items()},
                    "latency_events": len(latencies),
                    "cpus": os.cpu_count(),
                }
            )
        )


if __name__ == "__main__":
    main()
