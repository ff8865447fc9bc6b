"""Dates as Indonesians write them: "04 Desember 2026", "04-12-2026"; day first always.

Times as "19.05" (a dot, 24 hours) and a date with a time carries its zone:
"04 Desember 2026 19.05 WITA" (``T`` is the zone of the shown time,
``TIME_ZONE`` = Asia/Makassar), so no template appends "WITA" by hand.

Django's own ``id`` formats also accept month-first input (``10/25/2009``),
which would silently swap day and month in a kelurahan's data; this module
keeps only day-first formats.
"""

DATE_FORMAT = "d F Y"
DATETIME_FORMAT = "d F Y H.i T"
TIME_FORMAT = "H.i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d-m-Y"
SHORT_DATETIME_FORMAT = "d-m-Y H.i T"
FIRST_DAY_OF_WEEK = 1

DATE_INPUT_FORMATS = ["%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d", "%d-%m-%y", "%d/%m/%y"]
TIME_INPUT_FORMATS = ["%H.%M.%S", "%H.%M", "%H:%M:%S", "%H:%M"]
DATETIME_INPUT_FORMATS = [
    "%d-%m-%Y %H.%M.%S",
    "%d-%m-%Y %H.%M",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d/%m/%Y %H.%M",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
