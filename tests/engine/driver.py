#!/usr/bin/env python3
"""Engine tests: the real widget in a real engine (Debian's spring-headless, Spring 106).

Each scenario gets a fresh write dir, free ports, a private HOME and config. The
server is `bar-live check --json`; a small tap in front of it (this process)
forwards both directions unchanged and parses the widget's frames, so we can
assert on content (hello teams, resource values) as well as on check's report.

    python3 tests/engine/driver.py [--only NAME[,NAME]] [--keep]

Prints one PASS/FAIL line per scenario and a closing `N passed, M failed`; exits
non-zero on any failure. On failure the run's directory is kept and the tails of
infolog.txt and the harness log are printed. Stdlib only.
"""
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
# ENGINE_TEST_WIDGET: only to prove the tests catch a broken widget; normally the repo's file, unmodified.
WIDGET = os.environ.get("ENGINE_TEST_WIDGET", os.path.join(REPO, "widget", "bar_live_export.lua"))
GAME = os.path.join(HERE, "game")
SPRING = os.environ.get("SPRING_HEADLESS", "/usr/games/spring-headless")
SPRING_DATADIR = os.environ.get("SPRING_DATADIR_TEST", "/usr/share/games/spring:/usr/lib/spring")
BIN = os.environ.get("BAR_LIVE_BIN", os.path.join(REPO, "target", "release", "bar-live"))
ENGINE_TIMEOUT = 60  # seconds, per engine run (`timeout`)
WIDGET_NAME = "Live Data Export"
GAME_NAME = "bar-live engine test"
MAP_NAME = "bltest_generated"
CA_BUNDLES = ["/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/cert.pem"]

# Game rules of tests/engine/game (units/*.lua): what the resource values must show.
COM_METAL, COM_ENERGY = 1.5, 20.0      # blcom metalmake / energymake
SOLAR_ENERGY = 30.0                    # blsolar energymake
BASE_STORAGE = 1000000.0               # Spring 106 team storage before unit storage
COM_STORAGE = 500.0                    # blcom metalstorage / energystorage
TEAM_COLORS = {0: (0.1, 0.4, 0.9), 1: (0.9, 0.2, 0.1)}
AI_NAMES = {0: "Bot0", 1: "Bot1"}

KEEP = "--keep" in sys.argv
RUNS = []  # every engine run, newest last (for the failure dump)


def log(*args):
    print(*args, flush=True)


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def color_close(hexstr, rgb):
    """The engine stores colours as bytes (0.1 -> 25), so allow one step per channel."""
    try:
        got = [int(hexstr[i:i + 2], 16) for i in (1, 3, 5)]
    except (TypeError, ValueError):
        return False
    return all(abs(g - c * 255) <= 1.0 for g, c in zip(got, rgb))


def hexcolor(rgb):
    return "#" + "".join("%02x" % int(max(0.0, min(1.0, c)) * 255 + 0.5) for c in rgb)


# ----------------------------------------------------------------------------------------------
# Tap: listens where the widget connects, forwards to `bar-live check`, records widget frames,
# and can inject app->widget frames (the app's side: config, ping) between check's frames.
# ----------------------------------------------------------------------------------------------
class Tap:
    MAX_FRAME = 8 * 1024 * 1024

    def __init__(self, listen_port, upstream_port):
        self.upstream_port = upstream_port
        self.frames = []        # {conn, t, msg} in arrival order
        self.problems = []      # corrupt / truncated frames: (conn, text)
        self.conns = 0
        self.conn_times = []    # accept time per connection
        self.lock = threading.Lock()
        self.socks = []
        self.widget_socks = {}  # conn -> (socket to the widget, lock held while a frame goes to it)
        self.injected = []      # (conn, t, msg) sent to the widget by inject()
        self.stopped = False
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(("127.0.0.1", listen_port))
        self.lsock.listen(8)
        self.lsock.settimeout(0.1)
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while not self.stopped:
            try:
                c, _ = self.lsock.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            with self.lock:
                self.conns += 1
                n = self.conns
                self.conn_times.append(time.monotonic())
            c.settimeout(None)
            up, err = None, None
            deadline = time.monotonic() + 5  # check may still be starting
            while up is None and time.monotonic() < deadline:
                try:
                    up = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=3)
                    up.settimeout(None)
                except OSError as e:
                    err = e
                    time.sleep(0.05)
            if up is None:
                self.problems.append((n, "upstream connect failed: %s" % err))
                c.close()
                continue
            with self.lock:
                self.socks += [c, up]
                self.widget_socks[n] = (c, threading.Lock())
            threading.Thread(target=self._pump, args=(c, up, n), daemon=True).start()
            threading.Thread(target=self._pump_to_widget, args=(up, n), daemon=True).start()

    @staticmethod
    def _recv(src):
        try:
            return src.recv(65536)
        except OSError:
            return b""

    @staticmethod
    def _close(*socks):
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def _pump_to_widget(self, src, conn):
        """check -> widget, whole frames only, so inject() never lands inside one of check's frames."""
        dst, lock = self.widget_socks[conn]
        buf = b""
        while True:
            data = self._recv(src)
            if not data:
                break
            buf += data
            cut = 0
            while len(buf) - cut >= 4:
                (n,) = struct.unpack(">I", buf[cut:cut + 4])
                if len(buf) - cut < 4 + n:
                    break
                cut += 4 + n
            if cut:
                try:
                    with lock:
                        dst.sendall(buf[:cut])
                except OSError:
                    break
                buf = buf[cut:]
        self._close(src, dst)

    def inject(self, conn, msg):
        """Sends an app->widget message on connection `conn`, between check's frames."""
        payload = json.dumps(msg).encode("utf-8")
        with self.lock:
            entry = self.widget_socks.get(conn)
            self.injected.append((conn, time.monotonic(), msg))
        if entry is None:
            raise Failure("inject: no connection %s" % conn)
        sock, lock = entry
        with lock:
            sock.sendall(struct.pack(">I", len(payload)) + payload)

    def _pump(self, src, dst, conn):
        """widget -> check, unchanged, recording the widget's frames."""
        buf = b""
        while True:
            data = self._recv(src)
            if not data:
                break
            buf = self._parse(buf + data, conn)
            try:
                dst.sendall(data)
            except OSError:
                break
        if buf:
            self.problems.append((conn, "connection ended inside a frame (%d bytes pending)" % len(buf)))
        self._close(src, dst)

    def _parse(self, buf, conn):
        while len(buf) >= 4:
            (n,) = struct.unpack(">I", buf[:4])
            if n == 0 or n > self.MAX_FRAME:
                self.problems.append((conn, "bad frame length %d" % n))
                return b""
            if len(buf) < 4 + n:
                break
            payload, buf = buf[4:4 + n], buf[4 + n:]
            try:
                msg = json.loads(payload.decode("utf-8"))
                if not isinstance(msg, dict):
                    raise ValueError("not an object")
            except (ValueError, UnicodeDecodeError) as e:
                self.problems.append((conn, "bad payload: %s: %r" % (e, payload[:200])))
                continue
            with self.lock:
                self.frames.append({"conn": conn, "t": time.monotonic(), "msg": msg})
        return buf

    def msgs(self, conn=None, type_=None):
        with self.lock:
            out = list(self.frames)
        return [f["msg"] for f in out if (conn is None or f["conn"] == conn)
                and (type_ is None or f["msg"].get("type") == type_)]

    def stop(self):
        self.stopped = True
        try:
            self.lsock.close()
        except OSError:
            pass
        self.thread.join(2)
        with self.lock:
            socks = list(self.socks)
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                s.close()
            except OSError:
                pass


