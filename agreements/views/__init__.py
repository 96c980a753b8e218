from .browse import agreement_audit, agreement_detail, agreement_history, agreement_list, attachment_download, dashboard
from .edit import (
    agreement_edit,
    amendment_create,
    attachment_upload,
    recall,
    renew,
    send_for_signature,
    terminate,
)

__all__ = [
    "agreement_audit",
    "agreement_detail",
    "agreement_edit",
    "agreement_history",
    "agreement_list",
    "amendment_create",
    "attachment_download",
    "attachment_upload",
    "dashboard",
    "recall",
    "renew",
    "send_for_signature",
    "terminate",
]
