-- Widget soak: the real widget file with real LuaSocket and the fake engine, 16 teams (default) for two
-- game-hours (default) as fast as it runs, streaming to `bar-live check`. Samples collectgarbage("count")
-- once per game minute and fails if memory after warm-up grows past 1.5x its warm-up level, if the
-- widget logged an error, or if check saw an invalid frame or a seq gap.
--   lua5.1 scripts/soak_widget.lua [--minutes 120] [--teams 16] [--units 40]
local REPO = (debug.getinfo(1, "S").source:sub(2):match("^(.*)/[^/]*$") or ".") .. "/.."
package.path = REPO .. "/widget/spec/?.lua;" .. package.path
local socket = require("socket")
local fake_engine = require("helpers.fake_engine")

local MINUTES, TEAMS, UNITS = 120, 16, 40
for i = 1, #arg do
	if arg[i] == "--minutes" then MINUTES = tonumber(arg[i + 1]) end
	if arg[i] == "--teams" then TEAMS = tonumber(arg[i + 1]) end
	if arg[i] == "--units" then UNITS = tonumber(arg[i + 1]) end
end
local BIN = os.getenv("BAR_LIVE_BIN") or (REPO .. "/target/release/bar-live")

local s = assert(socket.bind("127.0.0.1", 0)); local _, port = s:getsockname(); port = tonumber(port); s:close()
local out = os.tmpname()
os.execute(string.format("'%s' check --listen 127.0.0.1:%d --connections 1 --duration 3600 --json > '%s' 2>/dev/null &",
	BIN, port, out))
socket.sleep(0.5)

local teams = {}
for t = 0, TEAMS - 1 do
	local units = {}
	for k = 1, UNITS do units[k] = { def = (k % 5) + 1, x = k * 10.4, z = t * 100.6 } end
	teams[#teams + 1] = { id = t, ally = t % 2, name = "Player " .. t, units = units }
end
local E = fake_engine.new({ teams = teams, spectating = true, fullView = true, socket = socket, realClock = socket.gettime })
E:loadWidget()
E:start({ port = port, level = "standard", interval = 15 })
local w, T = E.widget, E.internals
for _ = 1, 200 do
	E:frames(1, 1 / 60); socket.sleep(0.005)
	if T.conn.state == "connected" then break end
end
assert(T.conn.state == "connected", "widget did not connect: " .. tostring(T.conn.reason))
w:GameStart()

local samples, started = {}, socket.gettime()
local errs = 0
-- The fake engine logs every GetTeamStatsHistory call and every echo (for specs); empty those logs so
-- the count measures the widget, not the harness.
local function clearHarnessLogs()
	for _, line in ipairs(E.echoes) do if line:find("error in") then errs = errs + 1 end end
	E.echoes, E.statsHistoryCalls = {}, {}
end
local totalFrames = MINUTES * 60 * 30
local minute = 0
while E.frame < totalFrames do
	-- Half a game second (one sample at interval 15) per draw frame; economy and stats move so strings and tables are fresh each time.
	for _, team in pairs(E.teams) do
		team.metal[1] = (team.metal[1] * 1.0001 + E.frame % 97) % 100000
		team.energy[1] = (team.energy[1] + E.frame % 13) % 100000
		team.stats[1] = { time = E.frame / 30, frame = E.frame, metalUsed = E.frame * 0.37, damageDealt = E.frame * 1.1 }
	end
	E:frames(15, 1 / 60)
	socket.sleep(0.002) -- a little real time per draw frame, so the socket drains as in a game
	if E.frame >= (minute + 1) * 1800 then
		minute = minute + 1
		clearHarnessLogs()
		samples[#samples + 1] = collectgarbage("count")
		-- let the socket drain when the encoder outruns loopback; the widget's queue is bounded anyway
		socket.sleep(0)
	end
end
w:GameOver()
E:frames(30, 1 / 60)
local drops = T.queue.drops
w:Shutdown()
clearHarnessLogs()
local elapsed = socket.gettime() - started

local warmIdx = math.max(1, math.floor(#samples / 5))
-- The count is a sawtooth (incremental GC), so compare peaks: the peak during warm-up (first 20%) with
-- the peak after it.
local warm, peakAfter, peakAll = 0, 0, 0
for i, kb in ipairs(samples) do
	if i <= warmIdx and kb > warm then warm = kb end
	if i > warmIdx and kb > peakAfter then peakAfter = kb end
	if kb > peakAll then peakAll = kb end
end
collectgarbage("collect")
local retained = collectgarbage("count")

-- check's report
local rep
for _ = 1, 100 do
	local f = io.open(out); local text = f and f:read("*a") or ""; if f then f:close() end
	rep = text:match("[^\n]*\n?$")
	if rep and rep:find("valid") then break end
	socket.sleep(0.1)
end
os.remove(out)
local invalid = tonumber(rep and rep:match('"invalid":(%d+)') or "-1")
local gaps = tonumber(rep and rep:match('"seq_gaps":(%d+)') or "-1")
local frames = tonumber(rep and rep:match('"frames":(%d+)') or "-1")
clearHarnessLogs()

print(string.format("widget soak: %d teams, %d game-minutes in %.1f s wall, %d frames to check (invalid %d, seq gaps %d), queue drops %d",
	TEAMS, MINUTES, elapsed, frames, invalid, gaps, drops))
print(string.format("widget memory (collectgarbage count, KiB): warm-up peak (minutes 1-%d) %.0f, peak after warm-up %.0f, peak %.0f, retained after full GC %.0f, growth ratio %.3f",
	warmIdx, warm, peakAfter, peakAll, retained, peakAfter / warm))
local q = {}
for _, f in ipairs({ 0.2, 0.4, 0.6, 0.8, 1.0 }) do q[#q + 1] = string.format("%.0f", samples[math.max(1, math.floor(#samples * f))]) end
print("widget memory at 20/40/60/80/100%: " .. table.concat(q, " "))
local ok = frames > 0 and invalid == 0 and gaps == 0 and errs == 0 and peakAfter <= 1.5 * warm
print(ok and "widget soak: ok" or "widget soak: FAILED")
os.exit(ok and 0 or 1)
