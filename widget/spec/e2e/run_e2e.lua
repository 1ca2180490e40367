-- End-to-end runner: the real widget file, real LuaSocket, a fake engine
-- playing a simulated game, against a validating server.
--   lua5.1 widget/spec/e2e/run_e2e.lua [--server stub|bar-live]
-- --server bar-live (default) uses $BAR_LIVE_BIN (default target/release/bar-live,
-- relative to the repo root) `check --json` for the clean and restart scenarios
-- and fails if it is missing; --server stub uses stub_server.lua instead.
-- The back-pressure scenario always uses stub_server.lua --stall (check always reads).
local HERE = debug.getinfo(1, "S").source:sub(2):match("^(.*)/[^/]*$") or "."
package.path = HERE .. "/../?.lua;" .. package.path
local socket = require("socket")
local fake_engine = require("helpers.fake_engine")
local strict_json = require("helpers.strict_json")

local REPO = HERE .. "/../../.."
local serverKind = "bar-live"
for i = 1, #arg do
	if arg[i] == "--server" then serverKind = arg[i + 1] end
end
local BIN = os.getenv("BAR_LIVE_BIN") or (REPO .. "/target/release/bar-live")
local TMP = os.tmpname()
os.remove(TMP)
os.execute("mkdir -p " .. TMP)

local passed, failed = 0, 0
local function log(...) io.stdout:write(table.concat({ ... }, " "), "\n"); io.stdout:flush() end

local function freePort()
	local s = assert(socket.bind("127.0.0.1", 0))
	local _, port = s:getsockname()
	s:close()
	return tonumber(port)
end

local function fileExists(p)
	local f = io.open(p, "r")
	if f then f:close() return true end
	return false
end

-- Starts a server in the background; returns {pid=, out=}.
local serverCount = 0
local function startServer(kind, port, connections, duration, stall)
	serverCount = serverCount + 1
	local out = TMP .. "/server" .. serverCount .. ".out"
	local cmd
	if kind == "bar-live" then
		cmd = string.format("'%s' check --listen 127.0.0.1:%d --connections %d --duration %d --json",
			BIN, port, connections, duration)
	else
		cmd = string.format("lua5.1 '%s/stub_server.lua' --listen 127.0.0.1:%d --connections %d --duration %d"
			.. " --stall %g --json", HERE, port, connections, duration, stall or 0)
	end
	local pidfile = out .. ".pid"
	os.execute(string.format("(%s > '%s' 2> '%s.err'; echo $? > '%s.rc') & echo $! > '%s'",
		cmd, out, out, out, pidfile))
	local f = io.open(pidfile)
	local pid = f:read("*l")
	f:close()
	socket.sleep(0.4) -- let it bind; the widget retries anyway
	return { pid = pid, out = out }
end

local function killServer(srv)
	-- kill the subshell's children (the server) then the subshell
	os.execute("pkill -KILL -P " .. srv.pid .. " 2>/dev/null; kill -KILL " .. srv.pid .. " 2>/dev/null")
end

-- Waits for the server to exit; returns the parsed last stdout line and exit code.
local function serverReport(srv, timeout)
	local deadline = socket.gettime() + (timeout or 30)
	while not fileExists(srv.out .. ".rc") and socket.gettime() < deadline do socket.sleep(0.05) end
	if not fileExists(srv.out .. ".rc") then
		killServer(srv)
		return nil, "server did not exit"
	end
	local f = io.open(srv.out .. ".rc"); local rc = tonumber(f:read("*l")); f:close()
	local last
	for line in io.lines(srv.out) do if line:find("%S") then last = line end end
	if not last then
		local ef = io.open(srv.out .. ".err"); local e = ef and ef:read("*a") or ""; if ef then ef:close() end
		return nil, "no report (rc " .. tostring(rc) .. "): " .. e
	end
	local ok, rep = pcall(strict_json.parse, last)
	if not ok then return nil, "report is not JSON: " .. last end
	return rep, rc
