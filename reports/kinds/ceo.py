from django.utils.translation import gettext_lazy as _

from reports.kinds.base import DigestKind

KIND = DigestKind(key="ceo", title=_("CEO synthesis"), role="ceo", also_drawn=("net_cash",))
