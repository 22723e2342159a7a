"""Deal mentions in one sentence: pick the trigger, read roles, type, terms and clauses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from models.records import DealMention

from . import gazetteer
from .assets import asset_text, contract_site, names_a_thing
from .cue_filters import aside_participle, describes_party, is_nominal, is_signed, points_back, quoted, stated_cues
from .deal_type import MACHINES, SITES, classify
from .financing import financing_amounts, no_financing
from .money import find_money
from .parties import Roles, assign_roles, org_name
from .terms import Terms, price_like, read_terms
from .text import doc_text

_CONTRACT_FRAMES = {"lease", "host", "power", "lend"}
_CONTRACT_TYPES = {"lease", "hosting_contract", "power_agreement"}
_STAKE_WORDS = {"stake", "stakes", "interest", "interests", "shareholding", "holding"}
_FOR_MONEY = re.compile(r"\bfor\s+(?:a\s+|an\s+|about\s+|approximately\s+)?$", re.I)
_ASSET_STOP = {"for", "from", "to", "valued", "with", "in", "at", ",", ";", "(", "—", "–", "-", "which", "that", "by",
               "than", "and", "or", "as"}
# A verb ends the words naming an asset: "the transaction is expected to close" names none.
_ASSET_VERBS = {"is", "are", "was", "were", "will", "would", "has", "have", "had", "be", "been", "could", "should",
                "may", "might", "can", "must", "remains", "remain", "expects", "expected", "said", "says"}
_FINITE_TAGS = {"VBZ", "VBD", "VBP", "MD"}
MAX_CLAUSES = 10  # priced items read from one listing sentence


@dataclass
class Clause:
    """One deal as one clause states it, before the clauses telling one deal are merged into its DealMention."""

    deal: DealMention
    sent: int
    frame: str
    lead: bool = False  # in the title or the first body sentences
    verbal: bool = False  # a verb states it ("sells"), not only a noun ("the sale")
    parsed: bool = False  # roles came from the dependency parse
    here: set[str] = field(default_factory=set)  # figure fields stated in the evidence clause itself
    orgs: list[str] = field(default_factory=list)
    listed: bool = False  # one item of a sentence listing several priced sales
    quoted: bool = False  # said inside quotation marks
    inherit: bool = False  # the seller is "its": the seller of the sale stated before
    tied: bool = False  # a financing whose amount is tied to its instrument ("$1.3 billion convertible note offering")


def sentence_clauses(doc: Doc, offset: int, index: int, lead: bool = False) -> list[Clause]:
    """Deal mentions in one sentence `doc` whose text starts at `offset` in the document."""
    text = doc_text(doc)
    cues = stated_cues(doc, text, lead)
    if not cues:
        return []
    orgs = list(doc.spans.get("minewire_orgs", []))
    # A verb states the deal; a noun may only name its paperwork ("a share purchase agreement to sell…").
    if all(aside_participle(c, orgs) for c in cues):
        return []  # "ESS Metron, acquired in 2021, …": a past deal describing a party, not a deal this text states
    cues = [c for c in cues if not describes_party(c, orgs)] or cues
    # A signed contract (a PPA, a lease) states the deal as firmly as a verb does; a signed purchase agreement
    # only names the paperwork of the sale its verb states.
    trigger = min(cues, key=lambda c: (is_nominal(c) and not (is_signed(c) and c.label_ in _CONTRACT_FRAMES),
                                       gazetteer.frames()[c.label_]["rank"], c.start))
    frames = {c.label_ for c in cues}
    role_frame = "customer" if "customer" in frames and frames & {"lease", "host"} else trigger.label_
    role_trigger = next((c for c in cues if c.label_ == role_frame), trigger)
    nominal = is_nominal(role_trigger)
    roles = assign_roles(doc, role_trigger, orgs, role_frame, nominal)
    if points_back(trigger):
        roles = Roles()  # its figures join the deal told before; its orgs are whoever the clause mentions
    base = dict(sent=index, frame=trigger.label_, lead=lead, verbal=not is_nominal(trigger), parsed=roles.from_parse,
                orgs=[org_name(o) for o in orgs], quoted=quoted(text))
    loans = _loans(doc, offset, cues, orgs, frames, roles, role_frame, base)
    if loans:
        return loans
    clauses = _sale_list(text) if trigger.label_ in {"buy", "sell"} else []
    if clauses:
        return [_clause_mention(doc, offset, s, e, trigger, orgs, roles, base) for s, e in clauses]
    words, target = _asset(doc, trigger, orgs, roles)
    asset = asset_text(words)
    deal_type = classify(trigger.label_, frames, asset, text, target, roles)
    if deal_type == "acquisition" and target is not None:
        asset = org_name(target)
    elif deal_type in _CONTRACT_TYPES:  # the words after "lease", "hosting" name the contract, not its site
        asset = contract_site(doc, [roles.buyer, roles.seller])
    elif not names_a_thing(words):
        asset = None
    if deal_type == "financing" and no_financing(text, trigger):
        return []  # money drawn, repaid or available on a facility, or a financing only planned: no deal
    terms = read_terms(text, financing=deal_type == "financing")
    mention = _mention(text, offset, 0, len(text), deal_type, roles, asset, terms, base)
    # A royalty or stream bought for a price is as firm a financing as a loan tied to its amount.
    mention.tied = deal_type == "financing" and trigger.label_ in {"buy", "sell"} and "price_text" in mention.here
    return [mention]


def _loans(doc: Doc, offset: int, cues: list[Span], orgs: list[Span], frames: set[str], roles: Roles,
           role_frame: str, base: dict) -> list[Clause]:
    """Each financing amount the sentence ties to its instrument, as a clause of its own."""
    text = doc_text(doc)
    lend_cue = next((c for c in cues if c.label_ == "lend"), None)
    if lend_cue is not None and role_frame not in {"lend", "invest"}:
        # "Google will provide a backstop … for Fluidstack's lease": the money's roles are the lending cue's.
        roles = assign_roles(doc, lend_cue, orgs, "lend", is_nominal(lend_cue))
    loans = []
    for loan_sides, loan_asset, loan_terms in financing_amounts(doc, orgs, frames, roles):
        loans.append(_mention(text, offset, 0, len(text), "financing", loan_sides, loan_asset, loan_terms, base))
        loans[-1].tied = True
    return loans


def _asset(doc: Doc, trigger: Span, orgs: list[Span], roles: Roles) -> tuple[Span | None, Span | None]:
    """What changes hands: the words after the trigger (or after "of"), and the org among them if any."""
    start = trigger.end
    if start < len(doc) and doc[start].lower_ == "of":
        start += 1
    words = []
    tagged = doc.has_annotation("TAG")
    for tok in doc[start:start + 14]:
        if _ends_asset(tok, tagged):
            break
        if not words and tok.lower_ in {"a", "an", "the", "its", "their", "his", "her"}:
            continue
        words.append(tok)
    if not words and trigger.start > 1 and doc[trigger.start - 1].lower_ in {"was", "were", "been", "being", "is"}:
        words = list(doc[max(0, trigger.start - 6):trigger.start - 1])
    if not words:
        return None, None
    span = doc[words[0].i:words[-1].i + 1]
    parties = {id(roles.buyer), id(roles.seller)}
    target = next((o for o in orgs if o.start >= span.start and o.end <= span.end + 1 and id(o) not in parties
                   and not _possessive_org(doc, o)), None)
    if target is None and trigger.start > 0:
        glued = next((o for o in orgs if o.end == trigger.start and id(o) not in parties), None)
        target = glued if is_nominal(trigger) else None
    return _stake_in(doc, span, tagged), target


def _stake_in(doc: Doc, span: Span, tagged: bool) -> Span:
    """ "a 40% stake in the Mina Justa project": a stake's words run on through what it is a stake in."""
    end = span.end
    if span[-1].lower_ not in _STAKE_WORDS or end >= len(doc) or doc[end].lower_ not in {"in", "of"}:
        return span
    for tok in doc[end + 1:end + 9]:
        if _ends_asset(tok, tagged) and tok.lower_ not in {"of", "and"} or tok.lower_ in {"from", "to", "for"}:
            break
        end = tok.i + 1
    return doc[span.start:end] if end > span.end + 1 else span


