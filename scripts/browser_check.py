#!/usr/bin/env python3
"""End-to-end check of the `pairmatch serve` web page in a real headless Chromium.

Drives Chromium through the Chrome DevTools Protocol over --remote-debugging-pipe (the browser reads
commands on fd 3 and writes answers on fd 4, each message JSON followed by a NUL byte). Python stdlib only.

    python3 scripts/browser_check.py --url http://127.0.0.1:PORT/ --a PHOTO --b PHOTO --identify PHOTO \
        [--screenshot-dir DIR] [--timeout 60] [--chromium PATH]

At desktop size (1280x800) it compares --a with --b on the Compare tab, identifies the faces of --identify on the
Identify tab and lists the enrolled people on the Enrol tab (read only: it enrols nobody); then it does the
comparison again at phone size (390x844, mobile) and measures horizontal overflow on every tab. It prints ONE JSON
object on stdout:

    {"compare": {"probability_text": "0.9731", "probability": 0.9731, "verdict": "same person", "boxes": 2,
                 "boxes_inside_photos": true, "chips": 2, "notes": ["", "2 faces found, used face 1"]},
     "identify": {"summary": "...", "faces": 2, "boxes": 2, "labels": ["obama 0.97", "unknown"],
                  "decisions": ["obama", "unknown"]},
     "enrol": {"people": ["obama", "biden"], "count_text": "(2)"},
     "phone": {"viewport_width": 390, "scroll_width": 390, "overflow": false, "overflowing_tabs": [],
               "tabs_visible": true, "compare": {...as above...}},
     "console_errors": [], "log_errors": [], "screenshots": ["DIR/desktop-compare.png", ...]}

A tab whose request ended in an error shown by the page has {"error": "the text shown"} instead.
console_errors: console.error calls and uncaught exceptions; log_errors: the browser's own error log (e.g. a
resource that failed to load, or an API answer with an error status, which the page then shows).

Exit status: 0 when every run showed a result; 1 when the page showed an error or no result within --timeout
seconds (one line on stderr says which); 2 when Chromium cannot be found or started, or the page cannot be loaded.
"""
import argparse
import base64
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time


class CheckError(Exception):
    """A failure that ends the run: message for stderr, exit status."""

    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


