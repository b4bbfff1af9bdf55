"""The browser UI in headless Chromium (selenium), against a server on loopback started by
tests/ui.rs. Env: URL, KEY_ALICE (execute,jobs,data:read), KEY_BOB (execute,jobs), KEY_ADMIN,
DATASET (a dataset id), RLDS (a file path), OUT (screenshots and the downloaded output). Prints 'N passed, M failed'.
"""
import os
import sys
import time
import traceback
import urllib.request

import netCDF4
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

URL = os.environ["URL"].rstrip("/")
OUT = os.environ["OUT"]
DATASET = os.environ["DATASET"]
RLDS = os.environ["RLDS"]
ALICE, BOB, ADMIN = os.environ["KEY_ALICE"], os.environ["KEY_BOB"], os.environ["KEY_ADMIN"]

opts = webdriver.ChromeOptions()
for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000"):
    opts.add_argument(a)
opts.binary_location = "/usr/bin/chromium"
opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
wait = WebDriverWait(d, 30, ignored_exceptions=[StaleElementReferenceException])
passed, failed = 0, 0
state = {}


def shot(name):
    d.save_screenshot(os.path.join(OUT, name + ".png"))


def find(css):
    return wait.until(lambda drv: drv.find_element(By.CSS_SELECTOR, css))


def text_of(css):
    for _ in range(20):
        try:
            return find(css).text
        except StaleElementReferenceException:  # the view was redrawn (polling)
            time.sleep(0.1)
    return find(css).text


def go(path):
    d.get(URL + path)


def sign_in(key):
    go("/ui/#/signin")
    box = find("#key")
    box.clear()
    box.send_keys(key)
    find("#signin-button").click()


def check(name):
    def deco(f):
        global passed, failed
        try:
            f()
            passed += 1
            print("ok  ", name)
        except Exception:  # noqa: BLE001 - report every check
            failed += 1
            print("FAIL", name)
            traceback.print_exc(file=sys.stdout)
            shot("failed-" + f.__name__)
        return f
    return deco


@check("processes listed without signing in")
def processes():
    go("/ui/")
    find("#processes a.proc-link")
    names = [a.text for a in d.find_elements(By.CSS_SELECTOR, "#processes a.proc-link")]
    assert "subset" in names, names
    shot("processes")


@check("a wrong key is refused")
def wrong_key():
    sign_in("rk_not-a-key")
    wait.until(lambda _: "refused" in text_of("#msg"))
    assert d.execute_script("return sessionStorage.getItem('rookery.token')") is None


@check("sign in with a key")
def right_key():
    sign_in(ALICE)
    wait.until(lambda _: d.current_url.endswith("#/processes"))
    assert d.execute_script("return sessionStorage.getItem('rookery.token')") == ALICE
    assert d.get_cookies() == [], d.get_cookies()


def set_value(el, v):
    d.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
        "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));", el, v)


@check("subset through the form, watched to the end, output opened with netCDF4")
def subset():
    go("/ui/#/processes/subset")
    find("#in-collection").send_keys(RLDS)
    set_value(find("#in-time-start"), "2000-01-01")
    set_value(find("#in-time-end"), "2000-12-31")
    for w, v in zip(("west", "south", "east", "north"), ("0", "-90", "100", "40")):
        find("#in-area-" + w).send_keys(v)
    # Allowed values and defaults from the description.
    assert find("#in-apply_fixes").is_selected()
    wait.until(lambda _: '"area":"0,-90,100,40"' in text_of("#call-curl"))
    curl = text_of("#call-curl")
    assert "Prefer: respond-async" in curl and RLDS in curl and "2000-01-01/2000-12-31" in curl, curl
    assert "rooki.subset(" in text_of("#call-rooki") and "requests.post(" in text_of("#call-python")
    shot("process-form")
    find("#submit").click()
    wait.until(lambda _: "#/jobs/" in d.current_url)
    state["job"] = d.current_url.rsplit("/", 1)[1]
    WebDriverWait(d, 180, ignored_exceptions=[StaleElementReferenceException]).until(lambda _: "successful" in text_of("#status") or "failed" in text_of("#status"))
    assert "successful" in text_of("#status"), text_of("#message")
    find("#outputs a.output-link")
    shot("job")
    links = [a.get_attribute("href") for a in d.find_elements(By.CSS_SELECTOR, "#outputs a.output-link")]
    nc = [h for h in links if ".nc" in h.split("?")[0]]
    assert nc, links
    path = os.path.join(OUT, "output.nc")
    urllib.request.urlretrieve(nc[0], path)
    with netCDF4.Dataset(path) as ds:
        assert ds["rlds"].shape[0] == 12, ds["rlds"].shape
        lon = ds["lon"][:]
        assert lon.max() <= 100 and ds["lat"].shape[0] == 2, (lon, ds["lat"][:])
    os.remove(path)
    docs = [a.text for a in d.find_elements(By.CSS_SELECTOR, "#documents a.doc-link")]
    assert any("provenance.png" in x for x in docs) and any("provenance.json" in x for x in docs), docs
    find("img.prov")


@check("the job list shows the job; a page at /jobs for a browser")
def job_list():
    go("/jobs")
    find("#jobs a.job-link")
    ids = [a.text for a in d.find_elements(By.CSS_SELECTOR, "#jobs a.job-link")]
    assert state["job"] in ids, ids


@check("re-run prefills the form")
def rerun():
    go("/ui/#/jobs/" + state["job"])
    find("#rerun").click()
    wait.until(lambda _: find("#in-collection").get_attribute("value") == RLDS)
    assert find("#in-time-start").get_attribute("value") == "2000-01-01"
    assert find("#in-area-north").get_attribute("value") == "40"


