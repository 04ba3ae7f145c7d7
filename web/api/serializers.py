"""Request and response shapes of API v1.

Responses name people by `external_id` and contexts by `kind:name` (as the CSV files do) next to
each record's `uuid`. Requests refer to them the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import Field, empty

from analytics.models import Finding, MiningRun
from analytics.release import FEW_PEOPLE, MAX_DIFFERENCE
from analytics.services import DEFAULT_WINDOW_DAYS, progress
from outcomes.models import Outcome, OutcomeKind
from people.models import Context, ContextKind, Membership, Person, parse_context_key
from people.periods import dates_problem
from recognition.models import Follow, Interaction, Recognition
from recognition.services import KINDS
from sociograph.ingest.text import validate_external_id, validate_multiline, validate_single_line
from web.api.scope import person_fields_seen
from webhooks.models import Webhook, WebhookDelivery

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Declared fields named `context`, `source` or `parent` collide in the DRF stubs with Field's
# attributes of those names. SerializerMetaclass pops declared fields off the class, so nothing is
# shadowed at runtime: the stubs cannot express that, hence `type: ignore[assignment]` there.

# --- Text --------------------------------------------------------------------------------------


class SingleLineField(serializers.CharField):
    """Text without control characters (sociograph.ingest.text), NUL included: one message."""

    text_validator = staticmethod(validate_single_line)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators = [
            *(v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)),
            self.text_validator,
        ]


class MultilineField(SingleLineField):
    """Text that may hold tab, line feed and carriage return, but no other control character."""

    text_validator = staticmethod(validate_multiline)


_Model = TypeVar("_Model", bound=models.Model)


class CheckedTextModelSerializer(serializers.ModelSerializer[_Model]):
    """A model serializer whose text fields refuse control characters."""

    serializer_field_mapping: ClassVar[
        dict[type[models.Field[Any, Any]], type[Field[Any, Any, Any, Any]]]
    ] = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: SingleLineField,
        models.TextField: MultilineField,
    }


# --- References ---------------------------------------------------------------------------------


class PersonReference(serializers.SlugRelatedField[Person]):
    """A person named by external_id; an unknown one is a field error naming it."""

    default_error_messages: ClassVar[dict[str, StrOrPromise]] = {
        "does_not_exist": "{value!r} is not a known person (external_id).",
        "invalid": "Give the person's external_id as text.",
        "blank": "An empty text is not an external_id.",
    }

    def __init__(self, **kwargs: Any) -> None:
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", Person.objects.all())
        super().__init__(slug_field="external_id", **kwargs)

    def run_validation(self, data: Any = empty) -> Any:
        # DRF's related fields read "" as null (for a nullable one: no manager, silently); the
        # contract says an external_id (or null where allowed).
        if data == "":
            self.fail("blank")
        return super().run_validation(data)

    def to_internal_value(self, data: Any) -> Person:
        try:
            return Person.objects.get(external_id=str(data))
        except Person.DoesNotExist:
            self.fail("does_not_exist", value=str(data))
        except (TypeError, ValueError):
            self.fail("invalid")
        raise AssertionError("unreachable")


@extend_schema_field({"type": "string", "example": "team:Platform"})
class ContextReference(serializers.Field[Context, str, str, Any]):
    """A context named `kind:name`."""

    def to_representation(self, value: Context) -> str:
        return value.key

    def to_internal_value(self, data: Any) -> Context:
        if not isinstance(data, str):
            raise serializers.ValidationError("Give the context as text, kind:name.")
        try:
            kind, name = parse_context_key(data)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from None
        try:
            return Context.objects.get(kind=kind, name=name)
        except Context.DoesNotExist:
            raise serializers.ValidationError(f"{data!r} is not a known context.") from None


# --- People, contexts, memberships ------------------------------------------------------------


class PersonSerializer(CheckedTextModelSerializer[Person]):
    manager = PersonReference(required=False, allow_null=True)
    contexts = serializers.ListField(
        child=SingleLineField(max_length=220),
        write_only=True,
        required=False,
        help_text="On create: contexts (kind:name) the person belongs to, created if missing.",
    )
    opt_out_reason = serializers.CharField(
        write_only=True,
        required=False,
        max_length=2000,
        help_text="HR admins only, required with a change of analytics_opt_out: the person's "
        "written request it acts on (recorded). Integrations may not send analytics_opt_out.",
    )

    class Meta:
        model = Person
        fields = (
            "uuid",
            "external_id",
            "name",
            "email",
            "title",
            "manager",
            "is_active",
            "joined_on",
            "left_on",
            "analytics_opt_out",
            "contexts",
            "opt_out_reason",
            "created_at",
            "updated_at",
        )
        read_only_fields: tuple[str, ...] = ("uuid", "created_at", "updated_at")
        # 409 on a duplicate, not 400; a safe character set (sociograph.ingest.text)
        extra_kwargs: ClassVar[dict[str, dict[str, Any]]] = {
            "external_id": {"validators": [validate_external_id]}
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None:  # on update, people.services checks against the stored dates
            problem = dates_problem(attrs.get("joined_on"), attrs.get("left_on"))
            if problem:
                field, _, message = problem.partition(": ")
                raise serializers.ValidationError({field: message})
        return attrs

    def to_representation(self, instance: Person) -> dict[str, Any]:
        """Only the fields the caller's role receives of this record (web.api.scope)."""
        data: dict[str, Any] = super().to_representation(instance)
        request = self.context.get("request")
        if request is None:
            return data
        seen = person_fields_seen(request.user, instance)
        return {name: value for name, value in data.items() if name in seen}

    def validate_contexts(self, value: list[str]) -> list[tuple[str, str]]:
        keys = []
        for text in value:
            try:
                keys.append(parse_context_key(text))
            except ValueError as error:
                raise serializers.ValidationError(str(error)) from None
        return keys


