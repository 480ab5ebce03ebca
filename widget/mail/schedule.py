"""A booking's payment schedule in the guest's words, for its e-mails and its manage page:
what was paid at booking, and the balance (when it is charged, that it is paid, or that it
waits for the guest), or that the card is only kept as a guarantee."""

from __future__ import annotations

from engine import Quote
from widget.mail.formats import long_date
from widget.mail.formats import money as _money
from widget.rows import BalanceRow, PaymentTermsRow, StayMoney, stay_money

#: A balance that waits for the guest (their bank's check, or another card).
_WAITING = ("requires_action", "balance_due")


def schedule_lines(
    words: dict[str, str],
    language: str,
    currency: str,
    quote: Quote,
    terms: PaymentTermsRow | None,
    balance: BalanceRow | None = None,
    money: StayMoney | None = None,
) -> list[str]:
    """The schedule's lines; none for a stay paid in full at booking (the "paid" line says
    it all). ``balance`` is the balance as it stands now (without it, as the quote planned);
    ``money`` a group's rooms together (else the one ``quote``'s)."""
    if quote.pay_at_property and (money is None or money.due_now == 0):
        # All at the property (a group's first room may be paid there and the rest online).
        return [words["guarantee"]] if terms is not None and terms.card_guarantee else []
    whole = money or stay_money(quote, None)
    if whole.balance <= 0 or whole.balance_due is None:
        return []
    lines = [words["deposit_paid"].format(amount=_money(whole.due_now, currency, language))]
    status = balance.status if balance else "scheduled"
    amount = _money(balance.amount if balance else whole.balance, currency, language)
    if status == "succeeded":
        lines.append(words["balance_paid"].format(amount=amount))
    elif status in _WAITING:
        lines.append(words["balance_waiting"].format(amount=amount))
    elif status == "scheduled":
        due = balance.due_on if balance else whole.balance_due
        lines.append(words["balance_on"].format(amount=amount, date=long_date(due, language)))
    return lines
