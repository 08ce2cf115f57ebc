"""The cascade as rows to draw: the tree flattened depth first, iteratively, with what each row opens and closes.

The template draws one loop over these rows (no include per objective), so a deep or wide cascade costs
the same template work per objective, and nesting stays real HTML (`<details>` inside `<li>`), which is
what makes it collapsible without JavaScript and readable by assistive technology.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import Membership
from objectives.selectors import ObjectiveNode, Tree

# strategic → financial → operational/commercial → action plans
LEVELS = 4


@dataclass
class CascadeRow:
    node: ObjectiveNode
    depth: int
    has_children: bool
    is_open: bool  # its sub-objectives are shown expanded
    closes: range  # how many levels end after this row (iterated by the template)
    is_mine: bool  # owned by the member reading
    on_my_branch: bool  # the member's own objective, one of its ancestors or one of its descendants
    show_plans: bool


def expand_depth_for(requested: str | None) -> int:
    """`?depth=0…4` as asked (0: only the member's own branch open); else the whole cascade, action plans
    included. The member's branch is open at every level, marked, and the page brings it into view."""
    if requested and requested.isdigit() and 0 <= int(requested) <= LEVELS:
        return int(requested)
    return LEVELS


def cascade_rows(tree: Tree, *, membership: Membership, depth: int) -> list[CascadeRow]:
    """Depth-first rows. `depth` = 0: open only along the member's own branch; 1–4: open down to that level
    (4 also shows action plans), the member's branch opened whatever the level."""
    mine = {n.objective.pk for n in tree.all() if n.objective.owner_id == membership.pk}
    branch = set(mine)
    parent_of = {}
    for n in tree.all():
        for c in n.children:
            parent_of[c.objective.pk] = n.objective.pk
    for pk in mine:  # ancestors of the member's objectives
        while pk in parent_of:
            pk = parent_of[pk]
            branch.add(pk)
    descendants = []
    stack = [n for n in tree.all() if n.objective.pk in mine]
    while stack:
        n = stack.pop()
        for c in n.children:
            descendants.append(c.objective.pk)
            stack.append(c)
    branch.update(descendants)

    rows: list[CascadeRow] = []
    stack: list[tuple[ObjectiveNode, int]] = [(n, 0) for n in reversed(tree.roots)]
    while stack:
        node, level = stack.pop()
        pk = node.objective.pk
        on_branch = pk in branch
        is_open = bool(node.children) and (level + 1 < depth or on_branch)
        rows.append(CascadeRow(node=node, depth=level, has_children=bool(node.children), is_open=is_open,
                               closes=range(0), is_mine=pk in mine, on_my_branch=on_branch,
                               show_plans=depth >= LEVELS or on_branch))
        stack.extend((c, level + 1) for c in reversed(node.children))
    # A row closes the levels between it and the next row (and all of them at the end).
    for i, row in enumerate(rows):
        next_depth = rows[i + 1].depth if i + 1 < len(rows) else 0
        if not row.has_children:
            row.closes = range(row.depth - next_depth)
    return rows
