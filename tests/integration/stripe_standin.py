"""A local stand-in for the part of Stripe's API Parity uses, speaking Stripe's documented wire format:

* POST /v1/payment_intents, form-encoded (amount, currency, metadata[...], automatic_payment_methods[...]),
  authenticated by "Authorization: Bearer <secret key>", with Stripe's Idempotency-Key semantics (the same
  key and parameters return the first object again; the same key with other parameters is a 400
  idempotency_error). Answers a PaymentIntent object (id pi_..., client_secret pi_..._secret_..., status
  requires_payment_method).
* Webhook deliveries the way Stripe signs them: Stripe-Signature "t=<unix time>,v1=<hex HMAC-SHA256 of
  '<t>.<body>' keyed with the endpoint's signing secret>" (https://docs.stripe.com/webhooks#verify-manually).

Used in-process by the integration tests (StripeStandIn, signed_delivery) and as a program by the e2e run:
  python3 stripe_standin.py PORT SECRET_KEY
"""
import hashlib
import hmac
import http.server
import json
import secrets
import sys
import threading
import time
import urllib.parse


def sign(secret, body, t=None):
    """The Stripe-Signature header for body (bytes) at time t."""
    t = int(time.time()) if t is None else t
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def succeeded_event(payment_intent, amount, event_id=None, currency="usd", user_id=None):
    """A payment_intent.succeeded Event as Stripe sends it (the fields Parity reads, and a few more)."""
    return {
        "id": event_id or f"evt_{secrets.token_hex(12)}",
        "object": "event",
        "api_version": "2024-06-20",
        "created": int(time.time()),
        "livemode": False,
        "type": "payment_intent.succeeded",
        "data": {"object": {"id": payment_intent, "object": "payment_intent", "amount": amount,
                            "amount_received": amount, "currency": currency, "status": "succeeded",
                            "metadata": {"user_id": str(user_id)} if user_id is not None else {}}},
    }


def signed_delivery(secret, event, t=None):
    """(body bytes, headers) of a webhook delivery of event, signed with secret at time t."""
    body = json.dumps(event, separators=(",", ":")).encode()
    return body, {"Content-Type": "application/json; charset=utf-8", "Stripe-Signature": sign(secret, body, t)}


class StripeStandIn:
    """The stand-in server on 127.0.0.1 (port 0: any free one); .url is what STRIPE_API_BASE takes."""

    def __init__(self, secret_key, port=0):
        self.secret_key = secret_key
        self.requests = []  # (headers dict, form dict of lists) of every POST /v1/payment_intents
        self.intents = {}
        self._idem = {}
        self._lock = threading.Lock()
        standin = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", f"req_{secrets.token_hex(7)}")
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                status, body = standin.handle(self.path, dict(self.headers.items()), raw)
                self.answer(status, body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def handle(self, path, headers, raw):
        if headers.get("Authorization") != f"Bearer {self.secret_key}":
            return 401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key provided"}}
        if path != "/v1/payment_intents":
            return 404, {"error": {"type": "invalid_request_error", "message": f"Unrecognized request URL {path}"}}
        form = urllib.parse.parse_qs(raw, keep_blank_values=True, strict_parsing=True)
        with self._lock:
            self.requests.append((headers, form))
            key = headers.get("Idempotency-Key")
            if key and key in self._idem:
                first_raw, first = self._idem[key]
                if first_raw != raw:
                    return 400, {"error": {"type": "idempotency_error",
                                           "message": "Keys for idempotent requests can only be used with the same "
                                                      "parameters they were first used with."}}
                return 200, first
            amount = form.get("amount", [""])[0]
            if not amount.isdigit() or int(amount) < 50:
                return 400, {"error": {"type": "invalid_request_error", "code": "amount_too_small",
                                       "message": "Amount must be at least $0.50 usd"}}
            pi = f"pi_{secrets.token_hex(12)}"
            intent = {"id": pi, "object": "payment_intent", "amount": int(amount),
                      "currency": form.get("currency", [""])[0], "status": "requires_payment_method",
                      "client_secret": f"{pi}_secret_{secrets.token_hex(12)}", "livemode": False,
                      "metadata": {k[len("metadata["):-1]: v[0] for k, v in form.items() if k.startswith("metadata[")}}
            self.intents[pi] = intent
            if key:
                self._idem[key] = (raw, intent)
            return 200, intent

    def start(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


if __name__ == "__main__":
    standin = StripeStandIn(sys.argv[2], int(sys.argv[1]))
    print(standin.url, flush=True)
    standin.server.serve_forever()