class Server:
    """`bar-live check --json` on a private port, with the tap in front on `port`."""

    def __init__(self, run, port, connections, duration=90):
        self.run = run
        self.port = port
        self.upstream = free_port()
        self.out_path = os.path.join(run.wd, "check-%d-%d.out" % (port, self.upstream))
        self.out = open(self.out_path, "w")
        env = dict(os.environ, HOME=run.home, XDG_CONFIG_HOME=os.path.join(run.home, ".config"),
                   XDG_DATA_HOME=os.path.join(run.home, ".local", "share"))
        self.proc = subprocess.Popen(
            [BIN, "check", "--listen", "127.0.0.1:%d" % self.upstream, "--connections", str(connections),
             "--duration", str(duration), "--json"],
            stdout=self.out, stderr=subprocess.STDOUT, env=env)
        self.tap = Tap(port, self.upstream)
        self.started = time.monotonic()

    def kill(self):
        """The server dies: connections drop, the port stops listening."""
        self.tap.stop()
        self.proc.kill()
        self.proc.wait()
        self.out.close()

    def report(self, timeout=15):
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.tap.stop()
        self.out.close()
        lines = [ln for ln in open(self.out_path, encoding="utf-8", errors="replace").read().splitlines() if ln.strip()]
        rep = None
        if lines:
            try:
                rep = json.loads(lines[-1])
            except ValueError:
                rep = None
        return rep, self.proc.returncode, lines[-5:]


# ----------------------------------------------------------------------------------------------
# One engine run
# ----------------------------------------------------------------------------------------------
class Run:
    def __init__(self, name, spectator=True, speed=20, modopts=None, scenario=None, socket_enabled=True,
                 allow=None, port=None):
        self.name = name
        self.wd = tempfile.mkdtemp(prefix="bar-live-engine-%s-" % name)
        self.home = os.path.join(self.wd, "home")
        self.port = port or free_port()
        self.harness_path = os.path.join(self.wd, "engine_test", "harness.log")
        self.harness_pos = 0
        self.events = []
        wd = self.wd
        for d in ("games", "home/.spring", "LuaUI/Widgets", "LuaUI/Config", "engine_test"):
            os.makedirs(os.path.join(wd, d), exist_ok=True)
        shutil.copytree(GAME, os.path.join(wd, "games", "bltest.sdd"))
        shutil.copy(WIDGET, os.path.join(wd, "LuaUI", "Widgets", "bar_live_export.lua"))  # unmodified
        for ca in CA_BUNDLES:
            if os.path.exists(ca):
                shutil.copy(ca, os.path.join(wd, "home", ".spring", "cacert.pem"))
                break
        with open(os.path.join(wd, "LuaUI", "Config", "engine_test_widgets.lua"), "w") as f:
            f.write('return { ["%s"] = { host = "127.0.0.1", port = %d } }\n' % (WIDGET_NAME, self.port))
        sc = {"max_seconds": 40, "status_every": 0.25}
        sc.update(scenario or {})
        with open(os.path.join(wd, "engine_test", "scenario.lua"), "w") as f:
            f.write("return " + lua_value(sc) + "\n")
        open(os.path.join(wd, "engine_test", "control.txt"), "w").close()
        with open(os.path.join(wd, "springsettings.cfg"), "w") as f:
            f.write("LuaSocketEnabled = %d\n" % (1 if socket_enabled else 0))
            f.write("TCPAllowConnect = %s\n" % (allow if allow is not None else "127.0.0.1:%d" % self.port))
        opts = {"MinSpeed": speed, "MaxSpeed": speed}
        opts.update(modopts or {})
        with open(os.path.join(wd, "script.txt"), "w") as f:
            f.write(script_txt(spectator, opts))
        self.proc = None
        RUNS.append(self)

    def start(self):
        env = dict(os.environ, HOME=self.home, SPRING_DATADIR=SPRING_DATADIR)
        self.stdout = open(os.path.join(self.wd, "stdout.txt"), "w")
        self.proc = subprocess.Popen(
            ["timeout", "-k", "5", str(ENGINE_TIMEOUT), SPRING, "--isolation", "--isolation-dir", self.wd,
             "--write-dir", self.wd, "--config", os.path.join(self.wd, "springsettings.cfg"),
             os.path.join(self.wd, "script.txt")],
            cwd=self.wd, env=env, stdout=self.stdout, stderr=subprocess.STDOUT)
        self.t0 = time.monotonic()

    def control(self, line):
        with open(os.path.join(self.wd, "engine_test", "control.txt"), "a") as f:
            f.write(line + "\n")

    def poll(self):
        try:
            with open(self.harness_path, encoding="utf-8", errors="replace") as f:
                f.seek(self.harness_pos)
                data = f.read()
        except FileNotFoundError:
            return
        last_nl = data.rfind("\n")
        if last_nl < 0:
            return
        self.harness_pos += len(data[:last_nl + 1].encode("utf-8"))
        for line in data[:last_nl + 1].splitlines():
            try:
                self.events.append(json.loads(line))
            except ValueError:
                self.events.append({"kind": "unparsable", "line": line})

    def wait_for(self, pred, timeout, what, since=0):
        """Waits for a harness event (from index `since` on) matching pred."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.poll()
            for e in self.events[since:]:
                if pred(e):
                    return e
            if self.proc.poll() is not None:
                self.poll()
                for e in self.events[since:]:
                    if pred(e):
                        return e
                raise Failure("engine exited (rc %s) while waiting for %s" % (self.proc.returncode, what))
            time.sleep(0.05)
        raise Failure("timed out after %ss waiting for %s" % (timeout, what))

    def last_status(self):
        self.poll()
        for e in reversed(self.events):
            if e.get("kind") == "status" and isinstance(e.get("status"), dict):
                return e["status"]
        return None

    def finish(self, timeout=30):
        """Waits for the engine to exit (asking it to quit if needed); returns its exit code."""
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.control("quit")
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.stdout.close()
        self.poll()
        return self.proc.returncode

    def kinds(self, kind):
        return [e for e in self.events if e.get("kind") == kind]

    def echoes(self):
        return [e.get("text", "") for e in self.kinds("echo")]

    def widget_health(self):
        """BAR's rule: a callin error removes the widget. Any such error is a failure."""
        errs = []
        for e in self.events:
            k = e.get("kind")
            if k in ("callin_error", "load_error", "harness_error"):
                errs.append("%s: %s %s %s" % (k, e.get("widget", e.get("file", e.get("what"))), e.get("callin", ""), e.get("err")))
            elif k == "widget_removed":
                errs.append("widget removed: %s (%s)" % (e.get("widget"), e.get("why")))
            elif k == "unparsable":
                errs.append("unparsable harness line: %s" % e.get("line"))
        if not any(e.get("kind") == "widget_initialized" and e.get("widget") == WIDGET_NAME for e in self.events):
            errs.append("the widget was never initialized")
        for text in self.echoes():
            if text.startswith("[Live Data Export] error in"):
                errs.append("widget logged an internal error: " + text)
        for line in self.infolog_lua_errors():
            errs.append("infolog: " + line)
        return errs

    def infolog(self):
        for name in ("infolog.txt", "stdout.txt"):
            path = os.path.join(self.wd, name)
            if os.path.exists(path):
                return path, open(path, encoding="utf-8", errors="replace").read().splitlines()
        return None, []

    def infolog_lua_errors(self):
        """Lua errors the engine itself logged for LuaUI (outside our handler's pcalls)."""
        _, lines = self.infolog()
        return [ln.strip() for ln in lines
                if "luaui" in ln.lower() and ("error" in ln.lower() or "traceback" in ln.lower())][:10]

    def dump(self):
        log("    run dir kept: %s" % self.wd)
        info, lines = self.infolog()
        if info:
            notable = [ln for ln in lines if any(w in ln for w in ("Error", "error", "LuaUI", "LuaRules", "Live Data"))]
            log("    --- %s: error / Lua lines (last 25) ---" % info)
            for ln in notable[-25:]:
                log("    | " + ln)
            log("    --- tail of %s (up to the shutdown) ---" % info)
            end = next((i for i, ln in enumerate(lines) if "[Game::~CGame]" in ln or "SpringApp::Kill" in ln), len(lines))
            for ln in lines[max(0, end - 25):end]:
                log("    | " + ln)
        try:
            lines = [ln for ln in open(self.harness_path, encoding="utf-8", errors="replace").read().splitlines()
                     if '"kind":"status"' not in ln and '"kind":"truth"' not in ln]
            log("    --- harness log (without status/truth lines), last 30 ---")
            for ln in lines[-30:]:
                log("    | " + ln[:400])
        except OSError:
            pass

    def cleanup(self):
        if not KEEP:
            shutil.rmtree(self.wd, ignore_errors=True)


