"""A thin client for a rookery (or rook) server's OGC API – Processes.

>>> from rookery import Client
>>> c = Client("http://localhost:5000", token="...")
>>> job = c.subset(collection="c3s-cmip6.ScenarioMIP.INM.INM-CM5-0.ssp245.r1i1p1f1.Amon.rlds.gr1.v20190619",
...                time="2050-01-01/2050-12-31", area=(0, 40, 20, 60))
>>> job.download("out/")          # the output files, fetched
>>> dss = job.open()              # or as xarray Datasets

Every process the server offers runs with :meth:`Client.execute` (inputs as keyword
arguments); :meth:`Client.subset`, :meth:`Client.average`, :meth:`Client.average_time`,
:meth:`Client.regrid` and :meth:`Client.orchestrate` are shortcuts with rooki's input names.
Only the standard library is used (``urllib``); WPS clients (rooki, OWSLib) keep working
against the same server.

Input values: a tuple becomes a comma-separated value (``area=(0, 40, 20, 60)`` is
``"0,40,20,60"``, as rooki writes it); a list gives the input several times (``collection=[a,
b]``); booleans and numbers are sent as their text; ``None`` leaves the input out.
"""

from __future__ import annotations

import json
import os
import time as _time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from typing import Any

from .exceptions import ServiceError
from .ops import _XARRAY_IO

__all__ = ["Client", "Job", "ServiceError"]

_FINAL = ("successful", "failed", "dismissed")


def _value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, tuple):
        return ",".join(str(x) for x in v)
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, dict):
        return json.dumps(v)
    return v


def _inputs(kw):
    out = {}
    for k, v in kw.items():
        if v is None:
            continue
        out[k] = [_value(x) for x in v] if isinstance(v, list) else _value(v)
    return out


