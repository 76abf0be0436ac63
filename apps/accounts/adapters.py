"""allauth adapters: every new person (email or Kakao) becomes an owner; owners without a store
are sent to onboarding."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.http import Http404
from django.urls import reverse

from apps.core.http import client_address

from . import services


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request):
        # The login limit's "per client address" is the address pairing counts (TRUSTED_PROXY_COUNT):
        # behind a load balancer allauth would see the balancer, so one guesser would lock every owner out.
        return client_address(request)

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            services.owner_enroll(user)
        return user

    def get_login_redirect_url(self, request):
        return reverse("stores:home")

    def get_signup_redirect_url(self, request):
        return reverse("stores:home")


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def get_provider(self, request, provider, client_id=None):
        # Without KAKAO_CLIENT_ID (the embedded default) there is no Kakao app: its login URL is a
        # plain 404 rather than a server error.
        try:
            return super().get_provider(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist:
            raise Http404(provider) from None

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        # Kakao may share no email at all: the account then lives on its Kakao id alone.
        if not user.email:
            user.email = None
        if not user.name:
            extra = sociallogin.account.extra_data or {}
            profile = (extra.get("kakao_account") or {}).get("profile") or {}
            user.name = profile.get("nickname") or (extra.get("properties") or {}).get("nickname") or ""
        return user

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        services.owner_enroll(user)
        return user
