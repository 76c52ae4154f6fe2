#!/usr/bin/env python3
"""The dashboard in a real browser: Debian's chromium, headless, driven over the DevTools
protocol (CDP) from this script (Python standard library only), against `lassod demo`.

    scripts/dashboard-browser-test.py --lassod .build/debug/lassod --screenshot out.png

Checks, each waiting on DOM state with a deadline (never a fixed sleep):
  1. the page loads and goes live over /ws/dashboard; the leaderboard lists the providers;
  2. an action without the token gets 403, shown on the page;
  3. with the token typed in, a load from the page fills the leaderboard's scores;
  4. forcing a provider's breaker open and closed from the page shows each phase;
  5. taking a simulated provider down from the page, then a load, shows its breaker open on
     its own; killing its tree node from the page shows it restarted (restart count 1);
  6. a client following newHeads shows in the subscriptions panel, live on a provider; taking
     that provider down from the page shows the stream's failover in the panel and the feed;
  7. no console error, no uncaught exception (the expected 403 aside);
then writes a screenshot. Exit status: 0 passed, 1 failed, 77 skipped (chromium cannot start;
the reason is printed). `--probe` only checks that chromium starts.
"""

import argparse
import base64
import json
import os
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request

SKIP = 77


class Failure(Exception):
    pass


class Skip(Exception):
    pass


def deadline_after(seconds):
    return time.monotonic() + seconds


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def read_line(stream, until, what):
    """A line from `stream` (a pipe), waiting at most until `until`; None at EOF or deadline."""
    import select
    buffer = b""
    while time.monotonic() < until:
        ready, _, _ = select.select([stream], [], [], max(0.0, until - time.monotonic()))
        if not ready:
            break
        byte = os.read(stream.fileno(), 1)
        if not byte:
            return buffer.decode(errors="replace") if buffer else None
        if byte == b"\n":
            return buffer.decode(errors="replace")
        buffer += byte
    raise Failure(f"timed out waiting for {what}")


