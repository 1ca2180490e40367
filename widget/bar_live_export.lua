function widget:GetInfo()
	return {
		name    = "Live Data Export",
		desc    = "Streams live game data (resources, units, stats) over TCP to the bar-live desktop app. /livedata help",
		author  = "bar-live",
		date    = "2026",
		license = "MIT",
		layer   = 0,
		enabled = false, -- user widgets start disabled anyway; the player opts in
	}
end

--------------------------------------------------------------------------------
-- Live Data Export
--
-- Sends what the local player may see to the bar-live desktop app over a local
-- TCP connection: a spectator with full view reads every team, anyone else only
-- the own ally team (teams the engine will not read out are left out). The wire
-- format is docs/PROTOCOL.md (protocol v1); player help is docs/WIDGET.md.
--
-- The file, top to bottom:
--   1. Settings          names, defaults and limits of every /livedata setting
--   2. Engine            Spring.* cached as sp* locals, logging, clocks
--   3. Sampling          readable teams, unit defs, the `update` message
--   4. Messages          hello, events, stats; what the app may send (config, ping)
--   5. Connection        connect, back off, send, receive, move to another address
--   6. Player interface  /livedata commands, Settings menu, status dot,
--                        WG.LiveDataExport for other widgets
--   7. Callins           function widget:Initialize() ... widget:Shutdown()
--   8. Library: JSON     encoder (with the number writer), UTF-8 cleaning, decoder
--   9. Library: wire     frames (u32 big-endian length + JSON) and the send queue
--  10. Test hook         WIDGET_TEST_HOOK, defined only by the specs
--
-- Rules of the engine this file follows (BAR runs Lua 5.1 with 32-bit floats):
-- every name is local; `socket` is the engine's global LuaSocket and is never
-- required or shadowed; callins never raise (BAR removes a widget on its first
-- error), errors are logged once instead.
--------------------------------------------------------------------------------

--------------------------------------------------------------------------------
-- 1. Settings
--------------------------------------------------------------------------------

local WIDGET_NAME      = "Live Data Export"
local WIDGET_VERSION   = "1.1.0"
local SCHEMA_VERSION   = 1
local LOG_PREFIX       = "[Live Data Export] "

-- Where the app listens. The bar-live installer rewrites the DEFAULT_PORT line
-- below to the port the player picked: keep that line's exact form.
local DEFAULT_HOST         = "127.0.0.1"
local DEFAULT_PORT         = 9876
-- DEFAULT_PORT as this file ships, before any installer rewrite (see restoreSettings).
local STOCK_PORT = 9876
-- The installer also writes a stamp of each install on the next line (empty as
-- this file ships), so a reinstall with the same port is not taken for no reinstall.
local INSTALL_STAMP        = ""

local LEVELS      = { minimal = 1, standard = 2, detailed = 3 }
local LEVEL_NAMES = { "minimal", "standard", "detailed" }

-- Fixed limits (not settings).
local MAX_PAYLOAD          = 4 * 1024 * 1024   -- refuse bigger messages (< 2^24: exact u32 in float Lua)
-- Messages that are never dropped for updates may overshoot the byte limit up to
-- this factor; beyond it the link is hopeless and we reconnect (fresh hello).
local QUEUE_HARD_FACTOR    = 4
local SEND_TIME_BUDGET_MS  = 2                 -- per Update call
local CONNECT_TIMEOUT      = 2.0               -- seconds; Windows never reports a refused connect
local MOVE_TIMEOUT         = 10.0              -- seconds to reach a new address the app asked for
local BACKOFF_MIN, BACKOFF_MAX = 1.0, 30.0
local BACKOFF_JITTER       = 0.25              -- +-25 %
local STATS_PERIOD         = 5.0               -- seconds between `stats` messages
local MAX_INCOMING_FRAME   = 64 * 1024         -- app->widget messages are tiny
local MAX_RECV_BUFFER      = 256 * 1024
local MAX_JSON_DEPTH       = 32
local MAX_TIMING_SAMPLES   = 512

local function isInt(v, lo, hi)
	return type(v) == "number" and v == v and v % 1 == 0 and v >= lo and v <= hi
end

local function validIPv4(h)
	if type(h) ~= "string" then return false end
	local a, b, c, d = h:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
	if not a then return false end
	for _, part in ipairs({ a, b, c, d }) do
		if #part > 3 or tonumber(part) > 255 then return false end
	end
	return true
end

-- check(v) -> the value if acceptable, else nil.
local function intIn(lo, hi) return function(v) if isInt(v, lo, hi) then return v end end end
local function checkBool(v) if type(v) == "boolean" then return v end end
local function checkHost(v) if validIPv4(v) then return v end end
local function checkLevel(v) if LEVELS[v] then return v end end

-- Every setting, in one place. key: the name in `config` and in the saved
-- settings (GetConfigData); wire: the name in the protocol (the app's `config`,
-- `config_ack.config`, `hello.config`); cmd: the /livedata command that sets it
-- (enabled: /livedata connect / disconnect); kind: how a command argument reads.
local SETTINGS = {
	{ key = "interval", wire = "interval_frames", cmd = "rate", kind = "int", default = 15,
		check = intIn(1, 300), valid = "an integer 1-300 (game frames between updates; 15 = twice a second)" },
	{ key = "level", wire = "level", cmd = "level", kind = "word", default = "standard",
		check = checkLevel, valid = "minimal, standard or detailed" },
	{ key = "maxUnits", wire = "max_units", cmd = "maxunits", kind = "int", default = 1000,
		check = intIn(0, 100000), valid = "an integer 0-100000 (units listed at level detailed)" },
	{ key = "host", wire = "host", cmd = "host", kind = "word", default = DEFAULT_HOST,
		check = checkHost, valid = "an IPv4 address such as 127.0.0.1" },
	{ key = "port", wire = "port", cmd = "port", kind = "int", default = DEFAULT_PORT,
		check = intIn(1, 65535), valid = "an integer 1-65535" },
	{ key = "queueSize", wire = "queue_max_messages", cmd = "setqueuesize", kind = "int", default = 50,
		check = intIn(1, 200), valid = "an integer 1-200 (messages waiting to be sent)" },
	{ key = "queueBytes", wire = "queue_max_bytes", cmd = "queuebytes", kind = "int", default = 512 * 1024,
		check = intIn(16 * 1024, 16 * 1024 * 1024), valid = "an integer 16384-16777216 (bytes waiting to be sent)" },
	{ key = "sendBudget", wire = "send_budget_bytes", cmd = "sendbudget", kind = "int", default = 32 * 1024,
		check = intIn(1024, 1024 * 1024), valid = "an integer 1024-1048576 (bytes sent per drawn frame)" },
	{ key = "indicator", wire = "indicator", cmd = "indicator", kind = "onoff", default = true,
		check = checkBool, valid = "true or false (in commands: on or off)" },
	{ key = "enabled", wire = "enabled", kind = "onoff", default = true,
		check = checkBool, valid = "true or false" },
}

-- The settings in force.
local config = {}
for _, s in ipairs(SETTINGS) do config[s.key] = s.default end

-- Restores saved settings (SetConfigData) key by key, so a saved `false`
-- survives and junk is ignored. The port the player chose last wins: a saved
-- port was chosen against the DEFAULT_PORT and INSTALL_STAMP of that time (saved
-- as installedPort and installStamp; absent in settings of older versions: the
-- stock port, no stamp). If the file was installed again since, the player
-- picked the file's port later.
local function restoreSettings(saved)
	if type(saved) ~= "table" then return end
	local installedPort = saved.installedPort
	if installedPort == nil then installedPort = STOCK_PORT end
	local reinstalled = installedPort ~= DEFAULT_PORT or (saved.installStamp or "") ~= INSTALL_STAMP
	for _, s in ipairs(SETTINGS) do
		local v = saved[s.key]
		if v ~= nil and not (s.key == "port" and reinstalled) then
			v = s.check(v)
			if v ~= nil then config[s.key] = v end
		end
	end
end

--------------------------------------------------------------------------------
-- 2. Engine
--------------------------------------------------------------------------------

local spEcho                 = Spring.Echo
local spGetTimer             = Spring.GetTimer
local spGetTimerMicros       = Spring.GetTimerMicros -- Recoil; absent in Spring 106
local spDiffTimers           = Spring.DiffTimers
local spGetGameFrame         = Spring.GetGameFrame
local spGetGameSeconds       = Spring.GetGameSeconds
local spGetGameSpeed         = Spring.GetGameSpeed
local spGetTeamList          = Spring.GetTeamList
local spGetTeamInfo          = Spring.GetTeamInfo
local spGetTeamColor         = Spring.GetTeamColor
local spGetTeamResources     = Spring.GetTeamResources
local spGetTeamUnitCount     = Spring.GetTeamUnitCount
local spGetTeamUnitsCounts   = Spring.GetTeamUnitsCounts
local spGetTeamStatsHistory  = Spring.GetTeamStatsHistory
local spGetTeamUnits         = Spring.GetTeamUnits
local spGetUnitDefID         = Spring.GetUnitDefID
local spGetUnitPosition      = Spring.GetUnitPosition
local spGetUnitHealth        = Spring.GetUnitHealth
local spGetPlayerInfo        = Spring.GetPlayerInfo
local spGetAIInfo            = Spring.GetAIInfo
local spGetGaiaTeamID        = Spring.GetGaiaTeamID
local spGetSpectatingState   = Spring.GetSpectatingState
local spGetMyPlayerID        = Spring.GetMyPlayerID
local spGetMyTeamID          = Spring.GetMyTeamID
local spGetMyAllyTeamID      = Spring.GetMyAllyTeamID
local spIsReplay             = Spring.IsReplay
local spGetViewGeometry      = Spring.GetViewGeometry

local type, pairs, ipairs, tostring, tonumber = type, pairs, ipairs, tostring, tonumber
local pcall, setmetatable, getmetatable, error = pcall, setmetatable, getmetatable, error
local floor, huge, random, min, max = math.floor, math.huge, math.random, math.min, math.max
local strformat, strbyte, strchar, strsub, strfind, strgsub, strlower =
	string.format, string.byte, string.char, string.sub, string.find, string.gsub, string.lower
local concat, tsort, tremove = table.concat, table.sort, table.remove

local function echo(msg)
	spEcho(LOG_PREFIX .. msg)
end

local loggedOnce = {}
-- Errors are logged once per context: a callin that fails every frame must not
-- flood the console.
local function logOnce(context, err)
	if loggedOnce[context] then return end
	loggedOnce[context] = true
	echo("error in " .. context .. ": " .. tostring(err) .. " (further errors here are not shown)")
end

-- Runs fn(...) and logs an error instead of raising it: BAR removes a widget
-- whose callin raises, for the rest of the game.
local function guard(context, fn, ...)
	local ok, err = pcall(fn, ...)
	if not ok then logOnce(context, err) end
end

-- Seconds since load, for deadlines and backoff. GetTimer keeps running in
-- pregame and while paused.
local startTimer = spGetTimer()
local function clock()
	return spDiffTimers(spGetTimer(), startTimer)
end

-- Stopwatch for the timing stats. Recoil's GetTimer has millisecond resolution
-- (sub-millisecond spans read 0); GetTimerMicros has microseconds and is diffed
-- with DiffTimers(end, start, inMs = true, fromMicroSecs = true).
local stopwatch, elapsedMs
if spGetTimerMicros then
	stopwatch = spGetTimerMicros
	elapsedMs = function(t0) return spDiffTimers(spGetTimerMicros(), t0, true, true) end
else
	stopwatch = spGetTimer
	elapsedMs = function(t0) return spDiffTimers(spGetTimer(), t0) * 1000 end
end

--------------------------------------------------------------------------------
-- Libraries, defined at the end of this file (sections 8 and 9)
--------------------------------------------------------------------------------

