"""The sponsor's organisations: register one, invite colleagues, join by invitation.

An organisation is never joined by typing its name: its members invite, and
the invitation's emailed link proves the address (the hub's administrators can
also add members in the admin).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects import services
from projects.joining import join_by_link
from projects.models import Organisation, OrganisationInvitation
from projects.sponsor.forms import InvitationForm, OrganisationForm


def _get_organisation_for_member(user, pk: int) -> Organisation:
    """The organisation if the user is one of its members; a 404 otherwise."""
    return get_object_or_404(Organisation.objects.filter(members=user), pk=pk)


@login_required
def organisation_list(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(creator=request.user, **form.cleaned_data)
        except services.OrganisationError as error:
            form.add_error("name", str(error))
        else:
            messages.success(
                request,
                _(
                    "%(name)s is registered. The hub will verify it with its identifier; "
                    "until then the public directory shows it as not yet verified."
                )
                % {"name": organisation.name},
            )
            return redirect("organisations:list")
    pending = OrganisationInvitation.objects.filter(accepted_at=None).order_by("-created_at")
    organisations = (
        Organisation.objects.filter(members=request.user)
        .prefetch_related("members", Prefetch("invitations", queryset=pending))
        .order_by("name")
    )
    return render(
        request,
        "projects/organisation_list.html",
        {"organisations": organisations, "form": form, "invitation_form": InvitationForm()},
    )


@login_required
@require_POST
def organisation_invite(request, pk: int):
    organisation = _get_organisation_for_member(request.user, pk)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid email address."))
        return redirect("organisations:list")
    try:
        services.organisation_invite(
            organisation=organisation,
            actor=request.user,
            email=form.cleaned_data["email"],
            request=request,
        )
    except services.OrganisationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("An invitation to join %(name)s was sent to %(email)s.")
            % {"name": organisation.name, "email": form.cleaned_data["email"]},
        )
    return redirect("organisations:list")


def organisation_join(request, token: str):
    """Joins from the emailed link: shows what is joined, joins on POST."""
    return join_by_link(
        request,
        invitation=services.organisation_invitation_from_token(token),
        accept=services.organisation_invitation_accept,
        refusal=services.OrganisationError,
        joined=lambda invitation: (
            _("You are now a member of %(name)s.") % {"name": invitation.organisation.name}
        ),
        joined_url="organisations:list",
        refused_url="organisations:list",
        template="projects/organisation_join.html",
    )
