from django.utils.translation import gettext_lazy as _

from reports.kinds.base import DigestKind

KIND = DigestKind(key="cfo", title=_("CFO costs and margins"), role="cfo", also_drawn=("ebe", "net_cash"),
                  max_figures=10)
