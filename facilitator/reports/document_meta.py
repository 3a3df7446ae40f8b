"""What every page of an exported document carries in its header and footer.

One function, `document_meta(session, document)`, so the PDF, Word and HTML writers agree on the
alliance, the document's title, the agreement's version label, whether it is still a draft, and
the date, and none of them looks at the session itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from facilitator.base.errors import FacilitatorError, ReportError
from facilitator.domain import agreement_checks, content
from facilitator.domain.model import Session

if TYPE_CHECKING:
    from facilitator.domain.history import Timeline

TITLES = {"agreement": "Partnership agreement", "scorecard": "Health-check scorecard"}


# A read-only record: a NamedTuple, which Python builds about eight times faster than a frozen
# dataclass (short commands import this module; docs/benchmarks.md).


class DocumentMeta(NamedTuple):
    alliance: str
    title: str  # "Partnership agreement"
    version_label: str  # "Version 2"
    draft: bool  # the agreement is not yet agreed and endorsed in full
    date: str  # the session's date, as stored (ISO)

    @property
    def heading(self) -> str:
        """The running header's text, without the draft marker: "Alliance · Title · Version 2"."""
        return " · ".join(part for part in (self.alliance, self.title, self.version_label) if part)


def document_meta(session: Session, document: str, history: Timeline | None = None) -> DocumentMeta:
    """The header and footer of `document` ("agreement" or "scorecard") for `session`; `history`:
    the alliance's timeline, which numbers the agreement's version (`agreement_checks`).

    Only the agreement is ever a draft: a scorecard records the scores given, there is nothing in
    it for the partners to endorse.
    """
    if document not in TITLES:
        raise ReportError(f"Unknown document '{document}': choose {' or '.join(TITLES)}.")
    try:
        checklist = content.load_checklist(session.checklist_version)
    except FacilitatorError as error:
        raise ReportError(str(error)) from None
    return DocumentMeta(
        alliance=session.alliance,
        title=TITLES[document],
        # The version is the agreement's: a scorecard records scores, it has no versions.
        version_label=agreement_checks.version_label(session, history) if document == "agreement" else "",
        draft=document == "agreement" and not agreement_checks.is_final(session, checklist),
        date=session.date,
    )
