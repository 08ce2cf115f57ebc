from django.utils.translation import gettext_lazy as _

from reports.kinds.base import DigestKind

KIND = DigestKind(key="coo", title=_("COO operations"), role="coo", also_drawn=("return_rate",))
