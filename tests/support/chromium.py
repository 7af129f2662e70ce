#!/usr/bin/env python3
"""Opens a local HTML file in headless Chromium at a given window width, and prints what a test
needs to judge it as one JSON object on stdout: console errors, uncaught exceptions, every request
the page made and those that failed, layout measurements, the fonts that rendered the text, the
characters no installed font covers; and saves a full-page screenshot.

Used by tests/html_in_chromium.rs, which makes the assertions; this script only observes, and exits
non-zero (a message on stderr) only when it could not drive Chromium.

Why the DevTools protocol over --remote-debugging-pipe: it needs nothing beyond the Python
standard library (messages are NUL-terminated JSON on file descriptors 3 and 4: no WebSocket, no
port, no server at all), it measures the shipped file as it is (no script injected into a copy),
and it sees what the Chromium CLI cannot: failed requests and console errors as events, the exact
viewport (Emulation.setDeviceMetricsOverride, not the window size minus scrollbars), and the
platform fonts used for the text. Nothing can reach the network: every host name resolves to
nothing and every connection goes through a proxy on a closed loopback port.

    chromium.py [--chromium /usr/bin/chromium] --page report.html 600 out.png [--page ...]
"""

import argparse
import base64
import json
import os
import pathlib
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time

TIMEOUT = 60.0  # seconds for the whole page, generous for a cold start on a loaded machine

# Measured in the page once it has loaded; returned by value.
MEASURE = r"""
(() => {
  const vw = window.innerWidth;
  const describe = (e) => {
    const r = e.getBoundingClientRect();
    const text = (e.innerText || e.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 80);
    return { tag: e.tagName.toLowerCase(), left: r.left, right: r.right, width: r.width,
             scrollWidth: e.scrollWidth, clientWidth: e.clientWidth, text };
  };
  // The heading above a table, to name it in a failure message.
  const headingOf = (e) => {
    for (let n = e; n; n = n.previousElementSibling || n.parentElement) {
      if (/^H[1-6]$/.test(n.tagName)) return n.innerText.trim();
    }
    return '';
  };
  const all = [...document.querySelectorAll('*')];
  const tables = [...document.querySelectorAll('table')].map((t) => ({
    ...describe(t), heading: headingOf(t), columns: t.rows.length ? t.rows[0].cells.length : 0,
  }));
  // What would load something: URL attributes of resource elements, url() and @import in CSS.
  const resources = [];
  const resourceAttrs = ['src', 'srcset', 'poster', 'data', 'background', 'action',
                         'formaction', 'xlink:href', 'ping', 'manifest', 'codebase'];
  for (const e of all) {
    for (const a of resourceAttrs) {
      if (e.hasAttribute(a)) resources.push(`<${e.tagName.toLowerCase()} ${a}="${e.getAttribute(a)}">`);
    }
    if (/^(link|base|embed|object|iframe|frame|img|image|video|audio|source|track|use)$/i.test(e.tagName)) {
      resources.push(`<${e.tagName.toLowerCase()}> element`);
    }
    const style = e.getAttribute('style') || '';
    if (/url\s*\(|@import|image-set\s*\(/i.test(style)) resources.push(`style="${style.slice(0, 120)}"`);
  }
  for (const s of document.querySelectorAll('style')) {
    for (const m of s.textContent.matchAll(/(url\s*\([^)]*\)|@import[^;]*|image-set\s*\()/gi)) {
      resources.push(`<style> ${m[0]}`);
    }
  }
  const handlers = [];
  for (const e of all) {
    for (const a of e.getAttributeNames()) {
      if (/^on/i.test(a)) handlers.push(`<${e.tagName.toLowerCase()} ${a}>`);
    }
  }
  const jsUrls = [...document.querySelectorAll('[href]')]
    .map((e) => e.getAttribute('href')).filter((h) => /^\s*javascript:/i.test(h));
  return {
    innerWidth: vw,
    innerHeight: window.innerHeight,
    documentScrollWidth: document.documentElement.scrollWidth,
    bodyScrollWidth: document.body.scrollWidth,
    documentScrollHeight: document.documentElement.scrollHeight,
    tables,
    maxTableRight: tables.length ? Math.max(...tables.map((t) => t.right)) : 0,
    // Elements reaching past the right edge of the viewport (or starting left of it).
    overflowing: all.filter((e) => {
      const r = e.getBoundingClientRect();
      return r.width > 0 && (r.right > vw + 0.5 || r.left < -0.5);
    }).map(describe).slice(0, 30),
    // Cells and code blocks whose content is wider than their box: clipped or spilling over.
    spilling: [...document.querySelectorAll('td, th, pre')]
      .filter((e) => e.scrollWidth > e.clientWidth + 1).map(describe).slice(0, 30),
    scripts: document.querySelectorAll('script').length,
    noscripts: document.querySelectorAll('noscript').length,
    handlers,
    javascriptUrls: jsUrls,
    resources,
    resourceTimings: performance.getEntriesByType('resource').map((e) => e.name),
    links: [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')),
    text: document.body.innerText,
    // What the reader sees first: the page's background and text colours as drawn.
    bodyBackground: getComputedStyle(document.body).backgroundColor,
    bodyColor: getComputedStyle(document.body).color,
    title: document.title,
    lang: document.documentElement.lang,
  };
})()
"""


