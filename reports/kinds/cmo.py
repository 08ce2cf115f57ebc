from django.utils.translation import gettext_lazy as _

from reports.kinds.base import DigestKind

KIND = DigestKind(key="cmo", title=_("CMO marketing"), role="cmo", also_drawn=("cost_per_lead",))
