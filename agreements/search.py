"""One search over agreements, clauses, commitments, progress notes, amendments, partners, contacts.

Text and queries are turned into terms by `common.search` (normalised, clitics off,
stemmed). On PostgreSQL each table has a stored, weighted tsvector of its terms with a GIN
index (migration 0016): rows match with `@@`, rank with `ts_rank_cd`. When nothing matches
at all, a trigram fallback (strict word similarity, `%>>`, on the same terms) over
names, titles and references catches misspellings. On SQLite (the
demo) the same terms are matched as whole words in `search_text` and ranked by how many
of the query's terms a row holds.

Who sees what is never decided here: every kind starts from the visibility rule of its
model (`visible_q`, `Partner.objects.visible_to`). Staff search every kind; a partner
user their own partner's agreements, clauses, commitments and progress reports.
One query per kind (and, when nothing matched, one more for each kind with names:
agreements, partners, contacts), whatever the data size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import BooleanField, Case, F, FloatField, Q, QuerySet, Value, When
from django.db.models.expressions import Expression, RawSQL
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from common.search import Query, parse_query, snippet
from partners.models import Contact, Partner

from .models import Agreement, Amendment, Clause, Commitment, ProgressUpdate, visible_q

PER_KIND = 10
# Rows of a kind ranked, at most: the first matches the full-text index gives, in table
# order. A word in thousands of clauses would otherwise be ranked over every row that
# holds it (a heap visit and a `ts_rank_cd` each: 6 000 clauses holding «تدريب» in the
# benchmark cost ~30 ms); a rarer word, or two words together, is ranked over all its rows.
CANDIDATES = 500


class _OnTable(Expression):
    """SQL over the queried table's own search columns, `{t}` standing for its alias.

    Django renames tables inside subqueries (U0…), so the alias is asked of the query being
    compiled. What was typed only ever travels as a parameter (terms are letters and digits).
    """

    def __init__(self, sql: str, params: list, output_field):
        super().__init__(output_field=output_field)
        self.sql, self.params = sql, params

    def as_sql(self, compiler, connection):
        alias = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return self.sql.replace("{t}", alias), list(self.params)


def _sql(sql: str, params: list, output_field) -> _OnTable:
    return _OnTable(sql, params, output_field)


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _sqlite_match(query: Query, prefix: str = "") -> Q:
    """Every word of the query, any of its terms, as a whole term of `search_text`."""
    condition = Q()
    for group in query.groups:
        any_term = Q()
        for term in group:
            any_term |= Q(**{f"{prefix}search_text__contains": f" {term} "})
        condition &= any_term
    return condition


def matching(queryset: QuerySet, query: Query, *, fallback: bool = False) -> QuerySet:
    """`queryset` narrowed to rows matching `query`, annotated with `rank`, best first.

    `fallback`: similar terms instead (misspellings: trigram word similarity on PostgreSQL,
    a substring of a term on SQLite).
    """
    if _postgres():
        if fallback:
            # Strict word similarity (whole words of the text, pg_trgm's threshold 0.5): one
            # letter wrong in a five-letter word still matches, a made-up word does not.
            condition = _sql("{t}.search_text %%>> %s", [_fallback_term(query)], BooleanField())
        else:
            condition = _sql("{t}.search_vector @@ to_tsquery('simple', %s)", [query.tsquery()], BooleanField())
        return queryset.filter(condition).annotate(rank=_rank(query, fallback=fallback)).order_by("-rank", "-pk")
    if fallback:
        # A term without its last letter, anywhere in a term: «فردوص» finds «فردوس».
        condition = Q()
        for term in query.all_terms:
            if len(term) >= 4:
                condition |= Q(search_text__contains=term[:-1])
        return queryset.filter(condition or Q(pk__in=[])).annotate(rank=Value(0.0)).order_by("-pk")
    return queryset.filter(_sqlite_match(query)).annotate(rank=Value(0.0)).order_by("-pk")


def _fallback_term(query: Query) -> str:
    """The longest term asked (the stem of the longest word): a misspelling is looked for by it.

    One term, so the trigram index answers; an OR of several makes PostgreSQL read the table.
    """
    return max(query.all_terms, key=lambda term: (len(term), term))


def _rank(query: Query, *, fallback: bool) -> _OnTable:
    """PostgreSQL's relevance of a row: cover density (`ts_rank_cd`), or trigram similarity."""
    if fallback:
        return _sql("strict_word_similarity(%s, {t}.search_text)", [_fallback_term(query)], FloatField())
    return _sql("ts_rank_cd({t}.search_vector, to_tsquery('simple', %s))", [query.tsquery()], FloatField())


