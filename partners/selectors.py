from collections import Counter

from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import BooleanField, CharField, ExpressionWrapper, Q, QuerySet, Value
from django.db.models.functions import Length
from django.utils.text import capfirst

from .codes import compact_erasmus_code, fold_for_search, normalise_legal_name
from .eche.models import EcheHolder
from .models import Organisation, SearchWord, compact_erasmus_code_sql


def organisations_with_same_name(
    *, legal_name: str, country_id: str, exclude_pk=None
) -> QuerySet[Organisation]:
    """Organisations whose legal name, normalised, is the same in the same country: likely duplicates."""
    queryset = Organisation.objects.filter(
        country_id=country_id, legal_name_key=normalise_legal_name(legal_name)
    )
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.select_related("country")


def shared_by_listed_holders(*, field: str, value: str) -> bool:
    """Whether several holders of the current ECHE list have this PIC, OID or Erasmus code (normalised): it
    then tells none of them apart, the import leaves it on neither record, and no record may take it (a
    record holding it would match their charters)."""
    if not value:
        return False
    holders = EcheHolder.objects.filter(list__is_current=True)
    return _holding(holders, field, value, code_column="erasmus_code_normalised").count() > 1


def _holding(queryset: QuerySet, field: str, value: str, *, code_column: str = "erasmus_code") -> QuerySet:
    """The rows of `queryset` with this PIC, OID or Erasmus code; an Erasmus code (in `code_column`) with or
    without its spaces (``PLLODZ02`` is ``PL LODZ02`` as people type it, and as the search finds it)."""
    if field != "erasmus_code":
        return queryset.filter(**{field: value})
    # As the records' unique index has it (without spaces, of the records with a code), so it is used.
    return (
        queryset.exclude(**{code_column: ""})
        .annotate(compact_code=compact_erasmus_code_sql(code_column))
        .filter(compact_code=compact_erasmus_code(value))
    )


def organisations_with_identifier(*, field: str, value: str, exclude_pk=None) -> QuerySet[Organisation]:
    """The records holding this PIC, OID or Erasmus code; an Erasmus code with or without its spaces
    (``PLLODZ02`` is ``PL LODZ02`` as people type it, and as the search finds it)."""
    if field not in {"pic", "oid", "erasmus_code"}:
        raise ValueError(f"not an identifier: {field}")
    if not value:
        return Organisation.objects.none()
    queryset = _holding(Organisation.objects.all(), field, value)
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.select_related("country")


# Lists without a ranking: verified records first, then by name as people read it (the folded key: case and
# accents do not send "école" after "Zürich"); an index gives the order (`organisation_listing`).
BY_NAME = ("-verified", "legal_name_key", "pk")
# The search ranks this many of the most similar records, then shows the verified ones among them first.
MOST_SIMILAR = 50
TRIGRAM = 3


def lists_the_most_similar_only(query: str) -> bool:
    """Whether `organisation_search` lists only the MOST_SIMILAR records most similar to this query (on
    PostgreSQL, for a query with a word of a trigram or more) rather than every record that matches it."""
    words = fold_for_search(query).split()
    return connection.vendor == "postgresql" and any(len(word) >= TRIGRAM for word in words)


