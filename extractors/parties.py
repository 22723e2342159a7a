"""Who is buyer and who is seller: the dependency parse first, surface patterns as the fallback."""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from . import gazetteer
from .party_kinds import by_kind
from .text import doc_text
from .word_order import surface_roles, through_transparent

_SWAP = {"buyer": "seller", "seller": "buyer"}
_LENDER_VERBS = re.compile(r"\b(?:(?:provid|extend|grant|lend|advanc|commit|arrang|backstop|financ|fund)\w*|lent|"
                           r"offer(?:s|ed)?)\b", re.IGNORECASE)  # not "offering": a company offers its own notes
# Verbs whose subject receives the money named after them.
_RECEIVER_VERBS = re.compile(r"\b(secur|receiv|obtain|rais|land|won|win|clos|attract|get|got)\w*\s+(?:an?\s+|the\s+)?"
                             r"(?:[\w$€£.,-]+\s+){0,4}$", re.IGNORECASE)
# "Power" alone does not make a utility ("Kestrel Power" may be a miner): the name must say it supplies power.
_RELATIVE = {"which", "that", "who", "whom"}
# Subjects that stand for the company issuing the text ("it has agreed to sell", "we signed", "the Company").
_SELF = {"it", "we", "company", "registrant", "our"}
# Nouns that, with "the", describe the text's own company ("the miner said it…"); never the first mention of a party.
_SELF_NOUNS = {"company", "miner", "firm", "producer", "operator", "group", "developer", "registrant", "issuer"}
ISSUER = "\x00issuer"  # placeholder label, replaced by the document's own company (see document.py)
PRONOUN = "\x00it"  # "it": the company the sentence before is about, else the issuer
# Clause types whose prepositions describe something else, not the deal ("a fund managed by X").
_CLAUSE_DEPS = {"relcl", "acl", "appos", "advcl", "ccomp", "parataxis"}
@dataclass
class Roles:
    """The parties of one deal mention and how sure we are of them."""

    buyer: Span | None = None
    seller: Span | None = None
    from_parse: bool = False


def org_name(span: Span | None) -> str | None:
    """The name to report: the span's label (registry name, full name of an abbreviation, or the text)."""
    return span.label_ if span is not None else None


def _role_table(frame: str) -> dict[str, str]:
    """Which party the subject and each preposition's object are, for `frame` (patterns/frames.jsonl)."""
    frames = gazetteer.frames()
    return (frames.get(frame) or frames["deal"])["roles"]


def _org_at(tok: Token, orgs: list[Span]) -> Span | None:
    for org in orgs:
        if org.start <= tok.i < org.end:
            return org
    return None


def _org_under(tok: Token, orgs: list[Span]) -> Span | None:
    """The org that `tok` names: the token itself, or an org in its noun phrase (not inside a clause or PP)."""
    found = _org_at(tok, orgs)
    if found:
        return found
    stack = [c for c in tok.children if c.dep_ in {"appos", "compound", "poss", "nmod", "amod", "conj"}]
    while stack:
        child = stack.pop(0)
        found = _org_at(child, orgs)
        if found:
            return found
        stack.extend(c for c in child.children if c.dep_ in {"appos", "compound", "nmod", "amod", "poss"})
    return None


def _subject(tok: Token) -> tuple[Token | None, bool]:
    """Climb from the trigger to the nearest clause with a named subject; (subject, is_passive).

    A pronoun subject ("it", "we", "the Company") is returned only when no named subject sits above it.
    """
    cur, pronoun = tok, None
    for _ in range(8):
        for child in cur.children:
            if child.dep_ in {"nsubj", "nsubjpass", "csubj"}:
                if child.lower_ in _RELATIVE and cur.dep_ == "relcl":
                    return cur.head, child.dep_ == "nsubjpass"
                if child is tok or tok in child.subtree:
                    return None, False  # the trigger sits inside the subject ("The GRIID acquisition deal values…")
                if _self_reference(child):
                    pronoun = pronoun or child  # "Bitfarms said it has agreed to sell": the named subject wins
                    break
                return child, child.dep_ == "nsubjpass"
        if cur.dep_ == "ROOT" or cur.head is cur:
            break
        cur = cur.head
    return pronoun, False


def _self_reference(tok: Token) -> bool:
    """ "it", "we", "the Company", "the Texas-based miner": the subject refers to the company the text is about."""
    if tok.lower_ in _SELF and tok.lower_ != "company":
        return True
    return tok.lower_ in _SELF_NOUNS and any(c.lower_ == "the" for c in tok.children)


def _governed(prep: Token, root: Token) -> bool:
    """True when `prep` belongs to the trigger's own clause, not to a clause describing one of its words."""
    cur = prep
    for _ in range(10):
        if cur is root:
            return True
        if cur.dep_ in _CLAUSE_DEPS or cur.head is cur:
            return False
        cur = cur.head
    return False


