"""The data holders' side, under /holder/ (namespace "holder"): the requests for
their bases, a decision on each, and their colleagues.

Every page answers a holder's members only: anyone else, sponsor, staff or member
of another holder, gets a 404, never a 403 (`_get_request_for_member`).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from catalog import proposals
from catalog.models import Base, DataHolder, HolderMembership
from projects import clocks, holders, selectors
from projects.holder.forms import (
    BaseProposalForm,
    DecisionForm,
    DeliveryForm,
    HolderInvitationForm,
)
from projects.joining import join_by_link
from projects.models import HolderInvitation, RequestedBase

QUEUE_LABELS = {
    "to_decide": gettext_lazy("To decide"),
    "to_deliver": gettext_lazy("Agreed, to deliver"),
    "delivered": gettext_lazy("Delivered"),
    "refused": gettext_lazy("Refused"),
    "closed": gettext_lazy("Closed projects"),
}
PER_PAGE = 50


def _holders_of(user) -> QuerySet[DataHolder]:
    """The holders the user is a member of; a 404 when there is none."""
    mine = DataHolder.objects.filter(memberships__user=user)
    if not mine.exists():
        raise Http404
    return mine


def _get_holder_for_member(user, pk: int) -> DataHolder:
    return get_object_or_404(DataHolder.objects.filter(memberships__user=user), pk=pk)


def _get_request_for_member(user, pk: int) -> RequestedBase:
    """A request for a base of one of the user's holders, in a project submitted at
    least once; a 404 otherwise."""
    return get_object_or_404(
        selectors.holder_requests(user).select_related(
            "project__opinion", "project__authorisation", "project__programme"
        ),
        pk=pk,
    )


@login_required
def request_list(request):
    mine = list(_holders_of(request.user))
    requests = selectors.holder_requests(request.user)
    queue = request.GET.get("queue", "to_decide")
    if queue not in QUEUE_LABELS:
        messages.warning(
            request,
            _("“%(value)s” is not a queue: here are the requests to decide.") % {"value": queue},
        )
        queue = "to_decide"
    page = Paginator(selectors.holder_queue(requests, queue), PER_PAGE).get_page(
        request.GET.get("page")
    )
    counts = selectors.holder_queue_counts(requests)
    return render(
        request,
        "projects/holder/requests.html",
        {
            "holders": mine,
            "holder_names": ", ".join(holder.name for holder in mine),
            "queue": queue,
            "queue_label": QUEUE_LABELS[queue],
            "queues": [(name, label, counts[name]) for name, label in QUEUE_LABELS.items()],
            "page": page,
        },
    )


@login_required
def request_detail(request, pk: int):
    return _request_page(request, _get_request_for_member(request.user, pk))


def _request_page(
    request,
    requested: RequestedBase,
    *,
    decision_form: DecisionForm | None = None,
    delivery_form: DeliveryForm | None = None,
):
    """What the holder needs to decide: the application's content, this base's
    justification and period (never another base's), the opinion and authorisation
    once recorded; and the forms its state allows."""
    project = requested.project
    if decision_form is None:
        initial = {"decision": requested.decision, "note": requested.decision_note}
        decision_form = DecisionForm(initial=initial)
    if delivery_form is None:
        delivered_on = requested.delivered_on or clocks.hub_today()
        delivery_form = DeliveryForm(initial={"delivered_on": delivered_on})
    return render(
        request,
        "projects/holder/request.html",
        {
            "requested": requested,
            "project": project,
            "opinion": project.opinion_on_record,
            "authorisation": project.authorisation_on_record,
            "history": selectors.holder_history(requested),
            "may_decide": holders.decision_open(requested),
            "may_deliver": holders.delivery_open(requested),
            "decision_form": decision_form,
            "delivery_form": delivery_form,
        },
    )


@login_required
@require_POST
def request_decide(request, pk: int):
    requested = _get_request_for_member(request.user, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            decision = holders.requested_base_decide(
                requested=requested,
                actor=request.user,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
            )
        except holders.HolderError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Your decision is recorded: %(decision)s. The sponsor team and the hub are told.")
                % {"decision": decision.get_decision_display()},
            )
            return redirect("holder:request", pk=pk)
    return _request_page(request, requested, decision_form=form)


@login_required
@require_POST
def request_deliver(request, pk: int):
    requested = _get_request_for_member(request.user, pk)
    form = DeliveryForm(request.POST)
    if form.is_valid():
        try:
            holders.requested_base_deliver(
                requested=requested,
                actor=request.user,
                delivered_on=form.cleaned_data["delivered_on"],
            )
        except holders.HolderError as error:
            form.add_error("delivered_on", str(error))
        else:
            messages.success(
                request, _("The delivery is recorded. The sponsor team and the hub are told.")
            )
            return redirect("holder:request", pk=pk)
    return _request_page(request, requested, delivery_form=form)


@login_required
def members(request):
    return _members_page(request)


def _members_page(request, *, invited: DataHolder | None = None, form=None):
    """The user's holders, their bases, members and the invitations waiting; `form`
    is a refused invitation to `invited`, shown again with its error."""
    pending = HolderInvitation.objects.filter(accepted_at=None).order_by("-created_at")
    mine = list(
        _holders_of(request.user).prefetch_related(
            Prefetch("memberships", queryset=HolderMembership.objects.select_related("user")),
            Prefetch("invitations", queryset=pending),
            "bases",
        )
    )
    rows = [
        (
            holder,
            form
            if invited is not None and holder.pk == invited.pk
            else HolderInvitationForm(auto_id=f"invite-{holder.pk}-%s"),
        )
        for holder in mine
    ]
    return render(request, "projects/holder/members.html", {"rows": rows})


@login_required
@require_POST
def invite(request, pk: int):
    holder = _get_holder_for_member(request.user, pk)
    form = HolderInvitationForm(request.POST, auto_id=f"invite-{holder.pk}-%s")
    if form.is_valid():
        try:
            holders.holder_invite(
                holder=holder, actor=request.user, email=form.cleaned_data["email"], request=request
            )
        except holders.HolderError as error:
            form.add_error("email", str(error))
        else:
            messages.success(
                request,
                _("An invitation to act for %(name)s was sent to %(email)s.")
                % {"name": holder.short_name, "email": form.cleaned_data["email"]},
            )
            return redirect("holder:members")
    return _members_page(request, invited=holder, form=form)


def join(request, token: str):
    """Joins from the emailed link: shows what is joined, joins on POST."""
    return join_by_link(
        request,
        invitation=holders.holder_invitation_from_token(token),
        accept=holders.holder_invitation_accept,
        refusal=holders.HolderError,
        joined=lambda invitation: (
            _("You now act for %(name)s.") % {"name": invitation.holder.short_name}
        ),
        joined_url="holder:requests",
        refused_url="home",
        template="projects/holder/join.html",
    )


# The catalog entries of the holder's bases.


def _get_base_for_member(user, slug: str) -> Base:
    return get_object_or_404(
        Base.objects.filter(data_holder__memberships__user=user).select_related("data_holder"),
        slug=slug,
    )


@login_required
def base_proposal(request, slug: str):
    """The base's entry and milestones as a form: what the member changes is proposed
    to the hub, which publishes it; their proposals and what became of them below."""
    base = _get_base_for_member(request.user, slug)
    # The form writes its values on its instance: a copy, never the base itself.
    form = BaseProposalForm(request.POST or None, instance=Base.objects.get(pk=base.pk))
    if request.method == "POST" and form.is_valid():
        try:
            proposals.proposal_create(base=base, actor=request.user, **form.proposal())
        except proposals.ProposalError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Your changes are proposed to the hub, which publishes them in the catalog."),
            )
            return redirect("holder:base", slug=base.slug)
    return render(
        request,
        "projects/holder/base.html",
        {
            "base": base,
            "form": form,
            "proposals": base.proposals.select_related("proposed_by", "decided_by"),
        },
    )
