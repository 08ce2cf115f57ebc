from django.utils.translation import gettext_lazy as _

from reports.kinds.base import DigestKind

KIND = DigestKind(key="cro", title=_("CRO revenue"), role="cro", also_drawn=("revenue",))
