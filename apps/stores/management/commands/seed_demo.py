"""`python manage.py seed_demo`: a demo owner, a café with staff and paired-ready devices, and
whatever each app adds through its own `apps/<app>/demo.py` (a `seed(store, stdout)` function)."""

import importlib
import os

from django.apps import apps as django_apps
from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts.models import User
from apps.accounts.services import owner_enroll
from apps.stores import services
from apps.stores.models import Device, Store

DEMO_EMAIL = "owner@demo.cloudpos.kr"
# A fixed, printed password: this command is for local demos only, and `make run` must be able to
# print working logins on every start.
DEMO_PASSWORD = "cloudpos-demo-2026"
DEMO_STAFF = [("김매니저", "MANAGER", "9999"), ("이캐셔", "CASHIER", "1234")]


class Command(BaseCommand):
    help = "Create a demo owner, café, staff and devices (and each app's demo data)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Do nothing when the demo store already exists.")

    def handle(self, *args, once=False, **options):
        existing = Store.objects.filter(owner__email=DEMO_EMAIL).first()
        if existing and once:
            self.stdout.write("Demo store already there.")
            self._print_logins(existing)
            return
        password = DEMO_PASSWORD
        with transaction.atomic():
            owner = User.objects.filter(email=DEMO_EMAIL).first()
            if owner is None:
                owner = User.objects.create_user(email=DEMO_EMAIL, password=password, name="데모 점주")
                owner_enroll(owner)
            else:
                owner.set_password(password)
                owner.save()
            store = existing or services.store_create(
                owner=owner,
                name="클라우드 카페 합정점",
                business_number="123-45-67891",
                address="서울특별시 마포구 양화로 45",
                phone="02-333-1234",
                receipt_footer="이용해 주셔서 감사합니다.",
            )
            for name, role, pin in DEMO_STAFF:
                if not store.members.filter(display_name=name).exists():
                    services.member_create(store=store, display_name=name, role=role, pin=pin)
            for kind, name in [
                (Device.Kind.POS, "카운터 POS"),
                (Device.Kind.KIOSK, "입구 키오스크"),
                (Device.Kind.TABLE, "3번 테이블 태블릿"),  # assigned to hall table 3 by apps/tables/demo.py
            ]:
                Device.objects.get_or_create(store=store, kind=kind, name=name)
            for app_config in django_apps.get_app_configs():
                if not app_config.name.startswith("apps."):
                    continue
                try:
                    demo = importlib.import_module(f"{app_config.name}.demo")
                except ModuleNotFoundError:
                    continue
                demo.seed(store, self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self._print_logins(store)

    def _print_logins(self, store):
        base = f"http://127.0.0.1:{os.environ.get('PORT') or 8000}"  # `make run` serves on $(PORT)
        self.stdout.write(f"  Owner (admin at {base}/admin/): {DEMO_EMAIL} / {DEMO_PASSWORD}")
        for name, role, pin in DEMO_STAFF:
            self.stdout.write(f"  Staff PIN: {name} ({role}) {pin}")
        self.stdout.write("  Pairing codes (valid 10 minutes; new ones from the admin's Devices page):")
        for device in store.devices.filter(revoked_at__isnull=True).order_by("pk"):
            code = services.device_issue_pairing_code(device)
            # A bridge pairs from the shop PC's command line, every other device on /pair/ in its browser.
            how = (
                f"python -m bridge pair {code} --server {base}"
                if device.kind == Device.Kind.BRIDGE
                else f"{base}/pair/"
            )
            self.stdout.write(f"    {device.name} ({device.kind}): {code}  → {how}")