def lua_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "{" + ", ".join(lua_value(x) for x in v) + "}"
    if isinstance(v, dict):
        return "{" + ", ".join("[%s] = %s" % (json.dumps(k), lua_value(x)) for k, x in v.items()) + "}"
    raise TypeError(v)


def script_txt(spectator, modopts):
    """Two teams on a generated 4x4 map. Spectator: both teams NullAI. Player: team 0 is ours."""
    lines = ["[GAME]", "{",
             "\tGameType=%s 1;" % GAME_NAME, "\tMapName=%s;" % MAP_NAME, "\tMapSeed=1;",
             "\tIsHost=1;", "\tOnlyLocal=1;", "\tMyPlayerName=Watcher;", "\tStartPosType=3;",
             "\t[MAPOPTIONS]", "\t{", "\t\tnew_map_x=4;", "\t\tnew_map_y=4;", "\t}",
             "\t[MODOPTIONS]", "\t{"]
    lines += ["\t\t%s=%s;" % (k, v) for k, v in modopts.items()]
    lines += ["\t}",
              "\t[PLAYER0]", "\t{", "\t\tName=Watcher;", "\t\tSpectator=%d;" % (1 if spectator else 0),
              "\t\tTeam=0;", "\t}"]
    ai_teams = [0, 1] if spectator else [1]
    for i, team in enumerate(ai_teams):
        lines += ["\t[AI%d]" % i, "\t{", "\t\tName=%s;" % AI_NAMES[team], "\t\tShortName=NullAI;",
                  "\t\tVersion=0.1;", "\t\tTeam=%d;" % team, "\t\tHost=0;", "\t}"]
    for team in (0, 1):
        r, g, b = TEAM_COLORS[team]
        pos = 400 if team == 0 else 1600
        lines += ["\t[TEAM%d]" % team, "\t{", "\t\tTeamLeader=0;", "\t\tAllyTeam=%d;" % team, "\t\tSide=Test;",
                  "\t\tRGBColor=%g %g %g;" % (r, g, b), "\t\tStartPosX=%d;" % pos, "\t\tStartPosZ=%d;" % pos,
                  "\t}"]
    for a in (0, 1):
        lines += ["\t[ALLYTEAM%d]" % a, "\t{", "\t\tNumAllies=0;", "\t}"]
    lines += ["}", ""]
    return "\n".join(lines)


class Failure(Exception):
    pass


class Checker:
    def __init__(self):
        self.errors = []
        self.notes = []
        self.subs = []  # (key, title, Checker): results derived from the same engine run

    def sub(self, key, title):
        c = Checker()
        self.subs.append((key, title, c))
        return c

    def check(self, cond, msg):
        if not cond:
            self.errors.append(msg)
        return cond

    def note(self, msg):
        self.notes.append(msg)


def report_clean(c, rep, rc, tail, label, hellos=None, connections=None):
    if not c.check(rep is not None, "%s: no JSON report (rc %s): %s" % (label, rc, tail)):
        return
    c.check(rc == 0, "%s: check exited %s" % (label, rc))
    c.check(rep.get("errors_total") == 0 and rep.get("invalid") == 0,
            "%s: errors %s" % (label, json.dumps(rep.get("errors"))[:600]))
    c.check(rep.get("seq_gaps") == 0 and rep.get("seq_missing") == 0,
            "%s: seq gaps %s missing %s" % (label, rep.get("seq_gaps"), rep.get("seq_missing")))
    if hellos is not None:
        c.check(rep.get("hellos") == hellos, "%s: hellos %s, want %s" % (label, rep.get("hellos"), hellos))
    if connections is not None:
        c.check(rep.get("connections") == connections,
                "%s: connections %s, want %s" % (label, rep.get("connections"), connections))


def check_defs_before_use(c, tap, conn):
    described = set()
    uses = 0
    for m in tap.msgs(conn):
        if m.get("type") == "unit_defs":
            for d in m.get("defs", []):
                described.add(str(d.get("id")))
        elif m.get("type") == "update":
            for t in m.get("teams", []):
                for k in (t.get("units") or {}).get("by_def", {}) or {}:
                    uses += 1
                    if not c.check(k in described, "conn %d: def %s used in update seq %s before unit_defs"
                                   % (conn, k, m.get("seq"))):
                        return
    c.check(uses > 0, "conn %d: no update used a unit def" % conn)


def check_seq(c, tap, conn):
    msgs = tap.msgs(conn)
    seqs = [m.get("seq") for m in msgs]
    c.check(seqs == list(range(1, len(seqs) + 1)), "conn %d: seq not 1..n: %s" % (conn, seqs[:20]))
    c.check(bool(msgs) and msgs[0].get("type") == "hello", "conn %d: first message is not hello" % conn)