def _top(rows: QuerySet, query: Query, *, fallback: bool, limit: int) -> list:
    """The best `limit` rows, with what `rows` joins in for display.

    On PostgreSQL the matching rows of the bare table (visibility rule included) are read
    through a materialised CTE, which the database runs only as far as it is read: at most
    `CANDIDATES` rows, each ranked once; the best `limit` ids are then joined for display.
    (A plain `LIMIT` on the match instead tempts the planner into a sequential scan.) On
    SQLite the terms are counted in Python.
    """
    if _postgres():
        bare = matching(rows.select_related(None), query, fallback=fallback).order_by()
        sql, params = bare.values(found=F("pk"), found_rank=F("rank")).query.sql_with_params()
        # `sql` is Django's own compilation; what was typed is among `params` only.
        best = RawSQL(  # noqa: S611
            f"WITH candidates AS MATERIALIZED ({sql}) SELECT found FROM "  # noqa: S608
            "(SELECT * FROM candidates LIMIT %s) AS bounded ORDER BY found_rank DESC, found DESC LIMIT %s",
            (*params, CANDIDATES, limit),
        )
        ranked = rows.filter(pk__in=best).annotate(rank=_rank(query, fallback=fallback))
        return list(ranked.order_by("-rank", "-pk"))
    return _sqlite_rank(list(matching(rows, query, fallback=fallback)[: limit * 5]), query)[:limit]


def _sqlite_rank(rows: list, query: Query) -> list:
    """SQLite has no ranking: order by how many of the query's terms each row holds, then newest."""
    wanted = query.all_terms
    return sorted(rows, key=lambda row: -sum(row.search_text.count(f" {t} ") for t in wanted))


@dataclass
class Hit:
    title: str
    snippet: str
    url: str
    detail: str = ""
    # The agreement's reference, shown apart (left-to-right) from the Arabic title.
    reference: str = ""
    # What was found, for tests and logs: "clause:<partner name>:<kind>", "partner:<name>"…
    key: str = ""


@dataclass
class Group:
    kind: str
    label: str
    hits: list[Hit] = field(default_factory=list)


@dataclass
class Results:
    query: Query
    groups: list[Group]
    fallback: bool = False

    @property
    def count(self) -> int:
        return sum(len(group.hits) for group in self.groups)


def _bilingual(row, name: str) -> tuple[str, str]:
    """(the text in the page's language, the other one)."""
    ar, en = getattr(row, f"{name}_ar", ""), getattr(row, f"{name}_en", "")
    return (en, ar) if get_language() == "en" else (ar, en)


# What a hit shows of an agreement (the rows are read with these columns only).
_AGREEMENT_SHOWN = ("reference", "title_ar", "title_en", "summary_ar", "summary_en", "partner")


class _Kind:
    """One kind of result: its rows visible to the user, and how a row is shown."""

    kind = ""
    label = ""
    staff_only = True
    # Names, titles and references are where a misspelling is worth a second, looser look.
    has_names = False

    def rows(self, user) -> QuerySet:
        raise NotImplementedError

    def hit(self, row, query: Query, partner_user: bool) -> Hit:
        raise NotImplementedError


class _Agreements(_Kind):
    kind, label, staff_only, has_names = "agreement", _("Agreements"), False, True

    def rows(self, user):
        return (
            Agreement.objects.visible_to(user)
            .select_related("partner")
            .only(*_AGREEMENT_SHOWN, "partner__name_ar", "partner__name_en")
        )

    def hit(self, row, query, partner_user):
        url = reverse("portal:agreement" if partner_user else "agreements:detail", args=[row.reference])
        title, other = _bilingual(row, "title")
        summary, other_summary = _bilingual(row, "summary")
        return Hit(
            reference=row.reference,
            title=title,
            snippet=snippet(query, title, summary, other, other_summary),
            url=url,
            detail=row.partner.name,
            key=f"agreement:{row.partner.name_ar}",
        )


