"""Each complete backup is one partition of every partitioned asset."""

import dagster as dg

backup_partitions = dg.DynamicPartitionsDefinition(name="backups")
