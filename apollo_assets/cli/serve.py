"""`apollo serve`: the Data & ML service under uvicorn, on loopback unless told otherwise."""

from __future__ import annotations

import os

import click

from apollo_assets.cli.errors import ApolloCommand
from apollo_assets.settings import ConfigurationError


@click.command(
    "serve",
    cls=ApolloCommand,
    help="Run the Data & ML service (FastAPI under uvicorn). Needs APOLLO_SERVICE_TOKEN.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind (loopback by default).")
@click.option("--port", default=8000, show_default=True, envvar="APOLLO_SERVICE_PORT", help="0 picks a free port.")
@click.option("--workers", default=1, show_default=True, help="Worker processes (each loads the models).")
@click.option("--access-log/--no-access-log", default=True, show_default=True)
def serve(host: str, port: int, workers: int, access_log: bool) -> None:
    from ml_assets.service.settings import load_service_settings

    try:
        load_service_settings()  # fail here, naming the missing variable, rather than in each worker
    except ConfigurationError as error:
        raise click.ClickException(str(error)) from error
    # Concurrency comes from the event loop and the workers: OpenMP threads inside one request's scoring would
    # only compete with the other requests for the same cores.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import uvicorn

    uvicorn.run(
        "ml_assets.service.app:create_app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
        log_level="info",
    )


if __name__ == "__main__":  # `python -m apollo_assets.cli.serve`, before the command is registered in the group
    serve()
