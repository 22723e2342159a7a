"""The report's charts (plotly figures) from deal tracker rows: deals per quarter, $/MW, capacity, who sells to whom."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import plotly.graph_objects as go
from plotly.colors import qualitative

# Legal-form endings dropped so that "CoreWeave" and "CoreWeave, Inc." are one company on a chart.
_LEGAL_FORM = re.compile(r",?\s+(inc|ltd|limited|corp|corporation|co|plc|llc|holdings|s\.a|n\.v)\.?$", re.I)
_LAYOUT = dict(template="plotly_white", margin=dict(l=60, r=20, t=50, b=50), height=380,
               legend=dict(orientation="h", y=-0.2))


def company(name: str | None) -> str | None:
    """A party's name as charts group it: trimmed of its legal form."""
    if not name:
        return None
    previous = None
    while previous != name:
        previous, name = name, _LEGAL_FORM.sub("", name.strip())
    return name


def type_colors(deals: list[dict]) -> dict[str, str]:
    """One colour per deal type, the same on every chart."""
    kinds = sorted({d.get("deal_type") or "unknown" for d in deals})
    return {k: qualitative.Plotly[i % len(qualitative.Plotly)] for i, k in enumerate(kinds)}


def quarter(day) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def deals_per_quarter(deals: list[dict]) -> go.Figure:
    """Stacked bars: how many deals were announced each quarter, by deal type."""
    dated = [d for d in deals if d.get("announced_date")]
    quarters = sorted({quarter(d["announced_date"]) for d in dated})
    counts = Counter((quarter(d["announced_date"]), d.get("deal_type") or "unknown") for d in dated)
    fig = go.Figure()
    for kind in sorted({k for _, k in counts}):
        fig.add_bar(name=kind, x=quarters, y=[counts.get((q, kind), 0) for q in quarters],
                    marker_color=type_colors(deals)[kind])
    fig.update_layout(title="Deals per quarter, by type", barmode="stack", yaxis_title="deals", **_LAYOUT)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=quarters)
    return fig


def price_per_mw(deals: list[dict]) -> go.Figure:
    """Dots over time: each deal's price per MW, coloured by deal type (log scale: $0.3M to $50M per MW)."""
    fig = go.Figure()
    priced = [d for d in deals if d.get("usd_per_mw") and d.get("announced_date")]
    for kind in sorted({d.get("deal_type") or "unknown" for d in priced}):
        rows = [d for d in priced if (d.get("deal_type") or "unknown") == kind]
        fig.add_scatter(name=kind, mode="markers", marker=dict(size=11, color=type_colors(deals)[kind]),
                        x=[d["announced_date"].isoformat() for d in rows],
                        y=[d["usd_per_mw"] / 1e6 for d in rows],
                        text=[f"{d.get('seller') or '?'} → {d.get('buyer') or '?'}, {d.get('capacity_mw'):g} MW"
                              for d in rows],
                        hovertemplate="%{text}<br>%{x}: $%{y:.2f}M per MW<extra></extra>")
    fig.update_layout(title="Price per MW by deal type, over time", yaxis_title="$M per MW", **_LAYOUT)
    ticks = [0.1, 0.3, 1, 3, 10, 30, 100]
    fig.update_yaxes(type="log", tickvals=ticks, ticktext=[f"{t:g}" for t in ticks])
    return fig


def capacity_by_company(deals: list[dict]) -> go.Figure:
    """Horizontal bars: MW each company bought and sold, largest first."""
    bought, sold = defaultdict(float), defaultdict(float)
    for d in deals:
        mw = d.get("capacity_mw")
        if not mw:
            continue
        if company(d.get("buyer")):
            bought[company(d["buyer"])] += mw
        if company(d.get("seller")):
            sold[company(d["seller"])] += mw
    names = sorted(set(bought) | set(sold), key=lambda n: bought[n] + sold[n])
    fig = go.Figure()
    fig.add_bar(name="bought", orientation="h", y=names, x=[bought[n] for n in names])
    fig.add_bar(name="sold", orientation="h", y=names, x=[sold[n] for n in names])
    fig.update_layout(title="Capacity bought and sold, by company", barmode="group", xaxis_title="MW",
                      **{**_LAYOUT, "height": max(380, 28 * len(names) + 140)})
    return fig


def buyers_and_sellers(deals: list[dict]) -> go.Figure:
    """A Sankey diagram: sellers on the left, buyers on the right, one band per pair, as wide as their deals."""
    pairs = Counter((company(d["seller"]), company(d["buyer"])) for d in deals if d.get("seller") and d.get("buyer"))
    sellers = sorted({s for s, _ in pairs})
    buyers = sorted({b for _, b in pairs})
    labels = [f"{s} (sells)" for s in sellers] + [f"{b} (buys)" for b in buyers]
    fig = go.Figure(go.Sankey(
        node=dict(label=labels, pad=14, thickness=14),
        link=dict(source=[sellers.index(s) for s, _ in pairs],
                  target=[len(sellers) + buyers.index(b) for _, b in pairs],
                  value=list(pairs.values()))))
    fig.update_layout(title="Who sells to whom (deals naming both sides)",
                      **{**_LAYOUT, "height": max(380, 30 * max(len(sellers), len(buyers)) + 120)})
    return fig


CHARTS = {"per-quarter": deals_per_quarter, "price-per-mw": price_per_mw,
          "capacity-by-company": capacity_by_company, "buyers-sellers": buyers_and_sellers}