def _parse_roles(doc: Doc, trigger: Span, orgs: list[Span], frame: str, nominal: bool) -> dict[str, Span]:
    roles: dict[str, Span] = {}
    table = _role_table(frame)
    root = trigger.root
    subj_role = table.get("subj")
    owner = next((c for c in root.children if c.dep_ == "poss"), None) if nominal else None
    owner_org = _org_under(owner, orgs) if owner is not None else None
    if owner_org is not None and (table.get("owner") or subj_role):
        roles[table.get("owner") or subj_role] = owner_org  # "CleanSpark's acquisition", "Y's customers"
    else:
        subj, passive = _subject(root)
        subj_org = _org_under(subj, orgs) if subj is not None else None
        if subj_org is None and subj is not None and _self_reference(subj):
            subj_org = Span(doc, subj.i, subj.i + 1, label=PRONOUN if subj.lower_ == "it" else ISSUER)
        # A passive subject is what changes hands ("X was acquired by Y"), not a party.
        if subj_org is not None and subj_role and not passive:
            roles[subj_role] = subj_org
    seller_role = table.get("poss")
    if frame == "buy" and not nominal and seller_role not in roles:
        # "Y will take over its site": the owner named by "its" is the document's company, not the buyer.
        obj = next((c for c in root.children if c.dep_ == "dobj"), None)
        its = next((c for c in obj.children if c.dep_ == "poss" and c.lower_ in {"its", "their"}), None) if obj else None
        if its is not None:
            roles[seller_role] = Span(doc, its.i, its.i + 1, label=ISSUER)
    for prep in doc:
        if prep.dep_ not in {"prep", "agent", "dative"} or prep.lower_ not in table or prep.i < root.i - 12 \
                or not _governed(prep, root):
            continue
        pobj = through_transparent(next((c for c in prep.children if c.dep_ == "pobj"), None))
        org = _org_under(pobj, orgs) if pobj is not None else None
        role = table[prep.lower_]
        if org is not None and role not in roles and org not in roles.values():
            roles[role] = org
    return roles


def assign_roles(doc: Doc, trigger: Span, orgs: list[Span], frame: str, nominal: bool = False) -> Roles:
    """Buyer and seller for `trigger` (a cue span of `frame`) among `orgs` of this sentence."""
    # "X is extending a $35 million loan to Y": a loan given "to" someone comes from the subject, whatever the verb.
    lent_to = re.match(r"^\s*(?:[\w-]+\s+){0,3}?to\s+(?:the\s+)?[A-Z]", doc_text(doc)[trigger.end_char:])
    before = doc_text(doc)[max(0, trigger.start_char - 60):trigger.start_char]
    lends = trigger.root.tag_.startswith("VB") and _LENDER_VERBS.match(trigger.text)  # "Google will backstop $X"
    if frame == "lend" and not lent_to and not _LENDER_VERBS.search(before) and not lends:
        frame = "borrow"  # "X secured a loan", "X raised $5 million": the subject receives the money
    if frame == "invest" and _RECEIVER_VERBS.search(before) and trigger.root.lower_ not in {"stake", "interest"}:
        frame = "borrow"  # "X secured a $150 million investment from Y"
    if frame == "lease" and _leases_out(doc, trigger):
        frame = "lease_out"
    parsed = doc.has_annotation("DEP")
    roles = _parse_roles(doc, trigger, orgs, frame, nominal) if parsed else {}
    from_parse = bool(roles)
    for role, org in surface_roles(doc, trigger, orgs, _role_table(frame), nominal).items():
        if role not in roles and org not in roles.values():
            roles[role] = org
    result = Roles(roles.get("buyer"), roles.get("seller"), from_parse)
    if frame not in {"buy", "sell", "merge"}:
        _other_party(result, orgs)
    return by_kind(result, frame)


# "leasing 70 MW of its capacity to Y", "leased to Oracle": the lease goes out from the subject.
_LEASED_TO = re.compile(r"^[^.;]{0,80}?\bto\s+(?:an?\s+|the\s+)?(?:[\w-]+\s+){0,3}?(?:subsidiary\s+of\s+|unit\s+of\s+)?"
                        r"[A-Z]|^[^.;]{0,60}?\b(?:its|their|our)\s+(?:[\w-]+\s+){0,3}?(?:capacity|campus|site|facilit\w+|"
                        r"data cent\w+|building|miners|infrastructure)\b")


def _leases_out(doc: Doc, trigger: Span) -> bool:
    """True when the sentence's subject gives the lease: "to" a tenant, or of its own capacity or site."""
    after = doc_text(doc)[trigger.end_char:]
    return not re.match(r"^[^.;]{0,60}?\bfrom\s+(?:an?\s+|the\s+)?[A-Z]", after) and bool(_LEASED_TO.match(after))


def _other_party(roles: Roles, orgs: list[Span]) -> None:
    """Contracts name two sides: with one side known and one other org in the sentence, that is the other."""
    known = roles.buyer or roles.seller
    others = {o.label_: o for o in orgs if known is not None and o.label_ != known.label_}
    if known is not None and len(others) == 1 and not (roles.buyer and roles.seller):
        other = next(iter(others.values()))
        if roles.buyer is None:
            roles.buyer = other
        else:
            roles.seller = other