-- Json: encode(v) -> s | nil, err; decode(s) -> v | nil, err; array(t) / object(t)
-- mark a table's JSON shape; formatNumber(v); sanitizeUtf8(s).
local Json
-- The number writer for the update encoder: putNumber(buf, n, v) -> n writes v
-- (null for nil, NaN, +-inf); INT_STRINGS[i] = "i" for small integers.
local putNumber, INT_STRINGS
-- Wire: frame(payload), u32be(n), readU32be(s, i), newQueue(maxMsgs, maxBytes).
local Wire
-- The send queue (a Wire queue), created with the wire library.
local queue

--------------------------------------------------------------------------------
-- 3. Sampling: what the widget reads from the game
--------------------------------------------------------------------------------

-- Who we are and which teams we may read. A spectator with full view reads
-- every team; anyone else reads the own ally team. Recomputed on PlayerChanged.
local view = { spectating = false, fullView = false, myPlayerID = nil, myTeam = nil, allyTeam = nil, teams = {} }

local function computeView()
	local spectating, fullView = false, false
	if spGetSpectatingState then spectating, fullView = spGetSpectatingState() end
	view.spectating = spectating and true or false
	view.fullView = fullView and true or false
	view.allyTeam = spGetMyAllyTeamID and spGetMyAllyTeamID()
	view.myTeam = spGetMyTeamID and spGetMyTeamID()
	view.myPlayerID = spGetMyPlayerID and spGetMyPlayerID()
	local teams = {}
	local list = (view.spectating and view.fullView) and spGetTeamList()
		or (view.allyTeam and spGetTeamList(view.allyTeam)) or {}
	for i = 1, #list do teams[#teams + 1] = list[i] end
	tsort(teams)
	view.teams = teams
end

local function gaiaTeam()
	return spGetGaiaTeamID and spGetGaiaTeamID()
end

-- Gaia is listed only when it has units.
local function teamListed(teamID, gaia)
	if teamID == gaia then
		local n = spGetTeamUnitCount and spGetTeamUnitCount(teamID)
		return (n or 0) > 0
	end
	return true
end

-- Strips BAR colour codes (\255 r g b, \b reset) from names.
local function stripColorCodes(s)
	s = strgsub(s, "\255...", "")
	return (strgsub(s, "\b", ""))
end

local function colorHex(r, g, b)
	local function c(v)
		v = tonumber(v) or 0
		if v ~= v then v = 0 end
		return floor(max(0, min(1, v)) * 255 + 0.5)
	end
	return strformat("#%02x%02x%02x", c(r), c(g), c(b))
end

local function teamName(teamID, leader, hasAI, gaia)
	if teamID == gaia then return "Gaia" end
	local name
	if hasAI and spGetAIInfo then
		local _, aiName = spGetAIInfo(teamID)
		name = aiName
	end
	if not name and leader and leader >= 0 and spGetPlayerInfo then
		name = spGetPlayerInfo(leader, false)
	end
	if type(name) ~= "string" or name == "" then name = "Team " .. teamID end
	return stripColorCodes(name)
end

-- hello.teams: the readable teams with names and colours.
local function teamInfoList()
	local gaia = gaiaTeam()
	local out = Json.array({})
	for _, teamID in ipairs(view.teams) do
		if teamListed(teamID, gaia) then
			local _, leader, _, hasAI, side, allyTeam = spGetTeamInfo(teamID, false)
			if allyTeam then
				local r, g, b = spGetTeamColor(teamID)
				out[#out + 1] = Json.object({
					team_id = teamID,
					ally_team_id = allyTeam,
					name = teamName(teamID, leader, hasAI, gaia),
					color = colorHex(r, g, b),
					is_ai = hasAI and true or false,
					side = type(side) == "string" and side or "",
					is_gaia = teamID == gaia,
				})
			end
		end
	end
	return out
end

-- Unit defs: described once per connection, before the first update that uses
-- them. UnitDefs entries are engine proxies, so the fields are read once and cached.
local defCache = {}

local function defCategory(ud, cp)
	if cp.iscommander or cp.commtype then return "commander" end
	if ud.isFactory then return "factory" end
	if ud.isBuilder and (ud.canMove or ud.speed and ud.speed > 0) then return "builder" end
	if cp.unitgroup == "energy" or cp.unitgroup == "metal" or (ud.extractsMetal or 0) > 0
		or (ud.energyMake or 0) > 0 or (ud.windGenerator or 0) > 0 or (ud.tidalGenerator or 0) > 0
		or cp.energyconv_capacity or cp.metal_extractor then
		return "economy"
	end
	local armed = ud.weapons and #ud.weapons > 0
	if ud.isBuilder then return "builder" end
	if armed and ud.canMove then return "army" end
	if armed then return "defense" end
	return "other"
end

-- The player-facing name: BAR's unit files have no `name` key, so the engine's
-- humanName is "" and BAR sets translatedHumanName in Lua ("" is truthy in Lua).
local function defLabel(ud, defID)
	local label = ud.translatedHumanName
	if type(label) ~= "string" or label == "" then label = ud.humanName end
	if type(label) ~= "string" or label == "" then label = ud.name end
	if type(label) ~= "string" or label == "" then label = tostring(defID) end
	return stripColorCodes(label)
end

-- customParams.techlevel: "1", "2", "3" in BAR (absent: 1).
local function defTechLevel(cp)
	local level = tonumber(cp.techlevel)
	if not level or level ~= level or level < 0 or level > 100 then return 1 end
	return floor(level)
end

-- The unit_defs entry for defID, or false for an unknown def.
local function defInfo(defID)
	local info = defCache[defID]
	if info ~= nil then return info end
	local ud = UnitDefs and UnitDefs[defID]
	if not ud then defCache[defID] = false; return false end
	local cp = ud.customParams or {}
	info = Json.object({
		id = defID,
		name = tostring(ud.name or defID),
		label = defLabel(ud, defID),
		metal_cost = tonumber(ud.metalCost) or 0,
		energy_cost = tonumber(ud.energyCost) or 0,
		category = defCategory(ud, cp),
		tech_level = defTechLevel(cp),
	})
	if type(cp.unitgroup) == "string" and cp.unitgroup ~= "" then info.group = cp.unitgroup end
	defCache[defID] = info
	return info
end

-- Engine names of the team statistics entry -> protocol names.
local STATS_KEYS = {
	time = "time", frame = "frame",
	metalUsed = "metal_used", metalProduced = "metal_produced", metalExcess = "metal_excess",
	metalReceived = "metal_received", metalSent = "metal_sent",
	energyUsed = "energy_used", energyProduced = "energy_produced", energyExcess = "energy_excess",
	energyReceived = "energy_received", energySent = "energy_sent",
	damageDealt = "damage_dealt", damageReceived = "damage_received",
	unitsProduced = "units_produced", unitsDied = "units_died", unitsReceived = "units_received",
	unitsSent = "units_sent", unitsCaptured = "units_captured", unitsOutCaptured = "units_out_captured",
	unitsKilled = "units_killed",
}

--------------------------------------------------------------------------------
-- The `update` message, read from the engine and written as JSON in one pass
-- (the hot path: twice a second, up to 16 teams and 1000 units). Per team:
--   metal, energy   the nine values of GetTeamResources
--   units.total     GetTeamUnitCount
--   units.by_def    GetTeamUnitsCounts, keyed by def id (level standard and up);
--                   units.unknown: radar blips of unknown type
--   stats           the latest GetTeamStatsHistory entry (standard and up)
-- then, at level detailed, the unit list (id, def, team, x, z, health, build)
-- capped at maxUnits, with units_omitted. A team the engine will not read out
-- (GetTeamResources -> nil) is left out entirely.
--
-- It writes pieces into a reused buffer from pre-built fragments (per-team
-- prefixes, per-def keys): no tables per update. Engine values that are not
-- numbers (nil, NaN, +-inf, anything else) are written as null; a unit without
-- a position is left out.
-- widget/spec/helpers/update_oracle.lua builds the same message the slow, plain
-- way; the specs check both give the same JSON.
--------------------------------------------------------------------------------

