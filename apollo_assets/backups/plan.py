"""What one tick of the backup sensor does, decided from three sets and nothing else (no cursor): so that
restarting the daemon or resetting the cursor can neither run a backup twice nor skip one."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from apollo_assets.names import is_backup_id, shown


@dataclass(frozen=True)
class TickPlan:
    add: list[str] = field(default_factory=list)  # complete backups that are not partitions yet
    run: list[str] = field(default_factory=list)  # kept backups without a run yet (or retried), oldest first, capped
    deferred: int = 0  # kept backups without a run beyond the cap: the next ticks take them
    retire: list[str] = field(default_factory=list)  # partitions whose backup is gone or too old
    notes: list[str] = field(default_factory=list)


def plan_tick(
    complete: Sequence[str],
    known: Collection[str],
    requested: Collection[str],
    *,
    cutoff: str | None = None,
    max_runs: int = 100,
    max_retired: int = 20,
    retry: Collection[str] = (),
) -> TickPlan:
    """`complete`: marked backups in the bucket, oldest first; `known`: partitions; `requested`: backups that
    already have a run; `cutoff`: the oldest backup id retention keeps; `retry`: backups whose failed run gets
    another attempt."""
    kept = [b for b in complete if cutoff is None or b >= cutoff]
    known_set, requested_set, kept_set, retry_set = set(known), set(requested), set(kept), set(retry)
    pending = [b for b in kept if b not in requested_set or b in retry_set]
    plan = TickPlan(
        add=[b for b in kept if b not in known_set],
        run=pending[:max_runs],
        deferred=max(0, len(pending) - max_runs),
    )
    gone = sorted(b for b in known_set if b not in kept_set and is_backup_id(b))
    if strange := sorted(b for b in known_set if not is_backup_id(b)):
        # Added by hand (UI, API): retiring one would purge lake data at a path built from it. Left to an operator.
        plan.notes.append(f"{len(strange)} partition keys are not backup ids (first {shown(strange[0])}): left alone")
    if gone and not complete:
        # An empty listing is far more often a wrong URL or an outage than the deletion of every backup.
        plan.notes.append(f"bucket lists no complete backup: not retiring {len(gone)} partitions")
    else:
        plan.retire.extend(gone[:max_retired])
        if len(gone) > max_retired:
            plan.notes.append(f"{len(gone) - max_retired} more partitions to retire on the next ticks")
    return plan
