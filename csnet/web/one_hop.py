"""One hand-off to a worker thread per request, for the endpoints on the hot path.

A plain `def` endpoint costs FastAPI a hand-off for each plain dependency, one for the endpoint
and one more to validate its answer against the response model; on a busy machine each waits
for the scheduler. Here the endpoint is `async`, validates its input on the event loop (no
I/O), and hands one function to a worker thread: authenticate (`Presented.caller`, which reads
the store), do the work, and serialise the answer, which is already a model of the response's
type, so nothing validates it a second time.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from csnet.access import Caller
from csnet.node import Node
from csnet.web.deps import Presented


async def answer(
    node: Node, presented: Presented, work: Callable[[Caller], BaseModel], status_code: int = 200
) -> Response:
    """Authenticate, run `work` as the caller and answer its model, all in one worker thread."""

    def run() -> Response:
        caller = presented.caller(node)  # first: nothing is done for an unauthenticated request
        return JSONResponse(work(caller).model_dump(mode="json"), status_code=status_code)

    return await run_in_threadpool(run)
