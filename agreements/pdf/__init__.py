"""The signed agreement PDF: render, seal with the charity's certificate, store, verify.

- `job`: the Celery job's work, once per agreement: `signed_pdf_make` claims, renders, seals,
  stores and records; `signed_pdf_retry` / `signed_pdf_failed` for staff and the task.

- `context`: the plain dataclasses a caller fills in (`PdfInput`, `SignatureBlock`, `AuditLine`).
- `render`: `render_agreement_pdf(data) -> bytes` (WeasyPrint) and `warm_up()`.
- `seal`: `seal_pdf(pdf) -> bytes` / `seal_pdf_async` (PAdES with pyHanko), `SealError`.
- `verify`: `verify_pdf(pdf, expected_sha256=...) -> VerificationResult`.

The modules are imported one by one, never from here: WeasyPrint and pyHanko are heavy,
and a web process that only verifies should not load the renderer.
"""