-- encodeUpdate(level, maxUnits, described, newDefs) -> n: the message is
-- updateBuf[1..n]; updateBuf[UPDATE_SEQ_SLOT] is a placeholder for seq. Def ids
-- not yet in `described` are added to it and appended to newDefs.
local UPDATE_SEQ_SLOT = 2
local encodeUpdate, updateBuf
do
	local buf, bufLen = {}, 0
	updateBuf = buf
	local HEADER = '{"type":"update","schema_version":' .. SCHEMA_VERSION .. ',"seq":'

	local teamOpen = {}     -- teamID -> '{"team_id":5,"metal":'
	local unitTeamKey = {}  -- teamID -> ',"team":5,"x":'
	local defCommaKey = {}  -- defID -> ',"12":' (false: not a known def)
	local defBraceKey = {}  -- defID -> '{"12":'
	local unitDefKey = {}   -- defID -> ',"def":12'
	local statsCommaKey, statsBraceKey = {}, {} -- engine key -> ',"metal_used":' / '{"metal_used":'
	for k, v in pairs(STATS_KEYS) do
		statsCommaKey[k] = ',"' .. v .. '":'
		statsBraceKey[k] = '{"' .. v .. '":'
	end
	local readTeams = {}
	local EMPTY = {}

	-- The engine returns numbers or nil, which the pass below handles without a
	-- type check per value (type() per unit costs ~20 % at 1000 units). For any
	-- other type, a pass raises and encodeUpdate runs it again with these checking
	-- readers and putAny, which turn such values into nil / null.
	local unitPosition, unitHealth = spGetUnitPosition, spGetUnitHealth
	local function numberOrNil(v)
		if type(v) == "number" then return v end
	end
	local function checkedPosition(unitID)
		local x, y, z = spGetUnitPosition(unitID)
		return numberOrNil(x), y, numberOrNil(z)
	end
	local function checkedHealth(unitID)
		local hp, maxHp, paralyze, capture, build = spGetUnitHealth(unitID)
		return numberOrNil(hp), numberOrNil(maxHp), paralyze, capture, numberOrNil(build)
	end

	-- A def id's key fragments, built once; false if the def is unknown.
	local function defKey(defID)
		local ck = false
		if defInfo(defID) then
			local id = Json.formatNumber(defID)
			ck = ',"' .. id .. '":'
			defBraceKey[defID] = '{"' .. id .. '":'
			unitDefKey[defID] = ',"def":' .. id
		end
		defCommaKey[defID] = ck
		return ck
	end

	-- {"current":..,...,"excess":..}
	local function putResources(n, v1, v2, v3, v4, v5, v6, v7, v8, v9)
		local INT = INT_STRINGS
		local s
		n = n + 1; buf[n] = '{"current":'
		s = INT[v1]; if s then n = n + 1; buf[n] = s else n = putNumber(buf, n, v1) end
		n = n + 1; buf[n] = ',"storage":'
		s = INT[v2]; if s then n = n + 1; buf[n] = s else n = putNumber(buf, n, v2) end
		n = n + 1; buf[n] = ',"pull":'
		s = INT[v3]; if s then n = n + 1; buf[n] = s else n = putNumber(buf, n, v3) end
		n = n + 1; buf[n] = ',"income":'
		s = INT[v4]; if s then n = n + 1; buf[n] = s else n = putNumber(buf, n, v4) end
		n = n + 1; buf[n] = ',"expense":'
		s = INT[v5]; if s then n = n + 1; buf[n] = s else n = putNumber(buf, n, v5) end
		n = n + 1; buf[n] = ',"share":'
		s = INT[v6]; if s then n = n + 1; buf[n] = s else n = putNumber(buf, n, v6) end
		n = n + 1; buf[n] = ',"sent":'
		s = INT[v7]; if s then n = n + 1; buf[n] = s else n = putNumber(buf, n, v7) end
		n = n + 1; buf[n] = ',"received":'
		s = INT[v8]; if s then n = n + 1; buf[n] = s else n = putNumber(buf, n, v8) end
		n = n + 1; buf[n] = ',"excess":'
		s = INT[v9]; if s then n = n + 1; buf[n] = s else n = putNumber(buf, n, v9) end
		n = n + 1; buf[n] = "}"
		return n
	end

	-- units.by_def and units.unknown, then closes `units`.
	local function putUnitCounts(n, teamID, described, newDefs)
		local INT = INT_STRINGS
		local counts = spGetTeamUnitsCounts and spGetTeamUnitsCounts(teamID)
		local unknown, firstDef
		local open = n
		if type(counts) == "table" then
			for defID, count in pairs(counts) do
				local ck = defCommaKey[defID]
				if ck == nil then
					if type(defID) == "number" then
						ck = defKey(defID)
					elseif defID == "unknown" and type(count) == "number" then
						unknown = count
					end
				end
				if ck then
					if not firstDef then firstDef = defID end
					n = n + 1; buf[n] = ck
					local s = INT[count]
					if s then n = n + 1; buf[n] = s else n = putNumber(buf, n, count) end
					if not described[defID] then
						described[defID] = true
						newDefs[#newDefs + 1] = defID
					end
				end
			end
		end
		if firstDef then
			buf[open + 1] = defBraceKey[firstDef]
			n = n + 1; buf[n] = "}"
		else
			n = n + 1; buf[n] = "{}"
		end
		if unknown ~= nil then
			n = n + 1; buf[n] = ',"unknown":'
			n = putNumber(buf, n, unknown)
		end
		n = n + 1; buf[n] = "}"
		return n
	end

	-- ,"stats":{...} from the latest statistics entry, if any.
	local function putStats(n, teamID)
		local INT = INT_STRINGS
		local sn = spGetTeamStatsHistory and spGetTeamStatsHistory(teamID)
		if type(sn) ~= "number" or sn <= 0 then return n end
		local hist = spGetTeamStatsHistory(teamID, sn, sn)
		local entry = type(hist) == "table" and hist[1]
		if type(entry) ~= "table" then return n end
		n = n + 1; buf[n] = ',"stats":'
		local open, firstKey = n, nil
		for k, v in pairs(entry) do
			local ck = statsCommaKey[k]
			if ck then
				if not firstKey then firstKey = k end
				n = n + 1; buf[n] = ck
				local s = INT[v]
				if s then n = n + 1; buf[n] = s else n = putNumber(buf, n, v) end
			end
		end
		if firstKey then
			buf[open + 1] = statsBraceKey[firstKey]
			n = n + 1; buf[n] = "}"
		else
			n = n + 1; buf[n] = "{}"
		end
		return n
	end

	-- The unit list (level detailed), then units_omitted. A unit without a
	-- known def or a position is left out.
	local function putUnitList(n, nRead, maxUnits, described, newDefs)
		local INT = INT_STRINGS
		n = n + 1; buf[n] = ',"units":['
		local count, omitted = 0, 0
		for r = 1, nRead do
			local teamID = readTeams[r]
			local list = spGetTeamUnits(teamID) or EMPTY
			local teamKey = unitTeamKey[teamID]
			if not teamKey then
				teamKey = ',"team":' .. Json.formatNumber(teamID) .. ',"x":'
				unitTeamKey[teamID] = teamKey
			end
			local len = #list
			for i = 1, len do
				if count >= maxUnits then
					omitted = omitted + (len - i + 1)
					break
				end
				local unitID = list[i]
				local defID = spGetUnitDefID(unitID)
				local x, _, z = unitPosition(unitID)
				if defID and x and z then
					local ck = defCommaKey[defID]
					if ck == nil then ck = defKey(defID) end
					if ck then
						local hp, maxHp, _, _, build = unitHealth(unitID)
						if not described[defID] then
							described[defID] = true
							newDefs[#newDefs + 1] = defID
						end
						count = count + 1
						n = n + 1; buf[n] = count == 1 and '{"id":' or ',{"id":'
						local s = INT[unitID]
						if s then n = n + 1; buf[n] = s else n = putNumber(buf, n, unitID) end
						n = n + 1; buf[n] = unitDefKey[defID]
						n = n + 1; buf[n] = teamKey
						-- floor(v + 0.5) without the C call
						local t = x + 0.5
						t = t - t % 1
						s = INT[t]
						if s then n = n + 1; buf[n] = s else n = putNumber(buf, n, t) end
						n = n + 1; buf[n] = ',"z":'
						t = z + 0.5
						t = t - t % 1
						s = INT[t]
						if s then n = n + 1; buf[n] = s else n = putNumber(buf, n, t) end
						-- health = hp / maxHp and build, both clamped to 0..1 (NaN -> 1,
						-- as max(0, min(1, v)) gives) without the C calls; null if absent
						if hp and maxHp and maxHp > 0 then
							local h = hp / maxHp
							if h < 1 then
								if h <= 0 then h = 0 end -- also turns -0 into 0
							else
								h = 1
							end
							if h == 1 then
								n = n + 1; buf[n] = ',"health":1'
							else
								n = n + 1; buf[n] = ',"health":'
								n = putNumber(buf, n, h)
							end
						else
							n = n + 1; buf[n] = ',"health":null'
						end
						if build then
							if build < 1 then
								if build <= 0 then build = 0 end
							else
								build = 1
							end
							if build == 1 then
								n = n + 1; buf[n] = ',"build":1}'
							else
								n = n + 1; buf[n] = ',"build":'
								n = putNumber(buf, n, build)
								n = n + 1; buf[n] = "}"
							end
						else
							n = n + 1; buf[n] = ',"build":null}'
						end
					end
				end
			end
		end
		n = n + 1; buf[n] = '],"units_omitted":'
		return putNumber(buf, n, omitted)
	end

	local function encodePass(level, maxUnits, described, newDefs)
		local INT = INT_STRINGS
		local lv = LEVELS[level] or 2
		local _, speed, paused = spGetGameSpeed()
		local n = 2
		buf[1] = HEADER
		buf[UPDATE_SEQ_SLOT] = "0" -- seq, filled in by the caller
		n = n + 1; buf[n] = ',"game_frame":'
		n = putNumber(buf, n, spGetGameFrame())
		n = n + 1; buf[n] = ',"game_seconds":'
		n = putNumber(buf, n, spGetGameSeconds and spGetGameSeconds() or 0)
		n = n + 1; buf[n] = paused and ',"paused":true' or ',"paused":false'
		n = n + 1; buf[n] = ',"speed":'
		n = putNumber(buf, n, speed)
		n = n + 1; buf[n] = ',"teams":['
		local gaia = gaiaTeam()
		local teams = view.teams
		local nRead = 0
		for ti = 1, #teams do
			local teamID = teams[ti]
			local m1, m2, m3, m4, m5, m6, m7, m8, m9 = spGetTeamResources(teamID, "metal")
			-- nil = the viewer may not read this team: leave it out entirely.
			if (m1 ~= nil or m2 ~= nil) and teamListed(teamID, gaia) then
				local e1, e2, e3, e4, e5, e6, e7, e8, e9 = spGetTeamResources(teamID, "energy")
				if e1 ~= nil or e2 ~= nil then
					nRead = nRead + 1
					readTeams[nRead] = teamID
					local open = teamOpen[teamID]
					if not open then
						open = '{"team_id":' .. Json.formatNumber(teamID) .. ',"metal":'
						teamOpen[teamID] = open
					end
					if nRead > 1 then n = n + 1; buf[n] = "," end
					n = n + 1; buf[n] = open
					n = putResources(n, m1, m2, m3, m4, m5, m6, m7, m8, m9)
					n = n + 1; buf[n] = ',"energy":'
					n = putResources(n, e1, e2, e3, e4, e5, e6, e7, e8, e9)
					n = n + 1; buf[n] = ',"units":{"total":'
					local total = spGetTeamUnitCount(teamID)
					if type(total) ~= "number" then total = 0 end
					local ts = INT[total]
					if ts then n = n + 1; buf[n] = ts else n = putNumber(buf, n, total) end
					if lv >= 2 then
						n = n + 1; buf[n] = ',"by_def":'
						n = putUnitCounts(n, teamID, described, newDefs)
						n = putStats(n, teamID)
					else
						n = n + 1; buf[n] = "}"
					end
					n = n + 1; buf[n] = "}"
				end
			end
		end
		n = n + 1; buf[n] = "]"
		if lv >= 3 then n = putUnitList(n, nRead, maxUnits, described, newDefs) end
		n = n + 1; buf[n] = "}"
		-- Reused buffer: drop what a bigger earlier update left behind.
		for i = n + 1, bufLen do buf[i] = nil end
		bufLen = n
		return n
	end

	function encodeUpdate(level, maxUnits, described, newDefs)
		local nDefs = #newDefs
		local ok, n = pcall(encodePass, level, maxUnits, described, newDefs)
		if ok then return n end
		-- A value that is neither a number nor nil (or an engine error): once more,
		-- checking every value; forget the defs the failed pass marked.
		for i = #newDefs, nDefs + 1, -1 do
			described[newDefs[i]] = nil
			newDefs[i] = nil
		end
		putNumber, unitPosition, unitHealth = Json.putAny, checkedPosition, checkedHealth
		ok, n = pcall(encodePass, level, maxUnits, described, newDefs)
		putNumber, unitPosition, unitHealth = Json.putNumber, spGetUnitPosition, spGetUnitHealth
		if not ok then error(n, 0) end
		return n
	end
end

--------------------------------------------------------------------------------
-- 4. Messages
--------------------------------------------------------------------------------

local STATE_DISCONNECTED = "disconnected" -- not trying: switched off, or shut down
local STATE_CONNECTING   = "connecting"
local STATE_CONNECTED    = "connected"
local STATE_BACKOFF      = "backoff"      -- waiting to retry
local STATE_DISABLED     = "disabled"     -- the engine will not let us connect (LuaSocket off, TCPAllowConnect)

local conn = {
	state = STATE_DISCONNECTED,
	reason = "not started",
	sock = nil,
	deadline = 0,       -- connect deadline (clock seconds)
	retryAt = 0,        -- backoff end (clock seconds)
	failures = 0,       -- consecutive failed attempts (for backoff)
	connectedOnce = false,
	seq = 0,            -- last seq sent on this connection
	recvBuf = "",
	describedDefs = {}, -- def ids sent in unit_defs on this connection
	lastSampleFrame = nil,
	move = nil,         -- the app moved us to config.host:port; until connected there:
	                    -- { fromHost =, fromPort =, deadline = (clock seconds) }
	moveNote = nil,     -- why the last move was undone (/livedata status)
	afterConfig = nil,  -- "move" | "disable": what the app's config asked for, done after its ack
}

local counters = {
	refused = 0, partialSends = 0, reconnects = 0, connects = 0,
	messagesSent = 0, bytesSent = 0, -- current stats period
	encodeErrors = 0,
}

-- Milliseconds per update read + write (collect), join + frame + queue (encode),
-- and send per Update (send); reported as medians every STATS_PERIOD.
local timings = { collect = {}, encode = {}, send = {} }
local lastReport = { collect_ms = 0, encode_ms = 0, send_ms = 0, messages_per_sec = 0, bytes_per_sec = 0 }
local statsPeriodStart = 0

local function addTiming(list, ms)
	local n = #list
	if n < MAX_TIMING_SAMPLES then list[n + 1] = ms end
end

local function median(list)
	local n = #list
	if n == 0 then return 0 end
	tsort(list)
	local m
	if n % 2 == 1 then m = list[(n + 1) / 2] else m = (list[n / 2] + list[n / 2 + 1]) / 2 end
	for i = n, 1, -1 do list[i] = nil end
	return m
end

local function setState(state, reason)
	conn.state = state
	conn.reason = reason
end

local function address()
	return config.host .. ":" .. config.port
end

-- Dropped first when the queue is full; hello, unit_defs, events, replies and
-- bye never give way to them.
local DROPPABLE = { update = true, stats = true, custom = true, test = true }

local onQueueOverflow -- section 5
local applySetting    -- section 5
local syncOptions     -- section 6

-- Frames an encoded message and queues it; t0 = stopwatch() when encoding
-- started (for encode_ms). Returns true when queued.
local function queuePayload(msgType, payload, t0)
	local data = Wire.frame(payload)
	addTiming(timings.encode, elapsedMs(t0))
	if not data then
		counters.refused = counters.refused + 1
		logOnce("refused " .. tostring(msgType), "message of " .. #payload .. " bytes is over the "
			.. MAX_PAYLOAD .. " byte cap")
		return false
	end
	local res = queue:push(data, DROPPABLE[msgType] or false)
	if res == "overflow" then
		onQueueOverflow()
		return false
	end
	return res == "queued"
end

-- Encodes `msg` (a table with at least `type`), frames it and queues it. Only
-- while connected: a new connection always starts with hello, so nothing is
-- kept across connections. Returns true when queued.
local function enqueue(msg)
	if conn.state ~= STATE_CONNECTED then return false end
	local t0 = stopwatch()
	conn.seq = conn.seq + 1
	msg.schema_version = SCHEMA_VERSION
	msg.seq = conn.seq
	local payload, err = Json.encode(msg)
	if not payload then
		counters.encodeErrors = counters.encodeErrors + 1
		logOnce("encode " .. tostring(msg.type), err)
		return false
	end
	return queuePayload(msg.type, payload, t0)
end

-- Every setting in force, by its protocol name (hello.config, config_ack.config).
local function wireConfig()
	local out = Json.object({})
	for _, s in ipairs(SETTINGS) do out[s.wire] = config[s.key] end
	return out
end

local function gameString(v)
	if type(v) ~= "string" then return "" end
	return v
end

-- hello: the first message on every connection.
local function sendHello()
	computeView()
	local engineVersion = Engine and (Engine.versionFull ~= "" and Engine.versionFull or Engine.version) or ""
	enqueue({
		type = "hello",
		widget = Json.object({ name = WIDGET_NAME, version = WIDGET_VERSION }),
		game = Json.object({
			game_name = gameString(Game and Game.gameName),
			game_version = gameString(Game and Game.gameVersion),
			engine_version = gameString(engineVersion),
			map_name = gameString(Game and Game.mapName),
			is_replay = (spIsReplay and spIsReplay()) and true or false,
			spectating = view.spectating,
			full_view = view.fullView,
			my_player_id = view.myPlayerID or -1,
			my_team_id = view.myTeam or -1,
			game_frame = spGetGameFrame(),
		}),
		teams = teamInfoList(),
		config = wireConfig(),
	})
end

local function sendEvent(name, fields)
	local msg = fields or {}
	msg.type = "event"
	msg.name = name
	msg.game_frame = spGetGameFrame()
	return enqueue(msg)
end

local newDefsScratch = {}

-- One update (section 3), preceded by unit_defs for defs it uses first.
-- collect_ms covers reading the engine and writing the JSON pieces; encode_ms
-- joining them, framing and queueing.
local function sendUpdate()
	local t0 = stopwatch()
	local newDefs = newDefsScratch
	for i = #newDefs, 1, -1 do newDefs[i] = nil end
	local described = conn.describedDefs
	local ok, n = pcall(encodeUpdate, config.level, config.maxUnits, described, newDefs)
	if not ok then -- the engine raised: skip this update, describe its new defs next time
		for i = 1, #newDefs do described[newDefs[i]] = nil end
		counters.encodeErrors = counters.encodeErrors + 1
		logOnce("collect update", n)
		return false
	end
	addTiming(timings.collect, elapsedMs(t0))
	if #newDefs > 0 then
		local defs = Json.array({})
		for i = 1, #newDefs do defs[i] = defInfo(newDefs[i]) end
		if not enqueue({ type = "unit_defs", defs = defs }) then
			-- Not described, so forget them: the next update tries again.
			for i = 1, #newDefs do described[newDefs[i]] = nil end
			return false
		end
	end
	if conn.state ~= STATE_CONNECTED then return false end
	local t1 = stopwatch()
	conn.seq = conn.seq + 1
	updateBuf[UPDATE_SEQ_SLOT] = Json.formatNumber(conn.seq)
	return queuePayload("update", concat(updateBuf, "", 1, n), t1)
end

-- stats: the widget's own health, every STATS_PERIOD seconds.
local function sendStats()
	local now = clock()
	local period = max(0.001, now - statsPeriodStart)
	lastReport.collect_ms = median(timings.collect)
	lastReport.encode_ms = median(timings.encode)
	lastReport.send_ms = median(timings.send)
	lastReport.messages_per_sec = counters.messagesSent / period
	lastReport.bytes_per_sec = counters.bytesSent / period
	counters.messagesSent, counters.bytesSent = 0, 0
	statsPeriodStart = now
	enqueue({
		type = "stats",
		game_frame = spGetGameFrame(),
		collect_ms = lastReport.collect_ms,
		encode_ms = lastReport.encode_ms,
		send_ms = lastReport.send_ms,
		queue_depth = queue:count(),
		queue_bytes = queue.bytes,
		drops = queue.drops,
		refused = counters.refused,
		partial_sends = counters.partialSends,
		reconnects = counters.reconnects,
		messages_per_sec = lastReport.messages_per_sec,
		bytes_per_sec = lastReport.bytes_per_sec,
	})
end

-- The app's `config`, applied field by field: a bad field is listed in
-- config_ack.errors and changes nothing; unknown fields are ignored. The ack
-- shows every setting in force. A new host or port moves the connection there
-- (section 5), enabled = false switches streaming off; both happen right after
-- the ack is queued.
local function applyAppConfig(msg)
	local errors = Json.array({})
	local host, port = config.host, config.port
	for _, s in ipairs(SETTINGS) do
		local v = msg[s.wire]
		if v ~= nil then
			local value = s.check(v)
			if value == nil then
				errors[#errors + 1] = s.wire .. " must be " .. s.valid
			elseif s.key == "host" then
				host = value
			elseif s.key == "port" then
				port = value
			elseif s.key ~= "enabled" then
				applySetting(s.key, value)
			end
		end
	end
	local disable = msg.enabled == false
	if host ~= config.host or port ~= config.port then
		if not disable then
			conn.move = { fromHost = config.host, fromPort = config.port, deadline = clock() + MOVE_TIMEOUT }
			conn.afterConfig = "move"
		end
		conn.moveNote = nil
		config.host, config.port = host, port
	end
	if disable then
		config.enabled = false
		conn.afterConfig = "disable"
	end
	local ack = { type = "config_ack", config = wireConfig() }
	if #errors > 0 then ack.errors = errors end
	enqueue(ack)
	syncOptions()
end

-- One message from the app. Returns true, or false and why (the connection is
-- then dropped).
local function handleIncoming(msg)
	if type(msg) ~= "table" or type(msg.type) ~= "string" then
		return false, "frame is not a message object"
	end
	if msg.type == "ping" then
		local id = msg.id
		if type(id) ~= "number" or id % 1 ~= 0 then return false, "ping without integer id" end
		enqueue({ type = "pong", id = id })
	elseif msg.type == "config" then
		applyAppConfig(msg)
	end
	-- Unknown types are ignored: newer apps may send more.
	return true
end

--------------------------------------------------------------------------------
-- 5. Connection: LuaSocket, non-blocking, driven from Update (so it also runs
-- while the game is paused). States: connecting -> connected; on failure
-- backoff (1 s doubling to 30 s, +-25 %) -> connecting; disconnected when
-- switched off; disabled when the engine forbids sockets.
--------------------------------------------------------------------------------

local function closeSocket()
	local s = conn.sock
	conn.sock = nil
	if s then pcall(s.close, s) end
end

local function resetConnectionData()
	queue:clear(true)
	conn.seq = 0
	conn.recvBuf = ""
	conn.describedDefs = {}
	conn.lastSampleFrame = nil
end

local function scheduleRetry(reason)
	closeSocket()
	resetConnectionData()
	conn.failures = conn.failures + 1
	local base = min(BACKOFF_MAX, BACKOFF_MIN * 2 ^ (conn.failures - 1))
	local delay = base * (1 + BACKOFF_JITTER * (2 * random() - 1))
	delay = max(BACKOFF_MIN * (1 - BACKOFF_JITTER), min(BACKOFF_MAX, delay))
	conn.retryAt = clock() + delay
	setState(STATE_BACKOFF, strformat("%s; retrying in %.1f s", reason, delay))
end

local function socketAvailable()
	-- `socket` is a global passed through by BAR; never `require` or shadow it.
	if type(socket) ~= "table" or type(socket.tcp) ~= "function" then
		setState(STATE_DISABLED, "LuaSocket is not available: set LuaSocketEnabled = 1 in springsettings.cfg"
			.. " and restart the game")
		return false
	end
	return true
end

local function deniedMessage(err)
	return "connection to " .. address() .. " denied (" .. tostring(err) .. "): add " .. address()
		.. " to TCPAllowConnect in springsettings.cfg (or set it to *) and restart the game"
end

local function onConnected()
	setState(STATE_CONNECTED, "connected to " .. address())
	if conn.connectedOnce then counters.reconnects = counters.reconnects + 1 end
	conn.connectedOnce = true
	counters.connects = counters.connects + 1
	conn.failures = 0
	resetConnectionData()
	if conn.move then
		conn.move = nil
		echo("moved to " .. address() .. " as the app asked")
	end
	sendHello()
end

local function startConnect()
	closeSocket()
	if not socketAvailable() then return end
	local ok, s = pcall(socket.tcp)
	if not ok or not s then
		scheduleRetry("could not create a socket (" .. tostring(s) .. ")")
		return
	end
	conn.sock = s
	s:settimeout(0)
	local res, err = s:connect(config.host, config.port)
	if res then
		onConnected()
		return
	end
	err = tostring(err)
	local lerr = strlower(err)
	if strfind(lerr, "denied") or strfind(lerr, "not allowed") then
		closeSocket()
		setState(STATE_DISABLED, deniedMessage(err))
		echo(conn.reason)
		return
	end
	if err == "timeout" or strfind(lerr, "in progress") or strfind(lerr, "already") then
		conn.deadline = clock() + CONNECT_TIMEOUT
		setState(STATE_CONNECTING, "connecting to " .. address())
		return
	end
	scheduleRetry("connect failed: " .. err)
end

local function pollConnecting()
	local s = conn.sock
	local _, writable = socket.select(nil, { s }, 0)
	if writable and (writable[1] == s or writable[s]) then
		if s:getpeername() then
			onConnected()
		else
			scheduleRetry("connection refused by " .. address())
		end
		return
	end
	if clock() >= conn.deadline then
		scheduleRetry("no answer from " .. address() .. " within " .. CONNECT_TIMEOUT .. " s")
	end
end

-- Best effort: push what is queued without blocking, then close.
local function flushNow()
	local s = conn.sock
	if not s then return end
	local guardCount = 0
	while queue:head() and guardCount < 1000 do
		guardCount = guardCount + 1
		local e = queue:head()
		local res, _, k = s:send(e.data, queue.headSent + 1)
		if res then
			queue:advance(res)
		else
			if k and k > queue.headSent then queue:advance(k) end
			break
		end
	end
end

-- Queued messages go first (events may be among them), then bye.
local function disconnectWithBye(reason)
	if conn.state == STATE_CONNECTED then
		enqueue({ type = "bye", reason = reason })
		flushNow()
	end
	closeSocket()
	resetConnectionData()
	setState(STATE_DISCONNECTED, reason)
end

onQueueOverflow = function()
	-- Messages that must not be dropped pile up: the app stopped reading. Start
	-- over; the new connection gets a fresh hello.
	scheduleRetry("send queue overflow (app not reading)")
end

-- Closes the connection (with bye) and connects again at once.
local function reconnect(reason)
	disconnectWithBye(reason)
	conn.failures = 0
	startConnect()
end

-- Streaming on (connect now, unless already connected or connecting) or off
-- (bye, disconnect, stay off until switched on). Saved with the settings.
local function setEnabled(on, reason)
	config.enabled = on
	if on then
		if conn.state ~= STATE_CONNECTED and conn.state ~= STATE_CONNECTING then
			conn.failures = 0
			startConnect()
		end
	else
		disconnectWithBye(reason)
		setState(STATE_DISCONNECTED, reason .. "; /livedata connect to stream again")
	end
end

-- Sets a setting that takes effect without reconnecting.
applySetting = function(key, value)
	config[key] = value
	if key == "queueSize" or key == "queueBytes" then
		queue:setLimits(config.queueSize, config.queueBytes)
	end
end

-- The app asked for a new address, but no connection there within MOVE_TIMEOUT:
-- back to the previous address (the next hello shows it, which tells the app).
local function revertMove()
	local move = conn.move
	conn.move = nil
	local target = address()
	config.host, config.port = move.fromHost, move.fromPort
	conn.moveNote = "the app asked to move to " .. target .. " but no connection came about within "
		.. MOVE_TIMEOUT .. " s: back to " .. address()
	echo(conn.moveNote)
	if config.enabled then
		closeSocket()
		resetConnectionData()
		conn.failures = 0
		startConnect()
	end
end

-- After the ack of an app `config` is queued: move, or switch off.
local function finishAppConfig()
	local what = conn.afterConfig
	conn.afterConfig = nil
	if what == "disable" then
		setEnabled(false, "disabled by the app")
	elseif what == "move" then
		disconnectWithBye("moving to " .. address())
		conn.failures = 0
		startConnect()
	end
end

local function pumpSend()
	local s = conn.sock
	local t0 = stopwatch()
	local budget = config.sendBudget
	while budget > 0 do
		local e = queue:head()
		if not e then break end
		local data = e.data
		local from = queue.headSent + 1
		local to = min(#data, from + budget - 1)
		local res, err, k = s:send(data, from, to)
		if res then
			budget = budget - (res - from + 1)
			if queue:advance(res) then
				counters.messagesSent = counters.messagesSent + 1
			end
			counters.bytesSent = counters.bytesSent + (res - from + 1)
			if res < #data and to < #data then
				-- the byte budget ended inside this frame; it stays pinned
				break
			end
		elseif err == "timeout" then
			-- Partial write: resume from k + 1 next time.
			counters.partialSends = counters.partialSends + 1
			if k and k >= from then
				counters.bytesSent = counters.bytesSent + (k - from + 1)
				if queue:advance(k) then counters.messagesSent = counters.messagesSent + 1 end
			end
			break
		else
			scheduleRetry("connection lost (" .. tostring(err) .. ")")
			return
		end
		if elapsedMs(t0) > SEND_TIME_BUDGET_MS then break end
	end
	addTiming(timings.send, elapsedMs(t0))
end

local function pumpReceive()
	local s = conn.sock
	local data, err, partial = s:receive("*a")
	local chunk = data or partial
	if chunk and chunk ~= "" then
		conn.recvBuf = conn.recvBuf .. chunk
	end
	local buf = conn.recvBuf
	local pos = 1
	while #buf - pos + 1 >= 4 do
		local len = Wire.readU32be(buf, pos)
		if len == 0 or len > MAX_INCOMING_FRAME then
			scheduleRetry("malformed frame from the app (length " .. len .. ")")
			return
		end
		if #buf - pos + 1 < 4 + len then break end
		local payload = strsub(buf, pos + 4, pos + 3 + len)
		pos = pos + 4 + len
		local msg, derr = Json.decode(payload)
		local ok = msg ~= nil
		if ok then ok, derr = handleIncoming(msg) end
		if not ok then
			scheduleRetry("malformed message from the app (" .. tostring(derr) .. ")")
			return
		end
		if conn.state ~= STATE_CONNECTED then return end
	end
	if pos > 1 then buf = strsub(buf, pos) end
	if #buf > MAX_RECV_BUFFER then
		scheduleRetry("incoming data too large")
		return
	end
	conn.recvBuf = buf
	if err == "closed" then
		scheduleRetry("the app closed the connection")
	end
end

-- Once per drawn frame (Update): connect or wait, read what the app sent,
-- sample when `interval` game frames have passed, send within the budgets.
local function tick()
	if conn.move and clock() >= conn.move.deadline then revertMove() end
	local state = conn.state
	if state == STATE_BACKOFF then
		if clock() >= conn.retryAt then startConnect() end
		return
	elseif state == STATE_CONNECTING then
		pollConnecting()
		return
	elseif state ~= STATE_CONNECTED then
		return
	end
	pumpReceive()
	if conn.afterConfig then finishAppConfig() end
	if conn.state ~= STATE_CONNECTED then return end
	-- Sample by game frame, at most once per draw frame: a fast-forwarding
	-- replay runs many GameFrames per Update but cannot grow the queue.
	local f = spGetGameFrame()
	local last = conn.lastSampleFrame
	if last == nil or f - last >= config.interval or f < last then
		conn.lastSampleFrame = f
		sendUpdate()
	end
	if clock() - statsPeriodStart >= STATS_PERIOD then sendStats() end
	if conn.state == STATE_CONNECTED then pumpSend() end
end

--------------------------------------------------------------------------------
-- 6. Player interface
--------------------------------------------------------------------------------

local function statusTable()
	local st = {
		state = conn.state,
		reason = conn.reason,
		enabled = config.enabled,
		host = config.host,
		port = config.port,
		interval_frames = config.interval,
		level = config.level,
		max_units = config.maxUnits,
		queue_depth = queue:count(),
		queue_bytes = queue.bytes,
		queue_max = config.queueSize,
		queue_max_bytes = config.queueBytes,
		send_budget_bytes = config.sendBudget,
		drops = queue.drops,
		refused = counters.refused,
		partial_sends = counters.partialSends,
		reconnects = counters.reconnects,
		encode_errors = counters.encodeErrors,
		collect_ms = lastReport.collect_ms,
		encode_ms = lastReport.encode_ms,
		send_ms = lastReport.send_ms,
		messages_per_sec = lastReport.messages_per_sec,
		bytes_per_sec = lastReport.bytes_per_sec,
		move_note = conn.moveNote,
	}
	if conn.state == STATE_BACKOFF then st.retry_in = max(0, conn.retryAt - clock()) end
	if conn.move then
		st.moving_from = conn.move.fromHost .. ":" .. conn.move.fromPort
		st.move_gives_up_in = max(0, conn.move.deadline - clock())
	end
	return st
end

local function statusLines()
	local st = statusTable()
	local lines = {
		strformat("state: %s (%s)", st.state, st.reason),
		strformat("target %s:%d, level %s, every %d frames, max_units %d", st.host, st.port, st.level,
			st.interval_frames, st.max_units),
		strformat("queue %d/%d msgs, %d/%d bytes, send budget %d bytes; drops %d, refused %d, partial sends %d,"
			.. " reconnects %d", st.queue_depth, st.queue_max, st.queue_bytes, st.queue_max_bytes,
			st.send_budget_bytes, st.drops, st.refused, st.partial_sends, st.reconnects),
		strformat("collect %.3f ms, encode %.3f ms, send %.3f ms; %.1f msg/s, %.0f B/s",
			st.collect_ms, st.encode_ms, st.send_ms, st.messages_per_sec, st.bytes_per_sec),
	}
	if st.retry_in then lines[#lines + 1] = strformat("next attempt in %.1f s", st.retry_in) end
	if st.moving_from then
		lines[#lines + 1] = strformat("moving here as the app asked; back to %s if not connected within %.1f s",
			st.moving_from, st.move_gives_up_in)
	end
	if st.move_note then lines[#lines + 1] = st.move_note end
	return lines
end

-- /livedata <command> [args]

local USAGE = {
	"/livedata status                      connection state, address, queue, drops, timings",
	"/livedata connect [host] [port]       stream (again), optionally to another address",
	"/livedata disconnect                  stop streaming (also in later games) until connect",
	"/livedata host H | port P             set the app address (IPv4 literal, port 1-65535)",
	"/livedata rate FRAMES                 game frames between updates (1-300, default 15)",
	"/livedata level minimal|standard|detailed",
	"/livedata maxunits N                  units listed at level detailed (0-100000, default 1000)",
	"/livedata setqueuesize N              max messages waiting to be sent (1-200, default 50)",
	"/livedata queuebytes BYTES            max bytes waiting to be sent (16384-16777216, default 524288)",
	"/livedata sendbudget BYTES            max bytes sent per drawn frame (1024-1048576, default 32768)",
	"/livedata indicator on|off            status dot on screen",
	"/livedata clearqueue                  drop the waiting messages",
	"/livedata testmessage [text]          send a test message",
	"/livedata overlay lock|unlock|toggle  control the app's overlay",
	"/livedata help",
}

local function printUsage(err)
	if err then echo(err) end
	for _, line in ipairs(USAGE) do spEcho(line) end
end

local commands = {}

commands.help = function() printUsage() return true end

commands.status = function()
	for _, line in ipairs(statusLines()) do echo(line) end
	return true
end

commands.connect = function(args)
	local host, port = config.host, config.port
	if args[1] then
		if not validIPv4(args[1]) then return false, "host must be an IPv4 address such as 127.0.0.1" end
		host = args[1]
	end
	if args[2] then
		port = tonumber(args[2])
		if not isInt(port, 1, 65535) then return false, "port must be 1-65535" end
	end
	if args[3] then return false, "too many arguments" end
	disconnectWithBye("reconnect")
	conn.move, conn.moveNote = nil, nil
	config.host, config.port = host, port
	setEnabled(true)
	echo(conn.reason)
	return true
end

commands.disconnect = function(args)
	if args[1] then return false, "disconnect takes no arguments" end
	setEnabled(false, "disconnected by command")
	echo(conn.reason)
	return true
end

commands.clearqueue = function(args)
	if args[1] then return false, "clearqueue takes no arguments" end
	local n = queue:clear(false)
	queue.drops = queue.drops + n
	echo("dropped " .. n .. " queued messages")
	return true
end

commands.testmessage = function(args)
	local text = "hello from /livedata testmessage"
	if args[1] then text = concat(args, " ") end
	if enqueue({ type = "test", text = text, game_frame = spGetGameFrame() }) then
		echo("test message queued")
	else
		echo("not connected (" .. conn.reason .. ")")
	end
	return true
end

local OVERLAY_ARGS = { lock = true, unlock = true, toggle = true }
commands.overlay = function(args)
	if not OVERLAY_ARGS[args[1]] or args[2] then return false, "usage: /livedata overlay lock|unlock|toggle" end
	if not enqueue({ type = "command", name = "overlay", args = Json.array({ args[1] }) }) then
		echo("not connected (" .. conn.reason .. ")")
	end
	return true
end

-- The settings' own commands (rate, level, maxunits, host, port, setqueuesize,
-- queuebytes, sendbudget, indicator): one argument, checked like the app's.
local function settingArg(s, word)
	if s.kind == "int" then return tonumber(word) end
	if s.kind == "onoff" then
		if word == "on" then return true elseif word == "off" then return false end
		return nil
	end
	return word
end

for _, s in ipairs(SETTINGS) do
	if s.cmd then
		commands[s.cmd] = function(args)
			local value
			if args[1] ~= nil then value = s.check(settingArg(s, args[1])) end
			if value == nil or args[2] then
				return false, "usage: /livedata " .. s.cmd .. " VALUE, where VALUE is " .. s.valid
			end
			if s.key == "host" or s.key == "port" then
				-- the player's choice: no move of the app's to finish or undo
				conn.move, conn.moveNote = nil, nil
				config[s.key] = value
				if config.enabled then reconnect("reconfigured") end
			else
				applySetting(s.key, value)
			end
			if value == true then value = "on" elseif value == false then value = "off" end
			echo(s.cmd .. " set to " .. tostring(value))
			return true
		end
	end
end

-- Runs one command line (words); returns true if it was accepted.
local function runCommand(words)
	local name = words[1] or "help"
	local fn = commands[strlower(name)]
	if not fn then
		printUsage("unknown command '" .. tostring(name) .. "'")
		return false
	end
	local args = {}
	for i = 2, #words do args[i - 1] = words[i] end
	local ok, err = fn(args)
	if not ok then
		printUsage(err)
		return false
	end
	syncOptions()
	return true
end

local function splitWords(line)
	local words = {}
	for w in string.gmatch(line or "", "%S+") do words[#words + 1] = w end
	return words
end

-- widgetHandler:AddAction callback: fn(cmd, optLine, optWords, ...).
local function actionHandler(_, optLine, optWords)
	guard("command", function()
		runCommand(type(optWords) == "table" and optWords or splitWords(optLine))
	end)
	return true
end

-- Settings menu: BAR's options window (WG['options']), in the basic view.

local OPTIONS = {
	{ id = "livedata_enabled", key = "enabled", type = "bool",
		name = "Live Data Export: stream to the app",
		description = "Send game data to the bar-live app (address and state: /livedata status)" },
	{ id = "livedata_level", key = "level", type = "select", options = LEVEL_NAMES,
		name = "Live Data Export: detail level",
		description = "minimal: resources; standard: + unit counts and stats; detailed: + every unit's position" },
	{ id = "livedata_rate", key = "interval", type = "slider", min = 1, max = 300, step = 1,
		name = "Live Data Export: update interval (game frames)",
		description = "30 frames are one second of game time; 15 = two updates a second" },
	{ id = "livedata_indicator", key = "indicator", type = "bool",
		name = "Live Data Export: status dot",
		description = "A small dot with the connection state near the top right corner" },
}

-- id -> the value the settings window shows; nil while the options are not added.
local optionsShown = nil

local function optionValue(o)
	if o.type == "select" then return LEVELS[config[o.key]] end
	return config[o.key]
end

local function onOptionChange(o, value)
	if o.type == "select" then
		value = LEVEL_NAMES[value] or value
	elseif o.type == "slider" then
		value = tonumber(value)
		if value then value = floor(value + 0.5) end
	end
	for _, s in ipairs(SETTINGS) do
		if s.key == o.key then value = s.check(value) end
	end
	if value == nil then return end
	if o.key == "enabled" then
		setEnabled(value, "switched off in the settings")
	else
		applySetting(o.key, value)
	end
	if optionsShown then optionsShown[o.id] = optionValue(o) end
end

local function optionTable(o)
	local t = { id = o.id, group = "custom", widgetname = WIDGET_NAME, name = o.name,
		description = o.description, type = o.type, value = optionValue(o),
		onchange = function(_, value) guard("settings menu", onOptionChange, o, value) end }
	if o.type == "select" then t.options = o.options end
	if o.type == "slider" then t.min, t.max, t.step = o.min, o.max, o.step end
	return t
end

-- Adds the options in one call: each addOption rebuilds the whole window.
local function addOptionList(list)
	local wgOptions = WG and WG['options']
	if type(wgOptions) ~= "table" then return end
	local tables = {}
	for i, o in ipairs(list) do tables[i] = optionTable(o) end
	if type(wgOptions.addOptions) == "function" then
		wgOptions.addOptions(tables)
	elseif type(wgOptions.addOption) == "function" then
		for _, t in ipairs(tables) do wgOptions.addOption(t) end
	else
		return
	end
	optionsShown = optionsShown or {}
	for _, o in ipairs(list) do optionsShown[o.id] = optionValue(o) end
end

local function removeOptionList(list)
	local wgOptions = WG and WG['options']
	if type(wgOptions) ~= "table" or not optionsShown then return end
	local ids = {}
	for i, o in ipairs(list) do
		ids[i] = o.id
		optionsShown[o.id] = nil
	end
	if type(wgOptions.removeOptions) == "function" then
		wgOptions.removeOptions(ids)
	elseif type(wgOptions.removeOption) == "function" then
		for _, id in ipairs(ids) do wgOptions.removeOption(id) end
	end
end

-- The settings window keeps the value given when an option was added: options
-- whose setting changed elsewhere (a command, the app) are removed and added again.
syncOptions = function()
	if not optionsShown then return end
	local stale = {}
	for _, o in ipairs(OPTIONS) do
		if optionsShown[o.id] ~= optionValue(o) then stale[#stale + 1] = o end
	end
	if #stale > 0 then
		guard("settings menu", function()
			removeOptionList(stale)
			addOptionList(stale)
		end)
	end
end

-- Status dot: green connected, yellow connecting, orange waiting to retry, grey
-- disconnected, red disabled.

local STATE_COLORS = {
	[STATE_CONNECTED] = { 0.2, 0.85, 0.2 },
	[STATE_CONNECTING] = { 0.95, 0.8, 0.1 },
	[STATE_BACKOFF] = { 0.95, 0.55, 0.1 },
	[STATE_DISCONNECTED] = { 0.6, 0.6, 0.6 },
	[STATE_DISABLED] = { 0.9, 0.15, 0.15 },
}

local function drawIndicator()
	local vsx, vsy = 1920, 1080
	if spGetViewGeometry then vsx, vsy = spGetViewGeometry() end
	local x, y = vsx - 150, vsy - 40
	local c = STATE_COLORS[conn.state] or STATE_COLORS[STATE_DISCONNECTED]
	gl.Color(c[1], c[2], c[3], 0.9)
	gl.Rect(x, y, x + 10, y + 10)
	gl.Color(1, 1, 1, 0.8)
	gl.Text("live: " .. conn.state, x + 14, y, 11, "o")
	gl.Color(1, 1, 1, 1)
end

-- WG.LiveDataExport, for other widgets (docs/WIDGET.md, "For widget authors"):
--   send(name, data) -> true | nil, why   queue a `custom` message for the app
--   encode(value)    -> json | nil, why   this widget's JSON encoder
--   array(t), object(t) -> t              mark a table's JSON shape ({} is an object)
--   status()         -> table             state, reason, address, settings, counters
--   connect(), disconnect()               as /livedata connect / disconnect
local api = {
	send = function(name, data)
		if type(name) ~= "string" or name == "" then return nil, "name must be a non-empty string" end
		if conn.state ~= STATE_CONNECTED then return nil, "not connected" end
		local ok, res = pcall(enqueue, { type = "custom", name = name, data = data })
		if not ok then return nil, tostring(res) end
		if not res then return nil, "not queued (encode error, too large or queue full)" end
		return true
	end,
	encode = function(value) return Json.encode(value) end,
	array = function(t) return Json.array(t) end,
	object = function(t) return Json.object(t) end,
	status = statusTable,
	connect = function() guard("connect", runCommand, { "connect" }) end,
	disconnect = function() guard("disconnect", runCommand, { "disconnect" }) end,
}

--------------------------------------------------------------------------------
-- 7. Callins
--------------------------------------------------------------------------------

-- Initialize and Shutdown mirror each other: Shutdown undoes in reverse order.
function widget:Initialize()
	guard("Initialize", function()
		queue:setLimits(config.queueSize, config.queueBytes)
		statsPeriodStart = clock()
		computeView()
		if widgetHandler and widgetHandler.AddAction then
			widgetHandler:AddAction("livedata", actionHandler, nil, "t")
		end
		WG.LiveDataExport = api
		addOptionList(OPTIONS)
		if not socketAvailable() then
			echo(conn.reason)
		elseif config.enabled then
			startConnect()
		else
			setState(STATE_DISCONNECTED, "streaming is switched off; /livedata connect to stream again")
			echo(conn.reason)
		end
	end)
end

function widget:Shutdown()
	guard("Shutdown", function()
		disconnectWithBye("shutdown")
		setState(STATE_DISCONNECTED, "widget shut down")
		removeOptionList(OPTIONS)
		optionsShown = nil
		if WG.LiveDataExport == api then WG.LiveDataExport = nil end
		if widgetHandler and widgetHandler.RemoveAction then
			widgetHandler:RemoveAction("livedata")
		end
	end)
end

function widget:Update()
	guard("Update", tick)
end

function widget:GameStart()
	guard("GameStart", sendEvent, "game_start")
end

function widget:GameOver(winners)
	-- BAR passes no arguments; some engines pass the winning ally teams.
	guard("GameOver", function()
		local fields = {}
		if type(winners) == "table" then
			local list = Json.array({})
			for _, w in ipairs(winners) do if type(w) == "number" then list[#list + 1] = w end end
			fields.winners = list
		end
		sendEvent("game_over", fields)
	end)
end

function widget:TeamDied(teamID)
	guard("TeamDied", function()
		if type(teamID) == "number" then sendEvent("team_died", { team_id = teamID }) end
	end)
end

function widget:GamePaused(playerID, paused)
	guard("GamePaused", function()
		local fields = {}
		if type(playerID) == "number" then fields.player_id = playerID end
		sendEvent(paused and "paused" or "unpaused", fields)
	end)
end

-- Fires for any player's change (and when a team dies). When ours changed,
-- tell the app; reconnect only if the readable teams changed, since hello (which
-- lists them) starts a connection. A full-view spectator who picks another
-- player to follow (specteam) changes team, not the readable teams.
function widget:PlayerChanged(playerID)
	guard("PlayerChanged", function()
		local before = view.teams
		local spectating, fullView, myTeam, allyTeam = view.spectating, view.fullView, view.myTeam, view.allyTeam
		computeView()
		local teamsChanged = #before ~= #view.teams
		for i = 1, #before do
			if before[i] ~= view.teams[i] then teamsChanged = true end
		end
		if teamsChanged or view.spectating ~= spectating or view.fullView ~= fullView
			or view.myTeam ~= myTeam or view.allyTeam ~= allyTeam then
			sendEvent("player_changed", { player_id = type(playerID) == "number" and playerID or view.myPlayerID,
				spectating = view.spectating, full_view = view.fullView, my_team_id = view.myTeam })
		end
		if teamsChanged and conn.state == STATE_CONNECTED then
			reconnect("readable teams changed")
		end
	end)
end

function widget:DrawScreen()
	if config.indicator and gl then guard("DrawScreen", drawIndicator) end
end

-- Saved into LuaUI/Config/BYAR.lua; restored by SetConfigData before Initialize.
function widget:GetConfigData()
	local saved = { installedPort = DEFAULT_PORT, installStamp = INSTALL_STAMP }
	for _, s in ipairs(SETTINGS) do saved[s.key] = config[s.key] end
	if conn.move then -- a move counts once connected there
		saved.host, saved.port = conn.move.fromHost, conn.move.fromPort
	end
	return saved
end

function widget:SetConfigData(data)
	guard("SetConfigData", restoreSettings, data)
end

--------------------------------------------------------------------------------
-- 8. Library: JSON (RFC 8259). Our own: BAR's global Json is unsafe for this
-- data (no control-character escapes, writes nan/inf, pads sparse integer keys
-- with nulls, encodes {} as []).
--   encode(v) -> string | nil, err    never raises
--   decode(s) -> value | nil, err     strict; for the app's small messages
--   array(t), object(t) -> t          mark the JSON shape of a table; unmarked:
--                                     keys 1..n -> array, anything else (and {}) -> object
--   putNumber(buf, n, v) -> n         writes a number piece: v a number or nil (null
--                                     for nil, NaN, +-inf); putAny: v of any type
--                                     (null for non-numbers); INT[i] = "i" for 0 <= i < 10000
--   formatNumber(v), sanitizeUtf8(s)
--------------------------------------------------------------------------------

Json = (function()
	local ARRAY_MT  = { __jsontype = "array" }
	local OBJECT_MT = { __jsontype = "object" }

	local function markArray(t) return setmetatable(t or {}, ARRAY_MT) end
	local function markObject(t) return setmetatable(t or {}, OBJECT_MT) end

	local ESCAPES = { ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
		["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }
	for b = 0, 31 do
		local c = strchar(b)
		if not ESCAPES[c] then ESCAPES[c] = strformat("\\u%04x", b) end
	end
	local ESCAPE_PATTERN = '[%z\1-\31"\\]'
	local NEEDS_WORK_PATTERN = '[%z\1-\31"\\\128-\255]'
	local HIGH_BYTE_PATTERN = '[\128-\255]'
	local REPLACEMENT_CHAR = "\239\191\189" -- U+FFFD

	-- Returns s with every invalid UTF-8 sequence replaced by U+FFFD (strict:
	-- no overlongs, no surrogates, nothing above U+10FFFF).
	local function sanitizeUtf8(s)
		local n = #s
		local i = 1
		local out, nout, last = nil, 0, 1
		while i <= n do
			local c = strbyte(s, i)
			local len
			if c < 0x80 then
				len = 1
			elseif c >= 0xC2 and c <= 0xDF then
				local c2 = strbyte(s, i + 1)
				if c2 and c2 >= 0x80 and c2 <= 0xBF then len = 2 end
			elseif c >= 0xE0 and c <= 0xEF then
				local c2, c3 = strbyte(s, i + 1, i + 2)
				local lo, hi = 0x80, 0xBF
				if c == 0xE0 then lo = 0xA0 elseif c == 0xED then hi = 0x9F end
				if c2 and c3 and c2 >= lo and c2 <= hi and c3 >= 0x80 and c3 <= 0xBF then len = 3 end
			elseif c >= 0xF0 and c <= 0xF4 then
				local c2, c3, c4 = strbyte(s, i + 1, i + 3)
				local lo, hi = 0x80, 0xBF
				if c == 0xF0 then lo = 0x90 elseif c == 0xF4 then hi = 0x8F end
				if c2 and c3 and c4 and c2 >= lo and c2 <= hi and c3 >= 0x80 and c3 <= 0xBF
					and c4 >= 0x80 and c4 <= 0xBF then len = 4 end
			end
			if len then
				i = i + len
			else
				out = out or {}
				nout = nout + 1; out[nout] = strsub(s, last, i - 1)
				nout = nout + 1; out[nout] = REPLACEMENT_CHAR
				i = i + 1
				last = i
			end
		end
		if not out then return s end
		nout = nout + 1; out[nout] = strsub(s, last)
		return concat(out)
	end

	local function quoteString(s)
		if not strfind(s, NEEDS_WORK_PATTERN) then
			return '"' .. s .. '"'
		end
		if strfind(s, HIGH_BYTE_PATTERN) then s = sanitizeUtf8(s) end
		return '"' .. strgsub(s, ESCAPE_PATTERN, ESCAPES) .. '"'
	end

	-- Numbers are written as pieces into the output buffer (no intermediate
	-- strings): integers from cached digit strings, other finite numbers with 7
	-- significant digits by fixed-point arithmetic (string.format("%.7g") costs
	-- several times more), NaN/inf as null. Same value as "%.7g" (the last digit
	-- may differ by one where the product v * 10^d rounds across .5).
	local INT_LIMIT = 2147483647 -- "%d" goes through a C long (32-bit on Windows)
	local INT = {}     -- [0, 10000) -> "123" (filled lazily)
	local PAD = { {}, {}, {}, {} }   -- PAD[w][x] = x zero-padded to w digits (lazily)
	local STRIP = { {}, {}, {}, {} } -- STRIP[w][x] = PAD[w][x] without trailing zeros, x > 0
	local PAD4, STRIP4 = PAD[4], STRIP[4]
	local INT_DOT = {}  -- [0, 10000) -> "123."
	local POW = { [0] = 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8 }

	local function intStr(x) -- 0 <= x < 10000, integer
		local s = strformat("%d", x)
		INT[x] = s
		return s
	end

	local function padStr(w, x) -- 0 <= x < 10^w, integer
		local s = strformat("%0" .. w .. "d", x)
		PAD[w][x] = s
		return s
	end

	local function stripStr(w, x) -- 0 < x < 10^w, integer
		local s = strgsub(strformat("%0" .. w .. "d", x), "0+$", "")
		STRIP[w][x] = s
		return s
	end

	-- Writes a non-negative integer < 1e8.
	local function putUint(buf, n, v)
		if v < 10000 then
			n = n + 1; buf[n] = INT[v] or intStr(v)
			return n
		end
		local lo = v % 10000
		local hi = (v - lo) / 10000
		n = n + 1; buf[n] = INT[hi] or intStr(hi)
		n = n + 1; buf[n] = PAD4[lo] or padStr(4, lo)
		return n
	end

	local encodeValue -- forward declaration (recursive)

	-- writeNumber(buf, n, v) -> n: writes v, a number or nil; null for nil, NaN
	-- and +-inf. (Other types raise: see writeAny.)
	local function writeNumber(buf, n, v)
		if v == nil or v - v ~= 0 then -- nil, NaN or +-inf
			n = n + 1; buf[n] = "null"
			return n
		end
		if v < 0 then
			if v <= -INT_LIMIT then
				n = n + 1; buf[n] = strformat("%.7g", v)
				return n
			end
			n = n + 1; buf[n] = "-"
			v = -v
		end
		if v % 1 == 0 then
			if v < 1e8 then return putUint(buf, n, v) end
			n = n + 1; buf[n] = v < INT_LIMIT and strformat("%d", v) or strformat("%.7g", v)
			return n
		end
		-- d = decimals for 7 significant digits: 10^(6-d) <= v < 10^(7-d)
		local d
		if v >= 1 then
			if v >= 1e3 then
				if v >= 1e5 then
					if v >= 1e7 then
						n = n + 1; buf[n] = strformat("%.7g", v)
						return n
					end
					d = v >= 1e6 and 0 or 1
				else
					d = v >= 1e4 and 2 or 3
				end
			elseif v >= 1e2 then d = 4
			elseif v >= 10 then d = 5
			else d = 6 end
		elseif v >= 0.1 then d = 7
		elseif v >= 0.01 then d = 8
		else
			n = n + 1; buf[n] = strformat("%.7g", v)
			return n
		end
		local scale = POW[d]
		local t = v * scale + 0.5
		local m = t - t % 1 -- 10^6 <= m <= 10^7: the 7 significant digits
		if d == 0 then return putUint(buf, n, m) end
		local fp = m % scale -- the d decimals as an integer
		local ip = (m - fp) / scale
		if fp == 0 then return putUint(buf, n, ip) end -- rounded to an integer
		if ip < 10000 then
			local s = INT_DOT[ip]
			if not s then s = (INT[ip] or intStr(ip)) .. "."; INT_DOT[ip] = s end
			n = n + 1; buf[n] = s
		else
			n = putUint(buf, n, ip)
			n = n + 1; buf[n] = "."
		end
		if d <= 4 then
			n = n + 1; buf[n] = STRIP[d][fp] or stripStr(d, fp)
			return n
		end
		local lo = fp % 10000 -- last 4 decimals
		local hi = (fp - lo) / 10000 -- first d - 4 decimals
		local w = d - 4
		if lo == 0 then
			n = n + 1; buf[n] = STRIP[w][hi] or stripStr(w, hi)
		else
			n = n + 1; buf[n] = PAD[w][hi] or padStr(w, hi)
			n = n + 1; buf[n] = STRIP4[lo] or stripStr(4, lo)
		end
		return n
	end

	-- writeAny(buf, n, v) -> n: as writeNumber, null for anything not a number.
	local function writeAny(buf, n, v)
		if type(v) ~= "number" then
			n = n + 1; buf[n] = "null"
			return n
		end
		return writeNumber(buf, n, v)
	end

	local numBuf = {}
	local function formatNumber(v)
		return concat(numBuf, "", 1, writeNumber(numBuf, 0, v))
	end

	-- Quoted object keys ("key":) are cached; bounded because custom data may use
	-- arbitrary keys.
	local KEY_CACHE_MAX = 4096
	local keyCache, keyCacheSize = {}, 0

	local function keyString(k)
		local s = keyCache[k]
		if s then return s end
		local tk = type(k)
		if tk == "string" then
			s = quoteString(k) .. ":"
		elseif tk == "number" then
			if k ~= k or k == huge or k == -huge then return nil end
			s = '"' .. formatNumber(k) .. '":'
		else
			return nil
		end
		if keyCacheSize < KEY_CACHE_MAX then
			keyCache[k] = s
			keyCacheSize = keyCacheSize + 1
		end
		return s
	end

	-- Unmarked tables: empty -> {}, keys exactly 1..n -> array, else object.
	local function isSequence(t)
		local n = #t
		if n == 0 then return false end
		local count = 0
		for _ in pairs(t) do
			count = count + 1
			if count > n then return false end
		end
		return count == n
	end

	-- Cycles need no bookkeeping: they hit the depth guard.
	local function encodeTable(t, buf, n, depth)
		if depth > MAX_JSON_DEPTH then error("json: nesting deeper than " .. MAX_JSON_DEPTH .. " (or a cycle)", 0) end
		local mt = getmetatable(t)
		local kind = mt and mt.__jsontype
		if kind == nil then kind = isSequence(t) and "array" or "object" end
		depth = depth + 1
		if kind == "array" then
			local len = t.n
			if type(len) ~= "number" then len = #t end
			if len == 0 then
				n = n + 1; buf[n] = "[]"
				return n
			end
			n = n + 1; buf[n] = "["
			for i = 1, len do
				if i > 1 then n = n + 1; buf[n] = "," end
				local v = t[i]
				if type(v) == "number" then
					local s = INT[v]
					if s then n = n + 1; buf[n] = s else n = writeNumber(buf, n, v) end
				else
					n = encodeValue(v, buf, n, depth)
				end
			end
			n = n + 1; buf[n] = "]"
			return n
		end
		n = n + 1; buf[n] = "{"
		local open = n
		for k, v in pairs(t) do
			local ks = keyCache[k] or keyString(k)
			if not ks then error("json: unsupported key type " .. type(k), 0) end
			n = n + 1; buf[n] = ks
			local tv = type(v)
			if tv == "number" then
				local s = INT[v]
				if s then n = n + 1; buf[n] = s else n = writeNumber(buf, n, v) end
			elseif tv == "string" then
				n = n + 1; buf[n] = quoteString(v)
			else
				n = encodeValue(v, buf, n, depth)
			end
			n = n + 1; buf[n] = ","
		end
		if n == open then
			buf[n] = "{}"
		else
			buf[n] = "}" -- replaces the trailing comma
		end
		return n
	end

	encodeValue = function(v, buf, n, depth)
		local tv = type(v)
		if tv == "number" then
			n = writeNumber(buf, n, v)
		elseif tv == "string" then
			n = n + 1; buf[n] = quoteString(v)
		elseif tv == "table" then
			n = encodeTable(v, buf, n, depth)
		elseif tv == "boolean" then
			n = n + 1; buf[n] = v and "true" or "false"
		elseif v == nil then
			n = n + 1; buf[n] = "null"
		else
			error("json: cannot encode a " .. tv, 0)
		end
		return n
	end

	local encodeBuf = {}

	local function encodeRaw(v)
		return concat(encodeBuf, "", 1, encodeValue(v, encodeBuf, 0, 0))
	end

	local function encode(v)
		local ok, res = pcall(encodeRaw, v)
		if ok then return res end
		return nil, tostring(res)
	end

	-- Decoder (app -> widget messages only). Errors are returned, never raised.

	local decodeValue
	local UNESCAPES = { ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n", r = "\r", t = "\t" }

	local function decodeError(pos, what)
		error("json: " .. what .. " at byte " .. pos, 0)
	end

	local function skipWs(s, pos)
		return strfind(s, "[^ \t\r\n]", pos) or (#s + 1)
	end

	local function codepointToUtf8(cp)
		if cp < 0x80 then return strchar(cp) end
		if cp < 0x800 then return strchar(0xC0 + floor(cp / 64), 0x80 + cp % 64) end
		if cp < 0x10000 then
			return strchar(0xE0 + floor(cp / 4096), 0x80 + floor(cp / 64) % 64, 0x80 + cp % 64)
		end
		return strchar(0xF0 + floor(cp / 262144), 0x80 + floor(cp / 4096) % 64,
			0x80 + floor(cp / 64) % 64, 0x80 + cp % 64)
	end

	local function decodeString(s, pos)
		-- pos is at the opening quote
		local parts, np = {}, 0
		local i = pos + 1
		while true do
			local j = strfind(s, '["\\%z\1-\31]', i)
			if not j then decodeError(pos, "unterminated string") end
			if j > i then np = np + 1; parts[np] = strsub(s, i, j - 1) end
			local c = strsub(s, j, j)
			if c == '"' then
				local str = concat(parts)
				if strfind(str, HIGH_BYTE_PATTERN) and sanitizeUtf8(str) ~= str then
					decodeError(pos, "invalid UTF-8")
				end
				return str, j + 1
			elseif c == "\\" then
				local e = strsub(s, j + 1, j + 1)
				if UNESCAPES[e] then
					np = np + 1; parts[np] = UNESCAPES[e]
					i = j + 2
				elseif e == "u" then
					local hex = strsub(s, j + 2, j + 5)
					if not strfind(hex, "^%x%x%x%x$") then decodeError(j, "bad \\u escape") end
					local cp = tonumber(hex, 16)
					i = j + 6
					if cp >= 0xD800 and cp <= 0xDBFF then
						local hex2 = strsub(s, i, i + 5)
						local lo = strfind(hex2, "^\\u%x%x%x%x$") and tonumber(strsub(hex2, 3), 16)
						if not lo or lo < 0xDC00 or lo > 0xDFFF then decodeError(j, "lone surrogate") end
						cp = 0x10000 + (cp - 0xD800) * 1024 + (lo - 0xDC00)
						i = i + 6
					elseif cp >= 0xDC00 and cp <= 0xDFFF then
						decodeError(j, "lone surrogate")
					end
					np = np + 1; parts[np] = codepointToUtf8(cp)
				else
					decodeError(j, "bad escape")
				end
			else
				decodeError(j, "control character in string")
			end
		end
	end

	local function decodeNumber(s, pos)
		local int = s:match("^-?0", pos) or s:match("^-?[1-9]%d*", pos)
		if not int then decodeError(pos, "bad number") end
		local p = pos + #int
		local frac = s:match("^%.%d+", p)
		if frac then p = p + #frac elseif strsub(s, p, p) == "." then decodeError(p, "bad number") end
		local exp = s:match("^[eE][-+]?%d+", p)
		if exp then p = p + #exp elseif strfind(strsub(s, p, p), "^[eE]") then decodeError(p, "bad number") end
		return tonumber(strsub(s, pos, p - 1)), p
	end

	decodeValue = function(s, pos, depth)
		if depth > MAX_JSON_DEPTH then decodeError(pos, "nesting too deep") end
		pos = skipWs(s, pos)
		local c = strsub(s, pos, pos)
		if c == "{" then
			local obj = markObject({})
			pos = skipWs(s, pos + 1)
			if strsub(s, pos, pos) == "}" then return obj, pos + 1 end
			while true do
				if strsub(s, pos, pos) ~= '"' then decodeError(pos, "expected key") end
				local key
				key, pos = decodeString(s, pos)
				pos = skipWs(s, pos)
				if strsub(s, pos, pos) ~= ":" then decodeError(pos, "expected ':'") end
				obj[key], pos = decodeValue(s, pos + 1, depth + 1)
				pos = skipWs(s, pos)
				local d = strsub(s, pos, pos)
				if d == "}" then return obj, pos + 1 end
				if d ~= "," then decodeError(pos, "expected ',' or '}'") end
				pos = skipWs(s, pos + 1)
			end
		elseif c == "[" then
			local arr, n = markArray({}), 0
			pos = skipWs(s, pos + 1)
			if strsub(s, pos, pos) == "]" then arr.n = 0; return arr, pos + 1 end
			while true do
				n = n + 1
				arr[n], pos = decodeValue(s, pos, depth + 1)
				pos = skipWs(s, pos)
				local d = strsub(s, pos, pos)
				if d == "]" then arr.n = n; return arr, pos + 1 end
				if d ~= "," then decodeError(pos, "expected ',' or ']'") end
				pos = pos + 1
			end
		elseif c == '"' then
			return decodeString(s, pos)
		elseif c == "-" or strfind(c, "^%d") then
			return decodeNumber(s, pos)
		elseif strsub(s, pos, pos + 3) == "true" then
			return true, pos + 4
		elseif strsub(s, pos, pos + 4) == "false" then
			return false, pos + 5
		elseif strsub(s, pos, pos + 3) == "null" then
			return nil, pos + 4
		end
		decodeError(pos, "unexpected character")
	end

	local function decodeRaw(s)
		local v, pos = decodeValue(s, 1, 0)
		pos = skipWs(s, pos)
		if pos <= #s then decodeError(pos, "trailing data") end
		return v
	end

	local function decode(s)
		if type(s) ~= "string" then return nil, "json: not a string" end
		local ok, res = pcall(decodeRaw, s)
		if ok then return res end
		return nil, tostring(res)
	end

	return { encode = encode, decode = decode, array = markArray, object = markObject,
		putNumber = writeNumber, putAny = writeAny, INT = INT, formatNumber = formatNumber,
		sanitizeUtf8 = sanitizeUtf8 }
end)()
putNumber, INT_STRINGS = Json.putNumber, Json.INT

--------------------------------------------------------------------------------
-- 9. Library: wire. A frame is a u32 big-endian length + payload, built with
-- arithmetic because VFS.PackU32 is native-endian; exact for n < 2^24 (32-bit
-- float Lua numbers).
--
-- The send queue holds encoded frames, FIFO, bounded by message count and
-- bytes. Droppable messages give way first, oldest first; the others are never
-- dropped for them. The head frame, once partly sent, is pinned until its last
-- byte is out (a frame must go out whole).
--   queue:push(data, droppable) -> "queued" | "dropped" (the new message) |
--                                  "overflow" (a protected message over the hard limit)
--   queue:head(), queue:advance(bytesSentOfHead), queue:count(), queue:clear(includePinned),
--   queue:setLimits(maxMsgs, maxBytes); fields bytes, drops, headSent, maxMsgs, maxBytes
--------------------------------------------------------------------------------

Wire = (function()
	local function u32be(n)
		return strchar(floor(n / 16777216) % 256, floor(n / 65536) % 256, floor(n / 256) % 256, n % 256)
	end

	local function readU32be(s, i)
		local a, b, c, d = strbyte(s, i, i + 3)
		return ((a * 256 + b) * 256 + c) * 256 + d
	end

	local function frame(payload)
		local n = #payload
		if n == 0 or n > MAX_PAYLOAD then return nil end
		return u32be(n) .. payload
	end

	local Queue = {}
	Queue.__index = Queue

	local function newQueue(maxMsgs, maxBytes)
		return setmetatable({ items = {}, bytes = 0, maxMsgs = maxMsgs, maxBytes = maxBytes,
			headSent = 0, drops = 0 }, Queue)
	end

	function Queue:count() return #self.items end

	-- Removes the oldest droppable, unpinned entry; returns true if one went.
	function Queue:dropOldest()
		local items = self.items
		local first = (self.headSent > 0) and 2 or 1
		for i = first, #items do
			local e = items[i]
			if e.droppable then
				tremove(items, i)
				self.bytes = self.bytes - #e.data
				self.drops = self.drops + 1
				return true
			end
		end
		return false
	end

	function Queue:push(data, droppable)
		local len = #data
		local items = self.items
		while #items + 1 > self.maxMsgs or self.bytes + len > self.maxBytes do
			if not self:dropOldest() then break end
		end
		if #items + 1 > self.maxMsgs or self.bytes + len > self.maxBytes then
			if droppable then
				self.drops = self.drops + 1
				return "dropped"
			end
			if self.bytes + len > self.maxBytes * QUEUE_HARD_FACTOR
				or #items + 1 > self.maxMsgs * QUEUE_HARD_FACTOR then
				return "overflow"
			end
		end
		items[#items + 1] = { data = data, droppable = droppable }
		self.bytes = self.bytes + len
		return "queued"
	end

	-- New limits; droppable messages over them go at once.
	function Queue:setLimits(maxMsgs, maxBytes)
		self.maxMsgs, self.maxBytes = maxMsgs, maxBytes
		while (#self.items > maxMsgs or self.bytes > maxBytes) and self:dropOldest() do end
	end

	function Queue:head()
		return self.items[1]
	end

	-- Marks `k` bytes of the head as sent; pops it when complete.
	function Queue:advance(k)
		local e = self.items[1]
		self.headSent = k
		if k >= #e.data then
			tremove(self.items, 1)
			self.bytes = self.bytes - #e.data
			self.headSent = 0
			return true
		end
		return false
	end

	-- Drops everything not pinned (or everything); returns the number dropped.
	function Queue:clear(includePinned)
		local items = self.items
		local keep = (not includePinned and self.headSent > 0) and 1 or 0
		local dropped = #items - keep
		for i = #items, keep + 1, -1 do
			self.bytes = self.bytes - #items[i].data
			items[i] = nil
		end
		if keep == 0 then self.headSent = 0; self.bytes = 0 end
		return dropped
	end

	return { u32be = u32be, readU32be = readU32be, frame = frame, newQueue = newQueue }
end)()

queue = Wire.newQueue(config.queueSize, config.queueBytes)

--------------------------------------------------------------------------------
-- 10. Test hook. The specs and the bench (widget/spec, widget/bench) load this
-- file with a WIDGET_TEST_HOOK function in its environment and receive the
-- internals below; nothing else defines it, so in the game this does nothing.
--------------------------------------------------------------------------------

-- luacheck: read globals WIDGET_TEST_HOOK
if WIDGET_TEST_HOOK then
	WIDGET_TEST_HOOK({
		Json = Json, Wire = Wire, SETTINGS = SETTINGS, LEVELS = LEVELS, STATS_KEYS = STATS_KEYS,
		MAX_PAYLOAD = MAX_PAYLOAD, MOVE_TIMEOUT = MOVE_TIMEOUT,
		config = config, conn = conn, queue = queue, counters = counters, view = view,
		defInfo = defInfo, stripColorCodes = stripColorCodes, colorHex = colorHex,
		encodeUpdate = encodeUpdate, updateBuf = updateBuf, UPDATE_SEQ_SLOT = UPDATE_SEQ_SLOT,
		sendUpdate = sendUpdate, enqueue = enqueue, tick = tick, runCommand = runCommand,
		statusTable = statusTable, statusLines = statusLines, api = api,
	})
end
