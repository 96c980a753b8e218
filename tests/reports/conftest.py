import io

import pytest
from django.utils import translation

from partners.models import CharityProfile
from tests.factories import AdminFactory


@pytest.fixture(autouse=True)
def charity_profile(db):
    # Created on first use; create it before anything counts queries.
    return CharityProfile.load()


@pytest.fixture
def admin_client(client, db):
    client.force_login(AdminFactory())
    return client


@pytest.fixture
def arabic():
    with translation.override("ar"):
        yield


def read_xlsx(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]
