import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, close_old_connections, connection, transaction

from agreements.models import Agreement, ClauseKind, Commitment, ReferenceSequence
from tests.factories import (
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    PartnerFactory,
    ProgressUpdateFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db


def test_reference_is_generated_on_creation_with_prefix_year_and_number(settings):
    settings.AGREEMENT_REFERENCE_PREFIX = "QC"
    first = AgreementFactory()
    second = AgreementFactory()
    year = first.created_at.astimezone(datetime.timezone(datetime.timedelta(hours=3))).year
    assert first.reference == f"QC-{year}-0001"
    assert second.reference == f"QC-{year}-0002"


def test_reference_does_not_change_when_agreement_is_saved_again():
    agreement = AgreementFactory()
    reference = agreement.reference
    agreement.title_ar = "عنوان جديد"
    agreement.save()
    agreement.refresh_from_db()
    assert agreement.reference == reference


def test_reference_numbers_restart_each_year():
    assert ReferenceSequence.next_reference(2030).endswith("2030-0001")
    assert ReferenceSequence.next_reference(2030).endswith("2030-0002")
    assert ReferenceSequence.next_reference(2031).endswith("2031-0001")


@pytest.mark.django_db(transaction=True)
def test_references_are_unique_under_concurrent_creation(postgres):
    partner = PartnerFactory()
    owner = StaffFactory()
    threads, per_thread = 8, 5
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def create_many():
        try:
            barrier.wait()
            for _ in range(per_thread):
                with transaction.atomic():
                    Agreement.objects.create(
                        title_ar="اتفاقية متزامنة",
                        partner=partner,
                        owner=owner,
                        starts_on=datetime.date(2026, 1, 1),
                        ends_on=datetime.date(2027, 1, 1),
                    )
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    workers = [threading.Thread(target=create_many) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    references = list(Agreement.objects.values_list("reference", flat=True))
    assert len(references) == threads * per_thread
    assert len(set(references)) == len(references)
    numbers = sorted(int(ref.rsplit("-", 1)[1]) for ref in references)
    assert numbers == list(range(1, threads * per_thread + 1))


def test_database_refuses_end_date_before_start_date():
    agreement = AgreementFactory.build(
        partner=PartnerFactory(),
        owner=StaffFactory(),
        starts_on=datetime.date(2026, 5, 1),
        ends_on=datetime.date(2026, 4, 1),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        agreement.save()
    assert not Agreement.objects.exists()


def test_database_refuses_end_date_equal_to_start_date():
    agreement = AgreementFactory.build(
        partner=PartnerFactory(),
        owner=StaffFactory(),
        starts_on=datetime.date(2026, 5, 1),
        ends_on=datetime.date(2026, 5, 1),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        agreement.save()


def test_full_clean_reports_date_order_as_a_validation_error():
    agreement = AgreementFactory.build(
        partner=PartnerFactory(),
        owner=StaffFactory(),
        starts_on=datetime.date(2026, 5, 1),
        ends_on=datetime.date(2026, 4, 1),
    )
    with pytest.raises(ValidationError):
        agreement.full_clean()


def test_clause_order_is_unique_within_an_agreement():
    clause = ClauseFactory(order=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ClauseFactory(agreement=clause.agreement, order=1)
    # Another agreement may use the same order.
    ClauseFactory(order=1)


def test_commitment_target_must_be_positive():
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitmentFactory(target_quantity=0)


def test_names_with_bidi_override_characters_are_refused():
    agreement = AgreementFactory.build(partner=PartnerFactory(), owner=StaffFactory(), title_ar="اتفاقية \u202eمعكوسة")
    with pytest.raises(ValidationError) as excinfo:
        agreement.full_clean()
    assert "title_ar" in excinfo.value.message_dict


def test_progress_counts_only_accepted_updates():
    commitment = CommitmentFactory(target_quantity=20)
    ProgressUpdateFactory(commitment=commitment, amount=5)
    ProgressUpdateFactory(commitment=commitment, amount=7)
    ProgressUpdateFactory(commitment=commitment, amount=100, status="submitted")
    annotated = Commitment.objects.with_progress().get(pk=commitment.pk)
    assert annotated.achieved == 12
    assert annotated.progress_percent == 60


def test_progress_percent_is_capped_at_100():
    commitment = CommitmentFactory(target_quantity=4)
    ProgressUpdateFactory(commitment=commitment, amount=9)
    assert Commitment.objects.with_progress().get(pk=commitment.pk).progress_percent == 100


@pytest.mark.parametrize(
    ("kind", "arabic"),
    [
        (ClauseKind.EXPERTISE_EXCHANGE, "تبادل الخبرات"),
        (ClauseKind.TRAINING, "الخدمات التأهيلية والتدريبية"),
        (ClauseKind.JOBS, "الفرص الوظيفية"),
        (ClauseKind.VOLUNTEERING, "الفرص التطوعية"),
        (ClauseKind.JOB_FAIRS, "المشاركة في الملتقيات الوظيفية"),
        (ClauseKind.EMPLOYMENT_SUPPORT, "دعم الوظائف وتمكين المواطنين وتهيئتهم لسوق العمل"),
        (ClauseKind.COMMUNITY_BENEFITS, "التنسيق لتبادل المنافع المجتمعية والخدمات المشتركة"),
        (ClauseKind.MEDIA, "العلاقات العامة والإعلام"),
        (ClauseKind.AWARENESS, "البرامج التوعوية والندوات وورش العمل التوعوية"),
    ],
)
def test_clause_kinds_carry_the_source_arabic_wording(kind, arabic):
    from django.utils import translation

    with translation.override("ar"):
        assert str(kind.label) == arabic
