"""Who a source's identifier is: through `PersonIdentity` first, else the person with the same
e-mail address (case-insensitive), which is then remembered as an identity of theirs. Anything
else is unresolved: the record is rejected and the identifier listed for HR
(`UnresolvedIdentity`), never guessed and never invented as a new person."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone

from intake.models import UnresolvedIdentity
from intake.records import PersonRef
from people.models import IdentitySource, Person, PersonIdentity

Key = tuple[str, str]  # (source, identifier)
Found = tuple[int, str]  # (person pk, person uuid)


def normalized_email(text: str) -> str:
    return text.strip().lower()


def key_of(ref: PersonRef) -> Key:
    if ref.source == IdentitySource.EMAIL:
        return ref.source, normalized_email(ref.identifier)
    return ref.source, ref.identifier


class Resolver:
    """Identifiers resolved to people, looked up in batches and kept for the whole import."""

    def __init__(self) -> None:
        self.found: dict[Key, Found] = {}
        self.problems: dict[Key, str] = {}
        self.hints: dict[Key, PersonRef] = {}

    def hint(self, ref: PersonRef) -> None:
        self.hints[key_of(ref)] = ref

    def email_of(self, ref: PersonRef) -> str:
        if ref.source == IdentitySource.EMAIL:
            return normalized_email(ref.identifier)
        known = ref.email or self.hints.get(key_of(ref), ref).email
        return normalized_email(known)

    def resolve(self, key: Key) -> Found | None:
        return self.found.get(key)

    def problem(self, ref: PersonRef) -> str:
        return self.problems.get(key_of(ref)) or f"unknown identity {ref}"

    def prefetch(self, refs: Iterable[PersonRef]) -> None:
        wanted = {key_of(ref): ref for ref in refs}
        for known in self.found.keys() | self.problems.keys():
            wanted.pop(known, None)
        if not wanted:
            return
        self._by_identity(wanted)
        by_email = {key: self.email_of(ref) for key, ref in wanted.items() if key not in self.found}
        self._by_email({key: email for key, email in by_email.items() if email})
        for key in wanted.keys() - self.found.keys() - self.problems.keys():
            self.problems[key] = f"unknown identity {key[0]}:{key[1]}"

    def _by_identity(self, wanted: dict[Key, PersonRef]) -> None:
        by_source: dict[str, set[str]] = defaultdict(set)
        for source, identifier in wanted:
            by_source[source].add(identifier)
        for source, identifiers in by_source.items():
            rows = PersonIdentity.objects.filter(source=source, identifier__in=identifiers)
            for identifier, pk, uuid in rows.values_list("identifier", "person_id", "person__uuid"):
                self.found[(source, identifier)] = (pk, str(uuid))

    def _by_email(self, emails: dict[Key, str]) -> None:
        if not emails:
            return
        people: dict[str, list[Found]] = defaultdict(list)
        matches = Person.objects.annotate(address=Lower("email")).filter(
            address__in=set(emails.values())
        )
        for address, pk, uuid in matches.values_list("address", "pk", "uuid"):
            people[address].append((pk, str(uuid)))
        learned = []
        for key, email in emails.items():
            candidates = people.get(email, [])
            if len(candidates) > 1:
                self.problems[key] = f"{key[0]}:{key[1]}: e-mail {email} matches several people"
            elif candidates:
                self.found[key] = candidates[0]
                learned.append(
                    PersonIdentity(person_id=candidates[0][0], source=key[0], identifier=key[1])
                )
        PersonIdentity.objects.bulk_create(learned, ignore_conflicts=True)


def note_unresolved(refs: Iterable[tuple[PersonRef, str]], resolver: Resolver) -> None:
    """Count each unresolved identifier's rejected records, with the last place it was met."""
    counts: Counter[Key] = Counter()
    places: dict[Key, str] = {}
    named: dict[Key, PersonRef] = {}
    for ref, place in refs:
        counts[key_of(ref)] += 1
        places[key_of(ref)] = place
        named[key_of(ref)] = resolver.hints.get(key_of(ref), ref)
    for key, count in counts.items():
        ref = named[key]
        entry, _ = UnresolvedIdentity.objects.get_or_create(
            source=key[0],
            identifier=key[1],
            defaults={"email": resolver.email_of(ref), "name": ref.name[:200]},
        )
        UnresolvedIdentity.objects.filter(pk=entry.pk).update(
            occurrences=F("occurrences") + count,
            last_place=places[key][:300],
            last_seen=timezone.now(),
        )