class _Clauses(_Kind):
    kind, label, staff_only = "clause", _("Clauses"), False

    def rows(self, user):
        return (
            Clause.objects.current()
            .filter(visible_q(user, "agreement__"))
            .select_related("agreement__partner")
            .only(
                "order",
                "kind",
                "text_ar",
                "text_en",
                *(f"agreement__{name}" for name in _AGREEMENT_SHOWN),
                "agreement__partner__name_ar",
            )
        )

    def hit(self, row, query, partner_user):
        agreement = row.agreement
        url = reverse("portal:agreement" if partner_user else "agreements:detail", args=[agreement.reference])
        text, other = _bilingual(row, "text")
        return Hit(
            reference=agreement.reference,
            title=f"{row.order}. {row.get_kind_display()}",
            snippet=snippet(query, text, other),
            url=f"{url}#clause-{row.order}",
            detail=_bilingual(agreement, "title")[0],
            key=f"clause:{agreement.partner.name_ar}:{row.kind}",
        )


class _Commitments(_Kind):
    kind, label, staff_only = "commitment", _("Commitments"), False

    def rows(self, user):
        return (
            Commitment.objects.visible_to(user)
            .current()
            .select_related("clause__agreement")
            .only(
                "party",
                "description_ar",
                "description_en",
                "clause__order",
                *(f"clause__agreement__{name}" for name in _AGREEMENT_SHOWN),
            )
        )

    def hit(self, row, query, partner_user):
        agreement = row.clause.agreement
        url = reverse("portal:agreement" if partner_user else "agreements:detail", args=[agreement.reference])
        text, other = _bilingual(row, "description")
        return Hit(
            reference=agreement.reference,
            title=f"{row.clause.order}. {row.get_party_display()}",
            snippet=snippet(query, text, other),
            url=f"{url}#commitment-{row.pk}",
            detail=_bilingual(agreement, "title")[0],
            key=f"commitment:{row.description_ar}",
        )


class _ProgressNotes(_Kind):
    kind, label, staff_only = "progress", _("Progress reports"), False

    def rows(self, user):
        return (
            ProgressUpdate.objects.filter(visible_q(user, "commitment__clause__agreement__"))
            .select_related("commitment__clause__agreement")
            .only(
                "reported_on",
                "amount",
                "note",
                "commitment__description_ar",
                "commitment__description_en",
                "commitment__clause__agreement__reference",
            )
        )

    def hit(self, row, query, partner_user):
        commitment = row.commitment
        agreement = commitment.clause.agreement
        if partner_user:
            url = reverse("portal:agreement", args=[agreement.reference]) + f"#commitment-{commitment.pk}"
        else:
            url = reverse("agreements:progress_review", args=[row.pk])
        return Hit(
            reference=agreement.reference,
            title=f"{row.reported_on:%Y-%m-%d} · +{row.amount}",
            snippet=snippet(query, row.note),
            url=url,
            detail=_bilingual(commitment, "description")[0],
            key=f"progress:{commitment.description_ar}",
        )


class _Amendments(_Kind):
    kind, label = "amendment", _("Amendments")

    def rows(self, user):
        return (
            Amendment.objects.filter(visible_q(user, "agreement__"))
            .select_related("agreement")
            .only(
                "number",
                "title_ar",
                "title_en",
                "text_ar",
                "text_en",
                "agreement__reference",
                "agreement__title_ar",
                "agreement__title_en",
            )
        )

    def hit(self, row, query, partner_user):
        title, other_title = _bilingual(row, "title")
        text, other = _bilingual(row, "text")
        return Hit(
            reference=f"{row.agreement.reference}/{row.number}",
            title=title or str(_("Amendment")),
            snippet=snippet(query, text, title, other, other_title),
            url=reverse("agreements:amendment", args=[row.agreement.reference, row.number]),
            detail=_bilingual(row.agreement, "title")[0],
            key=f"amendment:{row.agreement.reference}/{row.number}",
        )


