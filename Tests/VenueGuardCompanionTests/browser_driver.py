#!/usr/bin/env python3
"""Drives a real headless Chromium (Debian's package) against the companion's page over the
DevTools protocol on a pipe (--remote-debugging-pipe: no extra library, no port).

Usage: browser_driver.py JOB.json   (prints one JSON result line)

The job names the page URL, the daemon state file and the states to put in place one after the
other; for each, the headline the page must show. The driver loads the page, waits for the
first headline, takes screenshots at the sizes asked, then swaps each later state in (an atomic
rename, as the daemon writes) and measures how long the page takes to show its headline,
without reloading. Every request the browser makes is recorded. With "pdf", the legend card is
printed at the given sizes. Name resolution for anything but 127.0.0.1 is cut
(--host-resolver-rules), as on a venue network without internet.
"""
import base64, json, os, shutil, subprocess, sys, tempfile, time

job = json.load(open(sys.argv[1]))
out_dir = job["out"]
profile = tempfile.mkdtemp(prefix="vg-chromium-")
to_browser_r, to_browser_w = os.pipe()
from_browser_r, from_browser_w = os.pipe()
os.set_inheritable(to_browser_r, True)
os.set_inheritable(from_browser_w, True)


def child_fds():
    # DevTools reads commands on fd 3 and writes replies on fd 4. Moved high first, so that a
    # pipe end that already is fd 3 or 4 is not overwritten before it is placed.
    os.dup2(to_browser_r, 100)
    os.dup2(from_browser_w, 101)
    os.dup2(100, 3)
    os.dup2(101, 4)


