from django.utils.translation import gettext_lazy as _

from reports.kinds.base import DigestKind

KIND = DigestKind(key="cxo", title=_("CXO customer experience"), role="cxo", also_drawn=("nps", "return_rate"))
