"""The network explorer: a page for HR and the staff-only JSON it draws from (SQL, not Neo4j)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from analytics import overview
from people.models import Context, Person
from web.portal import network
from web.portal.access import hr_required, is_hr

PERSON_MATCHES = 20


@require_GET
@hr_required
def explorer(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    selected = _selected(request)
    shown = network.shown_people(overview.latest_run())
    matches = list(shown.filter(name__icontains=query)[:PERSON_MATCHES]) if query else []
    data_url = f"{reverse('portal:network-data')}?{urlencode(selected)}" if selected else ""
    return render(
        request,
        "portal/network.html",
        {
            "title": "Network",
            "contexts": Context.objects.order_by("kind", "name"),
            "selected_context": selected.get("context", ""),
            "selected_person": _person_name(shown, selected.get("person", "")),
            "query": query,
            "matches": matches,
            "data_url": data_url,
        },
    )


def _selected(request: HttpRequest) -> dict[str, str]:
    """The graph the page should load: a context or a person (as the data endpoint takes it)."""
    for key in ("context", "person"):
        value = request.GET.get(key, "")
        if value.isdigit():
            return {key: value, "depth": "1"} if key == "person" else {key: value}
    return {}


def _person_name(shown: QuerySet[Person], pk: str) -> str:
    person = shown.filter(pk=pk).first() if pk else None
    return person.name if person else ""


@require_GET
def network_data(request: HttpRequest) -> JsonResponse:
    if not request.user.is_authenticated:
        return _error("log in first", 401)
    if not is_hr(request.user):
        return _error("the network is for HR admins", 403)
    context_id, person_id = request.GET.get("context", ""), request.GET.get("person", "")
    if bool(context_id) == bool(person_id):
        return _error("give either context=<id> or person=<id>", 400)
    if not (context_id or person_id).isdigit():
        return _error("ids are whole numbers", 400)
    if request.GET.get("depth", "1") != "1":
        return _error("only depth=1 is supported", 400)
    run = overview.latest_run()
    if run is None:
        return JsonResponse({"run": None, "error": "no succeeded mining run yet"}, status=409)
    if context_id:
        context = Context.objects.filter(pk=int(context_id)).first()
        if context is None:
            return _error(f"no context {context_id}", 404)
        return JsonResponse(network.context_network(context, run).as_json())
    try:
        return JsonResponse(network.person_network(int(person_id), run).as_json())
    except network.NotShown:
        return _error(f"no person {person_id} in analytics", 404)


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)
