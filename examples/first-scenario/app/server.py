"""A notes store: each note's id is appended to a file and fsynced before the service answers 201.

POST /notes      {"id": "..."}  -> 201 once the id is on disk
GET  /notes/ids                 -> 200 ["id", ...]  every stored id (havoc reads this back after the run)
GET  /health                    -> 200
"""
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DATA = os.path.join(os.environ.get("DATA_DIR", "/data"), "notes.log")
os.makedirs(os.path.dirname(DATA), exist_ok=True)
lock = threading.Lock()
log = open(DATA, "a")


class Handler(BaseHTTPRequestHandler):
    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        if self.path != "/notes":
            return self.answer(404, {"error": "not found"})
        note = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        with lock:
            log.write(note["id"] + "\n")
            log.flush()
            os.fsync(log.fileno())
        self.answer(201, {"id": note["id"]})

    def do_GET(self):
        if self.path == "/health":
            return self.answer(200, {"ok": True})
        if self.path == "/notes/ids":
            with open(DATA) as stored:
                return self.answer(200, [line.strip() for line in stored if line.strip()])
        self.answer(404, {"error": "not found"})

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("0.0.0.0", int(os.environ.get("PORT", "8080"))), Handler).serve_forever()
