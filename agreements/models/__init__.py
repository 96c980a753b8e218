"""Agreement models, by topic: the agreement and its content, its documents, signing."""

from .core import (
    CLAUSE_TEXT_MAX,
    Agreement,
    AgreementLocked,
    AgreementQuerySet,
    AgreementStatus,
    Clause,
    ClauseKind,
    Commitment,
    CommitmentQuerySet,
    CommitmentStatus,
    Party,
    ProgressStatus,
    ProgressUpdate,
    ReferenceSequence,
    ResponsibleParty,
    Unit,
    evidence_upload_to,
)
from .documents import Amendment, AmendmentStatus, Attachment, attachment_upload_to
from .signing import SigningRequest, SigningStatus

__all__ = [
    "CLAUSE_TEXT_MAX",
    "Agreement",
    "AgreementLocked",
    "AgreementQuerySet",
    "AgreementStatus",
    "Amendment",
    "AmendmentStatus",
    "Attachment",
    "Clause",
    "ClauseKind",
    "Commitment",
    "CommitmentQuerySet",
    "CommitmentStatus",
    "Party",
    "ProgressStatus",
    "ProgressUpdate",
    "ReferenceSequence",
    "ResponsibleParty",
    "SigningRequest",
    "SigningStatus",
    "Unit",
    "attachment_upload_to",
    "evidence_upload_to",
]
