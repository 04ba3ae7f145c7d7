"""Writes of identity provisioning (SCIM 2.0, docs/intake.md): a person as the identity provider
describes them, deprovisioning, and the reporting line when a manager arrives after the report.

Everything goes through `people.services` (the reporting-loop check, the employment dates, the
outbox); a request that changes nothing writes nothing, so re-provisioning is idempotent."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from people.models import IdentitySource, PendingManager, Person, PersonIdentity
from people.services import REPORTING_LOOP, closes_reporting_loop, save_person, today


class ProvisioningConflict(ValueError):
    """Another person already holds this external id or user name."""


class ProvisioningRefused(ValueError):
    """The description cannot be stored (a reporting loop, impossible dates)."""


@dataclass(frozen=True)
class ProvisionedPerson:
    """A person as the identity provider describes them. `manager` is the SCIM id (uuid) or the
    external id of the manager, "" for none."""

    external_id: str
    user_name: str
    name: str
    email: str = ""
    title: str = ""
    active: bool = True
    manager: str = ""


def user_name_of(person: Person) -> str:
    identity = person.identities.filter(source=IdentitySource.SCIM).first()
    return identity.identifier if identity else person.email or person.external_id


def person_named(reference: str) -> Person | None:
    """The person a SCIM manager reference names: their SCIM id (uuid), else their external id."""
    if not reference:
        return None
    found = Person.objects.filter(uuid=reference).first() if _is_uuid(reference) else None
    return found or Person.objects.filter(external_id=reference).first()


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _check_unique(data: ProvisionedPerson, person: Person | None) -> None:
    others = Person.objects.exclude(pk=person.pk) if person else Person.objects.all()
    if others.filter(external_id=data.external_id).exists():
        raise ProvisioningConflict(f"externalId {data.external_id!r} is already provisioned")
    taken = PersonIdentity.objects.filter(
        source=IdentitySource.SCIM, identifier__iexact=data.user_name
    )
    if taken.exclude(person=person).exists():
        raise ProvisioningConflict(f"userName {data.user_name!r} is already provisioned")


def _employment(person: Person, active: bool, on: date) -> dict[str, object]:
    """`active: false` makes `on` the first day no longer employed (a departure already dated
    on or before it stays); `active: true` clears a departure that has come (a rehire), never one
    still to come that HR recorded."""
    if not active:
        if person.left_on is None or person.left_on > on:
            return {"left_on": on, "is_active": False}
        return {}
    if person.left_on is not None and person.left_on <= on:
        return {"left_on": None, "is_active": True}
    if person.left_on is None and not person.is_active:  # a departure HR recorded without a date
        return {"is_active": True}
    return {}


def _changes(person: Person, data: ProvisionedPerson, manager: Person | None) -> dict[str, object]:
    wanted: dict[str, object] = {
        "external_id": data.external_id,
        "name": data.name,
        "email": data.email,
        "title": data.title,
        "manager_id": manager.pk if manager else None,
    }
    wanted.update(_employment(person, data.active, today()))
    return {key: value for key, value in wanted.items() if getattr(person, key) != value}


@transaction.atomic
def provision_person(data: ProvisionedPerson, person: Person | None = None) -> Person:
    """Create (`person` None) or replace a person as described. A manager not provisioned yet is
    remembered and linked when they arrive; people waiting for this person as their manager are
    linked now. A duplicate external id or user name is a ProvisioningConflict, a reporting loop
    or impossible dates a ProvisioningRefused."""
    _check_unique(data, person)
    person = person or Person()
    manager = person_named(data.manager)
    changes = _changes(person, data, manager)
    if changes or person.pk is None:
        for key, value in changes.items():
            setattr(person, key, value)
        _save(person)
    _remember_manager(person, data.manager if data.manager and manager is None else "")
    _record_identities(person, data)
    _link_waiting_reports(person)
    return person


def _save(person: Person) -> None:
    try:
        save_person(person)
    except ValueError as error:
        raise ProvisioningRefused(str(error)) from None


def _remember_manager(person: Person, manager_external_id: str) -> None:
    if not manager_external_id:
        PendingManager.objects.filter(person=person).delete()
        return
    PendingManager.objects.update_or_create(
        person=person, defaults={"manager_external_id": manager_external_id}
    )


def _record_identities(person: Person, data: ProvisionedPerson) -> None:
    """The SCIM user name (one per person, as sent) and the e-mail address (lower-case; earlier
    addresses stay, since past events still name the person by them)."""
    scim = person.identities.filter(source=IdentitySource.SCIM).first()
    if scim is None:
        PersonIdentity.objects.create(
            person=person, source=IdentitySource.SCIM, identifier=data.user_name
        )
    elif scim.identifier != data.user_name:
        scim.identifier = data.user_name
        scim.save(update_fields=["identifier"])
    email = data.email.strip().lower()
    if (
        email
        and not PersonIdentity.objects.filter(
            source=IdentitySource.EMAIL, identifier=email
        ).exists()
    ):
        PersonIdentity.objects.create(person=person, source=IdentitySource.EMAIL, identifier=email)


def _link_waiting_reports(manager: Person) -> None:
    waiting = PendingManager.objects.filter(manager_external_id=manager.external_id).select_related(
        "person"
    )
    for pending in waiting:
        report = pending.person
        if closes_reporting_loop(report, manager):
            raise ProvisioningRefused(
                f"manager of {report.external_id}: {REPORTING_LOOP} "
                f"({report.external_id} waits for {manager.external_id} as their manager)"
            )
        report.manager = manager
        _save(report)
        pending.delete()


@transaction.atomic
def deprovision_person(person: Person) -> Person:
    """The identity provider took the person's access away: they leave today (kept, with
    `left_on`; erasure is an HR decision, made in the admin)."""
    changes = _employment(person, False, today())
    if changes:
        for key, value in changes.items():
            setattr(person, key, value)
        _save(person)
    return person
