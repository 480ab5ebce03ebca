"""The payment provider's idempotency keys: made in one module, and the same texts as every
earlier release sent (a retry across an upgrade must meet the provider's first answer)."""

from __future__ import annotations

import re
from pathlib import Path
from uuid import UUID

from widget.payments import keys

HOLD = UUID("8d6f2a5e-0000-4000-8000-000000000001")


def test_each_operation_keeps_the_key_earlier_releases_sent() -> None:
    assert keys.authorise_key(HOLD) == f"innkeep-{HOLD}-authorise"
    assert keys.capture_key(HOLD) == f"innkeep-{HOLD}-capture"
    assert keys.cancel_key(HOLD) == f"innkeep-{HOLD}-cancel"
    assert keys.refund_taken_key(HOLD) == f"innkeep-{HOLD}-refund"
    assert keys.cancellation_refund_key(HOLD) == f"innkeep-{HOLD}-cancel-refund"
    assert keys.orphan_cancel_key("pi_1") == "innkeep-pi_1-orphan"


def test_no_other_module_builds_a_provider_key() -> None:
    service = Path(keys.__file__).parents[1]
    inline = re.compile(r"""f["']innkeep-\{""")
    found = [
        str(path.relative_to(service))
        for path in service.rglob("*.py")
        if path.name != "keys.py" and inline.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
