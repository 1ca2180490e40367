-- live_widget.lua: the real widget, with real LuaSocket, in the fake engine,
-- for end-to-end tests driven from outside (the Rust test suite).
--
--   lua5.1 widget/spec/e2e/live_widget.lua --port P [--host H] --state FILE --seconds S
--
-- What it does, in the order a game does it:
--   1. loads widget/bar_live_export.lua (or $WIDGET_UNDER_TEST) as the bar-live
--      installer would write it for port P: the DEFAULT_PORT line says P (and,
--      with --host, the DEFAULT_HOST line says H);
--   2. if FILE exists, calls SetConfigData with the table in it (JSON), as BAR
--      does with LuaUI/Config/BYAR.lua, before Initialize;
--   3. runs a 2-team game (spectator with full view, 4 units a team) at ~30 game
--      frames per second for S seconds of wall time: GameFrame and Update per
--      frame, GameStart at frame 30; the widget connects, streams, answers the
--      app (ping, config: move, enabled = false, ...) as in the game;
--   4. calls Shutdown, then writes GetConfigData to FILE (JSON, pretty-printed).
-- So FILE carries the settings from one "game" to the next: run it twice to see
-- that what the app changed still holds. The installer rule applies: the saved
-- port is used only if FILE's installedPort equals P (the player changed the
-- port in game after installing); with another P, P wins (a reinstall). This
-- harness writes no install stamp, so installStamp stays "" from run to run.
--
-- stdout, one line per event (fields separated by single spaces):
--   start port=P host=H state=FILE loaded|new
--   state <state> <host>:<port> (<reason>)      on every connection state change
--   sent <type> <json>                           every message but update/stats
--   recv <type> <json>                           every app->widget message
--   echo <text>                                  what the widget says in the chat
--   saved FILE <json>                            the settings written at the end
--   done updates=N stats=N errors=N              errors: widget "error in" lines
-- e.g. `state connected 127.0.0.1:9876 (connected to 127.0.0.1:9876)`.
-- Exit code 0, or 1 if the widget logged an internal error, 2 on bad arguments.
-- Needs lua-socket and lua-dkjson.
local HERE = debug.getinfo(1, "S").source:sub(2):match("^(.*)/[^/]*$") or "."
package.path = HERE .. "/../?.lua;" .. package.path
local socket = require("socket")
local dkjson = require("dkjson")
local fake_engine = require("helpers.fake_engine")
local strict_json = require("helpers.strict_json")

local args = {}
do
	local i = 1
	while i <= #arg do
		local a = arg[i]
		if a == "--port" or a == "--host" or a == "--state" or a == "--seconds" then
			args[a:sub(3)] = arg[i + 1]
			i = i + 2
		else
			io.stderr:write("unknown argument " .. tostring(a) .. "\n")
			os.exit(2)
		end
	end
end
local port, seconds = tonumber(args.port), tonumber(args.seconds)
if not port or not seconds or not args.state then
	io.stderr:write("usage: lua5.1 live_widget.lua --port P [--host H] --state FILE --seconds S\n")
	os.exit(2)
end
local host = args.host or "127.0.0.1"

local function out(...)
	io.stdout:write(table.concat({ ... }, " "), "\n")
	io.stdout:flush()
end

-- The widget source as installed for port (and host).
local source = fake_engine.widgetSource(port)
if args.host then
	local line = 'local DEFAULT_HOST         = "127.0.0.1"'
	local i, j = source:find(line, 1, true)
	assert(i, "DEFAULT_HOST line missing from the widget")
	source = source:sub(1, i - 1) .. 'local DEFAULT_HOST         = "' .. host .. '"' .. source:sub(j + 1)
end

-- A frame reader per direction: prints each complete message.
local counts = { update = 0, stats = 0 }
local function frameReader(direction)
	local buf = ""
	return function(bytes)
		buf = buf .. bytes
		local payloads, rest = strict_json.frames(buf)
		buf = rest
		for _, payload in ipairs(payloads) do
			local msg = dkjson.decode(payload)
			local t = type(msg) == "table" and tostring(msg.type) or "?"
			if direction == "recv" or (t ~= "update" and t ~= "stats") then
				out(direction, t, payload)
			else
				counts[t] = counts[t] + 1
			end
		end
	end
