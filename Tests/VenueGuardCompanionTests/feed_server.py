#!/usr/bin/env python3
"""A local stand-in for the official feed servers, started by VenueGuardCompanionTests.

Serves the files under ROOT on 127.0.0.1 (an ephemeral port, written to PORTFILE), with
Last-Modified and If-Modified-Since (304) as http.server does, and three faults by path prefix:
/status/NNN/… answers NNN, /slow/… answers after 20 s, /garbage/… answers 200 with binary bytes.
Every request is logged to ROOT/requests.log as "PATH IMS", so a test can check politeness.
"""
import http.server
import os
import sys
import time

ROOT = sys.argv[1]


class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=ROOT, **kwargs)

    def log_message(self, *args):
        pass

    def do_GET(self):
        with open(os.path.join(ROOT, "requests.log"), "a") as log:
            log.write(f"{self.path} {self.headers.get('If-Modified-Since', '-')}\n")
        parts = self.path.split("/")
        if len(parts) > 2 and parts[1] == "status":
            self.send_response(int(parts[2]))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if len(parts) > 1 and parts[1] == "slow":
            time.sleep(20)
        if len(parts) > 1 and parts[1] == "garbage":
            body = bytes(range(256)) * 4
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(f"{server.server_address[1]}\n")
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
server.serve_forever()
