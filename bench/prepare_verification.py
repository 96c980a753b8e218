"""Make one fully signed agreement with its sealed PDFs for the load test's verification traffic.

Run with `manage.py shell -c "exec(open('bench/prepare_verification.py').read())"` after
load_demo and create_seal_certificate. Prints the verification code; writes the Arabic PDF
to bench/results/verify-sample.pdf (the file the public upload check posts).
"""

import datetime
from pathlib import Path

from accounts.models import User
from agreements.lifecycle import transition
from agreements.models import Agreement, Clause, Commitment, SignedPdf
from agreements.pdf.job import signed_pdf_make
from agreements.signing.services import Visitor, signature_record
from partners.models import Contact, Partner

partner = Partner.objects.get(name_ar__contains="الكلية التقنية")
staff = User.objects.get(username="staff")
chairman = User.objects.get(username="chairman")
contact = Contact.objects.filter(partner=partner, can_sign=True, is_active=True).exclude(email="").first()
agreement = Agreement.objects.create(
    partner=partner,
    owner=staff,
    title_ar="اتفاقية اختبار الحمل للتحقق",
    title_en="Load test verification agreement",
    signed_on=datetime.date(2026, 11, 1),
    starts_on=datetime.date(2026, 11, 1),
    ends_on=datetime.date(2028, 10, 31),
)
clause = Clause.objects.create(
    agreement=agreement, order=1, kind="training", responsible_party="both", text_ar="التدريب"
)
Commitment.objects.create(
    clause=clause,
    party="partner",
    description_ar="تدريب عشرة متدربين",
    target_quantity=10,
    due_on=datetime.date(2027, 6, 30),
)
agreement = transition(
    agreement,
    "send_for_signature",
    by=staff,
    signatories=[
        {"party": "charity", "name": chairman.first_name, "email": chairman.email, "user": chairman},
        {"party": "partner", "contact": contact, "name": contact.name_ar, "email": contact.email},
    ],
)
visitor = Visitor(user=None, ip="127.0.0.1", user_agent="bench")
for request in agreement.signing_requests.all():
    signature_record(
        signing_request=request,
        visitor=visitor,
        channel="link",
        identity="email_code",  # as the signing page passes it once the e-mailed code was typed
        name=request.name,
        title="",
        content_hash_seen=agreement.content_hash,
        method="typed",
        typed_text=request.name,
    )
signed_pdf_make(agreement_id=agreement.pk)
agreement.refresh_from_db()
pdf = SignedPdf.objects.get(agreement=agreement, language="ar")
Path("bench/results").mkdir(exist_ok=True)
with pdf.file.open("rb") as handle:
    Path("bench/results/verify-sample.pdf").write_bytes(handle.read())
print(agreement.verification_code)
