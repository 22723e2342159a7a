"""The story of an article page: boilerplate removed, the article's container found, its paragraphs read."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag

BLOCKS = ["p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol",
          "blockquote", "pre", "table", "tr", "dd", "dt", "dl", "figcaption", "address", "center", "hr"]
DROP_TAGS = ["script", "style", "noscript", "template", "iframe", "svg", "canvas", "form", "button", "select",
             "input", "nav", "header", "footer", "aside", "dialog", "figure", "picture", "video", "audio", "object"]
# Words in class/id names that mark page furniture rather than the story.
BOILERPLATE_WORDS = {"ad", "ads", "advert", "advertisement", "adslot", "sponsored", "promo", "cookie", "cookies",
                     "consent", "gdpr", "related", "recommended", "recirc", "share", "sharing", "social",
                     "comment", "comments", "disqus", "newsletter", "subscribe", "signup", "popup", "modal",
                     "breadcrumb", "breadcrumbs", "sidebar", "menu", "navbar", "nav", "footer", "masthead",
                     "outbrain", "taboola", "toolbar", "paywall", "trending", "most-read", "banner", "tags"}
BOILERPLATE_ROLES = {"navigation", "banner", "contentinfo", "complementary", "dialog", "search", "alert"}


def main_text(soup: BeautifulSoup, title: str | None = None) -> str:
    """Body text: the article container without boilerplate, paragraphs joined with blank lines."""
    strip_boilerplate(soup)
    root = _article_root(soup)
    paragraphs = block_text(root)
    if paragraphs and title and " ".join(paragraphs[0].split()) == " ".join(title.split()):
        paragraphs = paragraphs[1:]  # the title is prepended again by FetchedDocument.full_text
    return "\n\n".join(paragraphs)


def strip_boilerplate(soup: BeautifulSoup) -> None:
    """Remove scripts, navigation, ads, cookie banners, share widgets, comments and link lists."""
    for tag in soup.find_all(DROP_TAGS):
        if not tag.decomposed and not _holds_story(tag, tag.name in ("form", "header")):
            tag.decompose()
    for tag in soup.find_all(True):
        if tag.decomposed or tag.name in ("html", "body", "head", "title", "meta", "link"):
            continue
        if _is_furniture(tag) and not _holds_story(tag, True):
            tag.decompose()
    for tag in soup.find_all(["ul", "ol"]):
        if not tag.decomposed and _link_density(tag) > 0.7:
            tag.decompose()  # a list that is mostly links is a "related stories" list


def _holds_story(tag: Tag, count_paragraphs: bool) -> bool:
    """True for wrappers around the story (a page-wide <form>, a "has-sidebar" layout div)."""
    if tag.name in ("article", "main") or tag.get("itemprop") == "articleBody":
        return True
    if tag.find(["article", "main"]) or tag.find(attrs={"itemprop": "articleBody"}):
        return True
    return count_paragraphs and len(tag.find_all("p", limit=5)) >= 5 and _link_density(tag) < 0.3


def block_text(root: Tag) -> list[str]:
    """Paragraphs of a subtree: one per block element, whitespace folded, empty ones dropped."""
    for br in root.find_all("br"):
        br.replace_with("\n")  # a line break inside a paragraph; two in a row end it
    for tag in root.find_all(BLOCKS):
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    for cell in root.find_all(["td", "th"]):
        cell.insert_after(" ")
    chunks = re.split(r"\n\s*\n", root.get_text())
    return [p for p in (" ".join(c.split()) for c in chunks) if p]


def _is_furniture(tag: Tag) -> bool:
    if (tag.get("role") or "").lower() in BOILERPLATE_ROLES or tag.get("aria-hidden") == "true":
        return True
    style = (tag.get("style") or "").replace(" ", "").lower()
    if "display:none" in style or tag.has_attr("hidden"):
        return True
    names = " ".join(tag.get("class") or []) + " " + (tag.get("id") or "")
    words = set(re.split(r"[\s_\-]+", names.lower())) | set(names.lower().split())
    return bool(words & BOILERPLATE_WORDS)


def _link_density(tag: Tag) -> float:
    text = len(tag.get_text(strip=True))
    links = sum(len(a.get_text(strip=True)) for a in tag.find_all("a"))
    return links / text if text else 0.0


def _article_root(soup: BeautifulSoup) -> Tag:
    body = soup.body or soup
    marked = body.select("[itemprop=articleBody]")
    if marked:
        return max(marked, key=lambda t: len(t.get_text()))
    for selector in ("article", "main", "[role=main]"):
        found = body.select(selector)
        if found:
            best = max(found, key=lambda t: len(t.get_text()))
            if len(best.get_text(strip=True)) > 200:
                return best
    return _densest_block(body)


def _densest_block(body: Tag) -> Tag:
    """The element whose direct <p> children hold the most text: the article in a tag soup."""
    best, best_len = body, 0
    for tag in body.find_all(["div", "section", "td", "body"]):
        size = sum(len(p.get_text(strip=True)) for p in tag.find_all("p", recursive=False))
        if size > best_len:
            best, best_len = tag, size
    return best if best_len >= 200 else body
