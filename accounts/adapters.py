from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        # An invitation link followed before signing in comes back here (allauth keeps `next`).
        return super().get_login_redirect_url(request) or reverse("home")
