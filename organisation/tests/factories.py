"""Factories for regions, teams and people; roles are Django groups made by migration."""

import factory
from django.contrib.auth.models import Group

from organisation.models import Region, Team, User


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"region-{n}")
    name = factory.Sequence(lambda n: f"Region {n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"team-{n}")
    name = factory.Sequence(lambda n: f"Team {n}")
    region = factory.SubFactory(RegionFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="en_GB")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    team = factory.SubFactory(TeamFactory)
    region = factory.LazyAttribute(lambda o: o.team.region if o.team else None)
    password = factory.django.Password("demo-password-1")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """UserFactory(roles=["auditor", "practitioner"])"""
        if not create or not extracted:
            return
        self.groups.add(*Group.objects.filter(name__in=list(extracted)))
        self.__dict__.pop("roles", None)  # forget the cached role set
