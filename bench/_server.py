"""What the benchmark scripts share: a free loopback port, a `rookery serve` started and
waited for, and the /proc readings (RSS, peak RSS, bytes written, CPU seconds) they report."""

import os
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_http(url, proc, limit=120):
    """Waits until `url` answers (any status below 500); exits if `proc` dies first."""
    t0 = time.time()
    while time.time() - t0 < limit:
        if proc.poll() is not None:
            raise SystemExit(f"server for {url} exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except urllib.error.HTTPError as e:
            if e.code < 500:
                return
        except Exception:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{url} did not answer within {limit} s")


def start_rookery(rookery, *args, data=None, env=None, stderr=subprocess.DEVNULL, ready="/"):
    """`rookery serve --open --bind 127.0.0.1:<free port> --data-dir <data> ARGS...`, waited
    for: (process, base URL, data dir). `data` defaults to a fresh temporary directory."""
    port = free_port()
    data = data or tempfile.mkdtemp(prefix="rookery-bench-")
    p = subprocess.Popen([rookery, "serve", "--open", "--bind", f"127.0.0.1:{port}", "--data-dir", data, *args],
                         env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    base = f"http://127.0.0.1:{port}"
    wait_http(base + ready, p)
    return p, base, data


def status_mb(pid, field="VmRSS"):
    """A memory line of /proc/PID/status in MB (VmRSS, VmHWM = peak); NaN when gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def proc_stats(pid):
    """(bytes written by the process, CPU seconds, peak RSS in MB)."""
    io = dict(line.split(": ") for line in open(f"/proc/{pid}/io").read().splitlines())
    st = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    cpu = (int(st[11]) + int(st[12])) / os.sysconf("SC_CLK_TCK")
    return int(io["wchar"]), cpu, status_mb(pid, "VmHWM")
