"""The cascade as a file (`?export=csv|xlsx`, accounts/exports.py): one row per objective of the tree the
page shows (same period and filters), with its progress, the time elapsed and its risk."""

from __future__ import annotations

from django.utils.translation import gettext as _

from objectives.selectors import Tree


def cascade_table(tree: Tree) -> tuple[list[str], list[list]]:
    header = [_("Level"), _("Objective"), _("Parent objective"), _("Kind"), _("Owner"), _("Acting as"), _("Start"),
              _("End"), _("Status"), _("Progress (%)"), _("Time elapsed (%)"), _("Risk score"), _("Risk"),
              _("Last check-in"), _("Confidence"), _("Key results")]
    rows = []
    for node in tree.all():
        o = node.objective
        parent = tree.nodes.get(o.parent_id) if o.parent_id else None  # from the tree: no query per row
        rows.append([
            node.depth + 1, o.title, parent.objective.title if parent else "", o.get_kind_display(),
            str(o.owner.user) if o.owner_id and o.owner else "", o.get_owner_role_display(), o.period_start,
            o.period_end, o.get_status_display(), node.progress_pct, node.elapsed_pct,
            node.risk.score if node.risk else None, node.risk.label if node.risk else "",
            node.last_check_in_date, node.last_confidence or (node.last_score if node.last_score is not None else ""),
            len(node.key_results),
        ])
    return header, rows
