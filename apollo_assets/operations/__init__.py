"""Running the platform unattended: declarative automation, the daily fallback, failure alerts and retention.

The asset modules say what each asset computes; this package says when it runs and who hears when it fails,
applied centrally in `apollo_assets/definitions.py`."""
