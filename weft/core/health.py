"""A liveness check for load balancers and monitors: answers without touching the database.

It is also the bench's baseline for "a trivial JSON endpoint of the same app" (bench/directory.py).
Not authenticated and not throttled, so frequent probes from one address are never refused.
"""

from ninja import Router, Schema

router = Router(tags=["health"])


class HealthOut(Schema):
    status: str


@router.get("/health", response=HealthOut, auth=None, throttle=[], summary="Liveness check")
def health(request):
    return {"status": "ok"}