class PersonUpdateSerializer(PersonSerializer):
    class Meta(PersonSerializer.Meta):
        read_only_fields = ("uuid", "external_id", "created_at", "updated_at")


class ContextSerializer(CheckedTextModelSerializer[Context]):
    key = serializers.CharField(read_only=True, help_text="kind:name")
    kind = serializers.ChoiceField(choices=ContextKind.choices)
    parent = ContextReference(required=False, allow_null=True)  # type: ignore[assignment]

    class Meta:
        model = Context
        fields = ("uuid", "key", "kind", "name", "parent", "created_at", "updated_at")
        read_only_fields: tuple[str, ...] = ("uuid", "created_at", "updated_at")
        # a duplicate kind:name is a 409, decided by the database
        validators: ClassVar[list[Any]] = []


class ContextUpdateSerializer(ContextSerializer):
    class Meta(ContextSerializer.Meta):
        read_only_fields = ("uuid", "kind", "created_at", "updated_at")


class MembershipSerializer(CheckedTextModelSerializer[Membership]):
    person = PersonReference()
    context = ContextReference()  # type: ignore[assignment]

    class Meta:
        model = Membership
        fields = ("uuid", "person", "context", "role", "since", "until", "created_at")
        read_only_fields: tuple[str, ...] = ("uuid", "created_at")
        validators: ClassVar[list[Any]] = []


class MembershipUpdateSerializer(CheckedTextModelSerializer[Membership]):
    person = PersonReference(read_only=True)
    context = ContextReference(read_only=True)  # type: ignore[assignment]

    class Meta(MembershipSerializer.Meta):
        read_only_fields = ("uuid", "person", "context", "created_at")


# --- Events -------------------------------------------------------------------------------------


class EventInputSerializer(serializers.Serializer[dict[str, Any]]):
    """One event as in the CSV import (same validation); `kind` comes from the endpoint."""

    source = SingleLineField(  # type: ignore[assignment]
        max_length=100,
        required=False,
        help_text="external_id of the giver/follower/source; managers and employees may only "
        "give their own (it defaults to them)",
    )
    target = SingleLineField(max_length=100)
    context = SingleLineField(  # type: ignore[assignment]
        max_length=220, required=False, allow_blank=True
    )
    at = SingleLineField(max_length=64, required=False, help_text="ISO-8601; defaults to now")
    affect = serializers.FloatField(required=False, allow_null=True, min_value=-1, max_value=1)
    weight = serializers.FloatField(required=False, allow_null=True)
    message = MultilineField(max_length=2000, required=False, allow_blank=True)
    values = serializers.ListField(
        child=SingleLineField(max_length=100), required=False, max_length=50
    )
    channel = SingleLineField(max_length=20, required=False, allow_blank=True)
    until = SingleLineField(max_length=64, required=False, allow_blank=True)
    event_id = SingleLineField(max_length=200, required=False, allow_blank=True)


