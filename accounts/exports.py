"""What every table a person downloads shares: cells that a spreadsheet would run are neutralised.

ASVS 5.0 1.2.10 (QUALITY.md, "Formula injection"): a text cell starting with `= + - @`, tab, CR
or NUL gets a leading single quote, in CSV and in .xlsx; numbers stay numbers.
"""

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\x00")


def neutralise(value):
    """A text cell starting like a formula gets a leading quote; anything else is returned as it is."""
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value