def organisation_search(*, query: str = "", country: str = "", type_slug: str = "", eche_status: str = ""):
    """The directory search (the directory page, the builder's search, suggestions' records): by name,
    acronym, city, Erasmus code, PIC or OID, accent- and case-insensitive, with filters.

    Every word of the query must appear in the record (folded: `search_text`). On PostgreSQL, with a trigram
    index (pg_trgm) on that column, a word that appears in no record is taken for a typo and matched by
    similarity instead, and the 50 records most similar to the query are shown. Elsewhere (SQLite) every
    match, the shortest names first. In both, a verified record whose acronym was typed comes first, then
    those the query names, verified ones first. A query too short for trigrams lists the names that start so
    and the record whose acronym it is, as lists without a query are ordered.
    """
    queryset = Organisation.objects.select_related("country", "type")
    if country:
        queryset = queryset.filter(country_id=country.upper())
    if type_slug:
        queryset = queryset.filter(type__slug=type_slug)
    if eche_status:
        queryset = queryset.filter(eche_status=eche_status)
    folded = fold_for_search(query)
    if not folded:  # nothing typed; or only punctuation or symbols ("%", "😀"), which no record is found by
        return queryset.order_by(*BY_NAME) if not query.strip() else queryset.none()
    if lists_the_most_similar_only(folded):
        return _most_similar(queryset, folded, query.strip())
    words, typed = folded.split(), query.strip()
    if max(len(word) for word in words) < TRIGRAM:
        # Too short for trigrams (and for typos): names that start so, and the record whose acronym it is
        # ("DI-U"), in the order of the name key's index.
        return queryset.filter(Q(legal_name_key__startswith=folded) | Q(acronym__iexact=typed)).order_by(
            *BY_NAME
        )
    # Without trigrams (SQLite): every match, the verified record whose acronym was typed and those named by
    # it first, then the shortest names.
    return (
        queryset.filter(holding_every_word(words))
        .annotate(named=_named(words, typed), verified_acronym=_verified_acronym(typed))
        .order_by(
            "-verified_acronym", "-named", "-verified", Length("legal_name_key"), "legal_name_key", "pk"
        )
    )


def _verified_acronym(typed: str) -> ExpressionWrapper:
    """Whether what was typed is the acronym of a verified record ("RIV", "TU Berlin"): that record is the one
    meant. Only a verified one: anyone may give an unverified record of their own any acronym ("Sorbonne"),
    and that must not put it above the verified records the query names."""
    return ExpressionWrapper(Q(acronym__iexact=typed, verified=True), output_field=BooleanField())


def _named(words: list[str], typed: str) -> ExpressionWrapper:
    """Whether the record is named by what was typed: its acronym is it ("TU Berlin"), or each word starts a
    word of its name ("dansk" names DANSK INDUSTRI and DEN DANSKE FILMSKOLE, not UNIWERSYTET GDANSKI)."""
    starting = Q()
    for word in words:
        starting &= Q(legal_name_key__startswith=word) | Q(legal_name_key__contains=f" {word}")
    return ExpressionWrapper(Q(acronym__iexact=typed) | starting, output_field=BooleanField())


def holding_every_word(words, *, through: str = "") -> Q:
    """Records whose searched text holds every word (folded), or the rows `through` such a record
    ("organisation__": the curators' search of change requests)."""
    every = Q()
    for word in words:
        every &= Q(**{f"{through}search_text__contains": word})
    return every


