"""Demo data: the charity and the four partnerships of the source news report.

`demo_load()` is idempotent: every row is looked up by a natural key and updated in
place, so running it twice leaves exactly the same data. The demo password lives only
here and in the output of the `load_demo` command, never in settings.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace

from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import STAFF_EDITORS, STAFF_READONLY, PartnerRole, User
from agreements.amendments.content import changes_between, content_of
from agreements.amendments.services import amendment_create, amendment_refusal, amendment_send
from agreements.models import (
    Agreement,
    AgreementStatus,
    Clause,
    ClauseKind,
    Commitment,
    CommitmentStatus,
    Party,
    ProgressStatus,
    ProgressUpdate,
    ResponsibleParty,
    SignatureChannel,
    SignatureMethod,
    Unit,
)
from agreements.signing.services import Visitor, signature_record
from partners.models import CharityProfile, Contact, Partner, PartnerKind, Sector

DEMO_PASSWORD = "qatif-demo-2026"

D = datetime.date

CHARITY = {
    "name_ar": "خيرية القطيف",
    "name_en": "Qatif Charity",
    "chairman_name_ar": "أسامة الزاير",
    "chairman_name_en": "Osama Al-Zayer",
    "chairman_title_ar": "رئيس مجلس الإدارة",
    "chairman_title_en": "Chairman of the Board",
    "chairman_email": "chairman@qatif-charity.example",
    "committee_ar": "لجنة التمكين والتنمية المستدامة",
    "committee_en": "Empowerment and Sustainable Development Committee",
    "address_ar": "القطيف، المنطقة الشرقية، المملكة العربية السعودية",
    "address_en": "Qatif, Eastern Province, Saudi Arabia",
    "email": "info@qatif-charity.example",
}

# Each partnership: the partner, its signatory, its portal user and the agreement.
PARTNERSHIPS = [
    {
        "partner": {
            "name_ar": "جمعية تنمية الموارد البشرية بسيهات",
            "name_en": "Human Resources Development Association in Saihat",
            "sector": Sector.NON_PROFIT,
            "kind": PartnerKind.ASSOCIATION,
            "city": "سيهات",
            "email": "info@hrd-saihat.example",
        },
        "contact": {
            "name_ar": "ممثل جمعية تنمية الموارد البشرية",
            "name_en": "Representative of the HR Development Association",
            "title_ar": "رئيس مجلس الإدارة",
            "title_en": "Chairman of the Board",
            "email": "rep@hrd-saihat.example",
        },
        "username": "hrd-saihat",
        "agreement": {
            "title_ar": "اتفاقية شراكة لتنمية الموارد البشرية وتهيئة المستفيدين لسوق العمل",
            "title_en": "Partnership on human resources development and preparing beneficiaries for the labour market",
            "summary_ar": "شراكة مجتمعية بالتزام الطرفين لتبادل الخبرات وتقديم الخدمات التأهيلية والتدريبية وتمكين المواطنين وتهيئتهم لسوق العمل في محافظة القطيف.",
            "summary_en": "A community partnership, binding on both parties, to exchange expertise, provide qualification and training services, and prepare citizens for the labour market in Qatif governorate.",
            "signed_on": D(2026, 3, 16),
            "ends_on": D(2028, 3, 15),
        },
        "clauses": [
            (
                ClauseKind.EXPERTISE_EXCHANGE,
                ResponsibleParty.BOTH,
                "يتبادل الطرفان الخبرات في مجالات تنمية الموارد البشرية والعمل المؤسسي.",
                "Both parties exchange expertise in human resources development and institutional work.",
                [
                    (
                        Party.CHARITY,
                        "تنظيم لقاءات دورية لتبادل الخبرات",
                        "Hold regular expertise-exchange meetings",
                        4,
                        Unit.MEETINGS,
                        D(2026, 12, 31),
                    )
                ],
            ),
            (
                ClauseKind.TRAINING,
                ResponsibleParty.PARTNER,
                "تقدم الجمعية الخدمات التأهيلية والتدريبية لمستفيدي الخيرية.",
                "The association provides qualification and training services to the charity's beneficiaries.",
                [
                    (
                        Party.PARTNER,
                        "تدريب مستفيدي الخيرية",
                        "Train the charity's beneficiaries",
                        40,
                        Unit.TRAINEES,
                        D(2027, 3, 15),
                    ),
                    (
                        Party.CHARITY,
                        "ترشيح المستفيدين للبرامج التدريبية",
                        "Nominate beneficiaries for the training programmes",
                        40,
                        Unit.BENEFICIARIES,
                        D(2026, 9, 30),
                    ),
                ],
            ),
            (
                ClauseKind.JOBS,
                ResponsibleParty.PARTNER,
                "توفر الجمعية الفرص الوظيفية المناسبة للمستفيدين المؤهلين.",
                "The association offers suitable job opportunities to qualified beneficiaries.",
                [
                    (
                        Party.PARTNER,
                        "توفير فرص وظيفية للمستفيدين",
                        "Offer job opportunities to beneficiaries",
                        15,
                        Unit.JOB_OPPORTUNITIES,
                        D(2027, 12, 31),
                    )
                ],
            ),
            (
                ClauseKind.JOB_FAIRS,
                ResponsibleParty.BOTH,
                "يشارك الطرفان في الملتقيات الوظيفية بالمحافظة.",
                "Both parties take part in the governorate's job fairs.",
                [
                    (
                        Party.CHARITY,
                        "المشاركة في الملتقيات الوظيفية",
                        "Take part in job fairs",
                        2,
                        Unit.EVENTS,
                        D(2027, 6, 30),
                    )
                ],
            ),
            (
                ClauseKind.EMPLOYMENT_SUPPORT,
                ResponsibleParty.BOTH,
                "دعم الوظائف وتمكين المواطنين وتهيئتهم لسوق العمل.",
                "Supporting employment, empowering citizens and preparing them for the labour market.",
                [
                    (
                        Party.PARTNER,
                        "برامج تهيئة لسوق العمل",
                        "Labour-market readiness programmes",
                        3,
                        Unit.PROGRAMMES,
                        D(2027, 9, 30),
                    )
                ],
            ),
        ],
        "progress": [(1, 0, 18)],  # (clause index, commitment index, accepted amount)
    },
    {
        "partner": {
            "name_ar": "الكلية التقنية بالقطيف",
            "name_en": "Technical College in Qatif",
            "sector": Sector.GOVERNMENT,
            "kind": PartnerKind.EDUCATION,
            "city": "القطيف",
            "email": "info@tech-college-qatif.example",
        },
        "contact": {
            "name_ar": "عميد الكلية التقنية بالقطيف",
            "name_en": "Dean of the Technical College in Qatif",
            "title_ar": "عميد الكلية",
            "title_en": "Dean",
            "email": "dean@tech-college-qatif.example",
        },
        "username": "tech-college",
        "agreement": {
            "title_ar": "اتفاقية شراكة في التدريب التقني والفرص التطوعية",
            "title_en": "Partnership on technical training and volunteering opportunities",
            "summary_ar": "تعاون بين الخيرية والكلية في الخدمات التأهيلية والتدريبية والفرص التطوعية والبرامج التوعوية لخدمة المستفيد في النواحي التعليمية والخدمية.",
            "summary_en": "Cooperation between the charity and the college in qualification and training services, volunteering and awareness programmes for beneficiaries in education and services.",
            "signed_on": D(2026, 3, 16),
            "ends_on": D(2029, 3, 15),
        },
        "clauses": [
            (
                ClauseKind.TRAINING,
                ResponsibleParty.PARTNER,
                "تقدم الكلية دورات تدريبية تقنية لمستفيدي الخيرية.",
                "The college runs technical training courses for the charity's beneficiaries.",
                [
                    (
                        Party.PARTNER,
                        "تدريب مستفيدين في دورات تقنية",
                        "Train beneficiaries in technical courses",
                        20,
                        Unit.TRAINEES,
                        D(2027, 1, 31),
                    )
                ],
            ),
            (
                ClauseKind.VOLUNTEERING,
                ResponsibleParty.BOTH,
                "يتيح الطرفان الفرص التطوعية لطلاب الكلية في برامج الخيرية.",
                "Both parties open volunteering opportunities for the college's students in the charity's programmes.",
                [
                    (
                        Party.CHARITY,
                        "إتاحة فرص تطوعية لطلاب الكلية",
                        "Offer volunteering opportunities to students",
                        30,
                        Unit.VOLUNTEERS,
                        D(2027, 6, 30),
                    )
                ],
            ),
            (
                ClauseKind.AWARENESS,
                ResponsibleParty.BOTH,
                "التعاون في البرامج التوعوية والندوات وورش العمل التوعوية المتعلقة بتعزيز المسؤولية المجتمعية وثقافة العمل.",
                "Cooperation in awareness programmes, seminars and workshops on social responsibility and work culture.",
                [
                    (
                        Party.PARTNER,
                        "تنظيم ورش عمل توعوية",
                        "Hold awareness workshops",
                        4,
                        Unit.WORKSHOPS,
                        D(2026, 12, 15),
                    )
                ],
            ),
            (
                ClauseKind.EXPERTISE_EXCHANGE,
                ResponsibleParty.BOTH,
                "تبادل الخبرات بين منسوبي الطرفين.",
                "Exchange of expertise between the staff of both parties.",
                [
                    (
                        Party.CHARITY,
                        "لقاءات تبادل خبرات",
                        "Expertise-exchange meetings",
                        2,
                        Unit.MEETINGS,
                        D(2027, 3, 15),
                    )
                ],
            ),
            (
                ClauseKind.MEDIA,
                ResponsibleParty.BOTH,
                "التعاون في مجال العلاقات العامة والإعلام.",
                "Cooperation in public relations and media.",
                [
                    (
                        Party.CHARITY,
                        "نشر أخبار الشراكة",
                        "Publish news of the partnership",
                        6,
                        Unit.MEDIA_ITEMS,
                        D(2027, 3, 15),
                    )
                ],
            ),
        ],
        "progress": [(0, 0, 12)],
    },
    {
        "partner": {
            "name_ar": "جمعية الفردوس لإكرام الموتى",
            "name_en": "Al-Firdaws Association for Honouring the Dead",
            "sector": Sector.NON_PROFIT,
            "kind": PartnerKind.ASSOCIATION,
            "city": "القطيف",
            "email": "info@alfirdaws.example",
        },
        "contact": {
            "name_ar": "ممثل جمعية الفردوس",
            "name_en": "Representative of Al-Firdaws Association",
            "title_ar": "رئيس مجلس الإدارة",
            "title_en": "Chairman of the Board",
            "email": "rep@alfirdaws.example",
        },
        "username": "alfirdaws",
        "agreement": {
            "title_ar": "اتفاقية شراكة لتبادل المنافع المجتمعية والخدمات المشتركة",
            "title_en": "Partnership on community benefits and shared services",
            "summary_ar": "التنسيق لتبادل المنافع المجتمعية والخدمات المشتركة بين أطراف العقد وتكاتف الجهود لتنمية وتمكين أفراد المجتمع من المستفيدين.",
            "summary_en": "Coordinating community benefits and shared services between the parties, joining efforts to develop and empower beneficiaries.",
            "signed_on": D(2026, 3, 16),
            "ends_on": D(2027, 3, 15),
        },
        "clauses": [
            (
                ClauseKind.COMMUNITY_BENEFITS,
                ResponsibleParty.BOTH,
                "التنسيق لتبادل المنافع المجتمعية والخدمات المشتركة بين الطرفين.",
                "Coordinating community benefits and shared services between the parties.",
                [
                    (
                        Party.PARTNER,
                        "تقديم خدمات مشتركة لأسر المستفيدين",
                        "Provide shared services to beneficiary families",
                        25,
                        Unit.BENEFICIARIES,
                        D(2027, 2, 28),
                    )
                ],
            ),
            (
                ClauseKind.VOLUNTEERING,
                ResponsibleParty.BOTH,
                "إتاحة الفرص التطوعية لمتطوعي الطرفين.",
                "Opening volunteering opportunities to both parties' volunteers.",
                [
                    (
                        Party.CHARITY,
                        "إشراك متطوعين في برامج الجمعية",
                        "Involve volunteers in the association's programmes",
                        10,
                        Unit.VOLUNTEERS,
                        D(2026, 12, 31),
                    )
                ],
            ),
            (
                ClauseKind.AWARENESS,
                ResponsibleParty.PARTNER,
                "تنظيم ندوات توعوية مشتركة.",
                "Holding joint awareness seminars.",
                [(Party.PARTNER, "تنظيم ندوات توعوية", "Hold awareness seminars", 2, Unit.EVENTS, D(2026, 11, 15))],
            ),
            (
                ClauseKind.MEDIA,
                ResponsibleParty.BOTH,
                "التعاون في مجال العلاقات العامة والإعلام.",
                "Cooperation in public relations and media.",
                [
                    (
                        Party.PARTNER,
                        "نشر أخبار البرامج المشتركة",
                        "Publish news of joint programmes",
                        4,
                        Unit.MEDIA_ITEMS,
                        D(2027, 3, 1),
                    )
                ],
            ),
        ],
        "progress": [],
    },
    {
        "partner": {
            "name_ar": "جمعية العطاء النسائية بالقطيف",
            "name_en": "Al-Ataa Women's Association in Qatif",
            "sector": Sector.NON_PROFIT,
            "kind": PartnerKind.ASSOCIATION,
            "city": "القطيف",
            "email": "info@alataa.example",
        },
        "contact": {
            "name_ar": "ممثلة جمعية العطاء النسائية",
            "name_en": "Representative of Al-Ataa Women's Association",
            "title_ar": "رئيسة مجلس الإدارة",
            "title_en": "Chairwoman of the Board",
            "email": "rep@alataa.example",
        },
        "username": "alataa",
        "agreement": {
            "title_ar": "اتفاقية شراكة لبناء قنوات التنمية المجتمعية في المحافظة",
            "title_en": "Partnership to build channels for community development in the governorate",
            "summary_ar": "أفكار ورؤى مشتركة بين الجهتين لبناء القنوات المناسبة للتنمية المجتمعية في المحافظة والرقي بالمواطن فيها.",
            "summary_en": "Shared ideas and visions to build channels for community development in the governorate and to uplift its citizens.",
            "signed_on": D(2026, 3, 15),
            "ends_on": D(2027, 3, 14),
        },
        "clauses": [
            (
                ClauseKind.EXPERTISE_EXCHANGE,
                ResponsibleParty.BOTH,
                "تبادل الأفكار والرؤى والخبرات بين الجهتين.",
                "Exchanging ideas, visions and expertise between the two bodies.",
                [(Party.PARTNER, "لقاءات تنسيقية", "Coordination meetings", 4, Unit.MEETINGS, D(2027, 3, 1))],
            ),
            (
                ClauseKind.COMMUNITY_BENEFITS,
                ResponsibleParty.BOTH,
                "التنسيق لتبادل المنافع المجتمعية والخدمات المشتركة في المحافظة.",
                "Coordinating community benefits and shared services in the governorate.",
                [
                    (
                        Party.CHARITY,
                        "خدمات مشتركة للمستفيدات",
                        "Shared services for women beneficiaries",
                        50,
                        Unit.BENEFICIARIES,
                        D(2027, 3, 1),
                    )
                ],
            ),
            (
                ClauseKind.TRAINING,
                ResponsibleParty.PARTNER,
                "تقديم برامج تأهيلية وتدريبية للمستفيدات.",
                "Providing qualification and training programmes for women beneficiaries.",
                [(Party.PARTNER, "تدريب مستفيدات", "Train women beneficiaries", 30, Unit.TRAINEES, D(2027, 2, 1))],
            ),
            (
                ClauseKind.AWARENESS,
                ResponsibleParty.BOTH,
                "البرامج التوعوية والندوات وورش العمل التوعوية.",
                "Awareness programmes, seminars and workshops.",
                [(Party.CHARITY, "ورش عمل توعوية", "Awareness workshops", 3, Unit.WORKSHOPS, D(2026, 12, 31))],
            ),
        ],
        "progress": [(2, 0, 10)],
    },
]


@dataclass(frozen=True)
class Login:
    role: str
    username: str
    password: str
    partner: str = ""


# Shown instead of a password for an account that existed before this run.
PASSWORD_KEPT = "(unchanged)"


def _user(username: str, *, email: str, first_name: str, partner: Partner | None = None, **flags) -> tuple[User, str]:
    """The demo account `username` and the password to print for it.

    Only an account this run creates gets the published demo password; an existing one keeps
    its own, so running the demo again never undoes a password someone chose (or opens a
    real admin account with the password printed in the README).
    """
    user, created = User.objects.update_or_create(
        username=username,
        defaults={"email": email, "first_name": first_name, "partner": partner, "is_active": True, **flags},
    )
    if not created:
        return user, PASSWORD_KEPT
    user.set_password(DEMO_PASSWORD)
    user.save(update_fields=["password"])
    return user, DEMO_PASSWORD


def _create_signed_agreement(partner: Partner, owner: User, fields: dict, clauses: list) -> Agreement:
    """Create one of the source's agreements as a draft with its content, then mark it active.

    These partnerships were signed on paper before the portal existed, so there are
    no signing requests to go through the lifecycle's activation; the status is set
    directly (and recorded in the history), once, when the agreement is first created. An existing agreement is
    left untouched: its content is locked.
    """
    agreement = Agreement(partner=partner, owner=owner, starts_on=fields["signed_on"], **fields)
    agreement.full_clean()
    agreement.save()
    for order, (kind, responsible, text_ar, text_en, commitments) in enumerate(clauses, start=1):
        clause = Clause.objects.create(
            agreement=agreement, order=order, kind=kind, responsible_party=responsible, text_ar=text_ar, text_en=text_en
        )
        for party, description_ar, description_en, target, unit, due_on in commitments:
            Commitment.objects.create(
                clause=clause,
                party=party,
                description_ar=description_ar,
                description_en=description_en,
                target_quantity=target,
                unit=unit,
                due_on=due_on,
            )
    agreement.status = AgreementStatus.ACTIVE
    agreement.save(update_fields=["status", "updated_at"])
    return agreement


@transaction.atomic
def demo_load() -> list[Login]:
    """Create or refresh the demo data and return the logins it set up."""
    profile = CharityProfile.load()
    for field, value in CHARITY.items():
        setattr(profile, field, value)
    profile.full_clean()
    profile.save()

    admin, admin_password = _user(
        "admin", email="admin@qatif-charity.example", first_name="مدير النظام", is_staff=True, is_superuser=True
    )
    staff, staff_password = _user("staff", email="staff@qatif-charity.example", first_name="موظف الشراكات")
    staff.groups.set([Group.objects.get(name=STAFF_EDITORS)])
    viewer, viewer_password = _user("viewer", email="viewer@qatif-charity.example", first_name="موظف اطلاع")
    viewer.groups.set([Group.objects.get(name=STAFF_READONLY)])
    # The chairman signs for the charity from his own account.
    chairman, chairman_password = _user(
        "chairman", email=CHARITY["chairman_email"], first_name=CHARITY["chairman_name_ar"]
    )
    chairman.groups.set([Group.objects.get(name=STAFF_READONLY)])
    logins = [
        Login("admin", admin.username, admin_password),
        Login("staff", staff.username, staff_password),
        Login("read-only staff", viewer.username, viewer_password),
        Login("chairman (signs)", chairman.username, chairman_password),
    ]

    for spec in PARTNERSHIPS:
        partner, _ = Partner.objects.update_or_create(name_ar=spec["partner"]["name_ar"], defaults=spec["partner"])
        Contact.objects.update_or_create(
            partner=partner,
            email=spec["contact"]["email"],
            defaults={**spec["contact"], "can_sign": True, "is_primary": True},
        )
        # The partner's representative has an account: reminders and signing reach
        # the same person by email and in the portal.
        partner_user, partner_user_password = _user(
            spec["username"],
            email=spec["contact"]["email"],
            first_name=partner.name_ar,
            partner=partner,
            partner_role=PartnerRole.OFFICER,
        )
        logins.append(Login("partner", partner_user.username, partner_user_password, partner.name_ar))

        fields = spec["agreement"]
        agreement = Agreement.objects.filter(partner=partner, title_ar=fields["title_ar"]).first()
        if agreement is None:
            agreement = _create_signed_agreement(partner, staff, fields, spec["clauses"])
        for clause_index, commitment_index, amount in spec["progress"]:
            commitment = Commitment.objects.filter(
                clause__agreement=agreement, clause__order=clause_index + 1
            ).order_by("id")[commitment_index]
            ProgressUpdate.objects.update_or_create(
                commitment=commitment,
                reported_on=fields["signed_on"] + datetime.timedelta(days=120),
                defaults={
                    "amount": amount,
                    "status": ProgressStatus.ACCEPTED,
                    "reported_by": partner_user,
                    "note": "دفعة أولى",
                },
            )
            commitment.status = CommitmentStatus.IN_PROGRESS
            commitment.save(update_fields=["status"])
    _amend_demo_agreement(staff, chairman)
    return logins


# The Saihat association's agreement was amended once: more job opportunities, and the
# expertise-exchange meetings replaced by joint workshops. Signed by the chairman (from his
# account) and the association's representative.
AMENDMENT = {
    "partner": "جمعية تنمية الموارد البشرية بسيهات",
    "text_ar": "زيادة الفرص الوظيفية للمستفيدين، واستبدال اللقاءات الدورية بورش عمل مشتركة.",
    "text_en": "More job opportunities for beneficiaries, and joint workshops instead of the regular meetings.",
    "effective_on": D(2026, 10, 1),
}


def _amend_demo_agreement(staff: User, chairman: User) -> None:
    """Amendment 1 of the Saihat association's agreement, through the real services: recorded,
    sent, signed by both parties, so it is signed, and in force once its date has come. The
    worker renders its addendum PDF from the queued task. Done once: an agreement that
    already has an amendment, or can no longer be amended, is left as it is."""
    agreement = Agreement.objects.filter(partner__name_ar=AMENDMENT["partner"]).order_by("id").first()
    if agreement is None or agreement.amendments.exists() or amendment_refusal(agreement):
        return
    base = content_of(agreement)
    clauses = []
    for clause in base.clauses:
        commitments = []
        for m in clause.commitments:
            if m.unit == Unit.JOB_OPPORTUNITIES:
                commitments.append(replace(m, target_quantity=25))
            elif m.unit == Unit.MEETINGS:
                commitments.append(
                    replace(
                        m,
                        key=None,
                        description_ar="تنظيم ورش عمل مشتركة لتبادل الخبرات",
                        description_en="Hold joint expertise-exchange workshops",
                        target_quantity=3,
                        unit=Unit.WORKSHOPS,
                        due_on=D(2027, 6, 30),
                    )
                )
            else:
                commitments.append(m)
        clauses.append(replace(clause, commitments=tuple(commitments)))
    edited = replace(base, clauses=tuple(clauses))
    effective_on = min(max(AMENDMENT["effective_on"], agreement.starts_on), agreement.ends_on)
    amendment = amendment_create(
        agreement=agreement,
        by=staff,
        changes=changes_between(base, edited),
        effective_on=effective_on,
        text_ar=AMENDMENT["text_ar"],
        text_en=AMENDMENT["text_en"],
        title_ar="تعديل أهداف التوظيف وتبادل الخبرات",
        title_en="Employment and expertise-exchange targets",
    )
    contact = Contact.objects.filter(partner=agreement.partner, can_sign=True).order_by("id").first()
    amendment_send(
        amendment=amendment,
        by=staff,
        signatories=[
            {
                "party": Party.CHARITY,
                "name": CHARITY["chairman_name_ar"],
                "title": CHARITY["chairman_title_ar"],
                "email": chairman.email,
                "user": chairman,
            },
            {"party": Party.PARTNER, "contact": contact, "name": contact.name_ar, "email": contact.email},
        ],
    )
    amendment.refresh_from_db()
    for request in amendment.signing_requests.order_by("party"):
        signature_record(
            signing_request=request,
            visitor=Visitor(user=request.user),
            channel=SignatureChannel.ACCOUNT if request.user_id else SignatureChannel.LINK,
            # The demo's link signer typed the e-mailed code, as the signing page requires.
            identity="" if request.user_id else "email_code",
            name=request.name,
            title=request.title,
            content_hash_seen=amendment.content_hash,
            method=SignatureMethod.TYPED,
            typed_text=request.name,
        )
