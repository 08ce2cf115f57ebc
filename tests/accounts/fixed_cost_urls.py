"""The project's URLs plus one page that does nothing of its own: what it costs is what every page costs."""

from django.http import HttpResponse
from django.template import engines
from django.urls import path

from accounts.decorators import require_capability
from config.urls import urlpatterns as project_urlpatterns

_EMPTY_PAGE = engines["django"].from_string('{% extends "base.html" %}{% block content %}{% endblock %}')


@require_capability("org.view")
def empty_page(request, org_slug):
    return HttpResponse(_EMPTY_PAGE.render(request=request))


urlpatterns = [path("o/<slug:org_slug>/empty-page/", empty_page, name="empty_page"), *project_urlpatterns]
