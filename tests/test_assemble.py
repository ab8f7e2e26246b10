"""Claims assembled from annotations: the seed article's 20 claims, inheritance, cumulative, output form."""
import json

import pytest

from ie_model.assemble import assemble
from ie_model.cli import main
from ie_model.io.markup import parse_document
from ie_model.schema import Document
from tests.conftest import SEED_JSONL

# quantity text, value, lower, upper, approx, category label, kind, affected, agent, source, time start, cumulative
SEED_CLAIMS = [
    ("over 4,500", 4500, 4500, None, "more_than", "personnel", "loss", ["Russia"], [], ["Ukraine"], "in less than a week", False),
    ("42", 42, 42, 42, "exact", "tanks", "loss", ["Russia"], [], ["Ukraine"], "in less than a week", False),
    ("more than 4,500", 4500, 4500, None, "more_than", "personnel", "loss", ["Russia"], [], ["Ukraine"], "since February 3", False),
    ("4,540", 4540, 4540, 4540, "exact", "personnel", "loss", ["Russia"], [], ["Ukraine"], "during the same time period", False),
    ("42", 42, 42, 42, "exact", "tanks", "loss", ["Russia"], [], ["Ukraine"], "during the same time period", False),
    ("103", 103, 103, 103, "exact", "armored_vehicles", "loss", ["Russia"], [], ["Ukraine"], "during the same time period", False),
    ("104", 104, 104, 104, "exact", "artillery", "loss", ["Russia"], [], ["Ukraine"], "during the same time period", False),
    ("36", 36, 36, 36, "exact", "uav", "loss", ["Russia"], [], ["Ukraine"], "during the same time period", False),
    ("393,290", 393290, 393290, 393290, "exact", "personnel", "loss", ["Russia"], [], ["Ukraine"], "since Russian President", True),
    ("6,385", 6385, 6385, 6385, "exact", "tanks", "loss", ["Russia"], [], ["Ukraine"], "during the course of the war", True),
    ("11,921", 11921, 11921, 11921, "exact", "armored_vehicles", "loss", ["Russia"], [], ["Ukraine"], "during the course of the war", True),
    ("7,209", 7209, 7209, 7209, "exact", "uav", "loss", ["Russia"], [], ["Ukraine"], "during the course of the war", True),
    ("more than 4,500", 4500, 4500, None, "more_than", "personnel", "loss", ["Russia"], [], ["Ukraine"], None, False),
    ("91", 91, 91, 91, "exact", "clashes", "action", [], ["Ukraine"], ["Ukraine"], "since Thursday", False),
    ("49", 49, 49, 49, "exact", "airstrikes", "action", [], ["Russia"], ["Ukraine"], "since Thursday", False),
    ("52", 52, 52, 52, "exact", "attacks", "action", [], ["Russia"], ["Ukraine"], "since Thursday", False),
    ("five", 5, 5, 5, "exact", "targets", "loss", [], ["Ukraine"], ["Ukraine"], "During the day", False),
    ("two", 2, 2, 2, "exact", "targets", "loss", [], ["Ukraine"], ["Ukraine"], "During the day", False),
    ("two", 2, 2, 2, "exact", "targets", "loss", [], ["Ukraine"], ["Ukraine"], "During the day", False),
    ("two", 2, 2, 2, "exact", "targets", "loss", ["Russia"], ["Ukraine"], ["Ukraine"], "During the day", False),
]


def test_seed_gives_twenty_claims(seed_doc):
    assert len(assemble(seed_doc)) == 20