chromium = shutil.which("chromium") or shutil.which("chromium-browser")
args = [chromium, "--headless=new", "--remote-debugging-pipe", "--no-first-run", "--no-default-browser-check",
        "--disable-gpu", "--disable-extensions", "--disable-background-networking", "--disable-sync",
        "--disable-component-update", "--no-sandbox", "--user-data-dir=" + profile,
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1", "--lang=" + job.get("lang", "ja"), "about:blank"]
proc = subprocess.Popen(args, preexec_fn=child_fds, close_fds=False,
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
os.close(to_browser_r)
os.close(from_browser_w)
reader = os.fdopen(from_browser_r, "rb", buffering=0)
next_id = [0]
pending = b""
events = []


def read_message(deadline):
    global pending
    while b"\0" not in pending:
        if time.time() > deadline:
            raise TimeoutError("no answer from chromium")
        chunk = reader.read(65536)
        if not chunk:
            raise EOFError("chromium closed the pipe")
        pending += chunk
    message, pending = pending.split(b"\0", 1)
    return json.loads(message)


def send(method, params=None, session=None, timeout=30):
    next_id[0] += 1
    message = {"id": next_id[0], "method": method, "params": params or {}}
    if session:
        message["sessionId"] = session
    os.write(to_browser_w, json.dumps(message).encode() + b"\0")
    deadline = time.time() + timeout
    while True:
        reply = read_message(deadline)
        if reply.get("id") == next_id[0]:
            if "error" in reply:
                raise RuntimeError(f"{method}: {reply['error']}")
            return reply.get("result", {})
        events.append(reply)


def evaluate(session, expression):
    result = send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session)
    return result.get("result", {}).get("value")


def place(state_path, content_path):
    """Puts a state in place as the daemon would, written now: a fixture made when the test
    began would otherwise read as a daemon not responding (older than 15 s)."""
    temporary = state_path + ".tmp"
    with open(content_path) as f:
        document = json.load(f)
    if document.get("running") and "written_unix" in document:
        document["written_unix"] = round(time.time(), 2)
    with open(temporary, "w") as f:
        json.dump(document, f)
    os.rename(temporary, state_path)


def wait_for(session, expression, expected, timeout):
    start = time.time()
    value = None
    while time.time() - start < timeout:
        value = evaluate(session, expression)
        if value is not None and expected in value:
            return time.time() - start, value
        time.sleep(0.1)
    return None, value


result = {"screenshots": [], "changes": [], "pdfs": [], "requests": []}
try:
    target = send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    send("Network.enable", {}, session)
    send("Page.enable", {}, session)
    headline = "(document.querySelector('#live h1')||{}).textContent"
    states = job.get("states", [])
    for size in job.get("sizes", [[1280, 900]]):
        width, height = size
        if states:
            place(job["state_file"], states[0]["file"])  # written now for each size: under 15 s old
        send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1,
                                                    "mobile": width < 600}, session)
        send("Page.navigate", {"url": job["url"]}, session)
        if states:
            took, seen = wait_for(session, headline, states[0]["headline"], 15)
            result.setdefault("first", []).append({"size": size, "seconds": took, "seen": seen})
        wait_for(session, "document.fonts.status", "loaded", 10)  # the fonts in, before the picture
        shot = send("Page.captureScreenshot", {"format": "png"}, session)
        path = os.path.join(out_dir, f"page-{job.get('lang', 'ja')}-{width}x{height}.png")
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        result["screenshots"].append({"path": path, "size": size,
                                      "scroll_width": evaluate(session, "document.documentElement.scrollWidth")})
    for state in states[1:]:
        place(job["state_file"], state["file"])
        took, seen = wait_for(session, headline, state["headline"], job.get("change_timeout", 10))
        result["changes"].append({"headline": state["headline"], "seconds": took, "seen": seen,
                                  "lost_banner": evaluate(session, "document.body.classList.contains('lost')")})
    for pdf in job.get("pdfs", []):
        send("Page.navigate", {"url": pdf["url"]}, session)
        wait_for(session, "document.readyState", "complete", 10)
        wait_for(session, "document.fonts.status", "loaded", 10)
        printed = send("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True}, session)
        with open(pdf["path"], "wb") as f:
            f.write(base64.b64decode(printed["data"]))
        result["pdfs"].append(pdf["path"])
    if "lost_marker" in job:
        # Back on the page, with its event stream open and alive (no "lost" bar yet).
        send("Page.navigate", {"url": job["url"]}, session)
        wait_for(session, "document.readyState", "complete", 10)
        wait_for(session, "document.body.classList.contains('lost') ? 'lost' : 'live'", "live", 10)
        # The event stream is open (the page asked for it) before the companion is stopped.
        wait_for(session, "performance.getEntriesByType('resource').some(e => e.name.includes('/events')) ? 'open' : 'no'", "open", 10)
        # The test stops the companion once this marker appears (and says so with "<marker>.done"):
        # the page must then say that it is not updating.
        open(job["lost_marker"], "w").close()
        deadline = time.time() + 30
        while not os.path.exists(job["lost_marker"] + ".done") and time.time() < deadline:
            time.sleep(0.1)
        took, seen = wait_for(session, "document.body.classList.contains('lost') ? 'lost' : 'live'", "lost", 25)
        result["lost"] = {"seconds": took}
    if "refused_marker" in job:
        # The test fills every event-stream place ("<marker>.fill" → "<marker>.filled"), the page
        # is opened and refused (503), then the test frees the places and changes the state
        # ("<marker>" → "<marker>.done"): the page must come back to life without a reload.
        marker = job["refused_marker"]
        open(marker + ".fill", "w").close()
        deadline = time.time() + 30
        while not os.path.exists(marker + ".filled") and time.time() < deadline:
            time.sleep(0.1)
        seen_before = len(events)
        send("Page.navigate", {"url": job["url"]}, session)
        wait_for(session, "document.readyState", "complete", 10)

        def event_statuses():
            return [e["params"]["response"]["status"] for e in events[seen_before:]
                    if e.get("method") == "Network.responseReceived" and "/events" in e["params"]["response"]["url"]]
        start = time.time()
        refused_took = None
        while time.time() - start < 10:
            evaluate(session, "1")  # gathers the browser's events meanwhile
            if 503 in event_statuses():
                refused_took = time.time() - start
                break
            time.sleep(0.1)
        refused_seen = ",".join(str(status) for status in event_statuses())
        open(marker, "w").close()
        deadline = time.time() + 30
        while not os.path.exists(marker + ".done") and time.time() < deadline:
            time.sleep(0.1)
        took, seen = wait_for(session, headline, job["refused_headline"], 45)
        result["refused"] = {"refused_seconds": refused_took, "statuses": refused_seen, "recovered_seconds": took, "seen": seen}
    for event in events:
        if event.get("method") == "Network.requestWillBeSent":
            result["requests"].append(event["params"]["request"]["url"])
finally:
    try:
        send("Browser.close", timeout=5)
    except Exception:
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    shutil.rmtree(profile, ignore_errors=True)
print(json.dumps(result), flush=True)
