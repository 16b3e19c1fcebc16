import dagster as dg

from apollo_assets.backups.bucket import BackupBucket


class BackupBucketResource(dg.ConfigurableResource):
    """The bucket where the product database's backups land (a folder, or gs://bucket/prefix)."""

    url: str

    def bucket(self) -> BackupBucket:
        return BackupBucket.from_url(self.url)
