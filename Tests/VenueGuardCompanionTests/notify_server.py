#!/usr/bin/env python3
"""A local stand-in for the notification services, for the companion's tests (loopback only).

Usage: notify_server.py ROOT PORT_FILE

POST /line/push   (LINE Messaging API push: needs "Authorization: Bearer <token>"; a repeated
                   X-Line-Retry-Key is answered 409, as LINE does for a request already accepted)
POST /slack       (a Slack incoming webhook)
POST /webhook     (a generic JSON webhook)

Each request taken is appended to ROOT/posts.jsonl as {"path", "headers", "body"}. A file
ROOT/fail-<line|slack|webhook> holding a number N makes the next N requests to that path fail
with 500 (the file counts down). The port is written to PORT_FILE once listening.
"""
import json, os, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

root, port_file = sys.argv[1], sys.argv[2]
lock = threading.Lock()
retry_keys = set()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, code, body=b"{}"):
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = min(int(self.headers.get("Content-Length") or 0), 1 << 20)
        body = self.rfile.read(length)
        name = {"/line/push": "line", "/slack": "slack", "/webhook": "webhook"}.get(self.path)
        if name is None:
            return self.answer(404)
        with lock:
            fail = os.path.join(root, "fail-" + name)
            if os.path.exists(fail):
                left = int(open(fail).read().strip() or 0)
                if left > 0:
                    open(fail, "w").write(str(left - 1))
                    return self.answer(500, b'{"message":"try later"}')
            if name == "line":
                if not (self.headers.get("Authorization") or "").startswith("Bearer "):
                    return self.answer(401)
                key = self.headers.get("X-Line-Retry-Key")
                if key in retry_keys:
                    return self.answer(409, b'{"message":"The retry key is already accepted"}')
                retry_keys.add(key)
            with open(os.path.join(root, "posts.jsonl"), "a") as log:
                log.write(json.dumps({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                      "body": json.loads(body or b"null")}) + "\n")
        self.answer(200)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(f"{server.server_address[1]}\n")
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