def _ends_asset(tok: Token, tagged: bool) -> bool:
    """A preposition or clause word (a hyphen joins words instead), or a verb: the asset's words end before it."""
    if tok.lower_ in _ASSET_STOP and tok.text != "-":
        return True
    return tok.lower_ in _ASSET_VERBS or (tagged and tok.tag_ in _FINITE_TAGS)


def _possessive_org(doc: Doc, org: Span) -> bool:
    return org.end < len(doc) and doc[org.end].text in {"'s", "’s", "'", "’"}


def _sale_list(text: str) -> list[tuple[int, int]]:
    """Clauses of a sentence listing several sales, each "… for $X": one clause per priced item."""
    priced = [m for m in find_money(text) if price_like(text, m) and _FOR_MONEY.search(text[max(0, m.start - 20):m.start])]
    if len(priced) < 2:
        return []
    priced = priced[:MAX_CLAUSES]
    lead = re.search(r"\b(include|includes|included|including|are|were|:)\s", text)
    start = lead.end() if lead and lead.end() < priced[0].start else 0
    clauses = []
    for i, money in enumerate(priced):
        nxt = priced[i + 1].start if i + 1 < len(priced) else len(text)
        cut = re.search(r"[,;]\s+(?:and\s+)?", text[money.end:nxt])
        end = money.end + cut.start() if cut else nxt
        clauses.append((start, end))
        start = money.end + cut.end() if cut else end
    return clauses


