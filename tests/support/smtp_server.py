"""A real SMTP server for tests/email_delivery.rs, on 127.0.0.1 only (aiosmtpd).

Listens on a free port and prints that port on stdout, alone on a line, once it accepts
connections. Every message it accepts is saved as NNN.eml (the bytes received) with NNN.json
beside it (the envelope: mail_from, rcpt_tos), NNN counting from 001. It runs until killed.

  --tls none|starttls|implicit     how the client must talk to it (starttls: required)
  --cert FILE --key FILE           the server certificate, for starttls and implicit
  --user U --password P            require AUTH (PLAIN or LOGIN) with exactly these; refuse others
  --drop-data N                    close the connection, without answering, on the first N DATA
  --transient-data N               answer 451 to the first N DATA
"""

import argparse
import asyncio
import json
import pathlib
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dir", required=True, type=pathlib.Path, help="where messages are saved")
    p.add_argument("--tls", choices=["none", "starttls", "implicit"], default="none")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--drop-data", type=int, default=0)
    p.add_argument("--transient-data", type=int, default=0)
    args = p.parse_args()
    if args.tls != "none" and not (args.cert and args.key):
        p.error("--tls starttls|implicit needs --cert and --key")
    if bool(args.user) != bool(args.password):
        p.error("--user and --password go together")
    return args


class Mailbox:
    """The handler: fails DATA as asked, then saves what it accepts."""

    def __init__(self, args):
        self.dir = args.dir
        self.drops_left = args.drop_data
        self.transients_left = args.transient_data
        self.saved = 0

    async def handle_DATA(self, server, session, envelope):
        if self.drops_left > 0:
            self.drops_left -= 1
            # The client has sent the whole body and waits for the final reply: it never comes.
            server.transport.abort()
            return "421 4.4.2 connection dropped by the test server"
        if self.transients_left > 0:
            self.transients_left -= 1
            return "451 4.3.0 test server: try again later"
        self.saved += 1
        stem = self.dir / f"{self.saved:03}"
        envelope_json = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos}
        # The .json last: a test that sees it knows the .eml is complete.
        stem.with_suffix(".eml").write_bytes(envelope.original_content or envelope.content)
        stem.with_suffix(".json").write_text(json.dumps(envelope_json))
        return "250 2.0.0 OK saved"


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == user.encode()
            and auth_data.password == password.encode()
        )
        # handled=False: aiosmtpd answers 535 itself (with True it would answer nothing).
        return AuthResult(success=ok, handled=False)

    return check


def tls_context(args):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert, args.key)
    return context


def smtp_factory(args, handler):
    context = tls_context(args) if args.tls != "none" else None
    options = {"hostname": "localhost", "ident": "kube-patrol test SMTP server"}
    if args.tls == "starttls":
        options.update(tls_context=context, require_starttls=True)
    if args.user:
        options.update(
            authenticator=authenticator(args.user, args.password),
            auth_required=True,
            # AUTH in the clear (--tls none) is only for tests: real servers refuse it. With
            # implicit TLS aiosmtpd does not see that the connection is encrypted: it is.
            auth_require_tls=args.tls == "starttls",
        )
    return lambda: SMTP(handler, **options)


async def main():
    args = parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    factory = smtp_factory(args, Mailbox(args))
    wrap = tls_context(args) if args.tls == "implicit" else None
    server = await asyncio.get_running_loop().create_server(factory, "127.0.0.1", 0, ssl=wrap)
    port = server.sockets[0].getsockname()[1]
    print(port, flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
