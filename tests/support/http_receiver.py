"""A real HTTP receiver for tests/digests.rs: Slack, Teams and webhook requests land here.

Listens on 127.0.0.1 on a free port and prints that port on stdout, alone on a line, once it
accepts connections. Every request is saved as NNN.json (method, path, headers, body as text)
in --dir, NNN counting from 001, the failed ones included. It runs until killed.

  --fail N            answer the first N requests with --fail-status
  --fail-status S     the status of those answers (default 503)
  --retry-after S     send `Retry-After: S` with them
  --status S          the status of the other answers (default 200)
  --body TEXT         the body of every answer (default "ok")
"""

import argparse
import http.server
import json
import pathlib
import sys
import threading


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dir", required=True, type=pathlib.Path)
    p.add_argument("--fail", type=int, default=0)
    p.add_argument("--fail-status", type=int, default=503)
    p.add_argument("--retry-after")
    p.add_argument("--status", type=int, default=200)
    p.add_argument("--body", default="ok")
    return p.parse_args()


def main():
    args = parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    lock = threading.Lock()
    state = {"count": 0}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def handle_one(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            with lock:
                state["count"] += 1
                n = state["count"]
                record = {
                    "method": self.command,
                    "path": self.path,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": body.decode("utf-8", "replace"),
                }
                (args.dir / f"{n:03}.json").write_text(json.dumps(record))
            failing = n <= args.fail
            status = args.fail_status if failing else args.status
            answer = args.body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(answer)))
            if failing and args.retry_after:
                self.send_header("Retry-After", args.retry_after)
            self.end_headers()
            self.wfile.write(answer)

        do_POST = handle_one
        do_PUT = handle_one

        def log_message(self, format, *a):
            sys.stderr.write(format % a + "\n")

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
