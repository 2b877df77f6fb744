#!/usr/bin/env python3
"""escape-node: a fake kontord over TLS on 127.0.0.1 for tests/integration/client-guard.sh
(issue 16, item 4), whose every word is a terminal attack. It answers with the real node's
session (so the node key checks out) but its name, every SetError description (notCreated,
notUpdated) and every Foo/changes error carry escape sequences (set the window title, clear
the screen, reset the terminal, an 8-bit CSI) and bidi and invisible format characters
(U+202E, U+2066-2069, U+200F, U+061C, U+FEFF, U+2028); the name, which a client refuses
with C0 controls in it, the bidi and invisible ones and an 8-bit CSI. The descriptions hold
the word EVILDESC and the name EVILNAME, so a test can see they were printed at all.

  escape-node.py --session FILE --node-key KEY --cert PEM --key PEM

Prints "escape-node: listening on https://127.0.0.1:PORT" on stderr once it listens.
Python 3 standard library only (http.server, ssl)."""

import argparse
import gzip
import http.server
import json
import socketserver
import ssl
import sys

ARGS = None

# ESC ] 0 ; title BEL, ESC [ 2 J, ESC c, 8-bit CSI, then the bidi and invisible characters.
EVIL = ("EVILDESC handle\u202e\u2066is\u2069 \u001b]0;pwned\u0007taken\u001b[2J"
        "\u001bc\u009b31m\u200fhere\u061c\ufeff\u2028\u2067end\u2068\u2069")
# The session's name may not hold C0 controls (the client refuses the session): bidi, an
# 8-bit CSI and invisible characters only.
EVIL_NAME = "Node \u202eEVILNAME\u2066 x\u009b2J\u200fy\ufeff"


def answer(calls):
    out = []
    for call in calls:
        if not isinstance(call, list) or len(call) != 3:
            continue
        name, args, cid = call
        args = args if isinstance(args, dict) else {}
        _, _, method = str(name).partition("/")
        err = {"type": "invalidProperties", "description": EVIL}
        if method == "set":
            res = {"oldState": "1", "newState": "1"}
            if isinstance(args.get("create"), dict):
                res["notCreated"] = {k: err for k in args["create"]}
            if isinstance(args.get("update"), dict):
                res["notUpdated"] = {k: err for k in args["update"]}
            out.append([name, res, cid])
        else:
            out.append(["error", {"type": "serverFail", "description": EVIL}, cid])
    return {"methodResponses": out, "sessionState": "1"}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send(self, status, data):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Kontor-Node-Key", ARGS.node_key)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/.well-known/kontor":
            with open(ARGS.session, encoding="utf-8") as f:
                sess = json.load(f)
            sess["name"] = EVIL_NAME
            self.send(200, json.dumps(sess).encode())
        else:
            self.send(404, json.dumps({"type": "notFound", "description": EVIL}).encode())

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        if self.headers.get("Content-Encoding") == "gzip":
            raw = gzip.decompress(raw)
        try:
            calls = json.loads(raw or b"{}").get("methodCalls", [])
        except (ValueError, AttributeError):
            calls = []
        self.send(200, json.dumps(answer(calls)).encode())


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

    def finish_request(self, request, client_address):
        try:
            tls = self.ctx.wrap_socket(request, server_side=True)
            Handler(tls, client_address, self)
        except (ssl.SSLError, OSError):
            pass


def main():
    global ARGS
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--session", required=True, help="the real node's session JSON")
    p.add_argument("--node-key", required=True, help="the real node's key")
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    ARGS = p.parse_args()
    srv = Server(("127.0.0.1", 0), Handler)
    srv.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    srv.ctx.load_cert_chain(ARGS.cert, ARGS.key)
    print("escape-node: listening on https://127.0.0.1:%d" % srv.server_address[1],
          file=sys.stderr, flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
