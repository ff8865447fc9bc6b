"""Masking of personal numbers (NIK, no. KK) wherever they are shown or exported.

A NIK is sensitive data under UU 27/2022 (PDP). The wilayah prefix (six
digits) and the last four digits stay visible so staff can tell records
apart; the birth-date part in between is hidden behind a fixed run of eight
asterisks, so the mask does not even tell the length: ``647104********0001``.
"""

MASK_CHAR = "*"
MASK = MASK_CHAR * 8


def mask_number(value: str | None) -> str:
    if not value:
        return ""
    value = str(value)
    if len(value) <= 10:
        return MASK_CHAR * len(value)
    return value[:6] + MASK + value[-4:]


def mask_nik(value: str | None) -> str:
    return mask_number(value)


def mask_no_kk(value: str | None) -> str:
    return mask_number(value)
