"""The README and docs/*.md work in a clone: every relative link, and every file name ending in .md
they mention, is a file of the repository; the copies of the project's shared documents (the
contract, the domain, the research notes) equal their masters wherever the shared folder is beside
the checkout."""
from __future__ import annotations

import re
from pathlib import Path

from harness import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
COPIES = {"docs/CONTRACT.md": "CONTRACT.md", "docs/DOMAIN.md": "DOMAIN.md",
          "docs/research/platform.md": "research/platform.md",
          "docs/research/next-features.md": "research/next-features.md"}
SHARED = ROOT.parent / "shared"  # the master copies, beside the main checkout (absent in a clone)

MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")
# A file name ending in .md, not inside a URL: `docs/hardware.md`, ratings.md, ../shared/CONTRACT.md
MENTIONED_MD = re.compile(r"(?<![\w./:-])((?:\.\./|[\w-]+/)*[\w.-]+\.md)\b")


def broken_references(doc: Path, text: str) -> list[str]:
    """What `text` (the content of `doc`) names that is not a file of the repository. A link resolves
    from the document's folder; a mention of a .md file from there or from the repository's root."""
    broken = []
    for target in MARKDOWN_LINK.findall(text):
        if re.match(r"^(?:[a-z]+:|#)", target):
            continue  # a URL, or an anchor in the same page
        path = (doc.parent / target.split("#")[0]).resolve()
        if not path.is_relative_to(ROOT) or not path.exists():
            broken.append(target)
    for name in MENTIONED_MD.findall(text):
        candidates = [(doc.parent / name).resolve(), (ROOT / name).resolve()]
        if not any(c.is_relative_to(ROOT) and c.is_file() for c in candidates):
            broken.append(name)
    return broken


def test_every_link_and_mentioned_document_of_the_readme_and_docs_is_in_the_repository():
    assert len(DOCS) > 10
    broken = {str(doc.relative_to(ROOT)): found for doc in DOCS
              if (found := broken_references(doc, doc.read_text(encoding="utf-8")))}
    assert broken == {}


def test_the_check_finds_what_a_clone_lacks():
    readme = ROOT / "README.md"
    text = "See `../shared/CONTRACT.md`, [the domain](../shared/DOMAIN.md), docs/nothing.md and `hardware.md`."
    assert set(broken_references(readme, text)) == {"../shared/CONTRACT.md", "../shared/DOMAIN.md", "docs/nothing.md",
                                                    "hardware.md"}  # docs/hardware.md, named from the root
    assert broken_references(ROOT / "docs" / "x.md", "[up](../README.md) `hardware.md` CONTRACT.md https://a.b/c.md") == []


def test_the_copies_of_the_shared_documents_are_in_the_repository_and_equal_their_masters():
    for copy, master in COPIES.items():
        text = (ROOT / copy).read_text(encoding="utf-8")
        header, _, body = text.partition("\n\n")
        assert header.startswith("> **A copy.**"), f"{copy} says where its master lives"
        if (SHARED / master).exists():  # on the team's machine; a clone has only the copy
            assert body == (SHARED / master).read_text(encoding="utf-8"), \
                f"{copy} differs from its master: cp {SHARED / master} {ROOT / copy} (keeping its first lines)"
