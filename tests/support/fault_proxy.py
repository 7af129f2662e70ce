"""A fault-injecting HTTPS proxy in front of the test kube-apiserver, on 127.0.0.1 only.

    fault_proxy.py --upstream https://127.0.0.1:PORT --ca CA.crt --cert CERT --key KEY

It serves HTTPS itself (CERT/KEY: the control plane's apiserver.crt/apiserver.key, so a client
that trusts CA trusts the proxy too), forwards every request (method, path and query, headers
with Authorization, body) to the upstream over TLS, verified with CA, and relays the answer
(status, headers, body). It can answer chosen requests with faults instead. When it accepts
connections it prints one JSON line on stdout:

    {"proxy": "https://127.0.0.1:P1", "control": "http://127.0.0.1:P2"}

It runs until killed, or until its stdin is closed (so it dies with the test that started it).

Control API (JSON over plain HTTP on the control address)
-----------------------------------------------------------
    POST   /rules   a JSON list of rules: replaces the rules (400 with a message if one is wrong)
    GET    /rules   the rules, each with its counters ("seen", "faulted")
    DELETE /rules   no rules: every request passes through
    GET    /log     every request seen so far, in arrival order:
                    [{"method", "path", "query", "status_sent", "fault", "rule"}, ...]
                    status_sent: the status sent to the client (null while stalled, or if none
                    was sent: a reset before headers, or the client gave up); fault: the fault
                    object applied, or null; rule: the index of the rule that applied it.
                    Sometimes also: "aborted": true (the proxy reset the connection),
                    "client_gone": true (the client left before the answer was written),
                    "error" (the upstream failed; then the proxy answered 502 BadGateway)
    DELETE /log     clears the log

Rules
-----
    {"match": {"method": "GET",             exact, case-insensitive; absent: any method
               "path": "^/api/v1/pods$",    re.search on the path (no query); absent: any
               "query": "(^|&)limit="},     re.search on the raw query string; absent: any
     "fault": {...},
     "times": N,     how many matching requests get the fault; then they pass. Absent: always
     "skip": K}      the first K matching requests pass by this rule before it faults (default 0)

Rules are tried in order; the first one that matches and would fault the request (its skip
used up, its times not) applies. Each rule counts the requests that match it on its own: a
request that a rule skips is still tried against the rules after it, and a request that an
earlier rule faulted is not counted by later rules.

Faults
------
    {"status": 429, "retry_after": 2}
        answered by the proxy, not forwarded: a Kubernetes Status body
        {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"...",
         "reason":"TooManyRequests","code":429} and, with retry_after, a Retry-After header and
        details.retryAfterSeconds. Any status works; the reason defaults by code: 400 BadRequest,
        401 Unauthorized, 403 Forbidden, 404 NotFound, 409 Conflict, 410 Expired,
        429 TooManyRequests, 500 InternalError, 502 BadGateway, 503 ServiceUnavailable,
        504 Timeout. Optional "reason", "message" override them; "body" (a string) replaces the
        whole body (e.g. a load balancer's HTML page), sent as "content_type" (text/html).
    {"status": 410, "reason": "Expired"}
        with Kubernetes' own message of an expired continue token ("The provided continue
        parameter is too old to display a consistent list result. ...").
    {"reset": "mid_body"}
        forwards, then sends the headers with the full Content-Length and about half the body,
        and aborts the TCP connection (SO_LINGER 0: an RST, no TLS close_notify).
    {"reset": "before_headers"}
        forwards, then aborts the connection without answering.
    {"truncate": true}
        forwards, then sends a well-formed response whose body is the first half of upstream's,
        with a Content-Length of that half: the JSON is cut off. The connection stays usable.
    {"stall": SECONDS}
        waits SECONDS before forwarding, then answers normally; a large value never answers in
        a test's lifetime. The request reaches the upstream only after the stall.
    {"stall_mid_body": SECONDS}
        forwards, sends the headers and half the body, waits SECONDS, then sends the rest.
    {"latency": SECONDS}
        forwards at once, waits SECONDS, then answers normally. Without "times", every matching
        response is slow.
    The body faults (reset mid_body, truncate, stall_mid_body) drop Accept-Encoding from the
    forwarded request, so the body they cut is plain JSON.

Paginated LISTs: targeting page N
---------------------------------
Page 1 of a LIST has no continue parameter; pages 2, 3, ... carry continue=TOKEN. So page N
(N >= 2) is the (N-1)th matching request with a continue parameter; skip the N-2 before it:

    {"match": {"method": "GET", "path": "^/api/v1/namespaces/NS/configmaps$",
               "query": "(^|&)continue="},
     "fault": {"status": 410, "reason": "Expired"}, "skip": N-2, "times": 1}

Page 1 alone: "query": "^(?!.*(^|&)continue=)" (no continue parameter), "times": 1.
Narrow the path to the one collection: requests of other tests' LISTs must not count.
"""

