"""Reading a deal's parties from word order: the fallback when the dependency parse gives none (the cheap pass
has no parse), and the gaps it leaves."""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

# Words that, right after "to", show an infinitive rather than a recipient.
_VERBS = {
    "acquire", "buy", "sell", "host", "build", "develop", "expand", "support", "secure", "purchase", "provide",
    "lease", "include", "be", "become", "pay", "take", "own", "operate", "help", "create", "power", "supply",
    "finance", "fund", "invest", "add", "use", "increase", "reach", "close", "complete", "deliver", "receive",
}


def surface_roles(doc: Doc, trigger: Span, orgs: list[Span], table: dict[str, str], nominal: bool) -> dict[str, Span]:
    """Fallback on word order: "ORG … trigger … from ORG / to ORG / with ORG", "ORG's site"; `table` is the
    frame's role table (patterns/frames.jsonl)."""
    roles: dict[str, Span] = {}
    for org in orgs:
        prep = _preposition_before(doc, org)
        if prep is not None:
            word = doc[prep].lower_
            if word in table and word != "subj" and table[word] not in roles and (word == "with" or org.start > trigger.start):
                roles[table[word]] = org
        elif org.start >= trigger.end and _possessive(doc, org):
            # "buy Halvard's site", not "the purchase is the largest in Bitmain's history"
            gap = doc[trigger.end:org.start]
            if "poss" in table and table["poss"] not in roles and len(gap) <= 4 \
                    and not any(t.tag_.startswith("VB") or t.tag_ in {"MD", "IN"} or t.lower_ in _LINKS for t in gap):
                roles[table["poss"]] = org
    if "poss" in table and table["poss"] not in roles:
        owner = _object_owner(doc, trigger, orgs)
        if owner is not None and owner not in roles.values():
            roles[table["poss"]] = owner
    for role, name in _bare_names(doc, trigger, table):
        if role not in roles:
            roles[role] = name
    subj_role = table.get("subj")
    if subj_role and subj_role not in roles:
        for org in orgs:
            if org.end > trigger.start:
                break
            # "the GRIID acquisition": an org glued to a nominal trigger is its target, not its subject.
            glued = nominal and org.end == trigger.start and not _possessive(doc, org)
            if not glued and org not in roles.values() and _preposition_before(doc, org) is None:
                roles[subj_role] = org
                break
    return roles


_NOT_NAMES = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "q1", "q2", "q3",
    "q4", "the", "a", "an", "its", "their", "his", "her", "this", "that", "bitcoin", "phase", "nasdaq", "nyse",
}


def _bare_names(doc: Doc, trigger: Span, table: dict) -> list[tuple[str, Span]]:
    """Capitalised names right after a role preposition that no matcher knew ("from Macquarie")."""
    found = []
    taken = {i for group in ("minewire_orgs", "minewire_places") for s in doc.spans.get(group, [])
             for i in range(s.start, s.end)}
    for tok in doc[trigger.end:]:
        if tok.lower_ not in table or tok.lower_ == "subj" or tok.i + 1 >= len(doc) or tok.dep_ == "aux":
            continue
        start = tok.i + 1 + (doc[tok.i + 1].lower_ == "the")
        end = start
        while end < len(doc) and end - start < 5 and doc[end].is_title and doc[end].is_alpha and end not in taken:
            end += 1
        if end > start and doc[start].lower_ not in _NOT_NAMES:
            found.append((table[tok.lower_], Span(doc, start, end, label=doc[start:end].text)))
    return found


_LINKS = {"is", "was", "are", "were", "in", "at", "of", "on"}  # for docs without tags (the cheap pass)


def _possessive(doc: Doc, org: Span) -> bool:
    return org.end < len(doc) and doc[org.end].text in {"'s", "’s", "'", "’"}


_TRANSPARENT = {"unit", "units", "subsidiary", "subsidiaries", "affiliate", "affiliates", "division", "arm", "fund",
                "vehicle", "entity", "entities", "owner", "owners"}


def through_transparent(tok: Token | None) -> Token | None:
    """ "with subsidiaries of Generate Capital": the party is the parent named after "of"."""
    if tok is None or tok.lower_ not in _TRANSPARENT:
        return tok
    of = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"), None)
    inner = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
    return inner or tok


def _object_owner(doc: Doc, trigger: Span, orgs: list[Span]) -> Span | None:
    """ "buy a 50% stake in Lundin Mining's Josemaria project": the possessive org inside the object."""
    end = min(len(doc), trigger.end + 9)
    for org in orgs:
        if trigger.end <= org.start < end and _possessive(doc, org):
            gap = doc[trigger.end:org.start]
            if not any(t.text in {",", ";", ":", "(", ")"} or t.lower_ in {"to", "from", "with", "for", "by"} for t in gap):
                return org
    return None


def _preposition_before(doc: Doc, org: Span) -> int | None:
    """Index of a role preposition governing `org` ("from the Monroe County Port Authority")."""
    for back in range(1, 7):
        i = org.start - back
        if i < 0:
            return None
        tok = doc[i]
        if tok.lower_ == "of" and i > 0 and doc[i - 1].lower_ in _TRANSPARENT:
            continue  # "to a unit of Rio Tinto": Rio Tinto is the recipient
        if tok.lower_ in {"from", "to", "with", "by", "for", "into", "in", "of"}:
            nxt = doc[i + 1].lower_ if i + 1 < len(doc) else ""
            if tok.lower_ == "to" and (tok.dep_ == "aux" or nxt in _VERBS):
                return None
            return i
        if tok.text in {"-", "–"} and i + 1 < org.start and doc[i + 1].lower_ == "based":
            continue  # "to Japan-based Sumitomo Metal Mining": the home is a modifier, the preposition is before it
        if tok.is_punct or tok.lower_ in _VERBS or tok.lower_ in {"and", "or", "but", "while", "said", "that"}:
            return None
    return None
