from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.filter
def split_words(text: str) -> list[str]:
    return text.split()


@register.simple_tag(takes_context=True)
def sort_link(context, key: str, label: str):
    """A column header that sorts the table by `key`, and again in reverse when it already does."""
    request = context["request"]
    current = context.get("sort", "name")
    query = request.GET.copy()
    query["sort"] = f"-{key}" if current == key else key
    state = ""
    if current.lstrip("-") == key:
        state = "descending" if current.startswith("-") else "ascending"
    if state:
        return format_html('<a href="?{}" class="sorted sorted-{}" title="{}">{} {}</a>', query.urlencode(), state,
                           _("Sorted, click to reverse"), label, "▼" if state == "descending" else "▲")
    return format_html('<a href="?{}">{}</a>', query.urlencode(), label)


@register.filter
def benchmark_value(value, unit: str) -> str:
    from portfolio.presenters import format_benchmark

    return format_benchmark(value, unit)