class Chromium:
    """A Chromium process driven over --remote-debugging-pipe."""

    def __init__(self, binary, width, height, profile):
        """Starts Chromium; `width` x `height` is the window, each tab sets its own viewport."""
        # fd 3: commands to Chromium, fd 4: replies and events from it.
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def map_fds():
            # Move both ends above 4 first, so the dup2 calls cannot clobber one another.
            r = os.dup2(to_child_r, 100)
            w = os.dup2(from_child_w, 101)
            os.dup2(r, 3)
            os.dup2(w, 4)

        args = [
            binary,
            "--headless",
            "--no-sandbox",  # root in a container: the sandbox needs user namespaces
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--remote-debugging-pipe",
            f"--user-data-dir={profile}",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-default-apps",
            "--disable-extensions",
            "--disable-sync",
            "--disable-quic",
            "--disable-features=Translate,MediaRouter,OptimizationHints,AutofillServerCommunication",
            "--metrics-recording-only",
            "--mute-audio",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            # No network: no name resolves, and any connection goes to a closed loopback port.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--proxy-server=http://127.0.0.1:9",
            f"--window-size={width},{height}",
            "about:blank",
        ]
        self._stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
            preexec_fn=map_fds,
            pass_fds=(3, 4),
            env={**os.environ, "LANG": os.environ.get("LANG", "C.UTF-8")},
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._next_id = 0
        self._replies = {}
        self.events = []
        self._inbox = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        buf = b""
        while True:
            chunk = os.read(self._from_child, 1 << 16)
            if not chunk:
                self._inbox.put(None)
                return
            buf += chunk
            *messages, buf = buf.split(b"\0")
            for m in messages:
                self._inbox.put(json.loads(m))

    def _pump(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("Chromium did not answer in time")
        try:
            msg = self._inbox.get(timeout=left)
        except queue.Empty:
            raise TimeoutError("Chromium did not answer in time") from None
        if msg is None:
            raise RuntimeError(f"Chromium closed the pipe (exit code {self.proc.poll()})")
        if "id" in msg:
            self._replies[msg["id"]] = msg
        else:
            self.events.append(msg)

    def send(self, method, params=None, session=None, deadline=None):
        self._next_id += 1
        mid = self._next_id
        msg = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_child, json.dumps(msg).encode() + b"\0")
        deadline = deadline or time.monotonic() + TIMEOUT
        while mid not in self._replies:
            self._pump(deadline)
        reply = self._replies.pop(mid)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def wait_event(self, method, session, deadline):
        seen = 0
        while True:
            for e in self.events[seen:]:
                if e.get("method") == method and e.get("sessionId") == session:
                    return e
            seen = len(self.events)
            self._pump(deadline)

    def close(self):
        try:
            self.send("Browser.close", deadline=time.monotonic() + 5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_child)

    def stderr_tail(self, lines=20):
        self._stderr.seek(0)
        text = self._stderr.read().decode(errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def remote_text(obj):
    """A Runtime.RemoteObject as text."""
    if "value" in obj:
        return str(obj["value"])
    return obj.get("description") or obj.get("unserializableValue") or obj.get("type", "?")


def rendered_fonts(browser, session):
    """Platform font family -> glyphs it rendered, over every element with its own text."""
    root = browser.send("DOM.getDocument", {"depth": -1, "pierce": True}, session)["root"]
    fonts = {}
    stack = [root]
    while stack:
        node = stack.pop()
        children = node.get("children", [])
        stack.extend(children)
        has_text = any(c["nodeType"] == 3 and c["nodeValue"].strip() for c in children)
        if node["nodeType"] != 1 or not has_text or node["nodeName"] in ("TITLE", "STYLE"):
            continue
        result = browser.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]}, session)
        for f in result.get("fonts", []):
            fonts[f["familyName"]] = fonts.get(f["familyName"], 0) + f["glyphCount"]
    return fonts


