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

# Django: "sandi" on the password pages, "kata sandi" on the login page and in
# Lapor RT's own forms; one word for one thing, the standard "kata sandi".
gettext_noop("Change password")
gettext_noop("Password change")
gettext_noop(
    "Please enter your old password, for security’s sake, and then enter your new "
    "password twice so we can verify you typed it in correctly."
)
gettext_noop("Change my password")
gettext_noop("Old password")
gettext_noop("Your old password was entered incorrectly. Please enter it again.")
gettext_noop("The two password fields didn’t match.")
gettext_noop("Password change successful")
gettext_noop("Your password was changed.")
gettext_noop("Enter the same password as before, for verification.")
# Django: "Sandi anda ..." (lower-case "anda"; "sandi").
gettext_noop("Your password can’t be too similar to your other personal information.")
gettext_noop("Your password can’t be a commonly used password.")
gettext_noop("Your password can’t be entirely numeric.")
# Django: the action bar's button "Run" reads "Berjalan" ("running"); it is an order.
gettext_noop("Run")
