"""Resolving a file's authors with the slots of papers loaded before
(:func:`kolgraph.loaders.authors.resolve_authors`, ``held`` and ``earlier``): the stored
persons stand, and a new slot joins the one it belongs to."""

from __future__ import annotations

from kolgraph.loaders.author_archive import Earlier
from kolgraph.loaders.authors import AuthorSlot, resolve_authors
from kolgraph.loaders.institutions import parse_affiliation

HOPKINS = parse_affiliation("Department of Medicine, Johns Hopkins University, Baltimore, MD, USA.")
TOPIC = ("Developmental Biology", ["Retina", "Zebrafish"], "Retinal regeneration in zebrafish")


def smith(pmid: str, fore: str = "Deborah L") -> AuthorSlot:
    return AuthorSlot(pmid, 1, "Smith", fore, "DL", institutions=HOPKINS, year=2015)


def earlier(*held: tuple[AuthorSlot, str]) -> Earlier:
    slots = [slot for slot, _ in held]
    return Earlier(
        slots,
        [hcp_id for _, hcp_id in held],
        {s.pmid: TOPIC for s in slots},
        {s.pmid: None for s in slots},
        {s.pmid: HOPKINS for s in slots},
    )


def test_a_new_slot_joins_the_stored_person_it_shares_everything_with():
    result = resolve_authors([smith("3")], papers={"3": TOPIC}, earlier=earlier((smith("1"), "H1")))
    assert result.slot_hcp == ["H1"]
    assert [p.hcp_id for p in result.persons] == ["H1"]
    assert result.counts["joined earlier"] == 1


def test_two_stored_persons_are_never_made_one():
    """A steward (or the model, on other evidence) kept two Deborah L Smiths apart: a third
    paper like both joins one of them, and the other stays."""
    stored = earlier((smith("1"), "H1"), (smith("2"), "H2"))
    result = resolve_authors([smith("3")], papers={"3": TOPIC}, earlier=stored)
    assert result.slot_hcp[0] in {"H1", "H2"}
    assert len(result.persons) == 1 and len(result.persons[0].slots) == 2


def test_slots_the_store_holds_stay_with_their_person_on_a_reload():
    """Deborah and Diane Smith merged by a steward into H1: the model would never join them
    (incompatible first names), but a reload keeps the stored person."""
    slots = [smith("1"), smith("2", fore="Diane")]
    result = resolve_authors(
        slots, held={("1", 1): "H1", ("2", 1): "H1"}, papers={"1": TOPIC, "2": TOPIC}
    )
    assert result.slot_hcp == ["H1", "H1"]
    apart = resolve_authors(slots, papers={"1": TOPIC, "2": TOPIC})
    assert len(set(apart.slot_hcp)) == 2


def test_without_earlier_slots_a_file_is_resolved_alone():
    result = resolve_authors([smith("3")], papers={"3": TOPIC})
    assert result.slot_hcp == ["PM-smith-DL-3-1"] and result.counts["joined earlier"] == 0
