"""A small local stand-in for the parts of Stripe's HTTP API Innkeep calls.

Same paths, form-encoded parameters, JSON shapes and idempotency-key behaviour as Stripe's
API reference (PaymentIntents create/retrieve/list/capture/cancel, off-session
PaymentIntents confirmed at creation, Customers create, SetupIntents create/retrieve,
Refunds create), run on 127.0.0.1 in a thread; the SDK reaches it through
``INNKEEP_STRIPE_API_BASE``. Tests play the guest's browser with `authorise` (choosing a
test card, whose behaviour off-session is Stripe's: `CARDS`), `authenticate` and
`confirm_setup`, and inject faults with `delay_next` and `set`. A browser's fake Stripe.js
(`widget.testing.fake_stripe`) confirms an intent with a card as Stripe.js does
(``POST /v1/payment_intents/{id}/confirm``, the client secret as credential), and answers
the bank's check on ``…/authenticate`` (the stand-in's own 3-D Secure page).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import stripe


def _form(body: str) -> dict[str, Any]:
    """Stripe's form encoding: ``metadata[hold_id]=x`` is ``{"metadata": {"hold_id": "x"}}``."""
    out: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        if "[" in key:
            outer, inner = key.split("[", 1)
            out.setdefault(outer, {})[inner.rstrip("]")] = value
        else:
            out[key] = value
    return out


@dataclass
class Call:
    method: str
    path: str
    params: dict[str, Any]
    idempotency_key: str | None


#: Stripe's test payment methods and what charging them off-session does: None succeeds,
#: else (HTTP status, error code, decline code, the intent's status afterwards).
CARDS: dict[str, tuple[int, str, str, str] | None] = {
    "pm_card_visa": None,
    "pm_card_chargeDeclined": (402, "card_declined", "generic_decline", "requires_payment_method"),
    "pm_card_chargeDeclinedInsufficientFunds": (
        402,
        "card_declined",
        "insufficient_funds",
        "requires_payment_method",
    ),
    "pm_card_authenticationRequired": (
        402,
        "authentication_required",
        "authentication_required",
        "requires_action",
    ),
}


