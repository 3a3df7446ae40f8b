"""What every page of an exported document carries in its header and footer.

One function, `document_meta(session, document)`, so the PDF, Word and HTML writers agree on the
alliance, the document's title, the agreement's version label, whether it is still a draft, and
the date, and none of them looks at the session itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from facilitator.base.errors import FacilitatorError, ReportError
from facilitator.domain import content
from facilitator.domain.model import Session

TITLES = {"agreement": "Partnership agreement", "scorecard": "Health-check scorecard"}


@dataclass(frozen=True)
class DocumentMeta:
    alliance: str
    title: str  # "Partnership agreement"
    version_label: str  # "Version 2" once the agreement carries a version; "" until then
    draft: bool  # the agreement is not yet agreed and endorsed in full
    date: str  # the session's date, as stored (ISO)

    @property
    def heading(self) -> str:
        """The running header's text, without the draft marker: "Alliance · Title · Version 2"."""
        return " · ".join(part for part in (self.alliance, self.title, self.version_label) if part)


def document_meta(session: Session, document: str) -> DocumentMeta:
    """The header and footer of `document` ("agreement" or "scorecard") for `session`.

    Only the agreement is ever a draft: a scorecard records the scores given, there is nothing in
    it for the partners to endorse.
    """
    if document not in TITLES:
        raise ReportError(f"Unknown document '{document}': choose {' or '.join(TITLES)}.")
    return DocumentMeta(
        alliance=session.alliance,
        title=TITLES[document],
        version_label=_version_label(session),
        draft=document == "agreement" and not _agreement_final(session),
        date=session.date,
    )


def _version_label(session: Session) -> str:
    # Placeholder: the agreement's version is being added (issue 16, helper AGREEMENT:
    # facilitator.domain.agreement_terms.version_label). Until it lands the header shows none.
    return ""


def _agreement_final(session: Session) -> bool:
    """Every section of the checklist's agreement agreed and endorsed by every partner.

    The same rule as facilitator.domain.agreement_terms.is_final (issue 16, helper AGREEMENT),
    written from SectionDraft's fields so that this module stands on what main has today.
    """
    try:
        checklist = content.load_checklist(session.checklist_version)
    except FacilitatorError as error:
        raise ReportError(str(error)) from None
    partners = {p.key for p in session.partners}
    for section in checklist.sections:
        draft = session.sections.get(section.key)
        if draft is None or not draft.agreed or not partners <= set(draft.endorsed_by):
            return False
    return True
