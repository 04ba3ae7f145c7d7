"""The HR portal's pages: dashboard, contexts, leadership of a context, a person's page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from analytics import overview
from analytics.release import MIN_GROUP_SIZE
from analytics.selectors import active_run
from analytics.services import DEFAULT_WINDOW_DAYS
from people.models import Context, ContextKind, Person
from people.selectors import contexts_of, person_of
from people.services import set_analytics_opt_out
from sociograph.accounts.roles import Role, role_of
from web.portal import selectors
from web.portal.access import hr_required, is_hr, is_own_page, may_open_person_page
from web.portal.forms import OptOutForm


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return redirect("portal:dashboard" if is_hr(request.user) else "portal:me")


@hr_required
def dashboard(request: HttpRequest) -> HttpResponse:
    context = {
        "title": "Dashboard",
        "board": selectors.dashboard(),
        "min_group_size": MIN_GROUP_SIZE,
    }
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


def _query(**params: str | int) -> str:
    """A query string of the non-empty parameters."""
    return "?" + urlencode({key: value for key, value in params.items() if value})


def _headers(sort: str, descending: bool, kind: str) -> list[dict[str, str]]:
    """Each column's label and the query string sorting by it (toggling when it is the sort);
    sorting goes back to the first page and keeps the kind filter."""
    headers = []
    for column in selectors.SORTABLE_COLUMNS:
        current = column == sort
        direction = "asc" if current and descending else "desc" if current else "asc"
        arrow = ("▼" if descending else "▲") if current else ""
        headers.append(
            {
                "column": column,
                "label": COLUMN_LABELS.get(column, column),
                "query": _query(sort=column, dir=direction, kind=kind),
                "arrow": arrow,
            }
        )
    return headers


def _kind_filters(sort: str, direction: str, kind: str) -> list[dict[str, str | bool]]:
    """The kind filter's links (all kinds, then each kind), keeping the sort."""
    kinds = [("", "all"), *((value, value) for value in ContextKind.values)]
    return [
        {
            "label": label,
            "query": _query(sort=sort, dir=direction, kind=value),
            "current": value == kind,
        }
        for value, label in kinds
    ]


def _page_links(
    page: Page[Any], sort: str, direction: str, kind: str
) -> list[dict[str, str | bool]]:
    """Links to nearby pages (with an ellipsis for the others), keeping sort and filter."""
    links: list[dict[str, str | bool]] = []
    for number in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1):
        if not isinstance(number, int):  # the ellipsis
            links.append({"label": str(number), "query": "", "current": False})
            continue
        query = _query(sort=sort, dir=direction, kind=kind, page=number)
        links.append({"label": str(number), "query": query, "current": number == page.number})
    return links


@hr_required
def contexts(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort", "name")
    sort = sort if sort in selectors.SORTABLE_COLUMNS else "name"
    descending = request.GET.get("dir") == "desc"
    direction = "desc" if descending else "asc"
    kind = request.GET.get("kind", "")
    kind = kind if kind in ContextKind.values else ""
    run = overview.latest_run()
    table = (
        selectors.context_page(run, sort, descending, kind, request.GET.get("page"))
        if run is not None
        else None
    )
    context = {
        "title": "Contexts",
        "run": run,
        "active_run": active_run(),
        "table": table,
        "pages": _page_links(table.page, sort, direction, kind) if table is not None else [],
        "headers": _headers(sort, descending, kind),
        "kinds": _kind_filters(sort, direction, kind),
        "min_group_size": MIN_GROUP_SIZE,
    }
    return render(request, "portal/contexts.html", context)


@hr_required
def leadership(request: HttpRequest, pk: int) -> HttpResponse:
    view = selectors.leadership(get_object_or_404(Context, pk=pk))
    context = {
        "title": f"Leadership in {view.context.key}",
        "view": view,
        "active_run": active_run(),
        "window_days": DEFAULT_WINDOW_DAYS,  # the window of the reads before any run
    }
    return render(request, "portal/leadership.html", context)


def person(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    hr = is_hr(request.user)
    subject = Person.objects.select_related("manager").filter(pk=pk).first()
    if subject is None and hr:
        raise Http404("no such person")
    if subject is None or not may_open_person_page(request.user, subject):
        raise PermissionDenied("you may see only your own page")
    own_page = is_own_page(request.user, subject)
    context = {
        "title": subject.name,
        "profile": selectors.profile(subject, with_findings=hr),
        "contexts": contexts_of(subject),
        "is_hr": hr,
        "own_page": own_page,
        "active_run": active_run(),
    }
    return render(request, "portal/person.html", context)


@require_POST
def opt_out(request: HttpRequest) -> HttpResponse:
    """The logged-in person opts out of analytics, or back in (recorded)."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("portal:me"))
    own = person_of(request.user)
    if own is None or role_of(request.user) is Role.INTEGRATION:
        raise PermissionDenied("only a person changes their own analytics opt-out")
    form = OptOutForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("analytics_opt_out must be true or false")
    set_analytics_opt_out(own, form.cleaned_data["analytics_opt_out"], request.user)
    return redirect("portal:person", pk=own.pk)


def me(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    own = person_of(request.user)
    if own is None:
        return render(request, "portal/not_linked.html", {"title": "No page"}, status=403)
    return redirect("portal:person", pk=own.pk)
