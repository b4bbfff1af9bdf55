"""rooki and OWSLib with an OIDC access token (not an API key) against a rookery server.

Environment: ROOK_URL (the /wps endpoint), ACCESS_TOKEN (a JWT access token with
jobs:execute and jobs:read:own), BAD_TOKEN (the same token tampered with), RLDS (a NetCDF
file), OUT (a scratch directory). Prints one line per check and "N passed, M failed".
Never prints a token.
"""

import os
import sys
import traceback

URL = os.environ["ROOK_URL"]
TOKEN = os.environ["ACCESS_TOKEN"]
BAD = os.environ["BAD_TOKEN"]
RLDS = os.environ["RLDS"]
OUT = os.environ["OUT"]
HEADERS = {"Authorization": f"Bearer {TOKEN}"}

results = []


def check(name):
    def deco(f):
        try:
            f()
            results.append((name, None))
            print(f"ok   {name}", flush=True)
        except Exception:  # noqa: BLE001
            tb = traceback.format_exc().replace(TOKEN, "<token>").replace(BAD, "<bad-token>")
            results.append((name, tb))
            print(f"FAIL {name}\n{tb}", flush=True)
        return f

    return deco


from owslib.wps import ASYNC, SYNC, WebProcessingService, monitorExecution  # noqa: E402

wps = WebProcessingService(URL, headers=HEADERS, skip_caps=True)


@check("owslib GetCapabilities with a token")
def _():
    wps.getcapabilities()
    assert "subset" in [p.identifier for p in wps.processes]


@check("owslib Execute subset sync with a token")
def _():
    ex = wps.execute("subset", inputs=[("collection", RLDS), ("time", "2001-01-01/2002-12-30")],
                     output=[("output", True)], mode=SYNC)
    assert ex.isSucceded(), [e.text for e in ex.errors]
    assert "output.meta4" in ex.processOutputs[0].reference


@check("owslib Execute subset async + monitor with a token")
def _():
    ex = wps.execute("subset", inputs=[("collection", RLDS), ("area", "20,10,250,90")],
                     output=[("output", True)], mode=ASYNC)
    monitorExecution(ex, sleepSecs=1)
    assert ex.isSucceded(), [e.text for e in ex.errors]


@check("owslib with a tampered token is refused (401 AccessForbidden)")
def _():
    from owslib.util import ServiceException
    bad = WebProcessingService(URL, headers={"Authorization": f"Bearer {BAD}"}, skip_caps=True)
    try:
        bad.execute("subset", inputs=[("collection", RLDS)], mode=SYNC)
    except ServiceException as e:  # OWSLib turns HTTP 400/401/403 into ServiceException
        text = str(e)
        assert "AccessForbidden" in text and "signature does not verify" in text, text
        return
    raise AssertionError("a tampered token was accepted")


os.environ["ROOKI_OUTPUT_DIR"] = OUT
from rooki import Rooki  # noqa: E402


def rooki_subset(mode):
    r = Rooki(url=URL, mode=mode)
    res = r.subset(collection=RLDS, time="2001-01-01/2002-12-30", area="20,10,250,90")
    assert res.ok, res.status
    files = res.download()
    assert len(files) == 1 and os.path.getsize(files[0]) == res.size, (files, res.size)


@check("rooki subset sync with ACCESS_TOKEN = an OIDC token")
def _():
    rooki_subset("sync")


@check("rooki subset async with ACCESS_TOKEN = an OIDC token")
def _():
    rooki_subset("async")


@check("rooki with a tampered token is refused")
def _():
    os.environ["ACCESS_TOKEN"] = BAD
    try:
        r = Rooki(url=URL, mode="sync")
        try:
            r.subset(collection=RLDS)
        except Exception:  # noqa: BLE001  (rooki raises on the HTTP error)
            return
        raise AssertionError("execute with a tampered token succeeded")
    finally:
        os.environ["ACCESS_TOKEN"] = TOKEN


passed = sum(1 for _, e in results if e is None)
failed = len(results) - passed
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
