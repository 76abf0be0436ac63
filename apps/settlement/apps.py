from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SettlementConfig(AppConfig):
    name = "apps.settlement"
    label = "settlement"
    verbose_name = _("매출·정산")
