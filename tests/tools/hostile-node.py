#!/usr/bin/env python3
"""hostile-node: a fake kontord over TLS on 127.0.0.1 for tests/integration/hostile-node.sh,
playing one attack of issue 16 per run:

  impostor   answers like a node (the real node's session, so its node key in the header
             and the body) and takes every write: a client that believes it empties its
             outbox, and the real node never hears of it
  endless    every Foo/changes says hasMoreChanges: true with a new state, forever
  drip       the session is answered; /api answers one byte every 0.5 s, forever
  malformed  a relay to the real node (--upstream) that drops sellerId from the first
             listing summary of every Listing/get it passes back
  pictures   the same relay, untouched, but every GET /download/... is answered with a
             hostile picture in turn: a PNG that states 60000x60000 pixels, a JPEG cut
             short, then the file --picture (a real image bigger than a client's cache)

Every TLS handshake and every request is written to --log as one JSON line as it happens
({"tls": ...} or {"method", "path", "bodyBytes", "calls"}), so a test can check what reached
it: an impostor a pinned client refuses must show handshakes and no request at all.
Prints "hostile-node: listening on https://127.0.0.1:PORT" on stderr once it listens.
Python 3 standard library only (http.server, ssl)."""

import argparse
import gzip
import http.server
import json
import socketserver
import ssl
import sys
import threading
import time
import urllib.request

ARGS = None
LOG_LOCK = threading.Lock()
STATE = {"n": 1}


def log(entry):
    with LOG_LOCK:
        with open(ARGS.log, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry, sort_keys=True) + "\n")


def fabricate(calls):
    """Answers for a request's method calls that a client takes as a node's."""
    out = []
    for call in calls:
        if not isinstance(call, list) or len(call) != 3:
            continue
        name, args, cid = call
        typ, _, method = str(name).partition("/")
        args = args if isinstance(args, dict) else {}
        if method == "set":
            res = {"oldState": "1", "newState": "2"}
            if isinstance(args.get("create"), dict):
                res["created"] = {k: {"id": "X" + k[-20:]} for k in args["create"]}
            if isinstance(args.get("update"), dict):
                res["updated"] = {k: None for k in args["update"]}
            if isinstance(args.get("destroy"), list):
                res["destroyed"] = args["destroy"]
            out.append([name, res, cid])
        elif method == "changes":
            since = str(args.get("sinceState", "0"))
            if ARGS.mode == "endless":
                STATE["n"] += 1
                out.append([name, {"oldState": since, "newState": str(STATE["n"]),
                                   "hasMoreChanges": True, "created": [], "updated": [],
                                   "destroyed": []}, cid])
            else:
                out.append([name, {"oldState": since, "newState": since,
                                   "hasMoreChanges": False, "created": [], "updated": [],
                                   "destroyed": []}, cid])
        elif method == "get":
            out.append([name, {"state": "1", "list": [], "notFound": []}, cid])
        elif method == "query":
            # The node's stated total: three objects of each type.
            out.append([name, {"queryState": "1", "canCalculateChanges": False,
                               "position": 0, "ids": [], "total": 3}, cid])
        else:
            out.append(["error", {"type": "unknownMethod"}, cid])
    return {"methodResponses": out, "sessionState": "1"}


