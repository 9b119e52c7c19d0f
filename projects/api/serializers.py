"""What the API shows: the public fields only, as the directory's exports
(`projects.public.exports.public_record`) and the catalog's pages show them."""

from datetime import date
from functools import cached_property

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import Base, Milestone
from projects import clocks, results
from projects.models import (
    ALGORITHM_CARD_FIELDS,
    PUBLIC_FIELDS,
    Algorithm,
    AlgorithmVersion,
    Project,
    Status,
)

PUBLIC_STATUSES = [value for value in Status.values if value != Status.DRAFT]
RESULTS_STATES = [value for value, _label in results.ResultsState.choices]


class ProjectSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=Project.Kind.values)
    sponsor = serializers.SerializerMethodField()
    sponsor_verified = serializers.SerializerMethodField()
    themes = serializers.SerializerMethodField()
    programme = serializers.SerializerMethodField()
    bases = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=PUBLIC_STATUSES)
    authorised_on = serializers.SerializerMethodField()
    authorisation = serializers.SerializerMethodField()
    results = serializers.SerializerMethodField()
    results_due_on = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = PUBLIC_FIELDS
        read_only_fields = fields

    def get_sponsor(self, project: Project) -> str:
        return project.sponsor.name if project.sponsor else ""

    def get_sponsor_verified(self, project: Project) -> bool:
        # Anyone can register an organisation: only the hub's check makes the name sure.
        return project.sponsor is not None and project.sponsor.verified_at is not None

    def get_themes(self, project: Project) -> list[str]:
        return sorted(theme.slug for theme in project.themes.all())

    def get_programme(self, project: Project) -> str | None:
        return project.programme.slug if project.programme else None

    def get_bases(self, project: Project) -> list[str]:
        return sorted(requested.base.slug for requested in project.requested_bases.all())

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_authorised_on(self, project: Project):
        # Authorised only with the reference of its authorisation, as on its public page.
        return project.authorised_on if project.authorisation_on_record else None

    def get_authorisation(self, project: Project) -> str | None:
        authorisation = project.authorisation_on_record
        return authorisation.reference if authorisation else None

    @extend_schema_field(serializers.ChoiceField(choices=RESULTS_STATES, allow_null=True))
    def get_results(self, project: Project) -> str | None:
        # The state on the hub's day: the ETag and the cached pages carry the day.
        return results.state_of(project, today=self._today) or None

    @cached_property
    def _today(self) -> date:
        """The hub's day, read once per response: a list's rows share this serializer."""
        return clocks.hub_today()

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_results_due_on(self, project: Project):
        return results.due_on(project.completed_on)

    def get_url(self, project: Project) -> str:
        return _absolute(self, reverse("projects:public", kwargs={"reference": project.reference}))


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["kind", "reached_on", "note"]
        read_only_fields = fields


class BaseSerializer(serializers.ModelSerializer):
    data_holder = serializers.CharField(source="data_holder.name", read_only=True)
    data_holder_address = serializers.CharField(source="data_holder.address", read_only=True)
    keywords = serializers.ListField(
        source="keyword_list", child=serializers.CharField(), read_only=True
    )
    milestones = MilestoneSerializer(many=True, read_only=True)
    documentation_url = serializers.SerializerMethodField()
    contact_email = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Base
        fields = [
            "slug",
            "acronym",
            "name",
            "description",
            "data_holder",
            "data_holder_address",
            "catalog_reference",
            "population",
            "geography",
            "period_start",
            "period_end",
            "update_frequency",
            "access_conditions",
            "documentation_url",
            "keywords",
            "scientific_lead",
            "contact_email",
            "citation",
            "milestones",
            "updated_at",
            "url",
        ]
        read_only_fields = fields

    # null rather than an empty string, which is no URL and no address.
    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_documentation_url(self, base: Base) -> str | None:
        return base.documentation_url or None

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_contact_email(self, base: Base) -> str | None:
        return base.contact_email or None

    def get_url(self, base: Base) -> str:
        return _absolute(self, base.get_absolute_url())


class AlgorithmVersionSerializer(serializers.ModelSerializer):
    """A published version's card: never who declared or reviewed it, nor the hub's
    comment."""

    published_at = serializers.DateTimeField(source="reviewed_at", read_only=True)
    bases = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = AlgorithmVersion
        fields = ["published_at", *ALGORITHM_CARD_FIELDS, "url"]
        read_only_fields = fields

    def get_bases(self, version: AlgorithmVersion) -> list[str]:
        return sorted(base.slug for base in version.bases.all())

    def get_url(self, version: AlgorithmVersion) -> str:
        # The algorithm is set by whoever reads the version from it (no query).
        path = reverse(
            "algorithms:version",
            kwargs={"slug": version.algorithm.slug, "version": version.version},
        )
        return _absolute(self, path)


class AlgorithmProjectSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=PUBLIC_STATUSES)
    themes = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = ["reference", "title", "status", "themes", "url"]
        read_only_fields = fields

    def get_themes(self, project: Project) -> list[str]:
        return sorted(theme.slug for theme in project.themes.all())

    def get_url(self, project: Project) -> str:
        return _absolute(self, reverse("projects:public", kwargs={"reference": project.reference}))


class AlgorithmSerializer(serializers.ModelSerializer):
    """An algorithm of the open library with its current (latest published) version."""

    project = AlgorithmProjectSerializer(read_only=True)
    current = AlgorithmVersionSerializer(read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Algorithm
        fields = ["slug", "name", "project", "current", "url"]
        read_only_fields = fields

    def to_representation(self, algorithm: Algorithm) -> dict:
        if algorithm.current is not None:
            algorithm.current.algorithm = algorithm
        return super().to_representation(algorithm)

    def get_url(self, algorithm: Algorithm) -> str:
        return _absolute(self, algorithm.get_absolute_url())


class AlgorithmDetailSerializer(AlgorithmSerializer):
    versions = serializers.SerializerMethodField()

    class Meta(AlgorithmSerializer.Meta):
        fields = [*AlgorithmSerializer.Meta.fields, "versions"]
        read_only_fields = fields

    @extend_schema_field(AlgorithmVersionSerializer(many=True))
    def get_versions(self, algorithm: Algorithm) -> list[dict]:
        """Every published version, latest first (the current one included)."""
        # Read through the algorithm: each version knows it, no query to read it back.
        versions = list(algorithm.versions.published().prefetch_related("bases"))
        return AlgorithmVersionSerializer(versions, many=True, context=self.context).data


def _absolute(serializer: serializers.Serializer, path: str) -> str:
    request = serializer.context.get("request")
    return request.build_absolute_uri(path) if request else path