@pytest.mark.parametrize("index", range(20))
def test_seed_claim(seed_doc, index):
    (text, value, lower, upper, approx, category, kind, affected, agent, source, time,
     cumulative) = SEED_CLAIMS[index]
    claim = assemble(seed_doc)[index]
    q = claim.quantity
    assert (q.text, q.value, q.lower, q.upper, q.approx) == (text, value, lower, upper, approx)
    assert seed_doc.text[q.start:q.end] == text
    assert claim.category.label == category
    assert claim.kind == kind
    assert [p.canonical for p in claim.affected] == affected
    assert [p.canonical for p in claim.agent] == agent
    assert [p.canonical for p in claim.source] == source
    if time is None:
        assert claim.time is None
    else:
        assert claim.time.text.startswith(time) and not claim.time.inherited
    assert claim.cumulative is cumulative
    assert not any(p.inherited for p in claim.source)


def _doc(markup: str) -> Document:
    return Document.from_dict(parse_document("t-1", markup))


def test_source_and_time_are_inherited_inside_a_paragraph_only():
    doc = _doc("[Russia|ACTOR#a1] lost [12|QUANTITY#q1] [tanks|CATEGORY#c1] [over the past day|TIME#t1], "
               "[Ukraine's General Staff|SOURCE#s1] said. It also lost [40|QUANTITY#q2] [drones|CATEGORY#c2].\n\n"
               "[Ukraine|ACTOR#a2] lost [3|QUANTITY#q3] [jets|CATEGORY#c3].\n"
               "@ q1 category c1\n@ q1 affected a1\n@ q1 time t1\n@ q1 source s1\n@ q1 kind loss\n"
               "@ q2 category c2\n@ q2 kind loss\n@ q3 category c3\n@ q3 affected a2\n@ q3 kind loss")
    first, second, third = assemble(doc)
    assert not first.source[0].inherited
    assert second.source[0].text == "Ukraine's General Staff" and second.source[0].inherited
    assert second.source[0].canonical == "Ukraine"
    assert second.time.text == "over the past day" and second.time.inherited
    assert third.source == [] and third.time is None          # a new paragraph inherits nothing


def test_a_quantity_with_no_category_makes_no_claim_but_passes_its_source_on():
    """The guide's claim is how many of what: a figure tied to no CATEGORY is no claim (a tagger's
    stray number), yet the attribution it carries still holds for the counts after it."""
    doc = _doc("[The ministry|SOURCE#s1] said [39|QUANTITY#q1] villages were hit and [12|QUANTITY#q2] "
               "[civilians|CATEGORY#c2] killed.\n"
               "@ q1 source s1\n@ q1 kind other\n@ q2 category c2\n@ q2 kind loss")
    (claim,) = assemble(doc)
    assert claim.quantity.text == "12" and claim.category.label == "civilians"
    assert claim.source[0].text == "The ministry" and claim.source[0].inherited


def test_a_running_total_does_not_inherit_a_daily_period():
    doc = _doc("[Russia|ACTOR#a1] lost [1,200|QUANTITY#q1] [troops|CATEGORY#c1] [over the past day|TIME#t1], "
               "bringing its losses to a total of [900,000|QUANTITY#q2] [troops|CATEGORY#c2].\n"
               "@ q1 category c1\n@ q1 affected a1\n@ q1 time t1\n@ q1 kind loss\n@ q2 category c2\n"
               "@ q2 affected a1\n@ q2 kind loss")
    daily, total = assemble(doc)
    assert not daily.cumulative and total.cumulative
    assert total.time is None


def test_casualties_of_a_named_side_are_personnel_else_people():
    doc = _doc("[Hamas|ACTOR#a1] lost [40|QUANTITY#q1] [killed|CATEGORY#c1]. "
               "The strikes killed [12|QUANTITY#q2] [people|CATEGORY#c2] and [3|QUANTITY#q3] [children|CATEGORY#c3].\n"
               "@ q1 category c1\n@ q1 affected a1\n@ q1 kind loss\n@ q2 category c2\n@ q2 kind loss\n"
               "@ q3 category c3\n@ q3 kind loss")
    assert [c.category.label for c in assemble(doc)] == ["personnel", "people", "civilians"]


