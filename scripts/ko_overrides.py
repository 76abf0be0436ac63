"""Writes locale/ko/LC_MESSAGES/django.po: Korean overrides of Django's admin and allauth strings.

Their own Korean catalogs put a particle after a name they cannot know ("%(name)s 으로 로그인",
"보기위한 1%s 를(을) 선택", "뷰 %s"). LOCALE_PATHS is searched before the apps' catalogs, so these
msgstrs win. Each is reworded so that no particle follows a placeholder. Run it after editing the
table below, then compile: `msgfmt -o locale/ko/LC_MESSAGES/django.mo locale/ko/LC_MESSAGES/django.po`.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "ko" / "LC_MESSAGES" / "django.po"

# msgid → Korean (a tuple for msgid_plural entries: Korean has one form).
OVERRIDES: dict[str, str] = {
    # Django admin
    "Django site admin": "CloudPOS 관리",
    "Django administration": "CloudPOS 관리",
    "Site administration": "오늘",
    "Select %s to view": "볼 %s 선택",
    "Select %s to change": "고칠 %s 선택",
    "View %s": "%s 보기",
    "Delete selected %(verbose_name_plural)s": "선택한 %(verbose_name_plural)s 삭제",
    "Successfully deleted %(count)d %(items)s.": "%(items)s %(count)d개를 삭제했습니다.",
    "The %(name)s “%(obj)s” was deleted successfully.": "%(name)s “%(obj)s” 항목을 삭제했습니다.",
    "%(name)s with ID “%(key)s” doesn’t exist. Perhaps it was deleted?": (
        "ID가 “%(key)s”인 %(name)s 항목이 없습니다. 삭제되었을 수 있습니다."
    ),
    "Deleting %(class_name)s %(instance)s would require deleting the following protected related objects: "
    "%(related_objects)s": "%(class_name)s %(instance)s 항목을 삭제하려면 먼저 다음 항목을 삭제해야 합니다: "
    "%(related_objects)s",
    "Deleting the %(object_name)s '%(escaped_object)s' would result in deleting related objects, but your account "
    "doesn't have permission to delete the following types of objects:": "%(object_name)s '%(escaped_object)s' "
    "항목을 삭제하면 관련 항목도 삭제되는데, 다음 종류의 항목을 삭제할 권한이 없습니다:",
    'Are you sure you want to delete the %(object_name)s "%(escaped_object)s"? All of the following related items '
    "will be deleted:": '%(object_name)s "%(escaped_object)s" 항목을 삭제할까요? 다음 관련 항목도 모두 삭제됩니다:',
    "Deleting the selected %(objects_name)s would result in deleting related objects, but your account doesn't "
    "have permission to delete the following types of objects:": "선택한 %(objects_name)s 항목을 삭제하면 관련 "
    "항목도 삭제되는데, 다음 종류의 항목을 삭제할 권한이 없습니다:",
    "Deleting the selected %(objects_name)s would require deleting the following protected related objects:": (
        "선택한 %(objects_name)s 항목을 삭제하려면 먼저 다음 항목을 삭제해야 합니다:"
    ),
    "Are you sure you want to delete the selected %(objects_name)s? All of the following objects and their related "
    "items will be deleted:": "선택한 %(objects_name)s 항목을 삭제할까요? 다음 항목과 관련 항목이 모두 삭제됩니다:",
    " By %(filter_title)s ": " %(filter_title)s 기준 ",
    "You are authenticated as %(username)s, but are not authorized to access this page. Would you like to login "
    "to a different account?": "%(username)s 계정으로 로그인했지만 이 페이지를 볼 권한이 없습니다. 다른 계정으로 "
    "로그인할까요?",
    "The {name} “{obj}” was added successfully.": "{name} “{obj}” 항목을 추가했습니다.",
    "The {name} “{obj}” was added successfully. You may add another {name} below.": (
        "{name} “{obj}” 항목을 추가했습니다. 아래에서 하나 더 추가할 수 있습니다."
    ),
    "The {name} “{obj}” was changed successfully. You may edit it again below.": (
        "{name} “{obj}” 항목을 저장했습니다. 아래에서 계속 고칠 수 있습니다."
    ),
    "The {name} “{obj}” was changed successfully. You may add another {name} below.": (
        "{name} “{obj}” 항목을 저장했습니다. 아래에서 하나 더 추가할 수 있습니다."
    ),
    "The {name} “{obj}” was changed successfully.": "{name} “{obj}” 항목을 저장했습니다.",
    "%(count)s %(name)s was changed successfully.": ("%(name)s %(count)s개를 저장했습니다.",),
    "Action:": "작업:",
    "Run the selected action": "선택한 작업 실행",
    "Items must be selected in order to perform actions on them. No items have been changed.": (
        "작업할 항목을 먼저 선택하세요. 바뀐 항목은 없습니다."
    ),
    "No action selected.": "작업을 선택하지 않았습니다.",
    "Save and add another": "저장하고 하나 더 추가",
    "Save and continue editing": "저장하고 계속 편집",
    "%(name)s object with primary key %(key)r does not exist.": "번호가 %(key)r인 %(name)s 항목이 없습니다.",
    # allauth
    "Successfully signed in as %(name)s.": "로그인했습니다: %(name)s",
    "You are already logged in as %(user_display)s.": "이미 로그인되어 있습니다: %(user_display)s",
    "Confirmation email sent to %(email)s.": "확인 메일을 보냈습니다: %(email)s",
    "Marked {email} as verified.": "인증됨으로 표시했습니다: {email}",
    "Failed to mark {email} as verified.": "인증됨으로 표시하지 못했습니다: {email}",
    "We've sent a code to %(recipient)s. The code expires shortly, so please enter it soon.": (
        "코드를 보냈습니다: %(recipient)s. 코드는 곧 만료되니 바로 입력하세요."
    ),
    "Your email has been changed from %(from_email)s to %(to_email)s.": (
        "이메일 주소가 바뀌었습니다: %(from_email)s → %(to_email)s"
    ),
    "Email address %(deleted_email)s has been removed from your account.": (
        "계정에서 이메일 주소를 삭제했습니다: %(deleted_email)s"
    ),
    "A sign-in code has been sent to %(recipient)s.": "로그인 코드를 보냈습니다: %(recipient)s",
    "A verification code has been sent to %(phone)s.": "인증 코드를 보냈습니다: %(phone)s",
    "You have verified phone number %(phone)s.": "전화번호를 인증했습니다: %(phone)s",
}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def main() -> None:
    out = [
        "# Korean overrides of Django's admin and allauth strings: written by scripts/ko_overrides.py.",
        'msgid ""',
        'msgstr ""',
        '"Project-Id-Version: CloudPOS\\n"',
        '"Language: ko\\n"',
        '"MIME-Version: 1.0\\n"',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        '"Content-Transfer-Encoding: 8bit\\n"',
        '"Plural-Forms: nplurals=1; plural=0;\\n"',
        "",
    ]
    for msgid, msgstr in OVERRIDES.items():
        if "%(" in msgid or "%s" in msgid:
            out.append("#, python-format")
        out.append(f"msgid {_quote(msgid)}")
        if isinstance(msgstr, tuple):
            out.append(f"msgid_plural {_quote(msgid.replace('was changed', 'were changed'))}")
            out.append(f"msgstr[0] {_quote(msgstr[0])}")
        else:
            out.append(f"msgstr {_quote(msgstr)}")
        out.append("")
    PO.write_text("\n".join(out), encoding="utf-8")


if __name__ == "__main__":
    main()