def approx(a, b, tol):
    return a is not None and b is not None and abs(a - b) <= tol


# ----------------------------------------------------------------------------------------------
# Scenarios
# ----------------------------------------------------------------------------------------------
SOLAR_FRAME, DETAILED_FRAME, KILL_FRAME, OVER_FRAME, QUIT_FRAME = 300, 900, 1500, 1560, 1650
MAP_ELMOS = 4 * 512  # new_map_x = 4


def scenario_spectator(c):
    """1 + 6: spectator, two NullAI teams; console commands reach the widget."""
    run = Run("spectator", spectator=True, speed=20,
              modopts={"bl_solar_frame": SOLAR_FRAME, "bl_kill_frame": KILL_FRAME, "bl_over_frame": OVER_FRAME},
              scenario={"quit_frame": QUIT_FRAME, "frame_commands": [
                  {"frame": 600, "cmd": "livedata testmessage via the console path"},
                  {"frame": 630, "cmd": "luaui livedata overlay lock"},
                  {"frame": 660, "cmd": "livedata status"},
                  {"frame": DETAILED_FRAME, "cmd": "livedata level detailed"},
              ]})
    srv = Server(run, run.port, connections=1)
    run.start()
    try:
        rc = run.finish(ENGINE_TIMEOUT + 10)
        rep, crc, tail = srv.report()
        c.check(rc == 0, "engine exit code %s" % rc)
        c.errors += run.widget_health()
        report_clean(c, rep, crc, tail, "check", hellos=1, connections=1)
        tap = srv.tap
        c.check(not tap.problems, "tap: %s" % tap.problems)
        by_type = (rep or {}).get("by_type", {})
        for t in ("hello", "unit_defs", "update", "event", "bye"):
            c.check(by_type.get(t, 0) >= 1, "check by_type has no %s: %s" % (t, by_type))
        check_seq(c, tap, 1)
        check_defs_before_use(c, tap, 1)
        hello = (tap.msgs(1, "hello") or [{}])[0]
        g = hello.get("game", {})
        c.check(g.get("game_name") == GAME_NAME, "hello game_name %r" % g.get("game_name"))
        c.check(g.get("map_name") == MAP_NAME, "hello map_name %r" % g.get("map_name"))
        c.check(g.get("spectating") is True and g.get("full_view") is True, "hello spectating/full_view %s" % g)
        c.check(isinstance(g.get("engine_version"), str) and g.get("engine_version") != "",
                "hello engine_version empty (Engine.version is empty in Spring 106): %r" % g.get("engine_version"))
        c.note("engine_version in hello: %r" % g.get("engine_version"))
        teams = {t.get("team_id"): t for t in hello.get("teams", [])}
        c.check(sorted(teams) == [0, 1], "hello teams %s, want [0, 1]" % sorted(teams))
        for tid, t in teams.items():
            if tid in AI_NAMES:
                c.check(t.get("name") == AI_NAMES[tid], "team %s name %r" % (tid, t.get("name")))
                c.check(t.get("is_ai") is True and t.get("is_gaia") is False, "team %s flags %s" % (tid, t))
                c.check(t.get("ally_team_id") == tid, "team %s ally %s" % (tid, t.get("ally_team_id")))
                c.check(color_close(t.get("color"), TEAM_COLORS[tid]), "team %s color %s want ~%s"
                        % (tid, t.get("color"), hexcolor(TEAM_COLORS[tid])))
        defs = {d["name"]: d for m in tap.msgs(1, "unit_defs") for d in m.get("defs", [])}
        com, solar = defs.get("blcom", {}), defs.get("blsolar", {})
        c.check(com.get("metal_cost") == 2700 and com.get("energy_cost") == 26000
                and com.get("category") == "commander" and com.get("label") == "Test Commander",
                "blcom def %s" % com)
        c.check(solar.get("metal_cost") == 150 and solar.get("category") == "economy", "blsolar def %s" % solar)
        c.check(com.get("tech_level") == 1 and "group" not in com, "blcom tech_level/group %s" % com)
        c.check(solar.get("tech_level") == 2 and solar.get("group") == "energy", "blsolar tech_level/group %s" % solar)
        c.check(len(hello.get("config", {})) == 10, "hello.config %s, want all 10 settings" % hello.get("config"))
        # values only from updates after game_start (pregame updates have no units yet)
        msgs = tap.msgs(1)
        start = next((i for i, m in enumerate(msgs) if m.get("type") == "event" and m.get("name") == "game_start"), 0)
        pre = [m for m in msgs[:start] if m.get("type") == "update"]
        c.note("%d pregame updates (frame 0, no units yet)" % len(pre))
        check_resources(c, [m for m in msgs[start:] if m.get("type") == "update"], com.get("id"), solar.get("id"))
        events = [(m.get("name"), m.get("team_id")) for m in tap.msgs(1, "event")]
        c.check(("game_start", None) in events, "no game_start event: %s" % events)
        c.check(("team_died", 1) in events, "no team_died for team 1: %s" % events)
        c.check(any(n == "game_over" for n, _ in events), "no game_over event: %s" % events)
        go = [m for m in tap.msgs(1, "event") if m.get("name") == "game_over"]
        c.check(all("winners" not in m for m in go), "game_over carries winners although BAR passes none: %s" % go)
        # 6: console commands (Spring.SendCommands, the path typed text takes)
        main_c, c = c, c.sub("console", "6 /livedata typed through the console path (same run)")
        tests = tap.msgs(1, "test")
        c.check(any(m.get("text") == "via the console path" for m in tests),
                "/livedata testmessage did not reach the app: %s" % tests)
        cmds = tap.msgs(1, "command")
        c.check(any(m.get("name") == "overlay" and m.get("args") == ["lock"] for m in cmds),
                "/luaui livedata overlay lock did not reach the app: %s" % cmds)
        c.check(any(e.startswith("[Live Data Export] state: connected") for e in run.echoes()),
                "/livedata status printed no state line")
        vias = sorted({e.get("via") for e in run.kinds("text_action")})
        c.note("text commands arrived via %s" % vias)
        c = main_c
        main_c, c = c, c.sub("replay", "18 the engine's replay: read by bar-live, statistics equal the live stats")
        try:
            check_replay(c, run, tap)
        except Failure as e:
            c.errors.append(str(e))
        c = main_c
        check_detailed(c, [m for m in msgs[start:] if m.get("type") == "update"], {com.get("id"), solar.get("id")})
        bye = tap.msgs(1, "bye")
        c.check(bool(bye) and bye[-1].get("reason") == "shutdown", "no bye(shutdown) at the end: %s" % bye)
        saved = open(os.path.join(run.wd, "LuaUI", "Config", "engine_test_widgets.lua")).read()
        c.check("port" in saved and str(run.port) in saved, "GetConfigData did not persist the port")
        missing = missing_api(run)
        c.note("widget references absent in this engine (must be guarded): %s" % (missing or "none"))
        c.note("%d updates, %d frames, check: %s" % (by_type.get("update", 0), (rep or {}).get("frames"),
                                                    {k: (rep or {}).get(k) for k in ("updates_per_sec", "pongs", "ping_ms")}))
    finally:
        pass
    return run


