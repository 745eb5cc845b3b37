"""The People page's data, asked of the store a page at a time (vaultward.read.people_pages):
the census, the people a filter keeps and their open findings, never frames of everyone (at
100,000 identities those took 1.8 s of the page's first render), shaped as the inventories'
frames are (dashboard.inventories)."""

from __future__ import annotations

import pandas as pd
from sqlmodel import Session

from dashboard.inventories import ISSUE_COLUMNS, people_frame
from dashboard.runtime import engine
from vaultward.read import people_pages
from vaultward.read.inventories import issues_of, people_columns
from vaultward.read.people_pages import PeopleFilter

# A few people's findings are looked up by their ids, CHUNK at a time (SQLite's limit of bound
# values); more by a join (a CSV of everyone). At 100,000 identities PostgreSQL joined all
# 160,000 findings to find the 3,000 guests' (0.2 s), their ids find them in a twentieth.
FEW, CHUNK = 5000, 500
__all__ = ["PeopleFilter", "census", "count", "guests", "issue_count", "issues", "people"]


def census(url: str, evaluation_id: int) -> dict[str, int]:
    """The census by class and the counts under the filters (people_pages.census)."""
    with Session(engine(url)) as session:
        return people_pages.census(session, evaluation_id)


def count(url: str, evaluation_id: int, chosen: PeopleFilter) -> int:
    """How many people `chosen` keeps."""
    with Session(engine(url)) as session:
        return people_pages.count_people(session, evaluation_id, chosen)


def people(
    url: str, evaluation_id: int, chosen: PeopleFilter, limit: int | None = None, offset: int = 0
) -> pd.DataFrame:
    """The table of the people `chosen` keeps, the `limit` of them from `offset` on (all of
    them without a limit), with their open findings."""
    with Session(engine(url)) as session:
        columns = people_columns(
            session, evaluation_id, *people_pages.matching(chosen), limit=limit, offset=offset
        )
        ids = columns["person_id"]
        found = (
            [
                row
                for at in range(0, len(ids), CHUNK)
                for row in issues_of(session, evaluation_id, "person", ids[at : at + CHUNK])
            ]
            if len(ids) <= FEW
            else people_pages.issues_of_people(session, evaluation_id, chosen)
        )
    return people_frame(columns, found)


def guests(url: str, evaluation_id: int, text: str = "") -> pd.DataFrame:
    """The guests from outside the organisation who mention `text`, listed apart from staff."""
    return people(url, evaluation_id, PeopleFilter(text=text, guests=True))


def issues(
    url: str, evaluation_id: int, chosen: PeopleFilter, limit: int | None = None, offset: int = 0
) -> pd.DataFrame:
    """The open findings of the people `chosen`, worst first, the `limit` from `offset` on."""
    with Session(engine(url)) as session:
        rows = people_pages.issues_page(session, evaluation_id, chosen, limit, offset)
    return pd.DataFrame(rows, columns=ISSUE_COLUMNS)


def issue_count(url: str, evaluation_id: int, chosen: PeopleFilter) -> int:
    with Session(engine(url)) as session:
        return people_pages.count_issues(session, evaluation_id, chosen)