@dataclass
class StripeStandIn:
    intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    setup_intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    _replies: dict[str, tuple[str, int, dict[str, Any]]] = field(default_factory=dict)
    _delays: list[tuple[str, float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    # ---- what the tests do -------------------------------------------------------------
    def authorise(self, intent_id: str, card: str = "pm_card_visa") -> None:
        """The guest's ``card`` is accepted by the Payment Element (3-D Secure passed); an
        intent with ``setup_future_usage`` leaves it saved on its customer."""
        with self.lock:
            intent = self.intents[intent_id]
            intent["status"] = "requires_capture"
            intent["amount_capturable"] = intent["amount"]
            intent["payment_method"] = card

    def authenticate(self, intent_id: str) -> None:
        """The guest passed their bank's check for an off-session payment on our link."""
        with self.lock:
            intent = self.intents[intent_id]
            assert intent["status"] == "requires_action", intent["status"]
            intent.update(status="succeeded", amount_received=intent["amount"])

    def confirm_setup(self, setup_id: str, card: str = "pm_card_visa") -> None:
        """The guest saved ``card`` through a SetupIntent (nothing charged)."""
        with self.lock:
            self.setup_intents[setup_id].update(status="succeeded", payment_method=card)

    def set(self, intent_id: str, **changes: Any) -> None:
        with self.lock:
            self.intents[intent_id].update(changes)

    def delay_next(self, path: str, seconds: float) -> None:
        """Answer the next call to ``path`` only after ``seconds`` (its work is done at once,
        as when Stripe did it but the answer was lost in a timeout)."""
        self._delays.append((path, seconds))

    def only_intent(self) -> dict[str, Any]:
        assert len(self.intents) == 1, self.intents
        return next(iter(self.intents.values()))

    def calls_to(self, method: str, path: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.path == path]

    def event(self, kind: str, intent_id: str, secret: str) -> tuple[bytes, dict[str, str]]:
        """A webhook event as Stripe would send it, signed with the SDK's own helper."""
        payload = json.dumps(
            {
                "id": "evt_" + secrets.token_hex(12),
                "object": "event",
                "api_version": "2025-01-27.acacia",
                "created": int(time.time()),
                "livemode": False,
                "type": kind,
                "data": {"object": dict(self.intents[intent_id])},
            }
        )
        header = stripe.WebhookSignature.generate_signature_header(payload, secret)
        return payload.encode(), {"Stripe-Signature": header, "Content-Type": "application/json"}

    # ---- Stripe's side -----------------------------------------------------------------
    def handle(
        self, method: str, path: str, params: dict[str, Any], key: str | None
    ) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.calls.append(Call(method, path, params, key))
            if key and method == "POST":
                seen = self._replies.get(key)
                if seen is not None:
                    if seen[0] != json.dumps(params, sort_keys=True) + path:
                        return 400, _error(
                            "idempotency_error",
                            "Keys for idempotent requests "
                            "can only be used with the same parameters.",
                        )
                    return seen[1], seen[2]
            status, body = self._route(method, path, params)
            if key and method == "POST":
                self._replies[key] = (json.dumps(params, sort_keys=True) + path, status, body)
            return status, body

    def _route(self, method: str, path: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        parts = path.strip("/").split("/")
        if parts[:2] == ["v1", "payment_intents"]:
            if len(parts) == 2 and method == "POST":
                created = self._create(params)
                if params.get("confirm") == "true":
                    return self._off_session(self.intents[created["id"]])
                return 200, created
            if len(parts) == 2 and method == "GET":
                if not 1 <= int(params.get("limit", 10)) <= 100:  # Stripe refuses larger pages
                    return 400, _error("parameter_invalid_integer", "limit must be 1 to 100.")
                return 200, self._list(params)
            intent = self.intents.get(parts[2]) if len(parts) > 2 else None
            if intent is None:
                return 404, _error("resource_missing", f"No such payment_intent: '{parts[-1]}'")
            if len(parts) == 3 and method == "GET":
                return 200, dict(intent)
            if len(parts) == 4 and parts[3] == "confirm":
                return self._confirm_on_session(intent, params)
            if len(parts) == 4 and parts[3] == "authenticate":
                return self._authenticate_on_session(intent, params)
            if len(parts) == 4 and parts[3] == "capture":
                if intent["status"] != "requires_capture":
                    return 400, _unexpected(intent, "capture")
                intent.update(
                    status="succeeded", amount_received=intent["amount"], amount_capturable=0
                )
                return 200, dict(intent)
            if len(parts) == 4 and parts[3] == "cancel":
                if intent["status"] in ("succeeded", "canceled"):
                    return 400, _unexpected(intent, "cancel")
                intent.update(
                    status="canceled",
                    amount_capturable=0,
                    cancellation_reason="requested_by_customer",
                )
                return 200, dict(intent)
        if parts == ["v1", "customers"] and method == "POST":
            customer = {
                "id": "cus_" + secrets.token_hex(12),
                "object": "customer",
                "name": params.get("name"),
                "email": params.get("email"),
                "metadata": params.get("metadata", {}),
            }
            self.customers[customer["id"]] = customer
            return 200, dict(customer)
        if parts[:2] == ["v1", "setup_intents"]:
            return self._setup(method, parts, params)
        if parts == ["v1", "refunds"] and method == "POST":
            intent = self.intents.get(params.get("payment_intent", ""))
            if intent is None or intent["status"] != "succeeded":
                return 400, _error("charge_not_refundable", "This payment cannot be refunded.")
            refund = {
                "id": "re_" + secrets.token_hex(12),
                "object": "refund",
                "amount": int(params.get("amount", intent["amount_received"])),
                "currency": intent["currency"],
                "payment_intent": intent["id"],
                "status": "succeeded",
            }
            self.refunds[refund["id"]] = refund
            return 200, refund
        return 404, _error("resource_missing", f"Unrecognized request URL ({method}: {path}).")

    def _setup(
        self, method: str, parts: list[str], params: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        if len(parts) == 2 and method == "POST":
            setup_id = "seti_" + secrets.token_hex(12)
            setup = {
                "id": setup_id,
                "object": "setup_intent",
                "customer": params.get("customer"),
                "usage": params.get("usage", "off_session"),
                "payment_method": None,
                "client_secret": f"{setup_id}_secret_{secrets.token_hex(8)}",
                "metadata": params.get("metadata", {}),
                "status": "requires_payment_method",
            }
            self.setup_intents[setup_id] = setup
            return 200, dict(setup)
        setup = self.setup_intents.get(parts[2]) if len(parts) > 2 else None
        if setup is None:
            return 404, _error("resource_missing", "No such setup_intent")
        if len(parts) == 4 and parts[3] == "confirm" and method == "POST":
            if params.get("client_secret") != setup["client_secret"]:
                return 404, _error("resource_missing", "No such setup_intent")
            setup.update(status="succeeded", payment_method=params.get("payment_method"))
        return 200, dict(setup)

    def _off_session(self, intent: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Confirm an off-session intent at creation with its saved card, as Stripe does."""
        outcome = CARDS.get(intent.get("payment_method") or "", CARDS["pm_card_chargeDeclined"])
        if outcome is None:
            intent.update(status="succeeded", amount_received=intent["amount"])
            return 200, dict(intent)
        status, code, decline, after = outcome
        intent["status"] = after
        error = _error(code, "Your card was declined.")
        error["error"].update(type="card_error", decline_code=decline, payment_intent=dict(intent))
        return status, error

    def _confirm_on_session(
        self, intent: dict[str, Any], params: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        """What Stripe.js asks with the guest's card (``payment_method``) and the intent's
        ``client_secret``: authorised, declined (402, the intent waits for another card),
        or waiting for the bank's check (``requires_action``)."""
        if params.get("client_secret") != intent["client_secret"]:
            return 404, _error("resource_missing", f"No such payment_intent: '{intent['id']}'")
        if intent["status"] not in ("requires_payment_method", "requires_action"):
            return 400, _unexpected(intent, "confirm")
        card = params.get("payment_method") or ""
        outcome = CARDS.get(card, CARDS["pm_card_chargeDeclined"])
        intent["payment_method"] = card
        if outcome is None:
            return 200, self._authorised(intent)
        status, code, decline, after = outcome
        if after == "requires_action":  # on session, the guest is asked by their bank
            intent.update(status="requires_action", next_action={"type": "use_stripe_sdk"})
            return 200, dict(intent)
        intent.update(status=after, last_payment_error={"code": code, "decline_code": decline})
        error = _error(code, "Your card was declined.")
        error["error"].update(type="card_error", decline_code=decline, payment_intent=dict(intent))
        return status, error

    def _authenticate_on_session(
        self, intent: dict[str, Any], params: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        """The stand-in's 3-D Secure page (what Stripe's test page does): ``passed`` true
        authorises the intent, false leaves it waiting for another card."""
        if params.get("client_secret") != intent["client_secret"]:
            return 404, _error("resource_missing", f"No such payment_intent: '{intent['id']}'")
        if intent["status"] != "requires_action":
            return 400, _unexpected(intent, "authenticate")
        intent.pop("next_action", None)
        if params.get("passed") == "true":
            return 200, self._authorised(intent)
        failure = {"code": "payment_intent_authentication_failure"}
        intent.update(status="requires_payment_method", last_payment_error=failure)
        return 200, dict(intent)

    def _authorised(self, intent: dict[str, Any]) -> dict[str, Any]:
        if intent["capture_method"] == "manual":
            intent.update(status="requires_capture", amount_capturable=intent["amount"])
        else:
            intent.update(status="succeeded", amount_received=intent["amount"])
        return dict(intent)

    def _create(self, params: dict[str, Any]) -> dict[str, Any]:
        intent_id = "pi_" + secrets.token_hex(12)
        intent = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": int(params["amount"]),
            "amount_capturable": 0,
            "amount_received": 0,
            "capture_method": params.get("capture_method", "automatic_async"),
            "client_secret": f"{intent_id}_secret_{secrets.token_hex(8)}",
            "currency": params["currency"],
            "description": params.get("description"),
            "metadata": params.get("metadata", {}),
            "automatic_payment_methods": params.get("automatic_payment_methods"),
            "livemode": False,
            "created": int(time.time()),
            "status": "requires_payment_method",
            "customer": params.get("customer"),
            "payment_method": params.get("payment_method"),
            "setup_future_usage": params.get("setup_future_usage"),
            "off_session": params.get("off_session") == "true",
        }
        self.intents[intent_id] = intent
        return dict(intent)

    def _list(self, params: dict[str, Any]) -> dict[str, Any]:
        """Newest first, filtered by ``created[gte|gt|lte|lt]``, paged as Stripe pages: at
        most ``limit`` after the object ``starting_after`` names, ``has_more`` when more
        follow (ties in ``created`` stay in the order they were made)."""
        created = params.get("created", {})
        bounds = {op: int(created[op]) for op in ("gte", "gt", "lte", "lt") if op in created}
        tests = {
            "gte": lambda t, b: t >= b,
            "gt": lambda t, b: t > b,
            "lte": lambda t, b: t <= b,
            "lt": lambda t, b: t < b,
        }
        newest_first = list(reversed(self.intents.values()))  # created never decreases
        found = [
            intent
            for intent in newest_first
            if all(tests[op](intent["created"], bound) for op, bound in bounds.items())
        ]
        after = params.get("starting_after")
        if after:
            ids = [intent["id"] for intent in found]
            found = found[ids.index(after) + 1 :] if after in ids else []
        limit = int(params.get("limit", 10))
        return {
            "object": "list",
            "url": "/v1/payment_intents",
            "has_more": len(found) > limit,
            "data": [dict(intent) for intent in found[:limit]],
        }

    def delay_for(self, path: str) -> float:
        with self.lock:
            for i, (prefix, seconds) in enumerate(self._delays):
                if path.startswith(prefix):
                    del self._delays[i]
                    return seconds
        return 0.0


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"type": "invalid_request_error", "code": code, "message": message}}


def _unexpected(intent: dict[str, Any], action: str) -> dict[str, Any]:
    return _error(
        "payment_intent_unexpected_state",
        f"This PaymentIntent could not be {action}d because it has a status of {intent['status']}.",
    )


def start(standin: StripeStandIn) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else parts.query
            status, answer = standin.handle(
                self.command, parts.path, _form(body), self.headers.get("Idempotency-Key")
            )
            delay = standin.delay_for(parts.path)
            if delay:
                time.sleep(delay)
            data = json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", "req_" + secrets.token_hex(8))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting: the timeout the test wanted

        do_GET = do_POST = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    standin.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
