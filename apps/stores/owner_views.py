from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from apps.core.korean import with_particle

from . import selectors as store_selectors
from . import services as store_services
from .forms import StoreForm


def home(request):
    """Owners go to their admin (or onboarding when they have no store yet); others see the landing."""
    if request.user.is_authenticated:
        if request.user.is_superuser or store_selectors.owner_has_store(request.user):
            return redirect("admin:index")
        return redirect("stores:onboarding")
    return render(request, "stores/landing.html")


@login_required
def onboarding(request):
    # Onboarding is for the first store only; further stores are added in the admin.
    if store_selectors.owner_has_store(request.user):
        return redirect("admin:index")
    form = StoreForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        store = store_services.store_create(owner=request.user, **form.cleaned_data)
        messages.success(
            request, _("매장 %(name)s 만들었습니다.") % {"name": with_particle(f"'{store.name}'", "을/를")}
        )
        return redirect("admin:index")
    return render(request, "stores/onboarding.html", {"form": form}, status=422 if form.errors else 200)
