from .permissions import actor_for


def memberships(request):
    """The signed-in user's organisations, for the navigation bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_memberships": [], "is_operator": False}
    actor = actor_for(user)
    return {"my_memberships": actor.memberships, "is_operator": actor.is_operator}
