"""One module per rule kind behind `base.Rule`; `registry.RULES` names them."""