class BulkEventSerializer(EventInputSerializer):
    kind = serializers.ChoiceField(choices=KINDS)
    source = SingleLineField(max_length=100)


class BulkRequestSerializer(serializers.Serializer[dict[str, Any]]):
    events = serializers.ListField(child=serializers.DictField(), allow_empty=False)
    atomic = serializers.BooleanField(
        default=False, help_text="Store nothing if any event is rejected"
    )


class RejectionSerializer(serializers.Serializer[dict[str, Any]]):
    index = serializers.IntegerField(help_text="Position in `events`, from 0")
    reason = serializers.CharField()


class BulkReportSerializer(serializers.Serializer[dict[str, Any]]):
    accepted = serializers.IntegerField()
    already_present = serializers.IntegerField()
    rejected = serializers.IntegerField()
    rejections = RejectionSerializer(many=True)


class RecognitionSerializer(serializers.ModelSerializer[Recognition]):
    giver = PersonReference(read_only=True)
    receiver = PersonReference(read_only=True)
    context = ContextReference(read_only=True, allow_null=True)  # type: ignore[assignment]

    class Meta:
        model = Recognition
        fields = (
            "uuid",
            "giver",
            "receiver",
            "context",
            "message",
            "values",
            "affect",
            "at",
            "created_at",
        )
        read_only_fields = fields


class FollowSerializer(serializers.ModelSerializer[Follow]):
    follower = PersonReference(read_only=True)
    leader = PersonReference(read_only=True)
    context = ContextReference(read_only=True)  # type: ignore[assignment]

    class Meta:
        model = Follow
        fields = ("uuid", "follower", "leader", "context", "since", "until", "created_at")
        read_only_fields = ("uuid", "follower", "leader", "context", "since", "created_at")


class InteractionSerializer(serializers.ModelSerializer[Interaction]):
    source = PersonReference(read_only=True)  # type: ignore[assignment]
    target = PersonReference(read_only=True)
    context = ContextReference(read_only=True, allow_null=True)  # type: ignore[assignment]

    class Meta:
        model = Interaction
        fields = (
            "uuid",
            "source",
            "target",
            "context",
            "channel",
            "weight",
            "affect",
            "at",
            "created_at",
        )
        read_only_fields = fields


# --- Analytics ----------------------------------------------------------------------------------


class RunSerializer(serializers.ModelSerializer[MiningRun]):
    progress = serializers.SerializerMethodField(help_text="Share of steps finished, 0 to 1")

    class Meta:
        model = MiningRun
        fields = (
            "id",
            "uuid",
            "status",
            "params",
            "window_start",
            "window_end",
            "created_at",
            "started_at",
            "finished_at",
            "progress",
            "steps",
            "graph_size",
            "error",
        )
        read_only_fields = fields

    def get_progress(self, run: MiningRun) -> float:
        return progress(run)


class RunRequestSerializer(serializers.Serializer[dict[str, Any]]):
    window_days = serializers.IntegerField(min_value=1, max_value=3650, default=DEFAULT_WINDOW_DAYS)


class MetricSerializer(serializers.Serializer[dict[str, Any]]):
    scope = serializers.ChoiceField(choices=["person", "context", "org"])
    subject = serializers.CharField(help_text="external_id, kind:name, or org")
    metric = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    withheld = serializers.BooleanField(
        help_text=(
            "True when the release rule withholds the group's aggregates "
            f"({FEW_PEOPLE}, or 1-{MAX_DIFFERENCE} people apart from another released group; "
            "docs/api.md): no value is given"
        )
    )