import argparse
import http.client
import http.server
import json
import re
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time
import urllib.parse

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "trailers",
    "transfer-encoding",
    "upgrade",
}

REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    410: "Expired",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "Timeout",
}

MESSAGES = {
    410: "The provided continue parameter is too old to display a consistent list result. You "
    "can start a new list without the continue parameter, or use the continue token in this "
    "response to retrieve the remainder of the results. Continuing with the provided token "
    "results in an inconsistent list - objects that were created, modified, or deleted "
    "between the time the first chunk was returned and now may show up in the list.",
    429: "Too many requests, please try again later.",
    500: "Internal error occurred: injected by the test fault proxy",
    502: "Bad gateway: injected by the test fault proxy",
    503: "The server is currently unable to handle the request (injected by the test fault proxy)",
    504: "The server was unable to return a response in the time allotted, but may still be "
    "processing the request (injected by the test fault proxy)",
}

FAULT_KEYS = {
    "status": {"status", "retry_after", "reason", "message", "body", "content_type"},
    "reset": {"reset"},
    "truncate": {"truncate"},
    "stall": {"stall"},
    "stall_mid_body": {"stall_mid_body"},
    "latency": {"latency"},
}

BODY_FAULTS = {"reset", "truncate", "stall_mid_body"}


class RuleError(ValueError):
    pass


def fault_kind(fault):
    """The kind of a fault object: the one of FAULT_KEYS it names."""
    kinds = [k for k in FAULT_KEYS if k in fault]
    if len(kinds) != 1:
        raise RuleError(f"a fault names exactly one of {sorted(FAULT_KEYS)}: {fault!r}")
    return kinds[0]


class Rule:
    def __init__(self, spec):
        if not isinstance(spec, dict):
            raise RuleError(f"a rule is an object: {spec!r}")
        unknown = set(spec) - {"match", "fault", "times", "skip"}
        if unknown:
            raise RuleError(f"unknown rule keys {sorted(unknown)} in {spec!r}")
        match = spec.get("match", {})
        if not isinstance(match, dict) or set(match) - {"method", "path", "query"}:
            raise RuleError(f"match takes method, path, query: {match!r}")
        fault = spec.get("fault")
        if not isinstance(fault, dict):
            raise RuleError(f"a rule needs a fault object: {spec!r}")
        self.kind = fault_kind(fault)
        unknown = set(fault) - FAULT_KEYS[self.kind]
        if unknown:
            raise RuleError(f"unknown keys {sorted(unknown)} for a {self.kind} fault: {fault!r}")
        if self.kind == "reset" and fault["reset"] not in ("mid_body", "before_headers"):
            raise RuleError(f'reset is "mid_body" or "before_headers": {fault!r}')
        for key in ("stall", "stall_mid_body", "latency", "retry_after"):
            if key in fault and not isinstance(fault[key], (int, float)):
                raise RuleError(f"{key} is a number of seconds: {fault!r}")
        if self.kind == "status" and not isinstance(fault["status"], int):
            raise RuleError(f"status is an integer: {fault!r}")
        try:
            self.path = re.compile(match["path"]) if "path" in match else None
            self.query = re.compile(match["query"]) if "query" in match else None
        except (re.error, TypeError) as e:
            raise RuleError(f"bad regex in {match!r}: {e}") from e
        self.method = match.get("method")
        self.times = spec.get("times")
        self.skip = spec.get("skip", 0)
        for key, value in (("times", self.times), ("skip", self.skip)):
            if value is not None and (not isinstance(value, int) or value < 0):
                raise RuleError(f"{key} is a count >= 0: {spec!r}")
        self.spec = spec
        self.fault = fault
        self.seen = 0
        self.faulted = 0

    def matches(self, method, path, query):
        if self.method is not None and self.method.upper() != method.upper():
            return False
        if self.path is not None and not self.path.search(path):
            return False
        if self.query is not None and not self.query.search(query):
            return False
        return True

    def exhausted(self):
        return self.times is not None and self.faulted >= self.times

    def describe(self):
        return dict(self.spec, seen=self.seen, faulted=self.faulted)


