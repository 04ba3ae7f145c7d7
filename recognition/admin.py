from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from recognition.models import Follow, Interaction, Recognition
from recognition.services import delete_events, save_event
from sociograph.graph.admin import ProjectedModelAdmin


class EventAdmin(ProjectedModelAdmin):
    exclude = ("event_key",)

    def save_with_service(self, request: HttpRequest, obj: Any, form: ModelForm) -> None:  # type: ignore[type-arg]
        save_event(obj)

    def delete_with_service(self, objs: list[Any]) -> None:
        delete_events(*objs)


@admin.register(Recognition)
class RecognitionAdmin(EventAdmin):
    list_display = ("at", "giver", "receiver", "context", "affect")
    list_filter = ("context__kind",)
    search_fields = ("giver__name", "receiver__name", "giver__external_id", "message")
    autocomplete_fields = ("giver", "receiver", "context")
    date_hierarchy = "at"


@admin.register(Follow)
class FollowAdmin(EventAdmin):
    list_display = ("follower", "leader", "context", "since", "until")
    list_filter = ("context__kind",)
    search_fields = ("follower__name", "leader__name", "context__name")
    autocomplete_fields = ("follower", "leader", "context")


@admin.register(Interaction)
class InteractionAdmin(EventAdmin):
    list_display = ("at", "source", "target", "channel", "context", "weight", "affect")
    list_filter = ("channel",)
    search_fields = ("source__name", "target__name", "source__external_id")
    autocomplete_fields = ("source", "target", "context")
    date_hierarchy = "at"
