"""The one search: Arabic morphology, highlighted snippets, who sees what, bad input, query count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.search import search
from common.search import highlight, parse_query, snippet, terms
from tests.factories import (
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    ContactFactory,
    PartnerFactory,
    PartnerUserFactory,
    ProgressUpdateFactory,
    set_status,
)

pytestmark = pytest.mark.django_db
SEARCH = reverse("agreements:search")
PORTAL_SEARCH = reverse("portal:search")
TRAINING_FORMS = ["التدريب", "والتدريب", "بالتدريب", "تدريبية", "متدربين", "تدريب", "للتدريب", "كالتدريب"]


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("التدريب", "تدريب"),
        ("والتدريب", "التدريب"),
        ("بالتدريب", "التدريبية"),
        ("متدربين", "التدريب"),
        ("الورش", "ورش"),
        ("ورشة", "الورش"),
        ("بالكهرباء", "الكهرباء"),
        ("وتمكين", "تمكين"),
        ("الجمعيه", "جمعية"),
        ("ـالتـدريـب", "التدريب"),  # tatweel
        ("٢٠٢٦", "2026"),
        ("workshops", "Workshop"),
    ],
)
def test_forms_of_a_word_share_a_term(typed, written):
    assert set(terms(typed)) & set(terms(written))


def test_unrelated_words_do_not_share_a_term():
    assert not set(terms("التدريب")) & set(terms("الإعلام"))
    assert not set(terms("الفردوس")) & set(terms("العطاء"))


def test_snippet_marks_the_word_as_written_when_another_form_was_asked():
    snippet = highlight("تقدم الجمعية الخدمات التأهيلية والتدريبية <b>للمستفيدين</b>.", parse_query("متدربين"))
    assert "<mark>والتدريبية</mark>" in snippet
    assert "&lt;b&gt;" in snippet and "<b>" not in snippet  # the text is escaped, only <mark> is added


def test_a_piece_of_text_is_passed_over_only_where_no_word_of_it_can_match():
    """The snippet's quick look (`Query.may_match`) never hides a word the full match marks:
    checked for the relevance set's queries and others against every piece of the demo's
    texts (the source's four agreements) and written variants (hamza seats, ى, ة,
    diacritics, tatweel, Indic digits, Latin)."""
    import inspect

    import demo.data
    from common.search import _word_matches, words
    from tests.search.relevance import CASES

    pieces = set(inspect.getsource(demo.data).split()) | set(
        "مسئولية مسؤولية إعلام أعلام الإعلامية مُتَدَرِّبِين التـدريـب ٢٠٢٦ ۲۰۲۶ 2026 Workshops QC-2026-0001 "
        "للمستشفى مستشفي الجمعيه الجمعية، «التدريب» (ورش) آمنة ﻻ ٱلقطيف".split()
    )
    queries = [typed for typed, _ in CASES] + TRAINING_FORMS
    queries += ["مسؤولية", "مسئولية", "الإعلام", "اعلام", "المستشفى", "جمعيه", "2026", "٢٠٢٦"]
    queries += ["workshop", "القطيف", "آمنة", "qc-2026-0001", "ورش العمل", "الكلية التقنية"]
    for typed in queries:
        query = parse_query(typed)
        for piece in pieces:
            if any(_word_matches(word, query) for word in words(piece)):
                assert query.may_match(piece), (typed, piece)
    assert not parse_query("التدريب").may_match("الإعلام")  # and it does pass over what cannot match


def test_snippet_shows_the_first_field_that_matches_around_its_first_match_with_every_match_marked():
    filler = " ".join(f"كلمة{i}" for i in range(40))
    long_text = f"{filler} التدريب المهني ثم التدريب الميداني {filler}"
    html = snippet(parse_query("تدريب"), "", "عنوان بلا صلة", long_text)
    assert html.startswith("… كلمة34 ") and html.endswith(" …")  # six words before the first match
    assert html.count("<mark>") == 2 and "<mark>التدريب</mark> الميداني" in html
    assert str(snippet(parse_query("تدريب"), None, "عنوان بلا صلة", "نص آخر")) == "عنوان بلا صلة"


@pytest.fixture
def training_world():
    """Three agreements that speak of training (title, clause, commitment) and one that does not."""
    by_title = AgreementFactory(title_ar="اتفاقية التدريب المهني")
    by_clause = AgreementFactory(title_ar="اتفاقية شراكة")
    ClauseFactory(agreement=by_clause, text_ar="تقدم الجمعية الخدمات التأهيلية والتدريبية للمستفيدين.")
    by_commitment = AgreementFactory(title_ar="اتفاقية تعاون")
    CommitmentFactory(clause=ClauseFactory(agreement=by_commitment, text_ar="بند عام"), description_ar="تدريب متطوعين")
    other = AgreementFactory(title_ar="اتفاقية الإعلام")
    ClauseFactory(agreement=other, text_ar="التعاون في مجال العلاقات العامة والإعلام.")
    return by_title, by_clause, by_commitment, other


@pytest.mark.parametrize("typed", TRAINING_FORMS)
def test_every_form_of_training_finds_every_agreement_that_speaks_of_it(staff_user, training_world, typed):
    by_title, by_clause, by_commitment, other = training_world
    results = search(user=staff_user, text=typed)
    found = " ".join(f"{hit.url} {hit.snippet}" for group in results.groups for hit in group.hits)
    for agreement in (by_title, by_clause, by_commitment):
        assert agreement.reference in found, typed
    assert other.reference not in found
    snippets = [hit.snippet for group in results.groups for hit in group.hits]
    assert all("<mark>" in snippet for snippet in snippets), snippets


def test_agreement_list_q_uses_the_same_engine_and_filters_still_apply(staff_client, training_world):
    by_title, by_clause, _by_commitment, _other = training_world
    set_status(by_clause, "active")
    listed = staff_client.get(reverse("agreements:list"), {"q": "متدربين"}).context["page"]
    assert {a.reference for a in listed} == {by_title.reference, by_clause.reference}  # own text or a clause
    active = staff_client.get(reverse("agreements:list"), {"q": "متدربين", "status": "active"}).context["page"]
    assert [a.reference for a in active] == [by_clause.reference]


def test_title_matches_rank_before_clause_matches_in_the_list(staff_client, training_world):
    by_title, by_clause, *_ = training_world
    listed = [a.reference for a in staff_client.get(reverse("agreements:list"), {"q": "التدريب"}).context["page"]]
    assert listed.index(by_title.reference) < listed.index(by_clause.reference)


def test_staff_search_covers_every_kind(staff_user):
    partner = PartnerFactory(name_ar="جمعية الفردوس لإكرام الموتى", name_en="Al-Firdaws Association")
    ContactFactory(partner=partner, name_ar="ممثل الفردوس")
    agreement = AgreementFactory(partner=partner, title_ar="اتفاقية الفردوس")
    clause = ClauseFactory(agreement=agreement, order=3, text_ar="ندوات الفردوس التوعوية")
    commitment = CommitmentFactory(clause=clause, description_ar="لقاءات الفردوس")
    ProgressUpdateFactory(commitment=commitment, note="تقرير عن الفردوس")
    results = search(user=staff_user, text="الفردوس")
    kinds = {group.kind for group in results.groups}
    assert kinds == {"agreement", "clause", "commitment", "progress", "partner", "contact"}
    clause_hit = next(g for g in results.groups if g.kind == "clause").hits[0]
    assert clause_hit.url.endswith(f"/{agreement.reference}/#clause-3")


def test_a_partner_user_finds_only_their_own_partners_records(client):
    mine, theirs = PartnerFactory(name_ar="جمعية أ"), PartnerFactory(name_ar="جمعية ب")
    own = set_status(AgreementFactory(partner=mine, title_ar="اتفاقية التدريب الأولى"), "active")
    secret = AgreementFactory(partner=theirs, title_ar="اتفاقية التدريب السرية")
    ClauseFactory(agreement=secret, text_ar="بند التدريب السري")
    set_status(secret, "active")
    ContactFactory(partner=theirs, name_ar="مدرب سري")
    draft = AgreementFactory(partner=mine, title_ar="مسودة التدريب الداخلية")
    user = PartnerUserFactory(partner=mine)
    client.force_login(user)
    body = client.get(PORTAL_SEARCH, {"q": "تدريب"}).content.decode()
    assert own.reference in body and reverse("portal:agreement", args=[own.reference]) in body
    for hidden in (secret.reference, "السري", "سري", "جمعية ب", draft.reference):
        assert hidden not in body
    assert client.get(SEARCH, {"q": "تدريب"}).status_code == 404  # the staff search is not theirs


@pytest.mark.parametrize(
    "typed",
    [
        "ت" * 1000,
        "تدريب " * 200,
        "!!! ؟؟؟ ... ،،،",
        "\u064e\u064f\u0650\u0651",  # diacritics only
        "تدريب\x00",
        "\x00",
        "\u202eتدريب\u202c",
        "\u2066\u2067\u2069",
        "' OR 1=1; DROP TABLE agreements_agreement; --",
        "تدريب & | ! ( ) : * <-> <2>",
        "&|!():*",
        "'تدريب':*",
        "%_\\",
    ],
)
def test_bad_input_answers_and_never_fails(staff_client, typed):
    AgreementFactory(title_ar="اتفاقية التدريب")
    response = staff_client.get(SEARCH, {"q": typed})
    assert response.status_code == 200
    listing = staff_client.get(reverse("agreements:list"), {"q": typed})
    assert listing.status_code == 200


def test_nothing_found_says_so_in_arabic_with_a_hint(staff_client):
    AgreementFactory(title_ar="اتفاقية التدريب")
    for typed in ("&|!():*", "زرافة"):
        body = staff_client.get(SEARCH, {"q": typed}, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
        assert "لا نتائج" in body
        assert "جرّب" in body


def test_a_misspelling_falls_back_to_close_terms(staff_user):
    AgreementFactory(partner=PartnerFactory(name_ar="جمعية الفردوس"), title_ar="اتفاقية")
    results = search(user=staff_user, text="الفردوص")
    assert results.fallback
    assert any(hit.key == "partner:جمعية الفردوس" for group in results.groups for hit in group.hits)


def _search_queries(user, text) -> int:
    with CaptureQueriesContext(connection) as ctx:
        search(user=user, text=text)
    return len(ctx.captured_queries)


def test_query_count_is_constant_whatever_the_data_size(staff_user):
    def grow(n):
        for i in range(n):
            agreement = AgreementFactory(title_ar=f"اتفاقية التدريب {i}")
            clause = ClauseFactory(agreement=agreement, text_ar="الخدمات التدريبية")
            ProgressUpdateFactory(commitment=CommitmentFactory(clause=clause, description_ar="تدريب"), note="تدريب")
            ContactFactory(partner=agreement.partner, name_ar=f"مدرب {i}")

    grow(2)
    search(user=staff_user, text="التدريب")  # the user's groups, read once per request
    small = _search_queries(staff_user, "التدريب")
    grow(12)
    # One query per kind: agreements, clauses, commitments, progress reports, amendments,
    # partners, contacts (each with what it shows joined in).
    assert small == _search_queries(staff_user, "التدريب") == 7


def test_a_common_word_is_ranked_over_a_bounded_set_of_rows_best_first(postgres, staff_user, monkeypatch):
    """Above `CANDIDATES` matching rows of a kind, only that many are read and ranked (the
    full-text index gives them in table order), the best of them first."""
    monkeypatch.setattr("agreements.search.CANDIDATES", 3)
    agreement = AgreementFactory(title_ar="اتفاقية")
    for order in range(1, 6):
        text = "التدريب ثم التدريب" if order == 2 else "بند في التدريب"
        ClauseFactory(agreement=agreement, order=order, text_ar=text)
    hits = next(g for g in search(user=staff_user, text="تدريب").groups if g.kind == "clause").hits
    assert len(hits) == 3
    assert hits[0].url.endswith("#clause-2")  # the word twice: ranked first among those read


def test_a_partner_users_rows_are_not_crowded_out_by_other_partners_matches(postgres, client, monkeypatch):
    """The bound applies after the visibility rule: other partners' matching rows, however
    many and wherever they stand in the table, never take a partner user's places."""
    monkeypatch.setattr("agreements.search.CANDIDATES", 2)
    for name in ("جمعية ب", "جمعية ج", "جمعية د"):
        other = AgreementFactory(partner=PartnerFactory(name_ar=name), title_ar="اتفاقية التدريب")
        ClauseFactory(agreement=other, text_ar="بند التدريب")
        set_status(other, "active")
    mine = PartnerFactory(name_ar="جمعية أ")
    own = AgreementFactory(partner=mine, title_ar="اتفاقية التدريب الخاصة")
    ClauseFactory(agreement=own, order=1, text_ar="بند التدريب الخاص")
    set_status(own, "active")
    client.force_login(PartnerUserFactory(partner=mine))
    body = client.get(PORTAL_SEARCH, {"q": "تدريب"}).content.decode()
    assert own.reference in body
    assert "#clause-1" in body


def test_search_indexes_take_rows_in_at_once_so_no_search_reads_a_pending_list(postgres):
    """Every GIN index of the search has `fastupdate = off` (migration 0021), new ones too."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT index.relname, coalesce(index.reloptions, '{}') FROM pg_index
               JOIN pg_class index ON index.oid = pg_index.indexrelid
               JOIN pg_am ON pg_am.oid = index.relam
               WHERE pg_am.amname = 'gin' AND index.relname LIKE ANY(ARRAY['agreements_%%', 'partners_%%'])"""
        )
        indexes = dict(cursor.fetchall())
    assert len(indexes) >= 14
    assert {name for name, options in indexes.items() if "fastupdate=off" not in options} == set()
