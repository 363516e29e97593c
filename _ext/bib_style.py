"""Author-year labels in the bibliography, matching the author-year citations in the text.

sphinxcontrib-bibtex cites "Vaswani et al. (2017)" in the text (``bibtex_reference_style:
author_year``), but its bibliography labels come from pybtex's label style, "alpha" by default
("[VSP+17]"), which a reader cannot match to the citation. This extension registers a pybtex
formatting style ``authoryear``: pybtex's ``unsrt`` formatting (which prints an entry's DOI and
URL as links), sorted by author, year and title, with labels "Vaswani et al., 2017".
"""

from __future__ import annotations

from collections import Counter

from pybtex.plugin import register_plugin
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from sphinx.application import Sphinx


def _surname(person) -> str:
    return " ".join(person.prelast_names + person.last_names).replace("{", "").replace("}", "")


def author_year(entry) -> str:
    """'Gage, 1994', 'Sennrich et al., 2016' or 'Press and Wolf, 2017' for a pybtex entry."""
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    year = entry.fields.get("year", "n.d.")
    if not people:
        return f"{entry.fields.get('title', entry.key)}, {year}"
    if len(people) == 1:
        who = _surname(people[0])
    elif len(people) == 2:
        who = f"{_surname(people[0])} and {_surname(people[1])}"
    else:
        who = f"{_surname(people[0])} et al."
    return f"{who}, {year}"


class AuthorYearLabels(BaseLabelStyle):
    """Labels 'Surname et al., 2017'; two entries that would share a label get 2017a, 2017b."""

    def format_labels(self, sorted_entries):
        entries = list(sorted_entries)
        labels = [author_year(e) for e in entries]
        counts = Counter(labels)
        seen: Counter = Counter()
        for label in labels:
            if counts[label] > 1:
                seen[label] += 1
                yield label + "abcdefghijklmnopqrstuvwxyz"[seen[label] - 1]
            else:
                yield label


class AuthorYearStyle(UnsrtStyle):
    default_label_style = "authoryear"
    default_sorting_style = "author_year_title"


def setup(app: Sphinx) -> dict:
    register_plugin("pybtex.style.labels", "authoryear", AuthorYearLabels)
    register_plugin("pybtex.style.formatting", "authoryear", AuthorYearStyle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