# The engine's replay of a game (issue 18, part 6): written by spring-headless into <write dir>/demos/.
GOLDEN_REPLAY = os.path.join(REPO, "crates", "core", "tests", "data", "replay", "spring106-game-over.sdfz")
STAT_COUNTERS = ["metal_used", "energy_used", "metal_produced", "energy_produced", "metal_excess",
                 "energy_excess", "metal_received", "energy_received", "metal_sent", "energy_sent",
                 "damage_dealt", "damage_received", "units_produced", "units_died", "units_received",
                 "units_sent", "units_captured", "units_out_captured", "units_killed"]


def bar_live_json(*args):
    out = subprocess.run([BIN] + list(args), capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise Failure("bar-live %s failed (rc %s): %s" % (" ".join(args), out.returncode, out.stderr.strip()))
    return json.loads(out.stdout)


def check_replay(c, run, tap):
    """The replay the engine wrote of the game: read by bar-live (info, export), and its statistics
    records equal the widget's live `stats` of the same teams at the same frames. With
    BAR_LIVE_UPDATE_GOLDEN=1 the replay becomes the golden file of crates/core/tests/replay.rs (only when
    every check passed)."""
    demos_dir = os.path.join(run.wd, "demos")
    demos = sorted(os.listdir(demos_dir)) if os.path.isdir(demos_dir) else []
    demos = [d for d in demos if d.endswith(".sdfz")]
    if not c.check(len(demos) == 1, "the engine wrote %d replays in %s: %s" % (len(demos), demos_dir, demos)):
        return
    demo = os.path.join(demos_dir, demos[0])
    info = bar_live_json("info", demo, "--json")
    c.check(info.get("source") == "bar-replay" and info.get("has_team_stats") is True,
            "info: source %r, has_team_stats %r (%s)" % (info.get("source"), info.get("has_team_stats"),
                                                         info.get("team_stats_note")))
    c.check(info.get("map") == MAP_NAME, "info map %r" % info.get("map"))
    c.check(info.get("winners") == [0], "info winners %r, want [0] (LuaRules GameOver({0}))" % info.get("winners"))
    names = [t.get("name") for t in info.get("teams", [])]
    c.check(names == [AI_NAMES[0], AI_NAMES[1]], "info teams %s" % names)
    rows = bar_live_json("export", demo, "--format", "json")
    live = {}
    for m in tap.msgs(1, "update"):
        for t in m.get("teams", []):
            st = t.get("stats")
            if isinstance(st, dict) and isinstance(st.get("frame"), (int, float)):
                live[(t.get("team_id"), int(st["frame"]))] = st
    # A record stamped frame F holds the totals at the end of frame F (the engine adds resources once a
    # second, at frames 30k); the widget's first sample after F, within the same second, shows the same
    # totals. Each team's last record is written at game over (stamped with the next boundary, placed
    # at the game's end by the reader) and is left out.
    last = {}
    for r in rows:
        last[r["team_id"]] = r
    matched, bad = 0, []
    for r in rows:
        if r is last[r["team_id"]]:
            continue
        frame = int(round(r["game_seconds"] * 30))
        after = sorted(f for (t, f) in live if t == r["team_id"] and frame < f < frame + 30)
        if not after:
            bad.append("team %s frame %s: no live sample in the next second" % (r["team_id"], frame))
            continue
        st = live[(r["team_id"], after[0])]
        matched += 1
        for k in STAT_COUNTERS:
            want, got = st.get(k), r.get(k)
            if want is None or got is None or abs(float(want) - float(got)) > 1e-4 * max(1.0, abs(float(want))):
                bad.append("team %s record %s vs live frame %s %s: live %r, replay %r"
                           % (r["team_id"], frame, after[0], k, want, got))
    c.check(not bad, "replay records differ from the widget's live stats: %s" % bad[:5])
    # Records at frames 0, 450, 900 and 1350 for both teams.
    c.check(matched >= 8, "only %d of %d replay records compared with live stats" % (matched, len(rows)))
    c.note("replay %s: %d bytes, %d records; %d compared with the widget's live stats: all 19 counters equal"
           % (demos[0], os.path.getsize(demo), len(rows), matched))
    if os.environ.get("BAR_LIVE_UPDATE_GOLDEN") == "1" and not c.errors:
        shutil.copy(demo, GOLDEN_REPLAY)
        c.note("golden replay updated: %s" % GOLDEN_REPLAY)


def missing_api(run):
    """Names the widget source references (Spring.X, gl.X, ...) that this engine lacks."""
    import re
    api = (run.kinds("api") or [{}])[0].get("api") or {}
    src = open(WIDGET, encoding="utf-8").read()
    out = []
    for lib, names in sorted(api.items()):
        have = set(names)
        used = set(re.findall(r"\b%s\.([A-Za-z_]\w*)" % lib, src))
        out += ["%s.%s" % (lib, n) for n in sorted(used - have)]
    return out


def check_resources(c, updates, com_id, solar_id):
    c.check(len(updates) >= 5, "only %d updates" % len(updates))
    bad = []
    checked = 0
    for u in updates:
        f = u.get("game_frame", 0)
        if f >= KILL_FRAME - 30:
            break
        secs = f / 30.0
        tids = sorted(t.get("team_id") for t in u.get("teams", []))
        if tids != [0, 1]:
            bad.append("frame %d: teams %s" % (f, tids))
            continue
        for t in u["teams"]:
            m, e, units = t.get("metal", {}), t.get("energy", {}), t.get("units", {})
            solar_on = f > SOLAR_FRAME
            want_units = 2 if solar_on else 1
            want_e_current = COM_ENERGY * secs + (SOLAR_ENERGY * (f - SOLAR_FRAME) / 30.0 if solar_on else 0)
            probs = []
            if units.get("total") != want_units and f != SOLAR_FRAME:
                probs.append("units.total %s want %s" % (units.get("total"), want_units))
            by_def = units.get("by_def", {})
            if com_id is not None and by_def.get(str(com_id)) != 1:
                probs.append("by_def %s" % by_def)
            if f >= 60:
                if m.get("income") != COM_METAL:
                    probs.append("metal.income %s want %s" % (m.get("income"), COM_METAL))
                want_e_income = COM_ENERGY + (SOLAR_ENERGY if f >= SOLAR_FRAME + 60 else 0)
                if f < SOLAR_FRAME or f >= SOLAR_FRAME + 60:
                    if e.get("income") != want_e_income:
                        probs.append("energy.income %s want %s" % (e.get("income"), want_e_income))
            if not approx(m.get("current"), COM_METAL * secs, COM_METAL * 1.2):
                probs.append("metal.current %s want ~%.1f" % (m.get("current"), COM_METAL * secs))
            if not approx(e.get("current"), want_e_current, (COM_ENERGY + SOLAR_ENERGY) * 1.2):
                probs.append("energy.current %s want ~%.1f" % (e.get("current"), want_e_current))
            if m.get("storage") != BASE_STORAGE + COM_STORAGE or e.get("storage") != BASE_STORAGE + COM_STORAGE:
                probs.append("storage %s/%s want %s" % (m.get("storage"), e.get("storage"), BASE_STORAGE + COM_STORAGE))
            if m.get("expense") != 0 or m.get("pull") != 0:
                probs.append("metal expense/pull %s/%s" % (m.get("expense"), m.get("pull")))
            if set(m) != {"current", "storage", "pull", "income", "expense", "share", "sent", "received", "excess"}:
                probs.append("metal keys %s" % sorted(m))
            if probs:
                bad.append("frame %d team %s: %s" % (f, t.get("team_id"), "; ".join(probs)))
            checked += 1
    c.check(checked >= 4, "too few updates before the kill frame to check values (%d)" % checked)
    c.check(not bad, "resource values do not match the game rules: " + " | ".join(bad[:6]))
    with_solar = [u for u in updates if SOLAR_FRAME + 60 <= u.get("game_frame", 0) < KILL_FRAME]
    c.check(bool(with_solar), "no update between the solar and the kill frame")
    if solar_id is not None and with_solar:
        c.check(all(t.get("units", {}).get("by_def", {}).get(str(solar_id)) == 1 for t in with_solar[0]["teams"]),
                "blsolar missing from by_def: %s" % with_solar[0]["teams"])
    stats = [t.get("stats") for u in updates for t in u.get("teams", []) if t.get("stats")]
    c.check(bool(stats), "no team stats in any update (GetTeamStatsHistory)")


def check_detailed(c, updates, def_ids):
    """Level detailed: a unit list built from GetTeamUnits / GetUnitPosition / GetUnitHealth."""
    before = [u for u in updates if u.get("game_frame", 0) < DETAILED_FRAME]
    c.check(all("units" not in u for u in before), "unit list present at level standard")
    after = [u for u in updates if DETAILED_FRAME + 15 <= u.get("game_frame", 0) < KILL_FRAME]
    if not c.check(bool(after), "no update at level detailed"):
        return
    bad = []
    for u in after:
        units = u.get("units")
        if not isinstance(units, list) or len(units) != 4 or u.get("units_omitted") != 0:
            bad.append("frame %s: units %s omitted %s" % (u.get("game_frame"), units, u.get("units_omitted")))
            continue
        for x in units:
            if not (x.get("team") in (0, 1) and x.get("def") in def_ids and isinstance(x.get("id"), int)
                    and 0 <= x.get("x", -1) <= MAP_ELMOS and 0 <= x.get("z", -1) <= MAP_ELMOS
                    and x.get("health") == 1 and x.get("build") == 1):
                bad.append("frame %s: unit %s" % (u.get("game_frame"), x))
    c.check(not bad, "detailed unit list wrong: " + " | ".join(bad[:4]))


def wait_until(run, pred, timeout, what):
    """Polls pred() (driver-side state, e.g. tap frames) while the engine runs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        res = pred()
        if res:
            return res
        if run.proc.poll() is not None:
            raise Failure("engine exited (rc %s) while waiting for %s" % (run.proc.returncode, what))
        time.sleep(0.05)
    raise Failure("timed out after %ss waiting for %s" % (timeout, what))


def scenario_player(c):
    """2: a player on team 0: the enemy team never appears, nothing raises. 7-9 (same run): the app's
    `config` (level, queue size, then a move to another port) through the tap."""
    port, port2 = free_port(), free_port()
    run = Run("player", spectator=False, speed=5, modopts={"bl_solar_frame": SOLAR_FRAME},
              scenario={"max_seconds": 45}, port=port, allow="127.0.0.1:%d 127.0.0.1:%d" % (port, port2))
    srv = Server(run, run.port, connections=1)
    srv2 = None
    run.start()
    cfg = {}
    try:
        tap = srv.tap
        wait_until(run, lambda: any(u.get("game_frame", 0) >= 120 for u in tap.msgs(1, "update")), 40,
                   "an update at game frame 120")
        # 7 + 8: level and queue size from the app
        tap.inject(1, {"type": "config", "schema_version": 1, "level": "detailed", "queue_max_messages": 7})
        cfg["ack1"] = wait_until(run, lambda: (tap.msgs(1, "config_ack") or [None])[0], 5, "config_ack")
        n_before = len(tap.msgs(1))
        cfg["detailed"] = wait_until(run, lambda: [u for u in tap.msgs(1)[n_before:]
                                                   if u.get("type") == "update" and "units" in u], 5,
                                     "a detailed update")
        run.poll()
        since = len(run.events)
        run.control("command livedata status")
        cfg["status_echo"] = run.wait_for(lambda e: e.get("kind") == "echo" and "msgs" in e.get("text", ""), 5,
                                          "the /livedata status queue line", since=since)
        cfg["status"] = run.wait_for(lambda e: e.get("kind") == "status" and (e.get("status") or {}).get(
            "queue_max") == 7, 5, "status queue_max 7", since=since).get("status")
        # 9: the app moves the widget to port2 (it listens there first)
        srv2 = Server(run, port2, connections=1)
        tap.inject(1, {"type": "config", "schema_version": 1, "port": port2})
        wait_until(run, lambda: tap.msgs(1, "bye"), 5, "bye on the first connection")
        wait_until(run, lambda: len(srv2.tap.msgs(1, "update")) >= 3, 10, "3 updates on the new port")
        # The harness writes the widget's status every few seconds: wait for one from after the move
        # (the newest one may still be from before it; the check below says what it was).
        try:
            cfg["status2"] = run.wait_for(lambda e: e.get("kind") == "status" and (e.get("status") or {}).get(
                "port") == port2, 10, "a status on the new port").get("status")
        except Failure:  # reported by the check below
            cfg["status2"] = run.last_status() or {}
    finally:
        run.control("quit")
        rc = run.finish(20)
        if srv2 is not None:
            rep2, crc2, tail2 = srv2.report()
    rep, crc, tail = srv.report()
    c.check(rc == 0, "engine exit code %s" % rc)
    c.errors += run.widget_health()
    report_clean(c, rep, crc, tail, "check", hellos=1, connections=1)
    tap = srv.tap
    c.check(not tap.problems, "tap: %s" % tap.problems)
    hello = (tap.msgs(1, "hello") or [{}])[0]
    g = hello.get("game", {})
    c.check(g.get("spectating") is False, "hello spectating %s" % g.get("spectating"))
    c.check([t.get("team_id") for t in hello.get("teams", [])] == [0], "hello teams %s, want [0]" % hello.get("teams"))
    updates = tap.msgs(1, "update")
    c.check(len(updates) >= 3, "only %d updates" % len(updates))
    for u in updates:
        tids = [t.get("team_id") for t in u.get("teams", [])]
        if not c.check(tids == [0], "update at frame %s has teams %s" % (u.get("game_frame"), tids)):
            break
    for m in tap.msgs(1):
        for key in ("team_id", "team"):
            if m.get(key) == 1:
                c.check(False, "message mentions enemy team 1: %s" % m)
        if m.get("type") == "update":
            for unit in m.get("units") or []:
                c.check(unit.get("team") != 1, "unit of the enemy team listed: %s" % unit)
    u = updates[-1] if updates else {}
    t0 = (u.get("teams") or [{}])[0]
    c.check(t0.get("metal", {}).get("income") == COM_METAL, "own team metal.income %s" % t0.get("metal"))
    check_defs_before_use(c, tap, 1)
    check_seq(c, tap, 1)
    main_c = c
    # 7: level via the app's config
    c = main_c.sub("config-level", "7 config level=detailed from the app (same run)")
    ack1 = (tap.msgs(1, "config_ack") or [{}])[0]
    conf = ack1.get("config", {})
    c.check(conf.get("level") == "detailed" and not ack1.get("errors"), "config_ack %s" % ack1)
    c.check(len(conf) == 10, "config_ack carries %d settings, want all 10: %s" % (len(conf), sorted(conf)))
    detailed = cfg.get("detailed") or []
    c.check(bool(detailed), "no update with a unit list after the ack")
    for d in detailed[:3]:
        units = d.get("units") or []
        c.check(len(units) >= 1 and all(x.get("team") == 0 for x in units) and d.get("units_omitted") == 0,
                "detailed update at frame %s: units %s" % (d.get("game_frame"), units))
    # 8: queue size via the app's config
    c = main_c.sub("config-queue", "8 config queue_max_messages=7 from the app (same run)")
    c.check(conf.get("queue_max_messages") == 7, "config_ack queue_max_messages %s" % conf.get("queue_max_messages"))
    c.check((cfg.get("status") or {}).get("queue_max") == 7, "WG status queue_max %s" % cfg.get("status"))
    echo = (cfg.get("status_echo") or {}).get("text", "")
    c.check("/7 msgs" in echo, "/livedata status does not show the queue size 7: %r" % echo)
    # 9: the move to another port
    c = main_c.sub("config-move", "9 config port=P2 from the app: ack, bye, hello on P2 (same run)")
    acks = tap.msgs(1, "config_ack")
    ack2 = acks[1] if len(acks) > 1 else {}
    c.check(ack2.get("config", {}).get("port") == port2, "second config_ack %s, want port %d" % (ack2, port2))
    last = tap.msgs(1)[-2:]
    c.check([m.get("type") for m in last] == ["config_ack", "bye"], "first connection ends with %s, want "
            "config_ack, bye" % [m.get("type") for m in last])
    bye = (tap.msgs(1, "bye") or [{}])[-1]
    c.check(bye.get("reason") == "moving to 127.0.0.1:%d" % port2, "bye reason %r" % bye.get("reason"))
    if srv2 is None:
        c.check(False, "the second server never started")
        return run
    report_clean(c, rep2, crc2, tail2, "check on P2", hellos=1, connections=1)
    t2 = srv2.tap
    c.check(not t2.problems, "tap on P2: %s" % t2.problems)
    first = (t2.msgs(1) or [{}])[0]
    c.check(first.get("type") == "hello" and first.get("seq") == 1, "first message on P2: %s" % first.get("type"))
    c2 = first.get("config", {})
    c.check(c2.get("port") == port2 and c2.get("level") == "detailed" and c2.get("queue_max_messages") == 7,
            "hello.config on P2 %s" % c2)
    c.check(len(t2.msgs(1, "update")) >= 3, "only %d updates on P2" % len(t2.msgs(1, "update")))
    check_seq(c, t2, 1)
    check_defs_before_use(c, t2, 1)
    st = cfg.get("status2") or {}
    c.check(st.get("state") == "connected" and st.get("port") == port2, "status after the move %s" % st)
    saved = open(os.path.join(run.wd, "LuaUI", "Config", "engine_test_widgets.lua")).read()
    c.check(("%d" % port2) in saved, "GetConfigData did not keep the new port: %s" % saved)
    return run


def scenario_late_server(c):
    """3: the server starts only after the game began: the widget connects within its backoff."""
    run = Run("late-server", spectator=True, speed=5, scenario={"max_seconds": 45})
    run.start()
    srv = None
    try:
        run.wait_for(lambda e: e.get("kind") == "game_start", 30, "game start")
        # let the widget fail a few times so the backoff has grown
        run.wait_for(lambda e: e.get("kind") == "status" and e.get("frame", 0) > 0
                     and (e.get("status") or {}).get("state") == "backoff"
                     and (e.get("status") or {}).get("retry_in", 0) > 1.0, 15, "a backoff over 1 s")
        st = run.last_status() or {}
        retry_in = st.get("retry_in") or 0
        srv = Server(run, run.port, connections=1)
        budget = retry_in + 2.0 + 1.0  # remaining backoff + connect timeout + slack
        hello_t = None
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            if srv.tap.msgs(1, "hello"):
                hello_t = time.monotonic()
                break
            if run.proc.poll() is not None:
                break
            time.sleep(0.05)
        c.check(hello_t is not None, "the widget never connected to the late server")
        if hello_t is not None:
            waited = hello_t - srv.started
            c.note("backoff was %.1f s when the server started; connected after %.2f s" % (retry_in, waited))
            c.check(waited <= budget, "connected after %.2f s, backoff allowed %.2f s" % (waited, budget))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(srv.tap.msgs(1, "update")) < 3:
            time.sleep(0.05)
        run.control("quit")
        rc = run.finish(20)
        rep, crc, tail = srv.report()
        c.check(rc == 0, "engine exit code %s" % rc)
        c.errors += run.widget_health()
        report_clean(c, rep, crc, tail, "check", hellos=1, connections=1)
        hello = (srv.tap.msgs(1, "hello") or [{}])[0]
        c.check(hello.get("game", {}).get("game_frame", 0) > 0, "hello game_frame %s: the game had not begun"
                % hello.get("game", {}).get("game_frame"))
        c.check(len(srv.tap.msgs(1, "update")) >= 3, "fewer than 3 updates after connecting")
        check_seq(c, srv.tap, 1)
    finally:
        if run.proc.poll() is None:
            run.proc.kill()
        if srv and srv.proc.poll() is None:
            srv.kill()
    return run


def scenario_restart(c):
    """4: the server is killed mid-game and restarted: reconnect, new hello, no corrupt frame, gap reported."""
    run = Run("restart", spectator=True, speed=5, modopts={"bl_solar_frame": 150}, scenario={"max_seconds": 45})
    srv1 = Server(run, run.port, connections=1)
    run.start()
    srv2 = None
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(srv1.tap.msgs(1, "update")) < 5:
            if run.proc.poll() is not None:
                raise Failure("engine exited early")
            time.sleep(0.05)
        c.check(len(srv1.tap.msgs(1, "update")) >= 5, "no updates before the kill")
        run.poll()
        since = len(run.events)
        srv1.kill()
        first = srv1.tap.msgs(1)
        last_frame1 = max([m.get("game_frame", 0) for m in first if "game_frame" in m] or [0])
        # the widget notices, backs off, and keeps failing while the port is closed
        run.wait_for(lambda e: e.get("kind") == "status" and (e.get("status") or {}).get("state") == "backoff"
                     , 15, "backoff after the kill", since=since)
        time.sleep(1.5)
        srv2 = Server(run, run.port, connections=1)
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and len(srv2.tap.msgs(1, "update")) < 3:
            if run.proc.poll() is not None:
                break
            time.sleep(0.05)
        # The harness writes the widget's status every half second: wait for one written after the
        # reconnect (the newest may still be from before it; the check below says what it was).
        try:
            st = run.wait_for(lambda e: e.get("kind") == "status" and ((e.get("status") or {}).get(
                "reconnects") or 0) >= 1, 10, "a status after the reconnect", since=since).get("status")
        except Failure:  # reported by the check below
            st = run.last_status() or {}
        run.control("quit")
        rc = run.finish(20)
        rep, crc, tail = srv2.report()
        c.check(rc == 0, "engine exit code %s" % rc)
        c.errors += run.widget_health()
        c.check(not srv1.tap.problems, "first server: corrupt frames %s" % srv1.tap.problems)
        c.check(not srv2.tap.problems, "second server: corrupt frames %s" % srv2.tap.problems)
        check_seq(c, srv1.tap, 1)
        report_clean(c, rep, crc, tail, "check after restart", hellos=1, connections=1)
        second = srv2.tap.msgs(1)
        c.check(bool(second) and second[0].get("type") == "hello" and second[0].get("seq") == 1,
                "after the restart the first message is not hello seq 1")
        if second:
            check_seq(c, srv2.tap, 1)
            check_defs_before_use(c, srv2.tap, 1)
            hello_frame = second[0].get("game", {}).get("game_frame", 0)
            c.check(hello_frame > last_frame1, "new hello frame %s not after the last frame %s before the kill"
                    % (hello_frame, last_frame1))
            c.note("gap: last frame before the kill %d, new hello at frame %d (%.1f game s)"
                   % (last_frame1, hello_frame, (hello_frame - last_frame1) / 30.0))
        c.check((st.get("reconnects") or 0) >= 1, "widget status reconnects %s, want >= 1" % st.get("reconnects"))
        stats = [m for m in second if m.get("type") == "stats"]
        if stats:
            c.check(stats[-1].get("reconnects", 0) >= 1, "stats.reconnects %s" % stats[-1].get("reconnects"))
    finally:
        if run.proc.poll() is None:
            run.proc.kill()
        for s in (srv1, srv2):
            if s and s.proc.poll() is None:
                s.kill()
    return run


def scenario_blocked(c, socket_enabled, allow, expect_words, label):
    """5: LuaSocket disabled / TCPAllowConnect denying the port: loaded, says why once, raises nothing."""
    run = Run(label, spectator=True, speed=10, socket_enabled=socket_enabled, allow=allow,
              scenario={"quit_frame": 600})
    # a listener on the port: the widget must not reach it
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", run.port))
    lsock.listen(4)
    lsock.settimeout(0.05)
    accepted = 0
    run.start()
    try:
        while run.proc.poll() is None:
            try:
                s, _ = lsock.accept()
                accepted += 1
                s.close()
            except socket.timeout:
                pass
        rc = run.finish(5)
    finally:
        lsock.close()
    c.check(rc == 0, "engine exit code %s" % rc)
    c.errors += run.widget_health()
    c.check(accepted == 0, "the widget connected %d times although it should not be able to" % accepted)
    mine = [e for e in run.echoes() if e.startswith("[Live Data Export]")]
    why = [e for e in mine if all(w.lower() in e.lower() for w in expect_words)]
    c.check(len(why) == 1, "want exactly one message mentioning %s, got %d: %s" % (expect_words, len(why), mine[:5]))
    c.check(len(mine) == 1, "want the widget to say one thing, it said %d: %s" % (len(mine), mine[:5]))
    c.note("widget said: %s" % (why[0] if why else mine[:3]))
    st = run.last_status() or {}
    c.check(st.get("state") == "disabled", "widget state %r (%s), want disabled" % (st.get("state"), st.get("reason")))
    luaui = (run.kinds("luaui_loaded") or [{}])[0]
    c.note("socket global present: %s" % luaui.get("has_socket"))
    return run


SCENARIOS = [
    ("spectator", "1 spectator, two AI teams: clean, real values, defs before use", scenario_spectator),
    ("player", "2 player on team 0: no enemy data; 7-9 the app's config", scenario_player),
    ("late-server", "3 server started after the game began", scenario_late_server),
    ("restart", "4 server killed mid-game and restarted", scenario_restart),
    ("no-socket", "5a LuaSocketEnabled = 0",
     lambda c: scenario_blocked(c, False, None, ["LuaSocket", "LuaSocketEnabled"], "no-socket")),
    ("denied", "5b TCPAllowConnect denies the port",
     lambda c: scenario_blocked(c, True, "127.0.0.1:1", ["denied", "TCPAllowConnect"], "denied")),
]


def main():
    only = None
    if "--only" in sys.argv:
        only = set(sys.argv[sys.argv.index("--only") + 1].split(","))
    for need in (SPRING, BIN, WIDGET):
        if not os.path.exists(need):
            log("missing %s" % need)
            log("0 passed, 1 failed")
            return 1
    passed = failed = 0
    t_all = time.monotonic()
    for key, title, fn in SCENARIOS:
        if only and key not in only:
            continue
        c = Checker()
        t0 = time.monotonic()
        run = None
        n_runs = len(RUNS)
        try:
            run = fn(c)
        except Failure as e:
            c.errors.append(str(e))
        except Exception as e:  # a driver bug is a failure too
            import traceback
            c.errors.append("driver error: %s\n%s" % (e, traceback.format_exc()))
        dt = time.monotonic() - t0
        if run is None and len(RUNS) > n_runs:
            run = RUNS[-1]
        if run is not None and run.proc is not None and run.proc.poll() is None:
            run.proc.kill()
        results = [(key, title, c)] + c.subs
        any_failed = False
        when = " (%.1fs)" % dt
        for k, t, cc in results:
            if cc.errors:
                failed += 1
                any_failed = True
                log("FAIL %-12s %s%s" % (k, t, when))
                for e in cc.errors:
                    log("    - " + e)
            else:
                passed += 1
                log("PASS %-12s %s%s" % (k, t, when))
            for n in cc.notes:
                log("    note: " + n)
            when = ""
        if run is not None:
            if any_failed:
                run.dump()
            else:
                run.cleanup()
    log("engine scenarios took %.1fs" % (time.monotonic() - t_all))
    log("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
