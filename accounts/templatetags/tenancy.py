from django import template

register = template.Library()


@register.filter
def can(membership, capability: str) -> bool:
    """`{% if membership|can:"members.manage" %}`: templates hide what the role cannot do."""
    return membership is not None and membership.can(capability)
