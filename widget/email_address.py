"""E-mail addresses: one rule for the guest's address at checkout and the owner's contact
address in the property file, so that every address we store can also be written into an
e-mail header.

The rule is the maintained `email-validator` package's, without DNS lookups (a booking must
not depend on the guest's mail server answering): no whitespace or control characters
anywhere, a domain with a dot, and an ASCII part before the @ (most mail servers cannot
deliver to anything else); an internationalised domain is allowed and sent in its ASCII form.
"""

from __future__ import annotations

from email.headerregistry import Address
from email.policy import default

from email_validator import EmailNotValidError, ValidatedEmail, validate_email

#: RFC 5321's limit on a forward path, which `email-validator` also applies.
MAX_LENGTH = 254


class InvalidEmail(ValueError):
    """Not an address we can send to; the message says why, for people."""


def _validated(raw: str) -> ValidatedEmail:
    try:
        return validate_email(raw, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise InvalidEmail(str(exc)) from None


def email_address(raw: str) -> str:
    """``'Anna@Example.COM'`` → ``'Anna@example.com'``: the address to store, normalised
    (the domain is case-blind); `InvalidEmail` if it is not one."""
    return _validated(raw).normalized


def header_address(raw: str) -> Address:
    """The address as an e-mail header holds it: an `Address` (the e-mail package writes
    the header), its domain in ASCII; `InvalidEmail` if it is not one."""
    local, _, domain = str(_validated(raw).ascii_email).rpartition("@")
    return Address(username=local, domain=domain)


def mailbox(raw: str) -> Address:
    """``'Casa Lanterna <b@casa.example>'`` or ``'b@casa.example'`` → one `Address`, as the
    e-mail package parses it; `InvalidEmail` unless it is exactly one mailbox on one line.

    For the deployment's own sender (``INNKEEP_MAIL_FROM``), which may use a reserved domain
    (the default, ``bookings@innkeep.invalid``, does): the guest's and the owner's addresses
    go through `email_address`."""
    if "\r" in raw or "\n" in raw:
        raise InvalidEmail("it must be on one line")
    header = default.header_factory("From", raw)
    addresses: tuple[Address, ...] = getattr(header, "addresses", ())
    if header.defects or len(addresses) != 1 or not addresses[0].domain:
        raise InvalidEmail("it must be one address, like 'Casa Lanterna <b@casa.example>'")
    found = addresses[0]
    try:  # a header holds the domain in ASCII
        domain = found.domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidEmail(f"{found.domain!r} is not a domain name") from None
    return Address(found.display_name, found.username, domain)