class Browser:
    """A headless Chromium and its DevTools pipe: commands with `call`, events collected by a reader thread."""

    def __init__(self, executable):
        self.profile = tempfile.mkdtemp(prefix="pairmatch-chromium-")
        self.log = open(os.path.join(self.profile, "chromium.log"), "w+b")
        cmd_r, cmd_w = os.pipe()  # we write commands, the browser reads them at fd 3
        res_r, res_w = os.pipe()  # the browser writes answers at fd 4, we read them
        # Copies above fd 10, so that dup2 onto 3 and 4 in the child never meets itself (which would keep
        # close-on-exec set). close_fds=False: pass_fds cannot keep fds created in preexec_fn; every fd Python
        # opened is non-inheritable (PEP 446), so only 0-2 and the two dup2-ed ends reach Chromium.
        child_r = fcntl.fcntl(cmd_r, fcntl.F_DUPFD_CLOEXEC, 10)
        child_w = fcntl.fcntl(res_w, fcntl.F_DUPFD_CLOEXEC, 10)

        def child_setup():
            os.setsid()  # its own process group: its helpers go down with it
            os.dup2(child_r, 3)
            os.dup2(child_w, 4)

        args = [executable, "--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
                "--user-data-dir=" + self.profile, "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage", "--password-store=basic", "--mute-audio",
                "about:blank"]
        try:
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
                                         close_fds=False, preexec_fn=child_setup)
        except OSError as e:
            raise CheckError("chromium could not be started (%s): %s" % (executable, e), 2)
        finally:
            for fd in (cmd_r, res_w, child_r, child_w):
                os.close(fd)
        self.wfd, self.rfd = cmd_w, res_r
        self.next_id = 0
        self.answers = {}
        self.events = []
        self.closed = False
        self.cond = threading.Condition()
        self.listeners = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        buf = b""
        while True:
            try:
                chunk = os.read(self.rfd, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                with self.cond:
                    self.closed = True
                    self.cond.notify_all()
                return
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                msg = json.loads(raw)
                with self.cond:
                    if "id" in msg:
                        self.answers[msg["id"]] = msg
                    else:
                        for listener in self.listeners:
                            listener(msg)
                    self.cond.notify_all()

    def call(self, method, params=None, session=None, timeout=30):
        """Sends one command and returns its result; raises CheckError on a protocol error or time out."""
        with self.cond:
            self.next_id += 1
            ident = self.next_id
        msg = {"id": ident, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        try:
            os.write(self.wfd, json.dumps(msg).encode() + b"\0")
        except OSError as e:
            raise CheckError("chromium closed its DevTools pipe (%s): %s" % (method, e), 2)
        deadline = time.monotonic() + timeout
        with self.cond:
            while ident not in self.answers:
                left = deadline - time.monotonic()
                if self.closed or left <= 0:
                    raise CheckError("chromium gave no answer to %s%s" % (
                        method, " (it exited)" if self.closed else " within %d s" % timeout), 2)
                self.cond.wait(left)
            answer = self.answers.pop(ident)
        if "error" in answer:
            raise CheckError("%s failed: %s" % (method, answer["error"].get("message")), 2)
        return answer.get("result", {})

    def stderr_tail(self):
        self.log.flush()
        self.log.seek(0)
        lines = [l for l in self.log.read().decode(errors="replace").splitlines() if l.strip()]
        return lines[-1] if lines else ""

    def close(self):
        try:
            if self.proc.poll() is None and not self.closed:
                self.call("Browser.close", timeout=5)
        except CheckError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=5)
        for fd in (self.wfd, self.rfd):
            try:
                os.close(fd)
            except OSError:
                pass
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    """One tab of the browser, attached in flat mode; collects console errors and exceptions."""

    def __init__(self, browser):
        self.b = browser
        self.console_errors = []
        self.log_errors = []
        self.loaded = False
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        browser.listeners.append(self._event)
        for domain in ("Page", "Runtime", "DOM", "Log"):
            self.call(domain + ".enable")

    def _event(self, msg):
        if msg.get("sessionId") != self.session:
            return
        method, params = msg.get("method"), msg.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            self.console_errors.append(text)
        elif method == "Runtime.exceptionThrown":
            d = params.get("exceptionDetails", {})
            self.console_errors.append((d.get("exception") or {}).get("description") or d.get("text", "exception"))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            e = params["entry"]
            self.log_errors.append(e.get("text", "") + (" (" + e["url"] + ")" if e.get("url") else ""))
        elif method == "Page.loadEventFired":
            self.loaded = True

    def call(self, method, params=None, timeout=30):
        return self.b.call(method, params, self.session, timeout)

    def js(self, expression):
        """The value of a JavaScript expression (JSON-serialisable)."""
        r = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in r:
            raise CheckError("page script failed: " + r["exceptionDetails"].get("text", "") + " " +
                             str(r["exceptionDetails"].get("exception", {}).get("description", "")), 1)
        return r["result"].get("value")

    def open(self, url, width, height, mobile):
        self.call("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "mobile": mobile,
                                                          "deviceScaleFactor": 2 if mobile else 1})
        self.call("Emulation.setTouchEmulationEnabled", {"enabled": mobile})
        self.loaded = False
        nav = self.call("Page.navigate", {"url": url})
        if nav.get("errorText"):
            raise CheckError("the page %s could not be loaded: %s" % (url, nav["errorText"]), 2)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.loaded and self.js("document.readyState") == "complete":
                break
            time.sleep(0.1)
        else:
            raise CheckError("the page %s did not finish loading within 30 s" % url, 2)
        if not self.js("!!document.getElementById('tab-compare') && !!document.getElementById('compare-run')"):
            raise CheckError("%s is not the pairmatch page (no #tab-compare / #compare-run)" % url, 2)

    def set_files(self, selector, paths):
        root = self.call("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = self.call("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        if not node:
            raise CheckError("the page has no " + selector, 1)
        self.call("DOM.setFileInputFiles", {"nodeId": node, "files": paths})

    def wait_for(self, prefix, timeout):
        """Waits until #PREFIX-result or #PREFIX-error is shown; returns 'result', the error text, or None."""
        deadline = time.monotonic() + timeout
        probe = ("(() => { const r = document.getElementById('%s-result'), e = document.getElementById('%s-error');"
                 " if (e && !e.hidden) return 'error:' + e.textContent;"
                 " return r && !r.hidden ? 'result' : null; })()") % (prefix, prefix)
        while time.monotonic() < deadline:
            state = self.js(probe)
            if state:
                return state
            time.sleep(0.2)
        return None

    def screenshot(self, path):
        metrics = self.call("Page.getLayoutMetrics")
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        shot = self.call("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}})
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))