end

-- A 4-team game; `units` per team.
local function newGame(port, opts)
	opts = opts or {}
	local teams = {}
	for t = 0, 3 do
		local units = {}
		for k = 1, (opts.units or 10) do units[k] = { def = (k % 5) + 1, x = k * 10.4, z = t * 100.6 } end
		teams[#teams + 1] = { id = t, ally = t % 2, name = "Player\255\200\10\10 " .. t .. ' "q"\\', units = units }
	end
	teams[2].ai = true
	local E = fake_engine.new({ teams = teams, spectating = true, fullView = true, socket = socket,
		realClock = socket.gettime })
	E.printEchoes = os.getenv("E2E_VERBOSE") ~= nil
	E:loadWidget()
	E:start({ port = port, level = opts.level or "standard", interval = opts.interval or 15,
		maxUnits = opts.maxUnits })
	for _, t in ipairs(E.teams) do t.stats[1] = { time = 15, frame = 450, metalUsed = 1.5 } end
	return E
end

-- Runs the game for `seconds` of real time at `speed` game frames per draw frame.
local function play(E, seconds, speed, each)
	local stop = socket.gettime() + seconds
	while socket.gettime() < stop do
		E:frames(speed or 2, 1 / 60)
		if each then each(E) end
		socket.sleep(1 / 120)
	end
end

local function noWidgetErrors(E)
	for _, line in ipairs(E.echoes) do
		if line:find("error in") then return false, line end
	end
	return true
end

local function check(name, cond, detail)
	if not cond then error(name .. (detail and (": " .. tostring(detail)) or ""), 0) end
end

local function reportClean(rep, label)
	check(label .. " report", rep ~= nil)
	check(label .. " invalid == 0", rep.invalid == 0, rep.invalid)
	check(label .. " errors empty", #rep.errors == 0,
		#rep.errors > 0 and (rep.errors[1].kind .. ": " .. tostring(rep.errors[1].detail)))
	check(label .. " valid > 0", rep.valid > 0)
end

local scenarios = {}

scenarios[#scenarios + 1] = { "clean game against " .. serverKind, function()
	local port = freePort()
	local srv = startServer(serverKind, port, 1, 30)
	local E = newGame(port)
	local w = E.widget
	play(E, 1.0)
	w:GameStart()
	play(E, 0.5)
	w:GamePaused(0, true)
	E.paused = true
	for _ = 1, 20 do E:update(); socket.sleep(0.01) end
	E.paused = false
	w:GamePaused(0, false)
	E:command("testmessage")
	E:command("overlay toggle")
	E.WG.LiveDataExport.send("e2e", { hostile = "\0\31\"\\\255", nan = 0 / 0, list = E.WG.LiveDataExport.array() })
	E.teams[3].dead = true
	w:TeamDied(3)
	E:command("level detailed")
	play(E, 1.0)
	E:command("level minimal")
	play(E, 0.5)
	w:GameOver()
	play(E, 0.2)
	check("connected", E.internals.conn.state == "connected", E.internals.conn.reason)
	w:Shutdown()
	local rep, rc = serverReport(srv)
	check("server report", rep, rc)
	reportClean(rep, "server")
	check("exit 0", rc == 0, rc)
	check("one connection", rep.connections == 1, rep.connections)
	for _, t in ipairs({ "hello", "unit_defs", "update", "event", "test", "command", "custom", "bye" }) do
		check("by_type." .. t, (rep.by_type[t] or 0) > 0)
	end
	check("one hello", rep.by_type.hello == 1)
	check("no seq gaps", rep.seq_gaps == 0, rep.seq_gaps)
	check("no widget errors", noWidgetErrors(E))
	log(string.format("    %d frames, %d bytes, by_type update=%d", rep.frames, rep.bytes, rep.by_type.update))
end }

scenarios[#scenarios + 1] = { "server killed and restarted mid-game against " .. serverKind, function()
	local port = freePort()
	local srvA = startServer(serverKind, port, 5, 30)
	local E = newGame(port)
	local T = E.internals
	play(E, 1.5)
	check("first connection", T.conn.state == "connected", T.conn.reason)
	killServer(srvA)
	play(E, 1.5)
	check("notices the loss", T.conn.state == "backoff" or T.conn.state == "connecting", T.conn.state)
	local srvB = startServer(serverKind, port, 1, 30)
	local deadline = socket.gettime() + 10
	while T.conn.state ~= "connected" and socket.gettime() < deadline do play(E, 0.1) end
	check("reconnected", T.conn.state == "connected", T.conn.reason)
	play(E, 1.5)
	check("reconnects counted", T.counters.reconnects >= 1)
	E.widget:Shutdown()
	local rep, rc = serverReport(srvB)
	check("server B report", rep, rc)
	reportClean(rep, "server B")
	check("exit 0", rc == 0, rc)
	check("new hello", rep.by_type.hello == 1)
	check("updates after reconnect", (rep.by_type.update or 0) > 0)
	check("no widget errors", noWidgetErrors(E))
end }

scenarios[#scenarios + 1] = { "server that stops reading: memory bounded, drops counted, stream valid",
	stubOnly = true, function()
	local port = freePort()
	local srv = startServer("stub", port, 1, 40, 4)
	local E = newGame(port, { level = "detailed", interval = 1, units = 250 })
	local T = E.internals
	local maxQueueBytes, maxCount, maxMem = 0, 0, 0
	local function watch()
		maxQueueBytes = math.max(maxQueueBytes, T.queue.bytes)
		maxCount = math.max(maxCount, T.queue:count())
		maxMem = math.max(maxMem, collectgarbage("count"))
	end
	play(E, 3.5, 4, watch)
	local dropsDuringStall = T.queue.drops
	check("drops counted while stalled", dropsDuringStall > 0, dropsDuringStall)

	check("queue bytes bounded", maxQueueBytes <= T.config.queueBytes * 1.1, maxQueueBytes)
	check("queue count bounded", maxCount <= T.config.queueSize, maxCount)
	check("memory bounded", maxMem < 64 * 1024, maxMem)
	E:command("level standard")
	play(E, 3.0, 2, watch)
	check("still connected", T.conn.state == "connected", T.conn.reason)
	E.widget:Shutdown()
	local rep, rc = serverReport(srv)
	check("server report", rep, rc)
	reportClean(rep, "stall server")
	check("bye arrived", (rep.by_type.bye or 0) == 1)
	check("seq gaps reported", rep.seq_gaps > 0)
	log(string.format("    drops %d, partial sends %d, max queue %d msgs / %d bytes, max Lua mem %.0f KiB",
		T.queue.drops, T.counters.partialSends, maxCount, maxQueueBytes, maxMem))
end }

scenarios[#scenarios + 1] = { "no server at all: no errors, backoff visible in status", stubOnly = true, function()
	local port = freePort()
	local E = newGame(port)
	local T = E.internals
	play(E, 4.0)
	check("backing off", T.conn.state == "backoff" or T.conn.state == "connecting", T.conn.state)
	check("several attempts", T.conn.failures >= 2, T.conn.failures)
	E.echoes = {}
	E:command("status")
	local status = table.concat(E.echoes, "\n")
	check("status shows backoff", status:find("backoff") or status:find("connecting"), status)
	check("no widget errors", noWidgetErrors(E))
	E.widget:Shutdown()
end }

-- A minimal app for the live_widget.lua scenario: reads frames from `conn`
-- until a message of type `want` arrives; returns the messages read.
local function readUntil(conn, want, timeout)
	conn:settimeout(0.05)
	local buf, msgs = "", {}
	local deadline = socket.gettime() + (timeout or 5)
	while socket.gettime() < deadline do
		local data, err, partial = conn:receive("*a")
		buf = buf .. (data or partial or "")
		local payloads, rest = strict_json.frames(buf)
		buf = rest
		for _, p in ipairs(payloads) do
			local m = strict_json.parse(p)
			msgs[#msgs + 1] = m
			if m.type == want then return msgs end
		end
		if err == "closed" then break end
	end
	return msgs
end

local function sendFrame(conn, json)
	local n = #json
	assert(conn:send(string.char(0, math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256) .. json))
end

local function acceptWithin(server, timeout)
	server:settimeout(timeout)
	return server:accept()
end

scenarios[#scenarios + 1] = { "live_widget.lua: the app moves the widget; the state file keeps it for the next run",
	stubOnly = true, function()
	local p1, p2 = freePort(), freePort()
	local l1 = assert(socket.bind("127.0.0.1", p1))
	local l2 = assert(socket.bind("127.0.0.1", p2))
	local state = TMP .. "/live_state.json"
	local function harness(seconds, n)
		local outFile = TMP .. "/live" .. n .. ".out"
		os.execute(string.format("lua5.1 '%s/live_widget.lua' --port %d --state '%s' --seconds %g > '%s' 2>&1 &",
			HERE, p1, state, seconds, outFile))
		return outFile
	end
	local out1 = harness(3, 1)
	local c1 = acceptWithin(l1, 5)
	check("first run connects to --port", c1)
	local msgs = readUntil(c1, "hello")
	check("hello first", msgs[1] and msgs[1].type == "hello" and msgs[1].config.port == p1)
	sendFrame(c1, string.format('{"type":"config","schema_version":1,"port":%d,"level":"minimal"}', p2))
	msgs = readUntil(c1, "bye")
	local ack = msgs[#msgs - 1]
	check("config_ack then bye", ack and ack.type == "config_ack" and ack.config.port == p2, ack and ack.type)
	check("bye says where to", msgs[#msgs].reason == "moving to 127.0.0.1:" .. p2, msgs[#msgs].reason)
	local c2 = acceptWithin(l2, 3)
	check("moved to the new port", c2)
	msgs = readUntil(c2, "hello")
	check("hello on the new port", msgs[1] and msgs[1].config.port == p2 and msgs[1].config.level == "minimal")
	readUntil(c2, "bye", 6)
	c1:close(); c2:close()
	socket.sleep(0.3)
	local f = io.open(state)
	local saved = f and f:read("*a") or ""
	if f then f:close() end
	check("state file keeps the new port", saved:find('"port":%s*' .. p2), saved)
	local out2 = harness(1.5, 2)
	local c3 = acceptWithin(l2, 5)
	check("second run goes to the saved port", c3)
	msgs = readUntil(c3, "hello")
	check("second run's hello", msgs[1] and msgs[1].config.port == p2 and msgs[1].config.level == "minimal")
	readUntil(c3, "bye", 4)
	c3:close(); l1:close(); l2:close()
	socket.sleep(0.3)
	for _, o in ipairs({ out1, out2 }) do
		local text = io.open(o):read("*a")
		check("harness finished cleanly (" .. o .. ")", text:find("done updates=%d+ stats=%d+ errors=0"), text)
	end
end }

if serverKind == "bar-live" and not fileExists(BIN) then
	log("FAIL: bar-live binary not found at " .. BIN .. " (build it with cargo build --release or set BAR_LIVE_BIN)")
	log("0 passed, 1 failed")
	os.exit(1)
end

for _, sc in ipairs(scenarios) do
	-- Scenarios that do not use the check server run once, in the stub pass.
	if not (sc.stubOnly and serverKind ~= "stub") then
		local ok, err = pcall(sc[2])
		if ok then
			passed = passed + 1
			log("ok   " .. sc[1])
		else
			failed = failed + 1
			log("FAIL " .. sc[1] .. ": " .. tostring(err))
		end
	end
end
os.execute("rm -rf '" .. TMP .. "'")
log(string.format("%d passed, %d failed", passed, failed))
os.exit(failed == 0 and 0 or 1)
