import pytest

from agencies.models import Agency
from common.services import model_update
from tests.factories import AgencyFactory


@pytest.mark.django_db
def test_model_update_returns_the_changes_and_saves_only_those():
    agency = AgencyFactory(name="Polres Lama", duty_phone="")
    changes = model_update(
        instance=agency, fields={"name": "Polres Baru", "duty_phone": ""}, allowed={"name", "duty_phone"}, save=True
    )
    assert changes == {"name": ("Polres Lama", "Polres Baru")}
    assert Agency.objects.get(pk=agency.pk).name == "Polres Baru"


@pytest.mark.django_db
def test_model_update_refuses_an_unknown_field_and_changes_nothing():
    agency = AgencyFactory(name="Polres Lama")
    with pytest.raises(ValueError, match="code"):
        model_update(instance=agency, fields={"name": "X", "code": "Y"}, allowed={"name"}, save=True)
    assert agency.name == "Polres Lama"
    assert Agency.objects.get(pk=agency.pk).name == "Polres Lama"


@pytest.mark.django_db
def test_model_update_without_save_writes_nothing():
    agency = AgencyFactory(name="Polres Lama")
    changes = model_update(instance=agency, fields={"name": "Polres Baru"}, allowed={"name"})
    assert changes == {"name": ("Polres Lama", "Polres Baru")}
    assert Agency.objects.get(pk=agency.pk).name == "Polres Lama"
