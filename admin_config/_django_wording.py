"""Django strings whose Indonesian in Django's own catalogues reads wrong.

``admin_config`` comes before Django's admin in ``INSTALLED_APPS``, so the
Indonesian of these msgids in ``admin_config/locale`` wins over Django's.
This module is never imported; it only keeps the msgids in the catalogue when
``makemessages`` runs here (an msgid absent from the sources would be
dropped as obsolete). Each entry says what was wrong.
"""

from django.utils.translation import gettext_noop, ngettext

# Django: "Masukkan nama pengguna %(username)s ..." says "nama pengguna" twice,
# because %(username)s is already the field's name.
gettext_noop(
    "Please enter the correct %(username)s and password for a staff "
    "account. Note that both fields may be case-sensitive."
)

# Django: "dibawah" (the preposition "di" is written apart).
ngettext("Please correct the error below.", "Please correct the errors below.", 1)
