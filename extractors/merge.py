"""One document's deal mentions -> its deals: merge mentions of one deal, add figures from follow-up sentences."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from models.deal_types import family
from models.names import folded_words
from models.records import DealMention

from . import gazetteer
from .deals import Clause
from .places import Place, resolve, unambiguous, within
from .terms import read_terms

_ANAPHORA = re.compile(
    r"\b(?:the|this|that|these)\s+(?:[\w-]+\s+){0,2}(?:deal|transaction|acquisition|purchase|sale|agreement|"
    r"contract|lease|site|facilit(?:y|ie)|mine|project|asset|property|campus|data ?cent(?:er|re)|location|farm|"
    r"plant|hall|building|trade|venture|stake|interest|term|buyer|seller|purchaser|acquirer|consideration|purchase price)s?\b|\bunder the terms\b|\bthe company will pay\b",
    re.IGNORECASE,
)
_ABBREVIATION = re.compile(
    r"([A-Z][\w&.’'-]*(?:[ \t]+(?:of[ \t]+|and[ \t]+|&[ \t]+)?[A-Z][\w&.’'-]*)+),?[ \t]*\(\s*[“\"]?([A-Z][A-Za-z]{1,6})[”\"]?\s*\)"
)
_NAME = r"([A-Z][\w&.'’-]*(?:[ \t]+(?:[A-Z][\w&.'’-]*|of|and|&))*)"  # a name never runs across lines
# A party named in a later sentence: "The buyer, Sympatheia Power Fund, will pay…", "X will pay…".
_LATER_PARTY = (
    ("buyer", re.compile(r"\b[Tt]he (?:buyer|purchaser|acquirer)(?:,|\s+is|\s+was)\s+" + _NAME)),
    ("seller", re.compile(r"\b[Tt]he (?:seller|vendor)(?:,|\s+is|\s+was)\s+" + _NAME)),
    ("buyer", re.compile(r"\b(?:[Tt]he )?(?:other side|counterparty) (?:of|to) the (?:trade|deal|transaction|sale)"
                         r"(?:,|\s+is|\s+was)\s+" + _NAME)),
    # The sentence's subject pays, perhaps after an appositive: "Carcetti Corp., a shell company, will pay…".
    ("buyer", re.compile(r"^\W*" + _NAME + r"(?:,[^,;]{3,120},)?\s+(?:will|would|agreed to|is to|is|has agreed to)\s+"
                         r"pay(?:ing)?\b")),
)
_NEW_DEAL = re.compile(r"^\W*(?:Separately|In a separate|Elsewhere|In other news)\b", re.I)
FOLLOW_UP = 3  # sentences after a deal's last mention that may still add its figures


@dataclass
class Cluster:
    """Mentions of one deal."""

    members: list[Clause] = field(default_factory=list)
    follow: list[tuple[int, int]] = field(default_factory=list)  # follow-up sentence spans that named the deal
    extra: dict = field(default_factory=dict)  # figures read from follow-up sentences
    it_load: bool = False  # the follow-up capacity is the critical IT load contracted

    @property
    def last(self) -> int:
        return max(m.sent for m in self.members)


def same_org(a: str | None, b: str | None) -> bool:
    """Loose match: equal after dropping legal suffixes, or one name is a word-prefix of the other."""
    a, b = folded_words(a), folded_words(b)
    if not a or not b:
        return False
    short, long_ = sorted((a, b), key=len)
    return a == b or long_.startswith(short + " ") or f" {short} " in f" {long_} "


# Filings name a party once and use a defined term after: "KULR Technology Group, Inc., a Delaware corporation
# (the “Lessee”)", "Trinity Mining Group, Inc. (“Trinity”)".
_DEFINED = re.compile(
    r"([A-Z][\w&.’'-]*(?:[ \t]+(?:of[ \t]+|and[ \t]+|&[ \t]+)?[A-Z][\w&.’'-]*)*"
    r"(?:,?[ \t]+(?:Inc|Corp|Ltd|LLC|L\.L\.C|plc|Limited|S\.A|N\.V|LP|L\.P)\.?)?)"
    r"(?:,[ \t]+an?[ \t]+[^(),\n]{0,60})?,?[ \t]*\([ \t]*(?:the[ \t]+)?[“\"]([A-Z][A-Za-z]{2,15})[”\"][ \t]*\)")


def abbreviations(text: str) -> dict[str, str]:
    """Short names and defined terms a text gives a party: "Kentucky Utilities (KU)" -> {"KU": "Kentucky
    Utilities"}, "KULR Technology Group, Inc., a Delaware corporation (the “Lessee”)" -> {"Lessee": …}."""
    found = {m.group(2): m.group(1) for m in _ABBREVIATION.finditer(text) if m.group(2) != m.group(1)}
    for m in _DEFINED.finditer(text):
        name = m.group(1).strip(" ,")
        if m.group(2) not in found and m.group(2) != name and len(name.split()) > 1:
            found[m.group(2)] = name
    return found


def _compatible(cluster: Cluster, m: Clause) -> bool:
    fam = family(m.deal.deal_type)
    if _NEW_DEAL.match(m.deal.sentence):
        return False
    for other in cluster.members:
        d, o = m.deal, other.deal
        if not (o.buyer or o.seller):
            continue  # a sentence that only refers back ("the deal…") says nothing about the deal's kind
        # A generic "deal" mention ("grabs X's portfolio in $1.1 billion deal") has no family of its own.
        generic = "deal" in (m.frame, other.frame)
        if (family(o.deal_type) != fam and not generic) or other.sent == m.sent:
            return False
        if (d.buyer and o.buyer and not same_org(d.buyer, o.buyer)) or \
                (d.seller and o.seller and not same_org(d.seller, o.seller)):
            return False
    priced = [o for o in cluster.members if "price_text" in o.here]
    if "price_text" in m.here and priced and all(_other_price(m, o) for o in priced):
        return False
    if any(same_org(m.deal.buyer, o.deal.buyer) or same_org(m.deal.seller, o.deal.seller) for o in cluster.members):
        return True
    return _completes(m, cluster)


# "The site was purchased … from a subsidiary of X": a sentence that opens on the deal's thing refers back.
_REFERS_BACK = re.compile(r"^\W*(?:The|This|That)\s+(?:[\w-]+\s+){0,2}(?:deal|transaction|acquisition|purchase|sale|"
                          r"site|facility|property|campus|mine|project|building|plant|data cent(?:er|re))s?\b")


def _completes(m: Clause, cluster: Cluster) -> bool:
    """A mention naming only the side the deal lacks, in a sentence that refers back to it, completes it."""
    if not _REFERS_BACK.match(m.deal.sentence) or (m.deal.buyer and m.deal.seller):
        return False
    sided = [o.deal for o in cluster.members if o.deal.buyer or o.deal.seller]
    side = "buyer" if m.deal.buyer else "seller"
    return bool(sided) and not any(getattr(o, side) for o in sided)


def _other_price(m: Clause, other: Clause) -> bool:
    """Both sentences state their own price and the prices differ: two deals with the same buyer."""
    a, b = m.deal, other.deal
    if "price_text" not in m.here or "price_text" not in other.here or a.currency != b.currency:
        return False
    if a.price_text in b.price_text or b.price_text in a.price_text:
        return False  # one states a part of the other's total ("$56 million, plus $19 million in deposits")
    return abs((a.price_amount or 0) - (b.price_amount or 0)) > 0.02 * max(a.price_amount or 0, b.price_amount or 0)


def cluster_clauses(mentions: list[Clause]) -> list[Cluster]:
    """Group mentions of the same deal; a mention naming no party joins the deal just before it."""
    clusters: list[Cluster] = []
    for m in sorted(mentions, key=lambda x: (x.sent, x.deal.start_char or 0)):
        if m.listed:
            _inherit_seller(m, clusters)
            clusters.append(Cluster([m]))
            continue
        if not (m.deal.buyer or m.deal.seller) and _NEW_DEAL.match(m.deal.sentence) and m.verbal:
            clusters.append(Cluster([m]))  # "Separately, it is selling…": a new deal whose parties come later
            continue
        if not (m.deal.buyer or m.deal.seller) or (m.frame == "deal" and not (m.deal.buyer and m.deal.seller)):
            recent = [c for c in clusters if m.sent - c.last <= FOLLOW_UP and c.members[-1].sent != m.sent
                      and not c.members[0].listed]
            last = max(recent, key=lambda c: c.last) if recent else None
            if last is not None and _another_kind(m, last):
                clusters.append(Cluster([m]))  # its own deal, though the agreement names one side only
            elif last is not None:
                last.members.append(m)
            continue
        home = next((c for c in clusters if not c.members[0].listed and _compatible(c, m)), None)
        if home is not None:
            home.members.append(m)
        elif not m.quoted:  # a quote may repeat a deal, but commentary does not start a new one
            clusters.append(Cluster([m]))
    return clusters


def _another_kind(m: Clause, cluster: Cluster) -> bool:
    """ "… a 99-megawatt capacity agreement with Duke Energy" after a lease: a named party and its own figure
    in another family of deal make a deal of their own, not a reference back."""
    families = {family(x.deal.deal_type) for x in cluster.members if x.deal.buyer or x.deal.seller}
    return bool((m.deal.buyer or m.deal.seller) and m.here and families
                and family(m.deal.deal_type) not in families)


def _inherit_seller(m: Clause, clusters: list[Cluster]) -> None:
    """ "Other sales include its stake in X for $25m": "its" is the seller of the priced sale just before."""
    if m.inherit:
        sales = [c for c in clusters if family(c.members[0].deal.deal_type) == "sale"
                 and c.members[0].deal.seller and any(x.here for x in c.members)]
        if sales:
            m.deal.seller = sales[-1].members[0].deal.seller


def _names(cluster: Cluster) -> list[str]:
    names = set()
    index = gazetteer.company_rows()
    for m in cluster.members:
        target = m.deal.asset if m.deal.deal_type == "acquisition" else None  # "Block Mining runs two sites…"
        for name in (m.deal.buyer, m.deal.seller, target):
            if name:
                names.add(name)
                names.update(index.get(name, {}).get("aliases", []))
    return [n for n in names if len(n) > 2]


def follow_up(cluster: Cluster, text: str, spans: list[tuple[int, int]], taken: set[int]) -> None:
    """Read figures the deal lacks from the next sentences that name one of its parties or refer back to it."""
    names = _names(cluster)
    first = min(m.sent for m in cluster.members)
    own = {m.sent for m in cluster.members}
    for j in range(first + 1, min(len(spans), cluster.last + FOLLOW_UP + 1)):
        if j in own or j in taken:
            continue
        s, e = spans[j]
        sentence = text[s:e]
        if not (_ANAPHORA.search(sentence) or any(n in sentence for n in names) or _names_asset(cluster, sentence)):
            continue
        cluster.follow.append((s, e))
        _later_parties(cluster, sentence)
        terms = read_terms(sentence, need_cue=True)
        if terms.it_load and not cluster.it_load and family(cluster.members[0].deal.deal_type) == "capacity":
            cluster.extra.pop("capacity_mw", None)  # the load contracted beats a campus total read before
            cluster.it_load = True
        priced = "price_text" in cluster.extra  # an earlier sentence's price keeps its currency and amount
        for name in ("capacity_mw", "price_usd", "cash_usd", "price_text", "currency", "price_amount"):
            value = getattr(terms, name)
            if value is not None and name not in cluster.extra:
                if name in {"price_text", "currency", "price_amount"} and priced:
                    continue
                cluster.extra[name] = value


def _names_asset(cluster: Cluster, sentence: str) -> bool:
    """ "The office now has 180 MW": a definite noun repeating the head of the deal's asset refers back to it."""
    parts = [p for m in cluster.members if m.deal.asset for p in re.split(r"\s+(?:and|or)\s+|,\s*", m.deal.asset)]
    heads = {p.split()[-1].lower() for p in parts if p.split()}
    heads = {h for h in heads if h.isalpha() and len(h) > 3}
    return any(re.search(r"\b(?:the|this|that|its)\s+(?:[\w-]+\s+){0,2}" + re.escape(h) + r"\b", sentence, re.I)
               for h in heads)


def _later_parties(cluster: Cluster, sentence: str) -> None:
    for role, pattern in _LATER_PARTY:
        m = pattern.search(sentence)
        if m and role not in cluster.extra and not any(getattr(x.deal, role) for x in cluster.members):
            name = m.group(1).strip(" ,.")
            if name.split()[0] not in {"The", "It", "This", "That", "Under", "We", "They"} \
                    and not gazetteer.is_not_party(name):
                cluster.extra[role] = name


def best_member(cluster: Cluster) -> Clause:
    """The mention that states the deal best: in the body, by a verb, with both parties and its figures."""
    def score(m: Clause) -> float:
        d = m.deal
        headline = m.sent == 0 or not re.search(r"[.!?\"”]\s*$", d.sentence)
        return (0 if headline else 4) + m.verbal + 2 * bool(d.buyer) + 2 * bool(d.seller) + len(m.here) + m.parsed
    return max(cluster.members, key=lambda m: (score(m), -m.sent))


def to_deal(cluster: Cluster, places: list[Place], doc_places: list[Place]) -> DealMention:
    """Fill one deal from its best mention, then the other mentions, then follow-up sentences."""
    best = best_member(cluster)
    deal = DealMention(**{**best.deal.__dict__})
    ordered = [best] + [m for m in cluster.members if m is not best]
    for name, other in (("buyer", "seller"), ("seller", "buyer"), ("asset", None)):
        if getattr(deal, name) is None:
            # A side borrowed from another mention is never the side this deal already has.
            taken = getattr(deal, other) if other else None
            setattr(deal, name, next((getattr(m.deal, name) for m in ordered if getattr(m.deal, name)
                                      and not same_org(getattr(m.deal, name), taken)), None))
    stated = [m for m in ordered if "price_text" in m.here]
    if deal.price_text is None and stated:
        for name in ("price_usd", "price_text", "currency", "price_amount"):
            setattr(deal, name, getattr(stated[0].deal, name))
    if "it_load" not in best.here and (cluster.it_load or any("it_load" in m.here for m in ordered)):
        # For hosting and leases the critical IT load contracted beats a campus total stated anywhere else.
        loads = [m.deal.capacity_mw for m in ordered if "it_load" in m.here]
        deal.capacity_mw = loads[0] if loads else cluster.extra.get("capacity_mw")
    for name in ("capacity_mw", "cash_usd"):
        if getattr(deal, name) is None:
            setattr(deal, name, next((getattr(m.deal, name) for m in ordered if name in m.here), None))
    for name, value in cluster.extra.items():
        if getattr(deal, name) is None and not (name == "price_usd" and deal.price_text):
            setattr(deal, name, value)
    has_site = gazetteer.has_site(deal.deal_type)
    if not has_site:
        deal.capacity_mw = None  # loans and machine orders have no site capacity
    if has_site:
        deal.country, deal.region = _place(cluster, ordered, places, doc_places)
    else:  # a loan or an order has a place only where its own sentence puts what it funds ("… project in Texas")
        deal.country, deal.region = _own_place(ordered, places)
    return deal


def _own_place(ordered: list[Clause], places: list[Place]):
    for m in ordered:
        found = resolve([p for p in within(places, m.deal.start_char, m.deal.end_char) if p.anchored])
        if found[0]:
            return found
    return None, None


def _place(cluster: Cluster, ordered: list[Clause], places: list[Place], doc_places: list[Place]):
    for m in ordered:
        found = resolve(within(places, m.deal.start_char, m.deal.end_char))
        if found[0]:
            return found
    for s, e in cluster.follow:
        found = resolve(within(places, s, e))
        if found[0]:
            return found
    return unambiguous(doc_places)
