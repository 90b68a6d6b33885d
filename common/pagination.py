"""Page-number pagination whose cost does not grow with the table (every dashboard list uses it).

Django's Paginator counts every matching row (`SELECT COUNT(*)` over a million incidents on each
request) and serves page N with an OFFSET that reads and throws away all earlier rows. Here the
count stops at `bound` rows (`SELECT COUNT(*) FROM (... LIMIT bound + 1)`), so a page says
"more than 1,000" rather than the exact figure, and the last page is the one holding row
`bound`: `?page=4000` of a million rows gives that last page (OFFSET < bound), never an OFFSET
of 100,000. Older rows are reached by narrowing the filters (dates, area, category), as the
page's hint says; the API walks the whole table with keyset cursors.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Paginator

# At 25 a page: 40 pages. A person does not page further; a search or a date range does. The
# count reads at most this many matching rows, wherever they are in the table: a filter that
# matches 2% of a million incidents costs ~1,000 random reads at 1,000, ~10,000 at 10,000.
COUNT_BOUND = 1_000
# A word search: its count cannot use the trigram index's order, and a planner that expects
# thousands of matches reads the table in order and tests the words on each row until it has
# the bound (~16 us a row): 100 keeps that under ~5,000 rows.
SEARCH_COUNT_BOUND = 100


class BoundedPaginator(Paginator):
    def __init__(self, object_list: Any, per_page: int, *, bound: int = COUNT_BOUND, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.bound = bound
        self._more = False

    @cached_property
    def count(self) -> int:
        """Matching rows, counted up to `bound` (`more` says whether there are others)."""
        # Without ORDER BY: any bound + 1 rows will do, so the database need not sort or walk
        # the list's index to find them (a bitmap of a search's matches stops early).
        rows: Any = self.object_list
        queryset = rows.order_by() if hasattr(rows, "query") else None
        n = queryset[: self.bound + 1].count() if queryset is not None else None
        if n is None:
            n = len(self.object_list[: self.bound + 1])
        self._more = n > self.bound
        return min(n, self.bound)

    @property
    def more(self) -> bool:
        """True when more than `bound` rows match: the count shown is a floor."""
        return self.count >= self.bound and self._more


def paginate(request: Any, object_list: Any, per_page: int, *, bound: int | None = None) -> Any:
    """The requested page; an out-of-range or malformed `page` gives the nearest valid one."""
    paginator = BoundedPaginator(object_list, per_page, bound=bound or COUNT_BOUND)
    return paginator.get_page(request.GET.get("page"))