COMPARE_READ = r"""(() => {
  const text = (id) => (document.getElementById(id).textContent || '').trim();
  const shown = (el) => !!el && !el.hidden && el.offsetWidth > 0 && el.offsetHeight > 0;
  const result = document.getElementById('compare-result');
  const boxes = Array.from(result.querySelectorAll('.face-box')).filter(shown);
  const inside = boxes.every((box) => {
    const img = box.parentElement.querySelector('img').getBoundingClientRect();
    const r = box.getBoundingClientRect();
    return r.left >= img.left - 1 && r.top >= img.top - 1 && r.right <= img.right + 1 && r.bottom <= img.bottom + 1;
  });
  const chips = ['compare-a-chip', 'compare-b-chip'].map((id) => document.getElementById(id))
    .filter((img) => shown(img) && img.complete && img.naturalWidth === 150).length;
  return {probability_text: text('compare-probability'), verdict: text('compare-verdict'),
          boxes: boxes.length, boxes_inside_photos: inside, chips: chips,
          notes: [text('compare-a-note'), text('compare-b-note')]};
})()"""

IDENTIFY_READ = r"""(() => {
  const result = document.getElementById('identify-result');
  const shown = (el) => el.offsetWidth > 0 && el.offsetHeight > 0;
  return {summary: document.getElementById('identify-summary').textContent.trim(),
          faces: document.querySelectorAll('#identify-list > li').length,
          boxes: Array.from(result.querySelectorAll('.face-box')).filter(shown).length,
          labels: Array.from(result.querySelectorAll('.face-label')).filter(shown).map((l) => l.textContent.trim()),
          decisions: Array.from(document.querySelectorAll('#identify-list .face-head strong')).map((s) => s.textContent.trim())};
})()"""

LAYOUT_READ = r"""(() => {
  const w = window.innerWidth, h = window.innerHeight;
  const tabs = ['tab-compare', 'tab-identify', 'tab-enrol'].map((id) => document.getElementById(id));
  const visible = tabs.every((t) => {
    if (!t) return false;
    const r = t.getBoundingClientRect(), s = getComputedStyle(t);
    return r.width > 0 && r.height > 0 && r.left >= 0 && r.right <= w && r.top >= 0 && r.bottom <= h &&
           s.visibility !== 'hidden' && s.display !== 'none' && Number(s.opacity) > 0;
  });
  return {viewport_width: w, scroll_width: document.documentElement.scrollWidth, tabs_visible: visible};
})()"""


def select_tab(page, name):
    page.js("document.getElementById('tab-%s').click()" % name)


def run_compare(page, a, b, timeout, failures, label):
    select_tab(page, "compare")
    page.set_files("#compare-a", [a])
    page.set_files("#compare-b", [b])
    page.js("document.getElementById('compare-run').click()")
    state = page.wait_for("compare", timeout)
    if state is None:
        failures.append("%s compare: no result shown within %d s" % (label, timeout))
        return {"error": None}
    if state.startswith("error:"):
        failures.append("%s compare: the page showed an error: %s" % (label, state[6:]))
        return {"error": state[6:]}
    out = page.js(COMPARE_READ)
    try:
        out["probability"] = float(out["probability_text"])
    except ValueError:
        out["probability"] = None
    keys = ["probability_text", "probability", "verdict", "boxes", "boxes_inside_photos", "chips", "notes"]
    return {k: out[k] for k in keys}


def run_identify(page, photo, timeout, failures, label):
    select_tab(page, "identify")
    page.set_files("#identify-image", [photo])
    page.js("document.getElementById('identify-run').click()")
    state = page.wait_for("identify", timeout)
    if state is None:
        failures.append("%s identify: no result shown within %d s" % (label, timeout))
        return {"error": None}
    if state.startswith("error:"):
        failures.append("%s identify: the page showed an error: %s" % (label, state[6:]))
        return {"error": state[6:]}
    return page.js(IDENTIFY_READ)


def read_enrol(page, timeout):
    """Opens the Enrol tab (which loads GET /v1/people) and reads the list shown."""
    select_tab(page, "enrol")
    deadline = time.monotonic() + timeout
    probe = ("(() => { const e = document.getElementById('enrol-people-error');"
             " if (!e.hidden) return {error: e.textContent.trim()};"
             " const items = document.querySelectorAll('#enrol-people > li');"
             " if (items.length === 0) return null;"
             " return {people: Array.from(items).filter((li) => !li.classList.contains('note'))"
             "   .map((li) => li.querySelector('strong').textContent.trim()),"
             "  count_text: document.getElementById('enrol-count').textContent.trim()}; })()")
    while time.monotonic() < deadline:
        state = page.js(probe)
        if state:
            return state
        time.sleep(0.2)
    return {"error": None}


