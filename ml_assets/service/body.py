"""Request bodies read with a size limit: at most `limit` bytes are ever held, whatever the client sends.

A declared Content-Length over the limit is refused before anything is read; a body without one (chunked) is
refused as soon as the bytes received pass the limit. The 413 closes the connection (`Connection: close`), so that
the server stops reading instead of draining the rest of an oversized body."""

from __future__ import annotations

from fastapi import HTTPException, Request, status


def too_large(limit: int) -> HTTPException:
    return HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"body over {limit} bytes", headers={"Connection": "close"})


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)
