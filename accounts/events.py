"""What accounts announces to the apps above it (they subscribe in their `AppConfig.ready()`).

`organization_created(org)` is sent inside the creating transaction, so what a subscriber writes
(the KPI catalogue) commits or rolls back with the company itself.
"""

from django.dispatch import Signal

organization_created = Signal()  # sender=Organization, org=<Organization>
