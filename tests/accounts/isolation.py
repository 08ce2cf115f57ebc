from tests.factories import make_member, make_user

PUBLIC_ROUTES = {
    "invitations:accept",
    "set_language",
}
AUTH_ONLY_ROUTES = {"home", "companies:company_create", "api_schema", "api_docs"}


def _invitation_id(org):
    from accounts.models import Invitation

    return Invitation.objects.create(organization=org, email="someone@example.test", role="viewer").pk


def _engagement_id(org):
    from accounts.capabilities import Role
    from tests.factories import make_consultancy, make_engagement

    firm = make_consultancy()
    return make_engagement(client=org, consultant=make_member(firm, role=Role.COO)).pk


URL_KWARG_FACTORIES = {
    "membership_id": lambda org: make_member(org, user=make_user()).pk,
    "invitation_id": _invitation_id,
    "engagement_id": _engagement_id,
    "token": lambda org: "not-a-real-token",
}
URL_KWARG_FACTORIES["pk@accounts.membership"] = URL_KWARG_FACTORIES["membership_id"]


def _api_key_prefix(org):
    from accounts.models import ApiKey

    return ApiKey.objects.create_key(organization=org, name="walker")[0].prefix


URL_KWARG_FACTORIES["api_key_prefix"] = _api_key_prefix