def _most_similar(queryset, folded: str, typed: str) -> QuerySet[Organisation]:
    """The 50 records most similar to the query: index-backed at any directory size.

    A record whose acronym is what was typed ("TU Berlin") is one of them: in a directory of many Berlin
    records it was not always among the candidates below.

    Words shorter than a trigram are left to the ranking (an index cannot look them up). When every other
    word appears somewhere, the records holding them all are the candidates. Otherwise the words that appear
    in no record are typos, and the candidates are the records holding the words that appear and, for each
    typo, one of the directory's words nearest to it (`SearchWord`: a table of some 90,000 words looks up in
    a fraction of a millisecond what `%>` over the records took 40-160 ms to find for a one-word query at
    250,000 records). Failing that (a word newer than the last refresh of the words), a word similar (`%>`)
    to each typo in the records themselves. Of the candidates, the shortest are the most similar (each extra
    word lowers the similarity; scoring every candidate instead took 4-7 ms more for 500 of them at 250,000
    records). If every word appears somewhere but no record holds them all, one of them is a typo that happens
    to be a word too ("universitat" for "universitet"), or the name is put in other words ("lodz university"):
    each in turn is taken for the odd one, the commonest first, and where some words are rarer than others the
    records holding the rarer ones come ranked first. If a typo is too far for both, the records holding the
    other words, ranked by similarity to the whole query (what is left of the typo counts there).

    A verified record whose acronym was typed comes first ("RIV" means Robotica Industriale Veneta, not IES
    Martín Rivero); then the records the query names (their acronym, or a word of their name starting with
    each word typed: "dansk" names DANSK INDUSTRI, not UNIWERSYTET GDANSKI), verified ones first among them
    and among the others.
    """
    acronym = list(queryset.filter(acronym__iexact=typed).values_list("pk", flat=True)[:MOST_SIMILAR])
    words = [word for word in folded.split() if len(word) >= TRIGRAM]
    most_similar = _shortest(queryset.filter(holding_every_word(words)))
    if not most_similar:
        most_similar = _with_a_typo(queryset, words, folded)
    return (
        Organisation.objects.select_related("country", "type")
        .defer("search_text", "listed")
        .filter(pk__in=[*acronym, *most_similar])
        .annotate(
            similarity=TrigramSimilarity("search_text", folded),
            named=_named(folded.split(), typed),
            verified_acronym=_verified_acronym(typed),
            acronym_typed=ExpressionWrapper(Q(acronym__iexact=typed), output_field=BooleanField()),
        )
        .order_by(
            "-verified_acronym", "-named", "-verified", "-acronym_typed", "-similarity", "legal_name", "pk"
        )
    )


def _with_a_typo(queryset, words: list[str], folded: str) -> list[int]:
    """The records most similar to a query whose words no record holds all of: one of them is taken for a
    typo (see `_most_similar`), and the finders below tried in turn on each guess of which."""
    known = _appearing(words)
    typos = [word for word in words if word not in known]
    finders = [_meant, _close_to_the_typo, _ranked_by_the_others]
    if typos:
        # A PIC, OID or code that no record holds: similar digits are another organisation's.
        guesses = [] if any(map(_identifier, typos)) else [typos]
    else:
        # Every word is somewhere, yet no record holds them all: a typo that is a word too ("universitat"
        # for "universitet"), or a name put in other words ("aalto university" for
        # AALTO-KORKEAKOULUSAATIO, "lodz university" for UNIWERSYTET LODZKI). Each word in turn, the
        # commonest first, is taken for the odd one. Where that one is much commoner than all the others,
        # they name the organisation, and the records holding them are ranked first; otherwise a rare
        # word is likelier the typo ("technische universitat graf" for TU Graz).
        counts = _records_with_each(words)
        guesses = [[word] for word in sorted(words, key=lambda w: -counts[w]) if not _identifier(word)]
        commonest, *others = sorted(counts.values(), reverse=True)
        if others and commonest >= RARER_BY * others[0]:
            finders = [_ranked_by_the_others, _meant]
    for find in finders:
        for guess in guesses:
            if found := find(queryset, words, folded, guess):
                return found
    return []


def _meant(queryset, words: list[str], folded: str, guess: list[str]) -> list[int]:
    """The records holding the other words and, for each typo, one of the directory's words nearest to it."""
    nearest = [_nearest_words(word) for word in guess]
    if not all(nearest):
        return []
    return _shortest(queryset.filter(holding_every_word(_other(words, guess)), *map(_any_of, nearest)))


def _close_to_the_typo(queryset, words: list[str], folded: str, guess: list[str]) -> list[int]:
    """The records holding the other words and a word similar (`%>`) to each typo."""
    return _shortest(queryset.filter(holding_every_word(_other(words, guess)), _close(guess)))


def _ranked_by_the_others(queryset, words: list[str], folded: str, guess: list[str]) -> list[int]:
    """The records holding the other words, ranked by similarity to the whole query: for a typo too far for
    `%>` ("chmabre": a third of its trigrams)."""
    right = _other(words, guess)
    return _ranked(queryset.filter(holding_every_word(right)), folded) if right else []