def test_several_parties_are_all_kept_and_written_out():
    doc = _doc("[Ethiopian|ACTOR#a1] and [Eritrean|ACTOR#a2] [soldiers|CATEGORY#c1]: [300|QUANTITY#q1] killed, "
               "[the TPLF|SOURCE#s1] said.\n@ q1 category c1\n@ q1 affected a1\n@ q1 affected a2\n"
               "@ q1 source s1\n@ q1 kind loss")
    claim = assemble(doc)[0]
    out = claim.to_dict()
    assert [p.canonical for p in claim.affected] == ["Ethiopia", "Eritrea"]
    assert out["affected"]["canonical"] == "Ethiopia"
    assert [p["canonical"] for p in out["affected_also"]] == ["Eritrea"]
    assert out["source"]["canonical"] == "TPLF" and out["source"]["inherited"] is False


def test_output_record_has_the_contract_shape(seed_doc, tmp_path):
    out = tmp_path / "claims.jsonl"
    assert main(["assemble", str(SEED_JSONL), "-o", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 1
    record = records[0]
    assert set(record) == {"id", "claims", "entities", "relations", "error"}
    assert record["id"] == "seed-article" and record["error"] is None
    claim = record["claims"][1]
    assert claim["quantity"] == {"text": "42", "start": claim["quantity"]["start"],
                                 "end": claim["quantity"]["start"] + 2, "value": 42, "lower": 42, "upper": 42,
                                 "approx": "exact"}
    assert set(claim) == {"kind", "quantity", "category", "affected", "agent", "source", "time",
                          "cumulative", "score"}
    assert claim["category"]["label"] == "tanks" and claim["agent"] is None
    assert claim["source"]["text"] == "Kyiv" and claim["source"]["inherited"] is False
    assert claim["time"]["inherited"] is False


def test_assemble_prints_a_table(capsys):
    assert main(["assemble", str(SEED_JSONL)]) == 0
    out = capsys.readouterr().out
    assert "20 claims" in out and "armored_vehicles" in out and "393290" in out


def test_table_names_a_party_once_however_many_spans_stand_for_it():
    from ie_model.io.table import _parties
    from ie_model.schema import PartyField

    general_staff = PartyField(text="the General Staff", start=0, end=17, canonical="Ukraine")
    kyiv = PartyField(text="Kyiv", start=30, end=34, canonical="Ukraine")
    unknown = PartyField(text="a spokesperson", start=40, end=54, canonical=None)
    assert _parties([general_staff, kyiv, unknown]) == "Ukraine, ?a spokesperson"


def test_a_described_source_refers_back_to_the_source_with_its_head_noun():
    # "the ministry" is the Defence Ministry that TASS cited, not TASS; which country's ministry is
    # not said, so it stays unknown rather than borrowing the outlet.
    doc = _doc(
        "[TASS|SOURCE#s1] reported, citing [the Defence Ministry|SOURCE#s2], that [Ukrainian|ACTOR#a1] "
        "losses came to [19|QUANTITY#q1] [tanks|CATEGORY#c1], [the ministry|SOURCE#s3] said. "
        "[The think tank|SOURCE#s4] agreed.\n"
        "@ q1 category c1\n@ q1 affected a1\n@ q1 source s3\n@ q1 kind loss\n")
    claim = assemble(doc)[0]
    assert [p.canonical for p in claim.source] == [None]
    # With no earlier source of that head noun, a description still refers to the last named party.
    doc = _doc(
        "[Ukraine's General Staff|SOURCE#s1] said [Russia|ACTOR#a1] lost [42|QUANTITY#q1] [tanks|CATEGORY#c1]; "
        "[the command|SOURCE#s2] added [12|QUANTITY#q2] [drones|CATEGORY#c2].\n"
        "@ q1 category c1\n@ q1 affected a1\n@ q1 source s1\n@ q1 kind loss\n"
        "@ q2 category c2\n@ q2 source s2\n@ q2 kind loss\n")
    assert [p.canonical for p in assemble(doc)[1].source] == ["Ukraine"]
