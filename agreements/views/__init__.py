from .amendments import (
    amendment_before,
    amendment_create,
    amendment_delete,
    amendment_detail,
    amendment_edit,
    amendment_recall,
    amendment_send,
)
from .browse import agreement_audit, agreement_detail, agreement_history, agreement_list, attachment_download, dashboard
from .edit import (
    agreement_edit,
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
    "amendment_before",
    "amendment_create",
    "amendment_delete",
    "amendment_detail",
    "amendment_edit",
    "amendment_recall",
    "amendment_send",
    "attachment_download",
    "attachment_upload",
    "dashboard",
    "recall",
    "renew",
    "send_for_signature",
    "terminate",
]