# A typo's nearest words: this many, at most this many letters longer or shorter (a letter dropped, added or
# two swapped), and similar by pg_trgm's `%` (a third of their trigrams in common, by default).
NEAREST_WORDS = 3
LENGTH_GAP = 2


def _nearest_words(typo: str) -> list[str]:
    lengths = (len(typo) - LENGTH_GAP, len(typo) + LENGTH_GAP)
    nearest = (
        SearchWord.objects.filter(word__trigram_similar=typo)
        .exclude(word=typo)
        .annotate(length=Length("word"), similarity=TrigramSimilarity("word", typo))
        .filter(length__range=lengths)
        .order_by("-similarity", "word")
    )
    return list(nearest.values_list("word", flat=True)[:NEAREST_WORDS])


def _any_of(words: list[str]) -> Q:
    either = Q()
    for word in words:
        either |= Q(search_text__contains=word)
    return either


def _identifier(word: str) -> bool:
    """A word with a digit is part of an identifier (a PIC, an OID, an Erasmus code): typed, never spelt."""
    return any(character.isdigit() for character in word)


def _other(words: list[str], guess: list[str]) -> list[str]:
    return [word for word in words if word not in guess]


def _close(typos: list[str]) -> Q:
    """Records holding a word similar to each typo (`%>`)."""
    close = Q()
    for word in typos:
        close &= Q(search_text__trigram_word_similar=word)
    return close


def _shortest(candidates) -> list[int]:
    return list(candidates.order_by(Length("search_text"), "pk").values_list("pk", flat=True)[:MOST_SIMILAR])


def _appearing(words: list[str]) -> set[str]:
    """The words that appear in some record: one query, one index look-up (stopping at the first) each."""
    return set(_records_with_each(words, up_to=1))


# Enough records to tell a common word from a rare one, and how much rarer the other words of a query must
# be for them, rather than the common one, to name the organisation.
COMMON = 100
RARER_BY = 4


def _records_with_each(words: list[str], *, up_to: int = COMMON) -> Counter:
    """How many records hold each word, counted up to `up_to` (one query; a word in none is not in it)."""
    each = [
        Organisation.objects.filter(search_text__contains=word)
        .order_by()
        .values_list(Value(word, CharField()))[:up_to]
        for word in words
    ]
    return Counter(word for (word,) in each[0].union(*each[1:], all=True))


def _ranked(candidates, folded: str) -> list[int]:
    similar = candidates.annotate(similarity=TrigramWordSimilarity(folded, "search_text")).order_by(
        "-similarity", Length("search_text"), "pk"
    )
    return list(similar.values_list("pk", flat=True)[:MOST_SIMILAR])


def field_label(field: str) -> str:
    """A curated field's name as people read it."""
    try:
        return str(Organisation._meta.get_field(field).verbose_name)
    except FieldDoesNotExist:  # a field renamed since the request: still shown, by its stored name
        return field


def change_request_rows(*, change_request, current: Organisation | None = None) -> list[dict]:
    """A request's changes as rows to show side by side: label, old, new (and the record's value now)."""
    from .curation import FOREIGN_KEYS
    from .models import Country, OrganisationType

    changes = change_request.changes or {}
    names = {}
    if "country" in changes:
        names["country"] = dict(Country.objects.values_list("code", "name"))
    if "type" in changes:
        names["type"] = dict(OrganisationType.objects.values_list("pk", "name"))

    def shown(field, value):
        return names[field].get(value, value) if field in names else value

    rows = []
    for field, change in changes.items():
        row = {
            "field": field,
            "label": capfirst(field_label(field)),  # a table's heading: "City" beside "PIC"
            "old": shown(field, change.get("old")),
            "new": shown(field, change.get("new")),
        }
        if current is not None:
            row["current"] = shown(field, getattr(current, FOREIGN_KEYS.get(field, field), ""))
        rows.append(row)
    return rows
