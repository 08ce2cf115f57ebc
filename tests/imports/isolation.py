"""How the route walkers make the objects the imports routes name."""

from imports.models import ImportRun


def _run_id(org):
    return ImportRun.objects.create(organization=org, kind="orders", file_name="walker.csv", file_sha256="0" * 64,
                                    content=b"number;placed_at;amount_excl_tax\r\nA-1;2026-03-01;10\r\n",
                                    header=["number", "placed_at", "amount_excl_tax"], rows_total=1,
                                    rows_rejected=1, state=ImportRun.State.INVALID,
                                    mapping={"number": "number", "placed_at": "placed_at",
                                             "amount_excl_tax": "amount_excl_tax"}).pk


URL_KWARG_FACTORIES = {
    "run_id": _run_id,
}