def _clause_mention(doc: Doc, offset: int, start: int, end: int, trigger: Span, orgs: list[Span],
                    roles: Roles, base: dict) -> Clause:
    text = doc_text(doc)[start:end]
    inside = [o for o in orgs if o.start_char >= start and o.end_char <= end]
    recipient = next((o for o in inside if re.search(r"\bto\s+(?:a\s+|an\s+|the\s+)?(?:\w+\s+of\s+)?$",
                                                     doc_text(doc)[max(0, o.start_char - 20):o.start_char])), None)
    buyer = recipient if trigger.label_ == "sell" else roles.buyer
    seller = roles.seller  # "sells its A for $X and B for $Y", "bought A from S for $X, along with B for $Y"
    clause_roles = Roles(buyer, seller, roles.from_parse)
    asset = re.split(r"\s+(?:in|for)\s+", text.strip(" ,;"), maxsplit=1)[0] or None
    terms = read_terms(text)
    deal_type = "other" if MACHINES.search(asset or "") and not SITES.search(asset or "") else "asset_sale"
    mention = _mention(doc_text(doc), offset, start, end, deal_type, clause_roles, asset, terms, base)
    mention.orgs = [org_name(o) for o in inside]
    mention.listed = True
    mention.inherit = seller is None and bool(re.search(r"\bits\b", doc_text(doc)))
    return mention


def _mention(text: str, offset: int, start: int, end: int, deal_type: str, roles: Roles, asset: str | None,
             terms: Terms, base: dict) -> Clause:
    while start < end and text[start] in " ,;:–—-•*#":
        start += 1
    while end > start and text[end - 1] in " ,;:":
        end -= 1
    deal = DealMention(
        deal_type=deal_type, buyer=org_name(roles.buyer), seller=org_name(roles.seller), asset=asset,
        capacity_mw=terms.capacity_mw, price_usd=terms.price_usd, cash_usd=terms.cash_usd,
        price_text=terms.price_text, currency=terms.currency, price_amount=terms.price_amount,
        sentence=text[start:end], start_char=offset + start, end_char=offset + end,
    )
    here = {f for f in ("capacity_mw", "price_usd", "price_text", "cash_usd") if getattr(deal, f) is not None}
    if terms.it_load and deal_type in {"lease", "hosting_contract"}:
        here.add("it_load")
    return Clause(deal=deal, here=here, **base)