@check("dataset ids complete from the registry; the time pickers keep to the dataset's range")
def time_bounds():
    go("/ui/#/processes/subset")
    find("#in-collection")
    wait.until(lambda _: DATASET in [o.get_attribute("value") for o in d.find_elements(By.CSS_SELECTOR, "#dataset-ids option")])
    set_value(find("#in-collection"), DATASET)
    wait.until(lambda _: find("#in-time-start").get_attribute("min"))
    lo, hi = find("#in-time-start").get_attribute("min"), find("#in-time-end").get_attribute("max")
    assert len(lo) == 10 and len(hi) == 10 and lo < hi, (lo, hi)
    assert "Dataset time range" in text_of("#time-range")
    # The label of a compound field focuses its first box (keyboard and screen readers).
    assert find("label[for=in-time-start]") and find("label[for=in-area-west]")
    set_value(find("#in-collection"), RLDS)
    wait.until(lambda _: not find("#in-time-start").get_attribute("min"))


@check("phone width: no sideways scrolling of the page")
def phone():
    d.set_window_size(390, 844)
    try:
        for path, css in (("/ui/#/processes", "#processes"), ("/ui/#/jobs", "#jobs"), ("/ui/#/processes/subset", "#process-form")):
            go(path)
            find(css)
            over = d.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert over <= 1, (path, over)
        shot("phone-form")
    finally:
        d.set_window_size(1280, 1000)


@check("<script> in inputs is shown as text")
def script_as_text():
    go("/ui/#/processes/subset")
    evil = "<script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\">"
    find("#in-collection").send_keys(evil)
    find("#submit").click()
    wait.until(lambda _: "#/jobs/" in d.current_url)
    state["evil"] = d.current_url.rsplit("/", 1)[1]
    wait.until(lambda _: evil in [e.text for e in d.find_elements(By.CSS_SELECTOR, "#inputs td.input-value")])
    WebDriverWait(d, 60, ignored_exceptions=[StaleElementReferenceException]).until(lambda _: "failed" in text_of("#status"))
    assert d.execute_script("return window.pwned") is None
    assert not d.find_elements(By.CSS_SELECTOR, "#main script, #main img[src='x']")
    shot("job-script-as-text")


@check("dismiss a job")
def dismiss():
    go("/ui/#/jobs/" + state["evil"])
    find("#dismiss").click()
    wait.until(lambda _: "dismissed" in text_of("#main").lower())


@check("another user's job is not visible")
def other_user():
    sign_in(BOB)
    wait.until(lambda _: d.current_url.endswith("#/processes"))
    go("/ui/#/jobs/" + state["job"])
    wait.until(lambda _: "does not exist" in text_of("#msg"))
    go("/ui/#/jobs")
    find("#jobs")
    assert state["job"] not in d.page_source


@check("datasets: metadata, quicklook on a canvas, a point's time series")
def datasets():
    sign_in(ALICE)
    wait.until(lambda _: d.current_url.endswith("#/processes"))
    go("/ui/#/datasets")
    find("#datasets a.ds-link")
    go("/ui/#/datasets/" + DATASET)
    find("#variables")
    canvas = find("#quicklook")
    wait.until(lambda _: "tas at time step 0 of" in text_of("#ql-msg"))
    assert int(canvas.get_attribute("width")) == 2 and int(canvas.get_attribute("height")) == 2
    # The canvas is drawn: not one colour everywhere.
    colours = d.execute_script(
        "const c=document.getElementById('quicklook').getContext('2d').getImageData(0,0,2,2).data;"
        "const s=new Set(); for(let i=0;i<c.length;i+=4) s.add(c[i]+','+c[i+1]+','+c[i+2]); return s.size;")
    assert colours >= 2, colours
    # The keyboard reaches the same series: focus, an arrow, Enter.
    from selenium.webdriver.common.keys import Keys
    canvas.send_keys(Keys.ARROW_LEFT, Keys.ENTER)
    wait.until(lambda _: "at grid point" in text_of("#series"))
    d.execute_script("document.getElementById('series').replaceChildren()")
    canvas.click()
    find("#series svg.chart path")
    shot("datasets")


@check("usage charts for an admin; refused for a user")
def usage():
    go("/ui/#/usage")
    wait.until(lambda _: "HTTP 403" in text_of("#msg"))
    sign_in(ADMIN)
    wait.until(lambda _: d.current_url.endswith("#/processes"))
    go("/ui/#/usage")
    find("#charts svg.chart")
    charts = d.find_elements(By.CSS_SELECTOR, "#charts svg.chart")
    assert len(charts) >= 6, len(charts)
    assert d.find_elements(By.CSS_SELECTOR, "#charts svg.chart rect")
    # The coverage-check results, markup in a message shown as text.
    wait.until(lambda _: "3 requests, 2 passed, 1 failed" in text_of("#check-summary"))
    evil = '<img src=x onerror="window.pwned=3">'
    assert evil in [td.text for td in d.find_elements(By.CSS_SELECTOR, "#check table.failures td")]
    assert d.execute_script("return window.pwned") is None
    assert not d.find_elements(By.CSS_SELECTOR, "#check img")
    shot("usage")
    find("#sites-all").click()
    wait.until(lambda _: "local: included" in text_of("#site-status"))
    find("#sites-local")


@check("no Content-Security-Policy violation was reported")
def csp():
    logs = d.get_log("browser")
    bad = [x for x in logs if "Content Security Policy" in x.get("message", "")]
    assert not bad, bad


d.quit()
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
