"""The browser UI's OIDC sign-in (authorization code + PKCE) in headless Chromium (selenium),
against a rookery server and a real OpenID provider (oidc-provider, tests/oidc/provider.mjs,
its devInteractions login and consent pages) on loopback, started by tests/ui.rs.
Env: URL, ISSUER, RLDS (a file path), OUT (screenshots). Prints 'N passed, M failed'.
"""
import json
import os
import sys
import traceback

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

URL = os.environ["URL"].rstrip("/")
ISSUER = os.environ["ISSUER"].rstrip("/")
OUT = os.environ["OUT"]
RLDS = os.environ["RLDS"]

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
        except StaleElementReferenceException:
            pass
    return find(css).text


def token():
    return d.execute_script("return sessionStorage.getItem('rookery.token')")


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


def to_provider():
    d.get(URL + "/ui/#/signin")
    button = find("#oidc-signin")
    assert ISSUER in button.text, button.text
    shot("signin-oidc")
    button.click()
    wait.until(lambda _: d.current_url.startswith(ISSUER + "/interaction/"))


@check("an issuer's error (the user cancels at the provider) is shown as one line")
def cancelled():
    to_provider()
    find("input[name=login]")
    find("a[href*='/abort']").click()
    wait.until(lambda _: d.current_url.startswith(URL + "/ui/"))
    wait.until(lambda _: "access_denied" in text_of("#flash"))
    assert "\n" not in text_of("#flash")
    assert "code=" not in d.current_url and "error=" not in d.current_url, d.current_url
    assert token() is None


@check("sign in at the provider (login, consent), back signed in with a JWT for rookery")
def sign_in():
    to_provider()
    find("input[name=login]").send_keys("carol")
    find("input[name=password]").send_keys("any password")
    find("button[type=submit]").click()
    wait.until(lambda drv: "Continue" in drv.find_element(By.CSS_SELECTOR, "button[type=submit]").text)
    find("button[type=submit]").click()
    wait.until(lambda _: d.current_url.startswith(URL + "/ui/") and "#/processes" in d.current_url)
    wait.until(lambda _: "Signed in as carol" in text_of("#flash"))
    assert "code=" not in d.current_url and "state=" not in d.current_url, d.current_url
    t = token()
    assert t and t.count(".") == 2, t
    assert "signed in as carol" in text_of("#who")
    assert d.execute_script("return sessionStorage.getItem('rookery.oidc')") is None
    shot("signed-in-oidc")


@check("as that user: the job list, a subset submitted through the form and finished")
def as_user():
    d.get(URL + "/ui/#/jobs")
    find("#jobs")
    d.get(URL + "/ui/#/processes/subset")
    find("#in-collection").send_keys(RLDS)
    d.execute_script(
        "for (const [i, v] of [['in-time-start', '2000-01-01'], ['in-time-end', '2000-12-31']]) {"
        " const e = document.getElementById(i); e.value = v;"
        " e.dispatchEvent(new Event('change', {bubbles: true})); }")
    find("#submit").click()
    wait.until(lambda _: "#/jobs/" in d.current_url)
    job = d.current_url.rsplit("/", 1)[1]
    WebDriverWait(d, 180, ignored_exceptions=[StaleElementReferenceException]).until(
        lambda _: "successful" in text_of("#status") or "failed" in text_of("#status"))
    assert "successful" in text_of("#status"), text_of("#message")
    owner = d.find_element(By.XPATH, "//table[@id='job']//th[text()='owner']/following-sibling::td").text
    assert owner == ISSUER + "#carol", owner
    d.get(URL + "/ui/#/jobs")
    wait.until(lambda _: job in [a.text for a in d.find_elements(By.CSS_SELECTOR, "#jobs a.job-link")])


@check("a tampered state is refused (no code exchanged, no token kept)")
def tampered():
    d.execute_script("sessionStorage.clear();"
                     "sessionStorage.setItem('rookery.oidc', JSON.stringify("
                     "{verifier: 'v', state: 'the-real-state', nonce: 'n', back: '#/jobs'}));")
    d.get(URL + "/ui/?code=stolen-code&state=forged-state&iss=" + ISSUER)
    wait.until(lambda _: "state does not match" in text_of("#flash"))
    assert "code=" not in d.current_url, d.current_url
    assert token() is None
    # An answer with no sign-in started in this tab is refused the same way.
    d.get(URL + "/ui/?code=stolen-code&state=the-real-state")
    wait.until(lambda _: "state does not match" in text_of("#flash"))
    assert token() is None


@check("no Content-Security-Policy violation was reported")
def csp():
    logs = d.get_log("browser")
    bad = [x for x in logs if "Content Security Policy" in x.get("message", "")]
    assert not bad, json.dumps(bad)


d.quit()
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
