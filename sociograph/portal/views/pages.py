"""The HR portal's pages: dashboard, contexts, leadership of a context, a person's page."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from analytics.selectors import MIN_GROUP_SIZE
from people.models import Context, Person
from sociograph.api.roles import person_of
from sociograph.portal import selectors
from sociograph.portal.access import hr_required, is_hr


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return redirect("portal:dashboard" if is_hr(request.user) else "portal:me")


@hr_required
def dashboard(request: HttpRequest) -> HttpResponse:
    context = {"title": "Dashboard", "board": selectors.dashboard()}
    return render(request, "portal/dashboard.html", context)


COLUMN_LABELS = {
    "name": "Context",
    "size": "Size",
    "energy": "Energy",
    "engagement": "Engagement",
    "exploration": "Exploration",
    "ei_index": "E-I index",
    "leadership_centralization": "Leadership centralization",
    "recognition_gini": "Recognition Gini",
}


def _headers(sort: str, descending: bool) -> list[dict[str, str]]:
    """Each column's label and the query string sorting by it (toggling when it is the sort)."""
    headers = []
    for column in selectors.SORTABLE_COLUMNS:
        current = column == sort
        direction = "asc" if current and descending else "desc" if current else "asc"
        arrow = ("▼" if descending else "▲") if current else ""
        headers.append(
            {
                "column": column,
                "label": COLUMN_LABELS.get(column, column),
                "query": f"?sort={column}&dir={direction}",
                "arrow": arrow,
            }
        )
    return headers


@hr_required
def contexts(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort", "name")
    sort = sort if sort in selectors.SORTABLE_COLUMNS else "name"
    descending = request.GET.get("dir") == "desc"
    run = selectors.latest_run()
    context = {
        "title": "Contexts",
        "run": run,
        "lines": selectors.context_lines(run, sort, descending) if run is not None else [],
        "headers": _headers(sort, descending),
        "min_group_size": MIN_GROUP_SIZE,
    }
    return render(request, "portal/contexts.html", context)


@hr_required
def leadership(request: HttpRequest, pk: int) -> HttpResponse:
    view = selectors.leadership(get_object_or_404(Context, pk=pk))
    context = {"title": f"Leadership in {view.context.key}", "view": view}
    return render(request, "portal/leadership.html", context)


def person(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    hr = is_hr(request.user)
    own = person_of(request.user)
    if not hr and (own is None or own.pk != pk):
        raise PermissionDenied("you may see only your own page")
    subject = get_object_or_404(Person.objects.select_related("manager"), pk=pk)
    context = {
        "title": subject.name,
        "profile": selectors.profile(subject, with_findings=hr),
        "contexts": selectors.contexts_of(subject),
        "is_hr": hr,
    }
    return render(request, "portal/person.html", context)


def me(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    own = person_of(request.user)
    if own is None:
        return render(request, "portal/not_linked.html", {"title": "No page"}, status=403)
    return redirect("portal:person", pk=own.pk)
