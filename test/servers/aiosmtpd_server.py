"""A throwaway aiosmtpd server for smtpure's interop tests.

usage: aiosmtpd_server.py MAILDIR CERT KEY USER PASSWORD
Starts two listeners on free 127.0.0.1 ports: STARTTLS + AUTH (auth only after TLS) and
implicit TLS + AUTH. Prints one JSON line with the ports when ready. Each message is stored as
MAILDIR/<n>.eml (the content exactly as received, after un-dot-stuffing) with a .json sidecar.
Recipients starting with 'reject' get 550, 'tempfail' get 450.
"""
import asyncio
import json
import os
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

maildir, cert, key, user, password = sys.argv[1:6]
counter = 0


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0]
        if local.startswith("reject"):
            return "550 5.1.1 Recipient rejected by the test server"
        if local.startswith("tempfail"):
            return "450 4.2.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        global counter
        counter += 1
        base = os.path.join(maildir, "%d-%06d" % (time.time_ns(), counter))
        with open(base + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".json", "w") as f:
            json.dump({"sender": envelope.mail_from, "recipients": envelope.rcpt_tos}, f)
        os.rename(base + ".tmp", base + ".eml")
        return "250 2.0.0 Message accepted"


def authenticator(server, session, envelope, mechanism, auth_data):
    if isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password:
        return AuthResult(success=True)
    return AuthResult(success=False, handled=False)


context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)

def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


common = dict(
    hostname="127.0.0.1",
    authenticator=authenticator,
    data_size_limit=64 * 1024 * 1024,
    server_hostname="aiosmtpd.example.test",
)
# The Controller probes its own port after starting, so it needs a real port, not 0.
starttls = Controller(Handler(), port=free_port(), tls_context=context, require_starttls=False, auth_require_tls=True, **common)
# aiosmtpd 1.4 only counts STARTTLS as TLS for auth_require_tls; this listener is TLS from the
# first byte, so AUTH is safe on it.
implicit = Controller(Handler(), port=free_port(), ssl_context=context, auth_require_tls=False, **common)
starttls.start()
implicit.start()
print(json.dumps({"starttls": starttls.port, "implicit": implicit.port}), flush=True)
try:
    sys.stdin.read()  # run until the parent closes our stdin (or dies)
finally:
    starttls.stop()
    implicit.stop()
