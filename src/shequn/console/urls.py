from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

app_name = "console"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse("console")


@login_required
def workspace_home(request: HttpRequest, workspace: str) -> HttpResponse:
    return HttpResponse(f"workspace {workspace}")


urlpatterns = [
    path("", home, name="home"),
    path("w/<slug:workspace>/", workspace_home, name="workspace_home"),
]
