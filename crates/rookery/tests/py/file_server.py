"""A static file server for the tests with HEAD and byte ranges (what rookery's HTTP reader
asks for), on 127.0.0.1: serves DIR on PORT (0: a free one) and prints the port it took.
A request for a file named slow-* first creates DIR/.requested-<name>, then waits until
DIR/.release-<name> exists (for at most 300 s): the test decides when the download proceeds."""
import os
import sys
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

root = os.path.abspath(sys.argv[1])


class Handler(SimpleHTTPRequestHandler):
    def __init__(self, *a, **k):
        super().__init__(*a, directory=root, **k)

    def log_message(self, *a):
        pass

    def send_head(self):
        rng = self.headers.get("Range")
        path = self.translate_path(self.path)
        name = os.path.basename(path)
        if name.startswith("slow-"):
            open(os.path.join(root, ".requested-" + name), "w").close()
            end = time.time() + 300
            while not os.path.exists(os.path.join(root, ".release-" + name)) and time.time() < end:
                time.sleep(0.05)
        if not rng or not os.path.isfile(path):
            return super().send_head()
        size = os.path.getsize(path)
        a, _, b = rng.removeprefix("bytes=").partition("-")
        a = int(a)
        b = min(int(b) if b else size - 1, size - 1)
        if a >= size:
            self.send_error(416)
            return None
        f = open(path, "rb")
        f.seek(a)
        self.send_response(206)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Range", f"bytes {a}-{b}/{size}")
        self.send_header("Content-Length", str(b - a + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        self._left = b - a + 1
        return f

    def copyfile(self, source, outputfile):
        left = getattr(self, "_left", None)
        if left is None:
            return super().copyfile(source, outputfile)
        outputfile.write(source.read(left))


srv = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), Handler)
print(srv.server_address[1], flush=True)
srv.serve_forever()
