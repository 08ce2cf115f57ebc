from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.security import client_ip, login_username


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        # An invitation link followed before signing in comes back here (allauth keeps `next`).
        return super().get_login_redirect_url(request) or reverse("home")

    def get_client_ip(self, request) -> str:
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine the client's address")
        return ip

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # The `login_failed` limit's "key": the (login, address) pair, like axes, so failures from one
        # address never lock the account everywhere (allauth keys on the login alone).
        return f"{login_username(request, credentials) or ''}|{client_ip(request) or ''}"
