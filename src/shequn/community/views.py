"""Console pages of community."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shequn.console.navigation import AREAS_BY_KEY
from shequn.console.views.decorators import workspace_view


@workspace_view()
def index(request: HttpRequest, workspace: str) -> HttpResponse:
    area = AREAS_BY_KEY["community"]
    return render(request, "console/area.html", {"area": area, "empty_title": area.label})
