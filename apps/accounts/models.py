from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

OWNERS_GROUP = "Owners"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        email = self.normalize_email(email) if email else None
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: an owner (점주) or a superuser. Staff at the counter are StoreMembers
    with a PIN, not Users. Email is optional because a Kakao account may not share one."""

    email = models.EmailField(_("이메일"), unique=True, null=True, blank=True)
    name = models.CharField(_("이름"), max_length=100, blank=True)
    is_staff = models.BooleanField(_("관리자 화면 접근"), default=False)
    is_active = models.BooleanField(_("활성"), default=True)
    date_joined = models.DateTimeField(_("가입일"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("사용자")
        verbose_name_plural = _("사용자")

    def __str__(self) -> str:
        return self.name or self.email or f"user-{self.pk}"

    @property
    def is_owner(self) -> bool:
        return self.groups.filter(name=OWNERS_GROUP).exists()