class State:
    """The rules and the log, shared by every thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rules = []
        self.log = []

    def set_rules(self, specs):
        if not isinstance(specs, list):
            raise RuleError("POST /rules takes a JSON list of rules")
        rules = [Rule(spec) for spec in specs]
        with self.lock:
            self.rules = rules

    def choose(self, method, path, query):
        """The (index, rule) that faults this request, or (None, None); counts it. Logs it."""
        with self.lock:
            chosen = (None, None)
            for index, rule in enumerate(self.rules):
                if rule.exhausted() or not rule.matches(method, path, query):
                    continue
                rule.seen += 1
                if rule.seen <= rule.skip:
                    continue
                rule.faulted += 1
                chosen = (index, rule)
                break
            entry = {
                "method": method,
                "path": path,
                "query": query,
                "status_sent": None,
                "fault": chosen[1].fault if chosen[1] else None,
                "rule": chosen[0],
            }
            self.log.append(entry)
            return chosen, entry

    def update(self, entry, **values):
        with self.lock:
            entry.update(values)


def status_body(fault):
    code = fault["status"]
    if "body" in fault:
        return fault["body"].encode(), fault.get("content_type", "text/html")
    reason = fault.get("reason", REASONS.get(code, "Unknown"))
    message = fault.get("message")
    if message is None:
        message = MESSAGES.get(code, f"injected by the test fault proxy ({code})")
        if reason != REASONS.get(code):
            message = f"{message} ({reason})"
    status = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if "retry_after" in fault:
        status["details"] = {"retryAfterSeconds": int(fault["retry_after"])}
    return json.dumps(status, separators=(",", ":")).encode(), "application/json"


class UpstreamError(Exception):
    pass


class Upstream:
    """One keep-alive connection to the upstream per client connection."""

    def __init__(self, url, context):
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme != "https" or not parsed.hostname:
            raise SystemExit(f"--upstream must be https://HOST:PORT, not {url!r}")
        self.host = parsed.hostname
        self.port = parsed.port or 443
        self.netloc = parsed.netloc
        self.context = context

    def connect(self):
        return http.client.HTTPSConnection(self.host, self.port, context=self.context)


class ProxyHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kube-patrol-fault-proxy"

    # Set on the class by main().
    state = None
    upstream = None
    tls = None

    def setup(self):
        # The TLS handshake happens here, in the connection's thread, not in the accept loop.
        self.request.settimeout(30)
        self.request = self.tls.wrap_socket(self.request, server_side=True)
        self.request.settimeout(None)
        self.connection_to_upstream = None
        self.aborted = False
        super().setup()

    def finish(self):
        if self.connection_to_upstream is not None:
            self.connection_to_upstream.close()
        if not self.aborted:
            try:
                super().finish()
            except OSError:
                pass
            self.request.close()

    def log_message(self, format, *args):
        if VERBOSE:
            sys.stderr.write("proxy: " + (format % args) + "\n")

    def do_any(self):
        split = urllib.parse.urlsplit(self.path)
        path, query = split.path, split.query
        body = self.read_body()
        (_, rule), entry = self.state.choose(self.command, path, query)
        fault = rule.fault if rule else None
        kind = rule.kind if rule else None

        if kind == "status":
            payload, content_type = status_body(fault)
            headers = [("Content-Type", content_type), ("Content-Length", str(len(payload)))]
            if "retry_after" in fault:
                headers.append(("Retry-After", str(int(fault["retry_after"]))))
            self.send(entry, fault["status"], None, headers, payload)
            return

        if kind == "stall":
            time.sleep(fault["stall"])

        try:
            response = self.forward(body, strip_encoding=kind in BODY_FAULTS)
        except UpstreamError as e:
            payload = json.dumps(
                {
                    "kind": "Status",
                    "apiVersion": "v1",
                    "metadata": {},
                    "status": "Failure",
                    "message": f"fault proxy: upstream failed: {e}",
                    "reason": "BadGateway",
                    "code": 502,
                },
                separators=(",", ":"),
            ).encode()
            headers = [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
            self.state.update(entry, error=str(e))
            self.send(entry, 502, None, headers, payload)
            self.close_connection = True
            return

        if kind == "latency":
            time.sleep(fault["latency"])

        headers = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP]
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        no_body = self.command == "HEAD" or response.status in (204, 304) or response.status < 200

        if kind in BODY_FAULTS or kind == "reset":
            payload = self.read_response(response)
            half = payload[: len(payload) // 2]
            if kind == "reset" and fault["reset"] == "before_headers":
                self.abort(entry)
            elif kind == "reset":
                headers.append(("Content-Length", str(len(payload))))
                self.send(entry, response.status, response.reason, headers, half)
                self.abort(entry)
            elif kind == "truncate":
                headers.append(("Content-Length", str(len(half))))
                self.send(entry, response.status, response.reason, headers, half)
            else:  # stall_mid_body
                headers.append(("Content-Length", str(len(payload))))
                self.send(entry, response.status, response.reason, headers, half)
                time.sleep(fault["stall_mid_body"])
                self.write(entry, payload[len(half) :])
            return

        length = response.getheader("Content-Length")
        if no_body:
            response.read()
            self.send(entry, response.status, response.reason, headers, b"")
        elif length is not None and not response.chunked:
            headers.append(("Content-Length", length))
            self.send(entry, response.status, response.reason, headers, b"")
            self.stream(entry, response, chunked=False)
        else:
            # No length (a watch, or a chunked LIST): relay as it comes, chunked.
            headers.append(("Transfer-Encoding", "chunked"))
            self.send(entry, response.status, response.reason, headers, b"")
            self.stream(entry, response, chunked=True)
        if response.will_close:
            self.close_upstream()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_any

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else None

    def forward(self, body, strip_encoding):
        headers = {}
        for key, value in self.headers.items():
            lower = key.lower()
            if lower in HOP_BY_HOP or lower in ("host", "content-length", "expect"):
                continue
            if strip_encoding and lower == "accept-encoding":
                continue
            headers[key] = value
        headers["Host"] = self.upstream.netloc
        if body is not None:
            headers["Content-Length"] = str(len(body))
        for attempt in (1, 2):
            reused = self.connection_to_upstream is not None
            if not reused:
                self.connection_to_upstream = self.upstream.connect()
            try:
                self.connection_to_upstream.request(self.command, self.path, body, headers)
                return self.connection_to_upstream.getresponse()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as e:
                self.close_upstream()
                if not reused or attempt == 2:
                    raise UpstreamError(repr(e)) from e
            except (OSError, http.client.HTTPException) as e:
                self.close_upstream()
                raise UpstreamError(repr(e)) from e
        raise AssertionError("unreachable")

    def close_upstream(self):
        if self.connection_to_upstream is not None:
            self.connection_to_upstream.close()
            self.connection_to_upstream = None

    def read_response(self, response):
        try:
            payload = response.read()
        except (OSError, http.client.HTTPException):
            self.close_upstream()
            raise
        if response.will_close:
            self.close_upstream()
        return payload

    def stream(self, entry, response, chunked):
        while True:
            try:
                data = response.read1(65536)
            except (OSError, http.client.HTTPException):
                self.close_upstream()
                self.abort(entry)
                return
            if not data:
                break
            if chunked:
                data = b"%x\r\n%s\r\n" % (len(data), data)
            if not self.write(entry, data):
                self.close_upstream()
                return
        # Marks the upstream response done, so its connection takes the next request.
        response.read()
        if chunked:
            self.write(entry, b"0\r\n\r\n")

    def send(self, entry, status, reason, headers, body):
        """Sends the status line, the headers and body (maybe a part); logs the status."""
        self.send_response_only(status, reason)
        for key, value in headers:
            self.send_header(key, value)
        try:
            self.end_headers()
        except OSError:
            self.client_gone(entry)
            return False
        self.state.update(entry, status_sent=status)
        self.log_request(status)
        return self.write(entry, body) if body else True

    def write(self, entry, data):
        try:
            self.wfile.write(data)
            self.wfile.flush()
            return True
        except OSError:
            self.client_gone(entry)
            return False

    def client_gone(self, entry):
        self.state.update(entry, client_gone=True)
        self.close_connection = True
        self.close_upstream()

    def abort(self, entry):
        """Closes the TCP connection with an RST: SO_LINGER 0, no TLS close_notify."""
        self.close_connection = True
        self.aborted = True
        self.state.update(entry, aborted=True)
        try:
            self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.request.close()


class ProxyServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        if VERBOSE:
            super().handle_error(request, client_address)

    def shutdown_request(self, request):
        try:
            super().shutdown_request(request)
        except OSError:
            pass


class ControlHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state = None

    def log_message(self, format, *args):
        if VERBOSE:
            sys.stderr.write("control: " + (format % args) + "\n")

    def reply(self, status, value):
        payload = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self):
        if self.path == "/log":
            with self.state.lock:
                self.reply(200, [dict(e) for e in self.state.log])
        elif self.path == "/rules":
            with self.state.lock:
                self.reply(200, [r.describe() for r in self.state.rules])
        else:
            self.reply(404, {"error": f"no {self.path}"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if self.path != "/rules":
            self.reply(404, {"error": f"no {self.path}"})
            return
        try:
            self.state.set_rules(json.loads(raw))
        except (ValueError, RuleError) as e:
            self.reply(400, {"error": str(e)})
            return
        self.reply(200, {"rules": len(self.state.rules)})

    def do_DELETE(self):
        if self.path == "/rules":
            self.state.set_rules([])
            self.reply(200, {"rules": 0})
        elif self.path == "/log":
            with self.state.lock:
                self.state.log = []
            self.reply(200, {"log": 0})
        else:
            self.reply(404, {"error": f"no {self.path}"})


VERBOSE = False


def main():
    global VERBOSE
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--upstream", required=True, help="https://127.0.0.1:PORT of the API server")
    p.add_argument("--ca", required=True, help="the CA that signed the upstream's certificate")
    p.add_argument("--cert", required=True, help="the proxy's serving certificate")
    p.add_argument("--key", required=True, help="its private key")
    p.add_argument("--verbose", action="store_true", help="log every request on stderr")
    args = p.parse_args()
    VERBOSE = args.verbose

    state = State()
    client_tls = ssl.create_default_context(cafile=args.ca)
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(args.cert, args.key)
    server_tls.set_alpn_protocols(["http/1.1"])

    ProxyHandler.state = state
    ProxyHandler.upstream = Upstream(args.upstream, client_tls)
    ProxyHandler.tls = server_tls
    ControlHandler.state = state

    proxy = ProxyServer(("127.0.0.1", 0), ProxyHandler)
    control = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ControlHandler)
    control.daemon_threads = True
    for server in (proxy, control):
        threading.Thread(target=server.serve_forever, daemon=True).start()

    print(
        json.dumps(
            {
                "proxy": f"https://127.0.0.1:{proxy.server_address[1]}",
                "control": f"http://127.0.0.1:{control.server_address[1]}",
            }
        ),
        flush=True,
    )
    # Until the test that started us closes our stdin (or dies).
    try:
        while sys.stdin.buffer.read(4096):
            pass
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