class WebSocket:
    """A minimal RFC 6455 client: enough for the DevTools protocol on loopback."""

    def __init__(self, url, timeout):
        assert url.startswith("ws://")
        rest = url[len("ws://"):]
        hostport, _, path = rest.partition("/")
        host, _, port = hostport.partition(":")
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        key = base64.b64encode(secrets.token_bytes(16)).decode()
        self.sock.sendall((f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise Failure("DevTools closed the WebSocket during the handshake")
            head += chunk
        head, _, self.pending = head.partition(b"\r\n\r\n")
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise Failure(f"DevTools refused the WebSocket: {head[:200]!r}")

    def send(self, text):
        payload = text.encode()
        header = bytes([0x81])
        if len(payload) < 126:
            header += bytes([0x80 | len(payload)])
        elif len(payload) < 65536:
            header += bytes([0x80 | 126]) + struct.pack("!H", len(payload))
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", len(payload))
        mask = secrets.token_bytes(4)
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def _exactly(self, count):
        while len(self.pending) < count:
            chunk = self.sock.recv(max(65536, count - len(self.pending)))
            if not chunk:
                raise Failure("DevTools closed the WebSocket")
            self.pending += chunk
        data, self.pending = self.pending[:count], self.pending[count:]
        return data

    def receive(self, timeout):
        """One text message, or None when nothing arrives within `timeout` seconds."""
        self.sock.settimeout(timeout)
        try:
            message = b""
            while True:
                first, second = self._exactly(2)
                length = second & 0x7F
                if length == 126:
                    length = struct.unpack("!H", self._exactly(2))[0]
                elif length == 127:
                    length = struct.unpack("!Q", self._exactly(8))[0]
                self.sock.settimeout(30)  # the rest of a frame that has started arrives promptly
                payload = self._exactly(length)
                opcode = first & 0x0F
                if opcode == 0x8:
                    raise Failure("DevTools closed the WebSocket")
                if opcode in (0x9, 0xA):
                    continue
                message += payload
                if first & 0x80:
                    return message.decode()
        except socket.timeout:
            return None


class Page:
    """One browser tab over CDP: commands, and the events that arrive meanwhile."""

    def __init__(self, url, timeout):
        self.ws = WebSocket(url, timeout)
        self.next_id = 0
        self.console_errors = []
        self.network_errors = []

    def handle_event(self, message):
        method = message.get("method")
        params = message.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            self.console_errors.append("uncaught: " + json.dumps(details.get("exception", {}).get("description")
                                                                 or details.get("text")))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            self.console_errors.append("console.error: " + json.dumps([a.get("value", a.get("description"))
                                                                       for a in params.get("args", [])]))
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            if entry.get("level") == "error":
                if entry.get("source") == "network":
                    self.network_errors.append(entry.get("text", "") + " " + entry.get("url", ""))
                else:
                    self.console_errors.append(f"log ({entry.get('source')}): {entry.get('text')}")

    def command(self, method, params=None, timeout=30):
        self.next_id += 1
        ident = self.next_id
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params or {}}))
        until = deadline_after(timeout)
        while time.monotonic() < until:
            text = self.ws.receive(max(0.01, until - time.monotonic()))
            if text is None:
                continue
            message = json.loads(text)
            if message.get("id") == ident:
                if "error" in message:
                    raise Failure(f"{method}: {message['error']}")
                return message.get("result", {})
            self.handle_event(message)
        raise Failure(f"no answer to {method} within {timeout} s")

    def evaluate(self, expression):
        result = self.command("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise Failure(f"evaluating {expression!r}: {result['exceptionDetails'].get('text')}")
        return result.get("result", {}).get("value")

    def wait_for(self, expression, what, timeout=30):
        """Waits until `expression` is truthy in the page: re-checked whenever the browser sends
        an event, at the latest every 100 ms, until the deadline."""
        until = deadline_after(timeout)
        guarded = f"(() => {{ try {{ return ({expression}); }} catch (error) {{ return false; }} }})()"
        while True:
            value = self.evaluate(guarded)
            if value:
                return value
            if time.monotonic() >= until:
                raise Failure(f"timed out after {timeout} s waiting for {what}")
            text = self.ws.receive(0.1)
            if text is not None:
                self.handle_event(json.loads(text))


def click(page, selector):
    """Clicks the element `selector` names, waiting for it to exist first."""
    page.wait_for(f"document.querySelector({json.dumps(selector)}) !== null", f"{selector} to exist")
    page.evaluate(f"document.querySelector({json.dumps(selector)}).click()")


def start_load(page, requests):
    """Starts a load from the page's form; while an earlier one runs (409), tries again."""
    until = deadline_after(60)
    while True:
        page.evaluate("document.body.dataset.lastActionStatus = '';"
                      f"document.getElementById('load-count').value = '{requests}';"
                      "document.getElementById('load-strategy').value = 'round-robin';"
                      "document.getElementById('load-form').requestSubmit()")
        status = page.wait_for("document.body.dataset.lastActionStatus", "the load's answer")
        if status == "200":
            return
        if status != "409" or time.monotonic() > until:
            raise Failure(f"the load was refused: {status}")
        seq = page.evaluate("document.body.dataset.seq")
        page.wait_for(f"document.body.dataset.seq !== {json.dumps(seq)}", "the next push")  # a push between tries


def start_chromium(binary, profile, timeout):
    try:
        process = subprocess.Popen(
            [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
             "--disable-sync", "--metrics-recording-only", "--mute-audio", "--window-size=1400,1800",
             "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", f"--user-data-dir={profile}",
             "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    except OSError as error:
        raise Skip(f"chromium cannot start: {error}")
    until = deadline_after(timeout)
    seen = []
    try:
        while True:
            line = read_line(process.stderr, until, "chromium's DevTools endpoint")
            if line is None:
                raise Skip("chromium cannot start: it exited: " + " | ".join(seen[-5:]))
            seen.append(line)
            if "DevTools listening on ws://" in line:
                url = line.split("DevTools listening on ", 1)[1].strip()
                # Drain the rest of stderr in the background so chromium never blocks on it.
                import threading
                threading.Thread(target=lambda: process.stderr.read(), daemon=True).start()
                return process, url
    except Failure as failure:
        stop(process)
        raise Skip(f"chromium cannot start: {failure}: " + " | ".join(seen[-5:]))
    except Skip:
        stop(process)
        raise


def stop(process, grace=10):
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def start_demo(lassod, workdir, token, timeout):
    port = free_port()
    environment = dict(os.environ, LASSO_ADMIN_TOKEN=token)
    environment.pop("LASSO_REGION", None)
    process = subprocess.Popen([lassod, "demo", "--port", str(port)], cwd=workdir, env=environment,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    first = read_line(process.stderr, deadline_after(timeout), "lassod demo's first line")
    expected = f"dashboard http://127.0.0.1:{port}/"
    if first is None or expected not in first:
        stop(process)
        raise Failure(f"lassod demo's first line is not the dashboard URL: {first!r}")
    import threading
    threading.Thread(target=lambda: process.stderr.read(), daemon=True).start()
    return process, f"http://127.0.0.1:{port}/dashboard"


def run(arguments):
    token = secrets.token_hex(16)
    workdir = tempfile.mkdtemp(prefix="lassod-browser-")
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    demo = chromium = follower = None
    try:
        binary = shutil.which(arguments.chromium) or (arguments.chromium if os.path.exists(arguments.chromium) else None)
        if binary is None:
            raise Skip(f"chromium cannot start: {arguments.chromium} is not installed (apt-get install chromium)")
        chromium, browser_url = start_chromium(binary, profile, arguments.timeout)
        demo, dashboard = start_demo(arguments.lassod, workdir, token, arguments.timeout)

        devtools = browser_url.split("/devtools/")[0].replace("ws://", "http://")
        with urllib.request.urlopen(devtools + "/json/list", timeout=arguments.timeout) as reply:
            targets = json.load(reply)
        page_target = next((t for t in targets if t.get("type") == "page"), None)
        if page_target is None:
            raise Failure("chromium has no page target")
        page = Page(page_target["webSocketDebuggerUrl"], arguments.timeout)
        for domain in ("Runtime", "Log", "Page"):
            page.command(f"{domain}.enable")
        page.command("Page.navigate", {"url": dashboard})

        # 1. Live, and the leaderboard lists the demo's three ethereum providers.
        page.wait_for("document.getElementById('connection').textContent === 'live'", "the page to go live")
        page.wait_for("document.querySelectorAll('#leaderboard tbody tr').length === 3",
                      "the leaderboard to list three providers")
        page.wait_for("document.querySelector('#tree [data-path=\"Application\"]') !== null", "the supervision tree")
        page.wait_for("document.querySelector('#chain-actions button[data-action=\"restart chain\"]') !== null",
                      "the restart-chain button")
        print("ok: live; leaderboard lists", page.evaluate(
            "[...document.querySelectorAll('#leaderboard tbody tr')].map(r => r.dataset.provider).join(', ')"))

        # 2. Read-only (no token typed): an action is refused with 403, and the page says so.
        page.evaluate("document.querySelector('#breakers [data-breaker=\"ethereum_sim_2/http\"] button[data-action=open]').click()")
        page.wait_for("document.body.dataset.lastActionStatus === '403'", "the read-only action's 403")
        notice = page.evaluate("document.getElementById('notice').textContent")
        if not notice.startswith("403"):
            raise Failure(f"the 403 is not shown: {notice!r}")
        if page.evaluate("document.querySelector('[data-breaker=\"ethereum_sim_2/http\"]').dataset.phase") != "closed":
            raise Failure("a refused action changed the breaker")
        print("ok: read-only action refused:", notice)

        # 3. With the token, a load from the page fills the leaderboard's scores.
        page.evaluate(f"document.getElementById('token').value = {json.dumps(token)};"
                      "document.getElementById('token-form').requestSubmit()")
        page.wait_for("document.getElementById('mode').textContent === 'token set'", "the token to be taken")
        start_load(page, 300)
        page.wait_for("[...document.querySelectorAll('#leaderboard tbody tr')].every(r => r.cells[3].textContent !== '-'"
                      " && Number(r.cells[7].textContent) > 0)", "scores and calls for every provider", timeout=60)
        page.wait_for("document.querySelectorAll('#feed tbody tr').length > 0", "routing decisions in the feed")
        page.wait_for("document.querySelectorAll('#matrix tbody tr').length > 0", "the latency matrix")
        print("ok: load from the page filled the leaderboard:", page.evaluate(
            "[...document.querySelectorAll('#leaderboard tbody tr')].map(r => r.dataset.provider + ' ' + r.cells[3].textContent"
            " + ' calls ' + r.cells[7].textContent).join('; ')"))

        # 4. An operator's breaker override from the page: ethereum_sim_2's forced open, then closed.
        click(page, '#breakers [data-breaker="ethereum_sim_2/http"] button[data-action=open]')
        page.wait_for("document.querySelector('[data-breaker=\"ethereum_sim_2/http\"]').dataset.phase === 'forced_open'",
                      "ethereum_sim_2's breaker to show forced_open")
        click(page, '#breakers [data-breaker="ethereum_sim_2/http"] button[data-action=close]')
        page.wait_for("document.querySelector('[data-breaker=\"ethereum_sim_2/http\"]').dataset.phase === 'closed'",
                      "ethereum_sim_2's breaker to close again")
        print("ok: breaker ethereum_sim_2/http forced open and closed from the page")

        # 5. Kill a provider from the page: the simulated ethereum_sim_1 goes down, traffic opens its
        #    breaker on its own, and killing its ProviderSupervisor shows the node restarted.
        click(page, '#leaderboard tr[data-provider="ethereum_sim_1"] button[data-action="take down"]')
        page.wait_for("document.querySelector('#leaderboard tr[data-provider=\"ethereum_sim_1\"]').dataset.behavior === 'down'",
                      "ethereum_sim_1 to be down")
        start_load(page, 200)
        page.wait_for("document.querySelector('[data-breaker=\"ethereum_sim_1/http\"]').dataset.phase === 'open'",
                      "ethereum_sim_1's breaker to open from its failures", timeout=60)
        print("ok: breaker ethereum_sim_1/http opened after the provider went down, transition:", page.evaluate(
            "document.querySelector('[data-breaker=\"ethereum_sim_1/http\"]').cells[3].textContent"))
        node = "Application/ChainsSupervisor/ChainSupervisor(ethereum)/ProviderSupervisor(ethereum_sim_1)"
        click(page, '#leaderboard tr[data-provider="ethereum_sim_1"] button[data-action=kill]')
        page.wait_for(f"(n => n !== null && Number(n.dataset.restarts) >= 1)(document.querySelector('[data-path=\"{node}\"]'))",
                      "the killed node to show one restart")
        print("ok: ProviderSupervisor(ethereum_sim_1) killed from the page shows restarts",
              page.evaluate(f"document.querySelector('[data-path=\"{node}\"]').dataset.restarts"))
        click(page, '#leaderboard tr[data-provider="ethereum_sim_1"] button[data-action^="heal"]')
        page.wait_for("document.querySelector('#leaderboard tr[data-provider=\"ethereum_sim_1\"]').dataset.behavior === 'healthy'",
                      "ethereum_sim_1 to be healthy again")

        # 6. A client follows newHeads: the subscriptions panel shows its stream live on a provider;
        #    taking that provider down from the page shows the failover in the panel and the feed.
        follower = WebSocket(dashboard.replace("http://", "ws://").replace("/dashboard", "/ws/rpc/ethereum"),
                             arguments.timeout)
        follower.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_subscribe", "params": ["newHeads"]}))
        heads = "document.querySelector('#subscriptions tr[data-key=\"newHeads\"]')"
        page.wait_for(f"(r => r !== null && r.dataset.phase === 'live' && r.dataset.provider !== '')({heads})",
                      "the newHeads stream live in the subscriptions panel", timeout=60)
        carrier = page.evaluate(f"{heads}.dataset.provider")
        click(page, f'#leaderboard tr[data-provider="{carrier}"] button[data-action="take down"]')
        page.wait_for(f"(r => r !== null && Number(r.dataset.failovers) >= 1 && r.dataset.phase === 'live'"
                      f" && r.dataset.provider !== {json.dumps(carrier)})({heads})",
                      f"the stream to fail over from {carrier}", timeout=60)
        page.wait_for("document.querySelector('#feed tr.failover[data-failover=\"completed\"]') !== null",
                      "the completed failover in the feed")
        print(f"ok: newHeads failed over from {carrier}:", page.evaluate(f"{heads}.cells[8].textContent"))
        click(page, f'#leaderboard tr[data-provider="{carrier}"] button[data-action^="heal"]')
        page.wait_for(f"document.querySelector('#leaderboard tr[data-provider=\"{carrier}\"]').dataset.behavior === 'healthy'",
                      f"{carrier} to be healthy again")

        # The chart's 24 h range draws from the node's history (the demo keeps none: an empty chart).
        page.evaluate("(range => { range.value = 'day'; range.dispatchEvent(new Event('change')); })"
                      "(document.getElementById('chart-range'))")
        page.wait_for("document.getElementById('chart-caption').textContent.includes('history')", "the 24 h chart")
        page.evaluate("(range => { range.value = 'hour'; range.dispatchEvent(new Event('change')); })"
                      "(document.getElementById('chart-range'))")

        # 7. No console error: the one expected network error is the 403 of step 2.
        page.evaluate("0")  # collects events that arrived meanwhile
        unexpected_network = [e for e in page.network_errors if "403" not in e]
        if page.console_errors or unexpected_network:
            raise Failure(f"console errors: {page.console_errors + unexpected_network}")
        print(f"ok: no console errors ({len(page.network_errors)} expected 403 network entries)")

        capture = {"format": "png", "captureBeyondViewport": True}
        if arguments.clip_height > 0:
            capture["clip"] = {"x": 0, "y": 0, "width": 1400, "height": arguments.clip_height, "scale": 1}
        shot = page.command("Page.captureScreenshot", capture)
        os.makedirs(os.path.dirname(os.path.abspath(arguments.screenshot)), exist_ok=True)
        with open(arguments.screenshot, "wb") as output:
            output.write(base64.b64decode(shot["data"]))
        print("ok: screenshot", arguments.screenshot)
        page_source = urllib.request.urlopen(dashboard, timeout=arguments.timeout).read().decode()
        if token in page_source:
            raise Failure("the token is in the page source")
        try:
            page.command("Browser.close", timeout=5)
        except Failure:
            pass
        return 0
    finally:
        if follower is not None:
            follower.sock.close()
        stop(chromium)
        stop(demo)
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(profile, ignore_errors=True)


def probe(arguments):
    """Starts chromium and stops it: whether the real test can run here."""
    binary = shutil.which(arguments.chromium) or (arguments.chromium if os.path.exists(arguments.chromium) else None)
    if binary is None:
        raise Skip(f"chromium cannot start: {arguments.chromium} is not installed (apt-get install chromium)")
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    chromium = None
    try:
        chromium, url = start_chromium(binary, profile, arguments.timeout)
        print(f"chromium starts: {url}")
        return 0
    finally:
        stop(chromium)
        shutil.rmtree(profile, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lassod", type=os.path.abspath, help="the lassod binary (required unless --probe)")
    parser.add_argument("--chromium", default="chromium", help="the chromium binary (default: chromium on PATH)")
    parser.add_argument("--screenshot", default="dashboard.png", help="where the PNG goes")
    parser.add_argument("--timeout", type=float, default=60, help="seconds each step may take")
    parser.add_argument("--clip-height", type=int, default=0, help="screenshot only the top N pixels (0: the whole page)")
    parser.add_argument("--probe", action="store_true", help="only check that chromium starts (exit 0, or 77 with why)")
    arguments = parser.parse_args()
    if not arguments.probe and not arguments.lassod:
        parser.error("--lassod is required")
    try:
        sys.exit(probe(arguments) if arguments.probe else run(arguments))
    except Skip as skip:
        print(f"SKIP: {skip}")
        sys.exit(SKIP)
    except Failure as failure:
        print(f"FAIL: {failure}")
        sys.exit(1)


if __name__ == "__main__":
    main()
