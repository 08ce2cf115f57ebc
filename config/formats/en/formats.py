"""English dates as Europeans read them (1 Dec 2026, 01/12/2026 21:55), never the US month-first order:
Pilotage's English readers work with French companies. Numbers keep Django's English formats."""

from django.conf.locale.en_GB.formats import *  # the British formats, whole

# A 24-hour clock, as on the French side of the product.
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