class Client:
    """A connection to a rookery server: ``url`` is its base (``http://host:5000``; a trailing
    ``/wps`` is dropped), ``token`` an API key or OIDC access token (default: the
    ``ROOKERY_TOKEN`` environment variable), ``timeout`` seconds per HTTP request."""

    def __init__(self, url: str, token: str | None = None, timeout: float = 60.0) -> None:
        url = url.rstrip("/")
        if url.endswith("/wps"):
            url = url[: -len("/wps")]
        self.url = url
        self.token = token if token is not None else os.environ.get("ROOKERY_TOKEN")
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"Client({self.url!r})"

    # -- HTTP --------------------------------------------------------------------------------
    def _request(self, method, path, body=None, headers=None, raw=False):
        url = path if path.startswith(("http://", "https://")) else self.url + path
        h = {"Accept": "application/json"}
        # The token goes to this server only, never to a remote file a result may point at.
        if self.token and (url == self.url or url.startswith(self.url + "/")):
            h["Authorization"] = f"Bearer {self.token}"
        h.update(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        req = urllib.request.Request(url, data=data, headers=h, method=method)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:
                content = r.read()
                if raw:
                    return r, content
                return json.loads(content) if content else None
        except urllib.error.HTTPError as e:
            raise ServiceError(e.code, _problem_text(e.read()), url) from None
        except urllib.error.URLError as e:
            raise ServiceError(None, f"cannot reach {url}: {e.reason}", url) from None

    # -- discovery ---------------------------------------------------------------------------
    def processes(self) -> list[str]:
        """The ids of the processes the server offers."""
        return [p["id"] for p in self._request("GET", "/processes")["processes"]]

    def describe(self, process: str) -> dict[str, Any]:
        """The OGC process description (inputs, outputs) of ``process``."""
        return self._request("GET", f"/processes/{urllib.parse.quote(process)}")

    def datasets(self, project: str | None = None, q: str | None = None, limit: int | None = None) -> list[str]:
        """Dataset ids the server serves (``GET /datasets``), optionally of one ``project`` or
        matching the pattern ``q``."""
        params = {k: v for k, v in {"project": project, "q": q, "limit": limit}.items() if v is not None}
        path = "/datasets" + ("?" + urllib.parse.urlencode(params) if params else "")
        return [d["id"] for d in self._request("GET", path)["datasets"]]

    # -- jobs --------------------------------------------------------------------------------
    def submit(self, process: str, **inputs: Any) -> Job:
        """Queues ``process`` with ``inputs`` as an asynchronous job; returns the :class:`Job`
        at once."""
        doc = self._request(
            "POST",
            f"/processes/{urllib.parse.quote(process)}/execution",
            body={"inputs": _inputs(inputs)},
            headers={"Prefer": "respond-async"},
        )
        return Job(self, doc)

    def execute(self, process: str, wait: bool = True, timeout: float | None = None, **inputs: Any) -> Job:
        """Runs ``process`` as an asynchronous job and (with ``wait``) waits for its end; a
        failed job raises :class:`ServiceError` with the server's message."""
        job = self.submit(process, **inputs)
        return job.wait(timeout) if wait else job

    def job(self, job_id: str) -> Job:
        """The :class:`Job` ``job_id`` (one of this user's)."""
        return Job(self, self._request("GET", f"/jobs/{urllib.parse.quote(job_id)}"))

    def jobs(self) -> list[Job]:
        """This user's jobs (an admin's: everyone's), newest first."""
        return [Job(self, j) for j in self._request("GET", "/jobs")["jobs"]]

    # -- shortcuts (rooki's input names) -----------------------------------------------------
    def subset(
        self,
        collection: str | list[str],
        time: str | None = None,
        area: str | tuple[float, float, float, float] | None = None,
        level: str | None = None,
        time_components: str | None = None,
        **more: Any,
    ) -> Job:
        """``subset``: a time/area/level subset of ``collection`` (a dataset id, or a list)."""
        return self.execute(
            "subset", collection=collection, time=time, area=area, level=level, time_components=time_components, **more
        )

    def average(self, collection: str | list[str], dims: str | tuple[str, ...] | None = None, **more: Any) -> Job:
        """``average`` over ``dims`` (a tuple such as ``("latitude", "longitude")``)."""
        return self.execute("average", collection=collection, dims=dims, **more)

    def average_time(self, collection: str | list[str], freq: str, **more: Any) -> Job:
        """``average_time`` to ``freq`` (``"month"``, ``"year"``, …)."""
        return self.execute("average_time", collection=collection, freq=freq, **more)

    def regrid(
        self, collection: str | list[str], method: str = "nearest_s2d", grid: str = "auto", **more: Any
    ) -> Job:
        """``regrid`` with ``method`` onto ``grid``."""
        return self.execute("regrid", collection=collection, method=method, grid=grid, **more)

    def orchestrate(self, workflow: str | dict[str, Any], **more: Any) -> Job:
        """``orchestrate`` a workflow document (a dict or its JSON text)."""
        if not isinstance(workflow, str):
            workflow = json.dumps(workflow)
        return self.execute("orchestrate", workflow=workflow, **more)


class Job:
    """A job on the server: its ``id``, ``process``, ``status`` (``accepted``, ``running``,
    ``successful``, ``failed``, ``dismissed``), ``progress`` (0–100) and ``message``, as of the
    last :meth:`refresh`."""

    def __init__(self, client: Client, doc: dict[str, Any]) -> None:
        self.client = client
        self._update(doc)

    def _update(self, doc):
        self.doc = doc
        self.id = doc["jobID"]
        self.process = doc.get("processID")
        self.status = doc.get("status")
        self.progress = doc.get("progress")
        self.message = doc.get("message")

    def __repr__(self) -> str:
        return f"Job({self.id!r}, {self.process!r}, status={self.status!r})"

    @property
    def done(self) -> bool:
        """True once the job has ended (successfully or not)."""
        return self.status in _FINAL

    def refresh(self) -> Job:
        """Fetches the job's status again; returns self."""
        self._update(self.client._request("GET", f"/jobs/{self.id}"))
        return self

    def wait(self, timeout: float | None = None, poll: float = 0.5) -> Job:
        """Waits until the job ends (``timeout`` seconds at most, then :class:`TimeoutError`);
        raises :class:`ServiceError` when it failed or was dismissed; returns self."""
        start = _time.monotonic()
        delay = min(poll, 0.1)
        while not self.refresh().done:
            if timeout is not None and _time.monotonic() - start > timeout:
                raise TimeoutError(f"job {self.id} is still {self.status} after {timeout} s")
            _time.sleep(delay)
            delay = min(delay * 1.5, poll)
        if self.status != "successful":
            raise ServiceError(None, f"job {self.id} {self.status}: {self.message}", self.client.url)
        return self

    def results(self) -> dict[str, Any]:
        """The results document: output id → ``{"href", "type"}`` or a literal value."""
        return self.client._request("GET", f"/jobs/{self.id}/results")

    def urls(self) -> list[str]:
        """The URLs of the job's output files (the metalink of its ``output``)."""
        out = self.results().get("output")
        if not out or "href" not in out:
            return []
        _, content = self.client._request("GET", out["href"], headers={"Accept": "*/*"}, raw=True)
        urls = []
        for f in ET.fromstring(content).iter():
            if f.tag.rsplit("}", 1)[-1] != "file":
                continue
            for u in f:
                if u.tag.rsplit("}", 1)[-1] in ("metaurl", "url") and u.text:
                    urls.append(u.text.strip())
                    break
        return urls

    def download(self, output_dir: str | os.PathLike[str] = ".") -> list[str]:
        """Downloads the output files into ``output_dir``; returns their paths."""
        os.makedirs(output_dir, exist_ok=True)
        paths = []
        for url in self.urls():
            name = os.path.basename(urllib.parse.urlparse(url).path)
            if not name or name in (".", ".."):
                raise ServiceError(None, f"output URL {url} names no file", url)
            path = os.path.join(output_dir, name)
            _, content = self.client._request("GET", url, headers={"Accept": "*/*"}, raw=True)
            tmp = path + ".part"
            with open(tmp, "wb") as f:
                f.write(content)
            os.replace(tmp, path)
            paths.append(path)
        return paths

    def open(self, output_dir: str | os.PathLike[str] | None = None) -> list[Any]:
        """The outputs as a list of ``xarray.Dataset`` (downloaded into ``output_dir``, a
        temporary directory by default, and loaded into memory)."""
        import tempfile

        import xarray as xr

        with tempfile.TemporaryDirectory() as tmp:
            dss = []
            for p in self.download(output_dir or tmp):
                # Under rookery.ops's lock: netCDF4 is not safe from several threads at once.
                with _XARRAY_IO, xr.open_dataset(p) as ds:
                    dss.append(ds.load())
            return dss

    def dismiss(self) -> Job:
        """Dismisses the job (``DELETE /jobs/{id}``): a queued job will not run, its outputs
        are removed; returns self."""
        self._update(self.client._request("DELETE", f"/jobs/{self.id}"))
        return self


def _problem_text(content):
    """The message of an OGC problem document, a rookery JSON error or an OWS exception."""
    try:
        doc = json.loads(content)
        if isinstance(doc, dict):
            return doc.get("detail") or doc.get("description") or doc.get("title") or str(doc)
    except ValueError:
        pass
    text = content.decode("utf-8", "replace").strip()
    return text.splitlines()[0] if text else "(empty answer)"
