"""Synthetic mining-news articles written for the bench: varied, about 650 words, most without a deal.

Every sentence here is our own; numbers, names and places are drawn at random so that no two
articles share their figures (the warehouse would otherwise link them as syndicated copies).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

MINERS = ["Bitfarms", "Riot Platforms", "MARA Holdings", "CleanSpark", "Hut 8", "Core Scientific", "IREN",
          "Cipher Mining", "TeraWulf", "Bitdeer", "HIVE Digital", "Greenidge Generation", "Bit Digital"]
METAL_MINERS = ["Newmont", "Barrick Gold", "Agnico Eagle", "Lundin Mining", "Teck Resources", "Freeport-McMoRan"]
BUYERS = ["Northline Infrastructure Partners", "Granite Ridge Power Fund", "Altamira Compute", "Bluewater Data Systems",
          "Kestrel Capital", "Halcyon Grid Holdings", "Meridian AI Cloud", "Stonebridge Energy Trust",
          "Vantor Hosting", "Polar Arc Digital", "Larkspur Infrastructure", "Cobalt Sky Ventures"]
SITES = ["Cedar Falls", "Red Mesa", "Willow Creek", "Stony Point", "Black Butte", "Lone Pine", "Sable River",
         "Iron Gate", "Copper Flats", "Eagle Bend", "Juniper Hill", "Salt Lick", "Prairie Wind", "Falcon Ridge"]
PLACES = [("Texas", "United States"), ("Ohio", "United States"), ("Georgia", "United States"),
          ("North Dakota", "United States"), ("Quebec", "Canada"), ("Alberta", "Canada"), ("Paraguay", "Paraguay"),
          ("Norway", "Norway"), ("Ethiopia", "Ethiopia"), ("Bhutan", "Bhutan"), ("Kazakhstan", "Kazakhstan")]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
PEOPLE = ["Dana Whitfield", "Marco Ilves", "Priya Natarajan", "Owen Achterberg", "Lucia Ferraz", "Tomasz Brandt"]


@dataclass
class Article:
    """One generated article and the deals planted in it, with the fields a reader would label them with."""

    kind: str
    title: str
    paragraphs: list[str]
    planted: list[dict] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)

    @property
    def deals(self) -> int:
        return len(self.planted)

    @property
    def words(self) -> int:
        return len(self.title.split()) + sum(len(p.split()) for p in self.paragraphs)


def _n(r: random.Random, lo: float, hi: float, step: float = 1) -> str:
    value = round(r.uniform(lo, hi) / step) * step
    return f"{value:,.1f}" if step < 1 else f"{int(value):,}"


def _filler(r: random.Random, company: str, pick: int) -> str:
    """Background paragraph number `pick` (of 8): what a mining story carries whether or not it has a deal."""
    month, person, (region, _) = r.choice(MONTHS), r.choice(PEOPLE), r.choice(PLACES)
    options = [
        f"Network difficulty climbed about {_n(r, 1, 9, 0.1)}% over the last adjustment, and hashprice, the revenue "
        f"a miner earns per unit of computing power each day, sat near ${_n(r, 38, 62, 0.1)} per petahash. Analysts "
        f"at several brokers said operators with older machines would feel the squeeze first, while fleets running "
        f"the newest hardware still clear a healthy margin at current power costs.",
        f"{company} said its fleet efficiency improved to {_n(r, 16, 24, 0.1)} joules per terahash after it retired "
        f"roughly {_n(r, 2000, 9000, 100)} older units during {month}. Management expects the figure to keep falling "
        f"as more liquid-cooled racks come online, which should help the company hold its cost to mine a coin below "
        f"the industry median even if the network keeps growing at its recent pace.",
        f"Power remains the swing factor. Wholesale prices in {region} averaged about {_n(r, 22, 61)} dollars per "
        f"megawatt-hour in {month}, and operators there curtailed during peak hours to earn demand-response credits. "
        f"{person}, who follows the sector for an independent research shop, said flexible load is becoming a "
        f"revenue line of its own rather than a footnote in the quarterly report.",
        f"Investors have rewarded miners that can show a credible path into artificial intelligence and high "
        f"performance computing. Shares of the group rose {_n(r, 3, 19, 0.1)}% in the past month, outpacing the coin "
        f"itself, as traders bet that grid connections and cooled buildings are worth more to cloud tenants than to "
        f"a pool of application-specific chips.",
        f"The company ended {month} holding {_n(r, 400, 9000)} coins in treasury and said it sold part of its output "
        f"to fund capital spending. It reported {_n(r, 120, 900)} coins mined during the month, down slightly from the "
        f"month before because of weather-related downtime at two facilities and a scheduled transformer upgrade.",
        f"{person} noted that interconnection queues in {region} now stretch beyond two years for new large loads, "
        f"which makes energized capacity scarce. That scarcity, rather than the price of machines, is what sets the "
        f"pace of growth for most of the listed miners this year, according to a note published on Monday.",
        f"Construction at the company's newest campus is on schedule, with the first of {_n(r, 3, 9)} buildings "
        f"expected to be energized before the end of the quarter. The design allows the halls to be converted from "
        f"air-cooled mining to direct-to-chip liquid cooling later, a feature management described as an option on "
        f"future demand rather than a firm plan.",
        f"Operating costs rose modestly because of higher site staffing and insurance, but general and administrative "
        f"expenses fell as a share of revenue. The board reiterated its guidance and said it would update investors "
        f"on hashrate targets at its next scheduled call, expected in {r.choice(MONTHS)}.",
    ]
    return options[pick % len(options)]


_DEAL_TYPES = {"sale": "asset_sale", "acquire": "asset_sale", "hosting": "hosting_contract", "lease": "lease"}


def _deal_paragraphs(r: random.Random, seller: str) -> tuple[str, list[str], dict]:
    """A headline, the paragraphs stating one deal in one of several shapes, and the deal as a reader labels it
    (the site is the asset: a campus acquired is an asset sale)."""
    buyer, site, (region, country) = r.choice(BUYERS), r.choice(SITES), r.choice(PLACES)
    mw, cash, total = _n(r, 20, 400, 5), _n(r, 3, 60), None
    total = str(int(cash.replace(",", "")) + r.randint(5, 90))
    shape = r.choice(["sale", "acquire", "hosting", "lease"])
    if shape == "sale":
        title = f"{seller} to Sell {mw} MW {site} Site in {region}"
        lead = (f"{seller} has agreed to sell its {mw} MW {site} facility in {region} to {buyer} for up to "
                f"${total} million, including ${cash} million in cash at closing and the balance in milestone payments.")
    elif shape == "acquire":
        title = f"{buyer} Acquires {seller}'s {site} Campus"
        lead = (f"{buyer} will acquire the {mw} MW {site} campus in {region} from {seller} for ${total} million in cash "
                f"and stock, the companies said.")
    elif shape == "hosting":
        title = f"{seller} Signs Hosting Agreement With {buyer}"
        lead = (f"{seller} signed a {r.randint(3, 15)}-year hosting agreement with {buyer} covering {mw} MW at its "
                f"{site} site in {region}, worth about ${total} million over the term.")
    else:
        title = f"{buyer} Leases {mw} MW at {seller}'s {site} Data Center"
        lead = (f"{buyer} agreed to lease {mw} MW of critical IT load at the {site} data center in {region} from "
                f"{seller} in a contract valued at ${total} million.")
    detail = (f"The transaction is expected to close in the {r.choice(['first', 'second', 'third', 'fourth'])} "
              f"quarter, subject to customary approvals. {seller} said the proceeds would go toward its power "
              f"pipeline in North America, and that the {site} assets had been marked as non-core since last year.")
    planted = {"deal_type": _DEAL_TYPES[shape], "seller": seller, "buyer": buyer, "asset": site,
               "capacity_mw": float(mw.replace(",", "")), "price_usd": float(total) * 1e6, "country": country,
               "region": region if region != country else None}
    return title, [lead, detail], planted


def _quiet_title(r: random.Random, kind: str, company: str) -> str:
    month = r.choice(MONTHS)
    return {
        "production": f"{company} Reports {month} Production and Operational Update",
        "market": f"Hashprice Watch: Miners Weigh Power Costs as {month} Difficulty Jumps {_n(r, 1, 9, 0.1)}%",
        "results": f"{company} Reports Quarterly Results, Revenue of ${_n(r, 40, 400)} Million",
        "metals": f"{r.choice(METAL_MINERS)} Lifts Output Guidance at {r.choice(SITES)} Mine",
    }[kind]


def make_article(r: random.Random, target_words: int = 650) -> Article:
    """A random article: ~70% with no deal, ~22% with one, ~8% a round-up of several."""
    company = r.choice(MINERS)
    roll = r.random()
    deals = 0 if roll < 0.70 else 1 if roll < 0.92 else r.randint(2, 3)
    paragraphs: list[str] = []
    planted: list[dict] = []
    if deals:
        title, first, deal = _deal_paragraphs(r, company)
        paragraphs += first
        planted.append(deal)
        for _ in range(deals - 1):  # a round-up: one more lead sentence per further deal
            _, (lead, _), deal = _deal_paragraphs(r, r.choice(MINERS))
            paragraphs.append(lead)
            planted.append(deal)
        kind = "deal" if deals == 1 else "roundup"
    else:
        kind = r.choice(["production", "production", "market", "results", "metals"])
        title = _quiet_title(r, kind, company)
    article = Article(kind=kind, title=title, paragraphs=paragraphs, planted=planted, tags=[company])
    order = r.sample(range(8), 8) * 2  # each background paragraph once before any repeats
    goal = target_words * r.uniform(0.85, 1.15)
    while article.words < goal and order:
        article.paragraphs.append(_filler(r, company, order.pop()))
    return article
