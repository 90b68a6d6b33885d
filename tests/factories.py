"""factory_boy factories for every model the tests build."""

import datetime

import factory
from django.contrib.auth import get_user_model

from agencies.models import (
    Agency,
    Area,
    Camera,
    Membership,
    Partnership,
    PartnershipAnswer,
    Subscription,
    TimeZoneChoice,
    VitalObject,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AreaFactory(factory.django.DjangoModelFactory):
    """A province by default; pass parent= for a child (its level and path follow)."""

    class Meta:
        model = Area

    source_id = factory.Sequence(lambda n: 900_000 + n)
    name = factory.Sequence(lambda n: f"Area {n}")
    parent = None
    level = factory.LazyAttribute(lambda o: (o.parent.level + 1) if o.parent else Area.Level.PROVINCE)
    path = factory.LazyAttribute(lambda o: f"{o.parent.path if o.parent else '/'}{o.source_id}/")
    timezone = factory.LazyAttribute(lambda o: o.parent.timezone if o.parent else TimeZoneChoice.WITA)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Agency {n}")
    code = factory.Sequence(lambda n: f"agency-{n}")
    kind = Agency.Kind.POLICE
    duty_phone = "+62 548 21110"

    @factory.post_generation
    def jurisdiction(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.jurisdiction.set(extracted)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = Membership.Role.LIAISON
    phone = "+6281234567890"


class PartnershipFactory(factory.django.DjangoModelFactory):
    """A partnership every party has accepted (in force between its dates), as the agencies'
    commanders would have agreed it through the services; pass status= for another state."""

    class Meta:
        model = Partnership
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"MoU {n}")
    information_sharing = True
    valid_from = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=30))
    status = Partnership.Status.IN_FORCE

    @factory.post_generation
    def agencies(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.agencies.set(extracted)
            accepted = obj.status != Partnership.Status.PROPOSED
            PartnershipAnswer.objects.bulk_create(
                [
                    PartnershipAnswer(
                        partnership=obj,
                        agency=agency,
                        answer=PartnershipAnswer.Answer.ACCEPTED if accepted else PartnershipAnswer.Answer.PENDING,
                    )
                    for agency in extracted
                ]
            )


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription
        skip_postgeneration_save = True

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Subscription {n}")

    @factory.post_generation
    def areas(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.areas.set(extracted)


class VitalObjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VitalObject

    name = factory.Sequence(lambda n: f"Vital object {n}")
    kind = VitalObject.Kind.PORT
    area = factory.SubFactory(AreaFactory)
    operator = factory.SubFactory(AgencyFactory, kind=Agency.Kind.COMPANY)


class CameraFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Camera

    code = factory.Sequence(lambda n: f"cam-{n}")
    name = factory.Sequence(lambda n: f"Camera {n}")
    area = factory.SubFactory(AreaFactory)
    operator = factory.SubFactory(AgencyFactory)


# --- incidents -----------------------------------------------------------------------------

from django.utils import timezone  # noqa: E402

from incidents.models import Category, CitizenReport, Incident, RiskAssessment  # noqa: E402


def category(code: str) -> Category:
    """A category of the taxonomy loaded by the data migration.

    Tests on `transactional_db` truncate every table afterwards, data migrations' rows included:
    reload the taxonomy when it is gone.
    """
    try:
        return Category.objects.get(code=code)
    except Category.DoesNotExist:
        import importlib

        from django.apps import apps

        importlib.import_module("incidents.migrations.0002_categories").load(apps, None)
        return Category.objects.get(code=code)


class IncidentFactory(factory.django.DjangoModelFactory):
    """An incident row as it would be after incident_create (use the service to test the workflow)."""

    class Meta:
        model = Incident
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"TST-2026-{n:06d}")
    title = factory.Sequence(lambda n: f"Incident {n}")
    category = factory.LazyFunction(lambda: category("crime-theft"))
    area = factory.SubFactory(AreaFactory)
    area_path = factory.LazyAttribute(lambda o: o.area.path)
    occurred_at = factory.LazyFunction(timezone.now)
    reporting_agency = factory.SubFactory(AgencyFactory)
    latitude = factory.Faker("pydecimal", left_digits=1, right_digits=6, min_value=0, max_value=1)
    longitude = factory.Faker("pydecimal", left_digits=3, right_digits=6, min_value=117, max_value=118)

    @factory.post_generation
    def involved_agencies(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.involved_agencies.set(extracted)


class CitizenReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CitizenReport

    tracking_code = factory.Sequence(lambda n: f"TRK{n:07d}")
    category = factory.LazyFunction(lambda: category("suspicious-activity"))
    description = "Orang mencurigakan di dekat pagar"
    latitude = "0.137000"
    longitude = "117.494000"
    area = factory.SubFactory(AreaFactory)
    area_path = factory.LazyAttribute(lambda o: o.area.path if o.area else "")
    created_at = factory.LazyFunction(timezone.now)  # as report_create: the application's clock


class RiskAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskAssessment

    area = factory.SubFactory(AreaFactory)
    area_path = factory.LazyAttribute(lambda o: o.area.path)
    hazard = factory.LazyFunction(lambda: category("flood"))
    likelihood = 3
    impact = 4
    assessing_agency = factory.SubFactory(AgencyFactory)
    assessed_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=30))
    review_due = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=150))