def hostile_picture(i):
    """The pictures mode's answers to downloads, in turn."""
    import struct
    import zlib

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    if i % 3 == 0:  # a bomb: a header that states 3.6 gigapixels
        ihdr = struct.pack(">IIBBBBB", 60000, 60000, 8, 2, 0, 0, 0)
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) +
                chunk(b"IDAT", zlib.compress(b"\0" * 4096)) + chunk(b"IEND", b""))
    with open(ARGS.picture, "rb") as f:
        data = f.read()
    return data[: len(data) // 3] if i % 3 == 1 else data  # cut short, then whole


def strip_seller(resp):
    """The malformed mode's change: the first listing summary loses its sellerId."""
    for r in resp.get("methodResponses", []):
        if (isinstance(r, list) and len(r) == 3 and r[0] == "Listing/get"
                and isinstance(r[1], dict) and r[1].get("list")):
            first = r[1]["list"][0]
            if isinstance(first, dict) and "sig" not in first:
                first.pop("sellerId", None)
                log({"tampered": first.get("id")})
                return
    return


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        plain = gzip.decompress(raw) if self.headers.get("Content-Encoding") == "gzip" else raw
        return raw, plain

    def send(self, status, data, ctype="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        if ARGS.node_key:
            self.send_header("Kontor-Node-Key", ARGS.node_key)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        log({"method": "GET", "path": self.path, "bodyBytes": 0})
        if ARGS.mode == "pictures" and self.path.startswith("/download/"):
            STATE["n"] += 1
            self.send(200, hostile_picture(STATE["n"] - 2), "image/jpeg")
        elif self.path == "/.well-known/kontor":
            with open(ARGS.session, "rb") as f:
                self.send(200, f.read())
        else:
            self.send(404, b'{"type":"notFound","description":"nothing here"}')

    def do_POST(self):
        raw, plain = self.body()
        calls = []
        try:
            calls = json.loads(plain or b"{}").get("methodCalls", [])
        except (ValueError, AttributeError):
            pass
        log({"method": "POST", "path": self.path, "bodyBytes": len(raw),
             "calls": [c[0] for c in calls if isinstance(c, list) and c]})
        if self.path != "/api":
            self.send(404, b'{"type":"notFound","description":"nothing here"}')
        elif ARGS.mode == "drip":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "1000000")
            self.send_header("Kontor-Node-Key", ARGS.node_key)
            self.end_headers()
            while True:  # until the client goes away
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.5)
        elif ARGS.mode in ("malformed", "pictures"):
            req = urllib.request.Request(ARGS.upstream + "/api", data=raw, method="POST")
            for h in ("Content-Type", "Content-Encoding", "Authorization"):
                if self.headers.get(h):
                    req.add_header(h, self.headers[h])
            ctx = ssl.create_default_context(cafile=ARGS.upstream_ca)
            try:
                with urllib.request.urlopen(req, context=ctx, timeout=30) as r:
                    status, data = r.status, r.read()
            except urllib.error.HTTPError as err:
                status, data = err.code, err.read()
            if status == 200 and ARGS.mode == "malformed":
                resp = json.loads(data)
                strip_seller(resp)
                data = json.dumps(resp).encode()
            self.send(status, data)
        else:
            self.send(200, json.dumps(fabricate(calls)).encode())


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def finish_request(self, request, client_address):
        # The handshake in the connection's own thread, logged whatever comes after it.
        try:
            tls = self.ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as err:
            log({"tls": "failed", "why": str(err)[:120]})
            return
        log({"tls": "ok"})
        try:
            Handler(tls, client_address, self)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            pass


def main():
    global ARGS
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--mode", required=True,
                   choices=["impostor", "endless", "drip", "malformed", "pictures"])
    p.add_argument("--listen", default="127.0.0.1:0")
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--session", help="the session JSON to answer (all but malformed)")
    p.add_argument("--node-key", default="", help="the Kontor-Node-Key header to send")
    p.add_argument("--upstream", help="malformed: the real node's https://127.0.0.1:PORT")
    p.add_argument("--upstream-ca", help="malformed: the CA that signed the real node")
    p.add_argument("--picture", help="pictures: a real image bigger than the client's cache")
    p.add_argument("--log", required=True)
    ARGS = p.parse_args()
    host, port = ARGS.listen.rsplit(":", 1)
    if host != "127.0.0.1":
        sys.exit("hostile-node: only 127.0.0.1")
    srv = Server((host, int(port)), Handler)
    srv.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    srv.ctx.load_cert_chain(ARGS.cert, ARGS.key)
    if ARGS.mode in ("malformed", "pictures"):
        # The session comes from the real node, as everything else.
        ctx = ssl.create_default_context(cafile=ARGS.upstream_ca)
        with urllib.request.urlopen(ARGS.upstream + "/.well-known/kontor", context=ctx,
                                    timeout=30) as r:
            data = r.read()
            ARGS.node_key = r.headers.get("Kontor-Node-Key", "")
        ARGS.session = ARGS.log + ".session"
        with open(ARGS.session, "wb") as f:
            f.write(data)
    print("hostile-node: listening on https://127.0.0.1:%d" % srv.server_address[1],
          file=sys.stderr, flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
