from django import template

from apps.core.korean import with_particle as _with_particle

register = template.Library()


@register.filter(name="with_particle")
def with_particle(word, pair: str) -> str:
    """`{{ name|with_particle:"을/를" }}`: the name and its particle (Korean only)."""
    return _with_particle(str(word), pair)
