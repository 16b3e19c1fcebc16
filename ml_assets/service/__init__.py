"""The Data & ML service: model scores and recommendations, gold entities and metric marts over HTTP (FastAPI).

Read-only: it reads the model registry and opens the warehouse read-only per request; it never trains or writes.
`apollo serve` runs it under uvicorn (apollo_assets/cli/serve.py)."""