end

-- LuaSocket, with every TCP socket wrapped to see what goes through it.
local wrapped = {} -- wrapper -> real socket
local lib = {
	select = function(rd, wr, timeout)
		local function unwrap(list)
			if not list then return nil end
			local r = {}
			for i, w in ipairs(list) do r[i] = wrapped[w] end
			return r
		end
		local r, w, err = socket.select(unwrap(rd), unwrap(wr), timeout)
		local function rewrap(list, orig)
			local res = {}
			for _, o in ipairs(orig or {}) do
				if list and list[wrapped[o]] then res[#res + 1] = o; res[o] = true end
			end
			return res
		end
		return rewrap(r, rd), rewrap(w, wr), err
	end,
	tcp = function()
		local real, err = socket.tcp()
		if not real then return nil, err end
		local sent, recv = frameReader("sent"), frameReader("recv")
		local w = {}
		function w.settimeout(_, t) return real:settimeout(t) end
		function w.connect(_, h, p) return real:connect(h, p) end
		function w.getpeername() return real:getpeername() end
		function w.close() return real:close() end
		function w.send(_, data, i, j)
			local res, e, k = real:send(data, i, j)
			local last = res or k
			if last and last >= (i or 1) then sent(data:sub(i or 1, last)) end
			return res, e, k
		end
		function w.receive(_, pattern)
			local data, e, partial = real:receive(pattern)
			local chunk = data or partial
			if chunk and chunk ~= "" then recv(chunk) end
			return data, e, partial
		end
		wrapped[w] = real
		return w
	end,
}

local teams = {}
for t = 0, 1 do
	local units = {}
	for k = 1, 4 do units[k] = { def = (k % 5) + 1, x = 100 * k + 0.4, z = 300 * t + 0.6, hp = 80 } end
	teams[#teams + 1] = { id = t, ally = t, name = "Player " .. t, units = units }
end
local E = fake_engine.new({ teams = teams, spectating = true, fullView = true, socket = lib,
	realClock = socket.gettime })
for _, t in pairs(E.teams) do t.stats[1] = { time = 15, frame = 450, metalUsed = 1.5, unitsKilled = 0 } end
local w = E:loadWidget(nil, source)
local I = E.internals

local saved
do
	local f = io.open(args.state, "r")
	if f then
		local text = f:read("*a")
		f:close()
		saved = dkjson.decode(text)
		if type(saved) ~= "table" then saved = nil end
	end
end
out("start", "port=" .. port, "host=" .. host, "state=" .. args.state, saved and "loaded" or "new")

local seenEchoes, errors = 0, 0
local lastState
local function report()
	for i = seenEchoes + 1, #E.echoes do
		local line = E.echoes[i]
		out("echo", line)
		if line:find("error in", 1, true) then errors = errors + 1 end
	end
	seenEchoes = #E.echoes
	local st = I.conn.state .. " " .. I.config.host .. ":" .. I.config.port
	if st ~= lastState then
		lastState = st
		out("state", st, "(" .. tostring(I.conn.reason) .. ")")
	end
end

E:start(saved) -- SetConfigData (if saved), then Initialize
report()
local started = socket.gettime()
local frameNo = 0
while socket.gettime() - started < seconds do
	frameNo = frameNo + 1
	E:frames(1, 1 / 30)
	if frameNo == 30 then w:GameStart() end
	report()
	local nextAt = started + frameNo / 30
	local wait = nextAt - socket.gettime()
	if wait > 0 then socket.sleep(wait) end
end
w:Shutdown()
report()

local data = w:GetConfigData()
local f = assert(io.open(args.state, "w"))
f:write(dkjson.encode(data, { indent = true }), "\n")
f:close()
out("saved", args.state, (dkjson.encode(data, { keyorder = {} })))
out("done", "updates=" .. counts.update, "stats=" .. counts.stats, "errors=" .. errors)
os.exit(errors == 0 and 0 or 1)