class _Partners(_Kind):
    kind, label, has_names = "partner", _("Partners"), True

    def rows(self, user):
        return Partner.objects.visible_to(user).only("name_ar", "name_en", "city", "sector")

    def hit(self, row, query, partner_user):
        name, other = _bilingual(row, "name")
        return Hit(
            title=name or other,
            snippet=snippet(query, name, other, row.city),
            url=reverse("partners:detail", args=[row.pk]),
            detail=row.get_sector_display(),
            key=f"partner:{row.name_ar}",
        )


class _Contacts(_Kind):
    kind, label, has_names = "contact", _("Contacts"), True

    def rows(self, user):
        return (
            Contact.objects.filter(partner__in=Partner.objects.visible_to(user))
            .select_related("partner")
            .only("name_ar", "name_en", "title_ar", "title_en", "email", "partner__name_ar", "partner__name_en")
        )

    def hit(self, row, query, partner_user):
        name, other = _bilingual(row, "name")
        title, other_title = _bilingual(row, "title")
        return Hit(
            title=name or other,
            snippet=snippet(query, name, other, title, other_title, row.email),
            url=reverse("partners:detail", args=[row.partner_id]),
            detail=row.partner.name,
            key=f"contact:{row.name_ar}",
        )


KINDS: list[_Kind] = [
    _Agreements(),
    _Clauses(),
    _Commitments(),
    _ProgressNotes(),
    _Amendments(),
    _Partners(),
    _Contacts(),
]


def search(*, user, text: str | None, per_kind: int = PER_KIND) -> Results:
    """What `user` may see that matches `text`, grouped by kind, best first in each.

    Never raises on what was typed: a query without any word is an empty result.
    """
    query = parse_query(text)
    if not query or not user.is_authenticated:
        return Results(query=query, groups=[])
    partner_user = not user.is_charity_staff
    kinds = [kind for kind in KINDS if not (kind.staff_only and partner_user)]
    for fallback in (False, True):
        groups = []
        for kind in kinds if not fallback else [kind for kind in kinds if kind.has_names]:
            rows = _top(kind.rows(user), query, fallback=fallback, limit=per_kind)
            if rows:
                groups.append(
                    Group(kind=kind.kind, label=kind.label, hits=[kind.hit(row, query, partner_user) for row in rows])
                )
        if groups:
            return Results(query=query, groups=groups, fallback=fallback)
    return Results(query=query, groups=[])


def agreements_matching(queryset: QuerySet, text: str) -> QuerySet:
    """The agreement list's `?q=`: agreements whose own text, partner or clauses match `text`.

    Every word must match somewhere, in any of the three (a partner's name and a clause
    word together find the partner's agreements on that subject); on PostgreSQL each is
    one index lookup. Annotated with `rank` (the agreement's own text), for ordering.
    """
    query = parse_query(text)
    if not query:
        return queryset.none().annotate(rank=Value(0.0))
    for group in query.groups:
        word = Query(text="", groups=(group,))
        found = (
            _ids(Agreement.objects.all(), word, "pk")
            .union(_ids(Partner.objects.all(), word, "agreements__pk"))
            .union(_ids(Clause.objects.current(), word, "agreement_id"))
        )
        queryset = queryset.filter(pk__in=found)
    if _postgres():
        tsquery = query.tsquery()
        return queryset.annotate(
            rank=_sql(
                "ts_rank_cd({t}.search_vector, to_tsquery('simple', %s))",
                [tsquery],
                FloatField(),
            )
        )
    # SQLite: agreements whose own text matches come first.
    return queryset.annotate(rank=Case(When(_sqlite_match(query), then=Value(1.0)), default=Value(0.0)))


def _ids(queryset: QuerySet, query: Query, column: str) -> QuerySet:
    if _postgres():
        condition = _sql("{t}.search_vector @@ to_tsquery('simple', %s)", [query.tsquery()], BooleanField())
        return queryset.filter(condition).order_by().values(column)
    return queryset.filter(_sqlite_match(query)).order_by().values(column)