def find_chromium(explicit):
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def main():
    ap = argparse.ArgumentParser(description="End-to-end check of the pairmatch web page in headless Chromium.")
    ap.add_argument("--url", required=True, help="the page, e.g. http://127.0.0.1:8080/")
    ap.add_argument("--a", required=True, help="first photo to compare")
    ap.add_argument("--b", required=True, help="second photo to compare")
    ap.add_argument("--identify", required=True, help="photo for the Identify tab")
    ap.add_argument("--screenshot-dir", help="save PNG screenshots here")
    ap.add_argument("--timeout", type=float, default=60, help="seconds to wait for each result (default 60)")
    ap.add_argument("--chromium", help="the browser executable (default: chromium or chromium-browser on PATH)")
    args = ap.parse_args()
    photos = {}
    for key in ("a", "b", "identify"):
        path = os.path.abspath(getattr(args, key))
        if not os.path.isfile(path):
            print("browser_check: --%s %s: no such file" % (key, path), file=sys.stderr)
            return 2
        photos[key] = path
    executable = find_chromium(args.chromium)
    if not executable:
        print("browser_check: chromium not found (neither chromium nor chromium-browser is on PATH)", file=sys.stderr)
        return 2
    if args.screenshot_dir:
        os.makedirs(args.screenshot_dir, exist_ok=True)

    report, failures, shots = {}, [], []

    def shoot(page, name):
        if args.screenshot_dir:
            path = os.path.join(args.screenshot_dir, name + ".png")
            page.screenshot(path)
            shots.append(path)

    browser = None
    try:
        browser = Browser(executable)
        try:
            browser.call("Browser.getVersion", timeout=30)
        except CheckError as e:
            tail = browser.stderr_tail()
            raise CheckError("chromium did not start: %s%s" % (e, ("; it said: " + tail) if tail else ""), 2)
        page = Page(browser)

        page.open(args.url, 1280, 800, False)
        shoot(page, "desktop-start")
        report["compare"] = run_compare(page, photos["a"], photos["b"], args.timeout, failures, "desktop")
        shoot(page, "desktop-compare")
        if args.screenshot_dir:  # the same result in the dark colour scheme, for a human to look at
            page.call("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
            shoot(page, "desktop-compare-dark")
            page.call("Emulation.setEmulatedMedia", {"features": []})
        report["identify"] = run_identify(page, photos["identify"], args.timeout, failures, "desktop")
        shoot(page, "desktop-identify")
        report["enrol"] = read_enrol(page, min(args.timeout, 30))
        shoot(page, "desktop-enrol")

        page.open(args.url, 390, 844, True)
        phone = {"compare": run_compare(page, photos["a"], photos["b"], args.timeout, failures, "phone")}
        layouts = {"compare": page.js(LAYOUT_READ)}
        shoot(page, "phone-compare")
        run_identify(page, photos["identify"], args.timeout, failures, "phone")
        layouts["identify"] = page.js(LAYOUT_READ)
        shoot(page, "phone-identify")
        read_enrol(page, min(args.timeout, 30))
        layouts["enrol"] = page.js(LAYOUT_READ)
        shoot(page, "phone-enrol")
        select_tab(page, "compare")
        first = layouts["compare"]
        phone.update({
            "viewport_width": first["viewport_width"],
            "scroll_width": max(l["scroll_width"] for l in layouts.values()),
            "overflow": any(l["scroll_width"] > l["viewport_width"] for l in layouts.values()),
            "overflowing_tabs": [t for t, l in layouts.items() if l["scroll_width"] > l["viewport_width"]],
            "tabs_visible": all(l["tabs_visible"] for l in layouts.values()),
        })
        report["phone"] = {k: phone[k] for k in ("viewport_width", "scroll_width", "overflow", "overflowing_tabs",
                                                 "tabs_visible", "compare")}
        report["console_errors"] = page.console_errors
        report["log_errors"] = page.log_errors
        report["screenshots"] = shots
    except CheckError as e:
        print("browser_check: %s" % e, file=sys.stderr)
        return e.status
    finally:
        if browser is not None:
            browser.close()

    print(json.dumps(report))
    if failures:
        print("browser_check: " + failures[0] + ("" if len(failures) == 1 else " (and %d more)" % (len(failures) - 1)),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
