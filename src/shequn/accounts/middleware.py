"""After authentication: the signed-in user's language, and the user as the acting party."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from shequn.core.actors import Actor, acting_as
from shequn.core.middleware import client_ip


class UserLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return self.get_response(request)
        # An explicit choice in this browser (the language cookie) wins over the profile.
        if user.language and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        actor = Actor(kind="user", label=user.email, user_id=user.pk, ip=client_ip(request))
        with acting_as(actor):
            return self.get_response(request)