def uncovered_characters(text):
    """Characters of `text` that no installed font has a glyph for (they render as boxes)."""
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return ["(fc-list not found: run scripts/test-deps)"]
    # Every installed font's character set, as hex ranges ("20-7e a0 ..."), in one call.
    charsets = subprocess.run(
        [fc_list, "--format", "%{charset}\\n"], capture_output=True, text=True, check=True
    ).stdout
    covered = []
    for word in charsets.split():
        lo, _, hi = word.partition("-")
        covered.append((int(lo, 16), int(hi or lo, 16)))
    missing = []
    for ch in sorted(set(text)):
        cp = ord(ch)
        # ASCII, controls, joiners and variation selectors need no glyph of their own.
        if cp < 0x80 or cp in (0x200B, 0x200C, 0x200D, 0x2060) or 0xFE00 <= cp <= 0xFE0F:
            continue
        if not any(lo <= cp <= hi for lo, hi in covered):
            missing.append(f"{ch} U+{cp:04X}")
    return missing


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def observe_page(browser, file, width, height, screenshot, dark=False, max_height=30000):
    """Opens `file` in a fresh tab with a `width` x `height` viewport (in dark mode: the page's
    `prefers-color-scheme: dark` rules apply); what was seen, as a dict. The screenshot is the
    whole page, at most `max_height` px of it."""
    url = pathlib.Path(file).resolve().as_uri()
    deadline = time.monotonic() + TIMEOUT
    target = browser.send("Target.createTarget", {"url": "about:blank"}, deadline=deadline)
    session = browser.send(
        "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True},
        deadline=deadline,
    )["sessionId"]
    for domain in ("Page", "Runtime", "Log", "Network", "DOM", "CSS"):
        browser.send(f"{domain}.enable", session=session, deadline=deadline)
    browser.send(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        session, deadline,
    )
    scheme = "dark" if dark else "light"
    browser.send(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": scheme}]},
        session, deadline,
    )
    before = len(browser.events)
    nav = browser.send("Page.navigate", {"url": url}, session, deadline)
    if nav.get("errorText"):
        raise RuntimeError(f"navigating to {url}: {nav['errorText']}")
    browser.wait_event("Page.loadEventFired", session, deadline)
    browser.send(
        "Runtime.evaluate",
        {"expression": "document.fonts.ready.then(() => true)", "awaitPromise": True},
        session, deadline,
    )
    measured = browser.send(
        "Runtime.evaluate", {"expression": MEASURE, "returnByValue": True}, session, deadline
    )
    if "exceptionDetails" in measured:
        raise RuntimeError(f"measuring: {measured['exceptionDetails']}")
    page = measured["result"]["value"]
    fonts = rendered_fonts(browser, session)

    # Full-page screenshot: as wide as the content (so an overflow shows) and as tall.
    content = browser.send("Page.getLayoutMetrics", session=session, deadline=deadline)[
        "cssContentSize"
    ]
    shot_w = max(width, int(content["width"] + 0.999))
    shot_h = min(int(content["height"] + 0.999), max_height)
    shot = browser.send(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": shot_w, "height": shot_h, "scale": 1},
        },
        session, deadline,
    )
    screenshot = pathlib.Path(screenshot)
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    screenshot.write_bytes(base64.b64decode(shot["data"]))
    # A round trip, so that late events (a request failing after load) have arrived.
    browser.send("Runtime.evaluate", {"expression": "0"}, session, deadline)
    browser.send("Target.closeTarget", {"targetId": target["targetId"]}, deadline=deadline)

    requests, failed, console, log_errors, exceptions = [], [], [], [], []
    for e in browser.events[before:]:
        if e.get("sessionId") != session:
            continue
        m, p = e["method"], e.get("params", {})
        if m == "Network.requestWillBeSent":
            requests.append(p["request"]["url"])
        elif m == "Network.loadingFailed":
            failed.append(f"{p.get('type', '?')}: {p.get('errorText', '?')} (request {p['requestId']})")
        elif m == "Network.responseReceived" and p["response"].get("status", 0) >= 400:
            failed.append(f"{p['response']['url']}: HTTP {p['response']['status']}")
        elif m == "Runtime.consoleAPICalled" and p["type"] in ("error", "assert"):
            console.append(" ".join(remote_text(a) for a in p.get("args", [])))
        elif m == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            exceptions.append(remote_text(d["exception"]) if "exception" in d else d["text"])
        elif m == "Log.entryAdded" and p["entry"]["level"] == "error":
            entry = p["entry"]
            log_errors.append(f"{entry['source']}: {entry['text']} {entry.get('url', '')}".strip())

    return {
        "file": str(file),
        "url": url,
        "width": width,
        "colorScheme": scheme,
        "requests": requests,
        "failedRequests": failed,
        "consoleErrors": console,
        "logErrors": log_errors,
        "exceptions": exceptions,
        "page": page,
        "fonts": fonts,
        "uncoveredCharacters": uncovered_characters(page["text"] + page["title"]),
        "screenshot": str(screenshot),
        "screenshotSize": png_size(screenshot),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument(
        "--page", nargs=3, action="append", required=True, metavar=("FILE", "WIDTH", "PNG"),
        help="open FILE (file:// only) WIDTH CSS px wide (`600` or `600:dark` for the dark color "
        "scheme), save a full-page screenshot as PNG; repeatable, one tab after another in the "
        "same browser",
    )
    parser.add_argument(
        "--max-height", type=int, default=30000, help="screenshots stop this far down, in CSS px"
    )
    parser.add_argument("--height", type=int, default=900, help="viewport height in CSS px")
    args = parser.parse_args()
    if not os.access(args.chromium, os.X_OK):
        sys.exit(f"{args.chromium} not found: run scripts/test-deps")
    widest = max(int(w.split(":")[0]) for _, w, _ in args.page)
    results = []
    with tempfile.TemporaryDirectory(prefix="kube-patrol-chromium-") as profile:
        browser = Chromium(args.chromium, widest, args.height, profile)
        try:
            for file, width, png in args.page:
                px, _, scheme = width.partition(":")
                results.append(observe_page(
                    browser, file, int(px), args.height, png, scheme == "dark", args.max_height
                ))
        except Exception as e:  # one readable message, with Chromium's own, for the Rust test
            tail = browser.stderr_tail()
            browser.close()
            sys.exit(f"driving Chromium failed: {e}\nChromium's stderr (last lines):\n{tail}")
        browser.close()
    json.dump(results, sys.stdout, ensure_ascii=False, indent=1)
    print()


if __name__ == "__main__":
    main()