class FindingSerializer(serializers.ModelSerializer[Finding]):
    subjects = serializers.SlugRelatedField[Person](
        many=True, read_only=True, slug_field="external_id"
    )
    context = ContextReference(read_only=True, allow_null=True)  # type: ignore[assignment]

    class Meta:
        model = Finding
        fields = ("id", "pattern", "severity", "subjects", "context", "detail", "sensitive")
        read_only_fields = fields


# --- Webhooks -----------------------------------------------------------------------------------


class WebhookSerializer(serializers.ModelSerializer[Webhook]):
    class Meta:
        model = Webhook
        fields = ("id", "url", "patterns", "secret", "is_active", "created_at")
        read_only_fields = ("id", "created_at")
        extra_kwargs: ClassVar[dict[str, dict[str, Any]]] = {"secret": {"write_only": True}}


class WebhookDeliverySerializer(serializers.ModelSerializer[WebhookDelivery]):
    class Meta:
        model = WebhookDelivery
        fields = (
            "id",
            "webhook",
            "finding",
            "status",
            "attempts",
            "response_status",
            "last_error",
            "created_at",
            "delivered_at",
        )
        read_only_fields = fields


# --- Outcomes -----------------------------------------------------------------------------------


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "number"}]})
class CellField(SingleLineField):
    """A CSV cell: text, or a number given as a JSON number."""


class OutcomeInputSerializer(serializers.Serializer[dict[str, Any]]):
    """One outcome as a row of `import_outcomes` (same validation, docs/outcomes.md)."""

    kind = serializers.ChoiceField(choices=OutcomeKind.choices)
    subject = SingleLineField(
        max_length=100, help_text="external_id of the person; a team result: the KPI's name"
    )
    at = SingleLineField(max_length=10, help_text="YYYY-MM-DD")
    value = CellField(
        max_length=30,
        required=False,
        allow_blank=True,
        help_text="A number on the scale; a departure: voluntary, involuntary or empty",
    )
    scale = SingleLineField(
        max_length=30, required=False, allow_blank=True, help_text="min-max, e.g. 1-5 or 0-10"
    )
    context = SingleLineField(  # type: ignore[assignment]
        max_length=220, required=False, allow_blank=True, help_text="kind:name"
    )


class BulkOutcomesRequestSerializer(serializers.Serializer[dict[str, Any]]):
    outcomes = serializers.ListField(child=serializers.DictField(), allow_empty=False)
    atomic = serializers.BooleanField(
        default=False, help_text="Store nothing if any outcome is rejected"
    )


class OutcomeSerializer(serializers.ModelSerializer[Outcome]):
    person = PersonReference(read_only=True, allow_null=True)
    context = ContextReference(read_only=True, allow_null=True)  # type: ignore[assignment]

    class Meta:
        model = Outcome
        fields = (
            "id",
            "kind",
            "person",
            "context",
            "metric",
            "at",
            "value",
            "scale_min",
            "scale_max",
            "voluntary",
            "created_at",
        )
        read_only_fields = fields


class PulseAggregateSerializer(serializers.Serializer[dict[str, Any]]):
    subject = serializers.CharField(help_text="org, or the context's kind:name")
    kind = serializers.CharField()
    month = serializers.CharField(help_text="YYYY-MM")
    people = serializers.IntegerField(allow_null=True, help_text="People who answered")
    answers = serializers.IntegerField(allow_null=True)
    mean = serializers.FloatField(
        allow_null=True, help_text="Mean answer on the scale (null when the scales differ)"
    )
    scale = serializers.CharField(allow_null=True, help_text="min-max, when shared")
    mean_normalized = serializers.FloatField(
        allow_null=True, help_text="Mean answer rescaled to 0-1 (0: the scale's minimum)"
    )
    withheld = serializers.BooleanField(
        help_text=(
            f"True when the release rule withholds the group's aggregate ({FEW_PEOPLE}, or "
            f"1-{MAX_DIFFERENCE} people apart from a larger released group): no figures are "
            "given, except to HR admins"
        )
    )
    reason = serializers.CharField(allow_blank=True, help_text="Why it is withheld")
