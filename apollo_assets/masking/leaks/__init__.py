"""Finding personal data in masked output: value detectors, fingerprints of source values, scans, checks."""
