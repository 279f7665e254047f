"""Notes: a tiny HTTP service that stores notes in Redis.

POST /notes      {"id": "...", "text": "..."}  -> 201 once Redis has the note (Redis fsyncs it first: appendfsync always)
GET  /notes/<id>                                -> 200 {"id", "text"} or 404
GET  /notes/ids                                 -> 200 ["id", ...]  every stored id (havoc's readback reads this)
GET  /health                                    -> 200 when Redis answers, else 503

Every answer carries X-Served-By (this container's host name). Anything Redis cannot do answers 503.
"""
import json
import os
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import redis

PORT = int(os.environ.get("PORT", "8080"))
NOTES_KEY = "notes"
store = redis.Redis(
    host=os.environ.get("REDIS_HOST", "redis"),
    port=int(os.environ.get("REDIS_PORT", "6379")),
    socket_timeout=1.0,
    socket_connect_timeout=1.0,
    health_check_interval=1,
)
served_by = socket.gethostname()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Served-By", served_by)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        try:
            if self.path == "/health":
                store.ping()
                return self.answer(200, {"ok": True})
            if self.path == "/notes/ids":
                return self.answer(200, sorted(k.decode() for k in store.hkeys(NOTES_KEY)))
            if self.path.startswith("/notes/"):
                text = store.hget(NOTES_KEY, self.path[len("/notes/"):])
                if text is None:
                    return self.answer(404, {"error": "no such note"})
                return self.answer(200, {"id": self.path[len("/notes/"):], "text": text.decode()})
            return self.answer(404, {"error": "not found"})
        except redis.RedisError as error:
            return self.answer(503, {"error": f"store unavailable: {error}"})

    def do_POST(self):
        if self.path != "/notes":
            return self.answer(404, {"error": "not found"})
        try:
            length = int(self.headers.get("Content-Length", "0"))
            note = json.loads(self.rfile.read(length) or b"{}")
            note_id, text = str(note["id"]), str(note.get("text", ""))
        except (ValueError, KeyError):
            return self.answer(400, {"error": 'expected {"id": "...", "text": "..."}'})
        try:
            store.hset(NOTES_KEY, note_id, text)
        except redis.RedisError as error:
            return self.answer(503, {"error": f"store unavailable: {error}"})
        return self.answer(201, {"id": note_id})

    def log_message(self, *args):
        pass  # one line per request would drown the container log


if __name__ == "__main__":
    print(f"notes listening on :{PORT}, store {store.connection_pool.connection_kwargs['host']}", flush=True)
    ThreadingHTTPServer(("0.0.0.0", PORT), Handler).serve_forever()
