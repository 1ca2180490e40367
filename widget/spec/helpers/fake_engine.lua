-- A fake BAR/Recoil engine for the specs and the e2e runner: just enough of
-- Spring.*, Game, Engine, UnitDefs, WG, widgetHandler and gl, with team
-- visibility rules like the real engine (GetTeamResources -> nil for teams the
-- viewer may not read).
local M = {}

local HERE = debug.getinfo(1, "S").source:sub(2):match("^(.*)/[^/]*$") or "."
-- WIDGET_UNDER_TEST=path runs the specs against another copy (e.g. an older
-- version, to see a new spec fail there).
M.WIDGET_PATH = os.getenv("WIDGET_UNDER_TEST") or (HERE .. "/../../bar_live_export.lua")

local RES_KEYS = { "current", "storage", "pull", "income", "expense", "share", "sent", "received", "excess" }
M.RES_KEYS = RES_KEYS

-- Default unit defs: ids 1..n with a few categories.
local function defaultUnitDefs()
	return {
		[1] = { name = "armcom", humanName = "Armada Commander", metalCost = 2700, energyCost = 26000,
			customParams = { iscommander = "1" }, canMove = true, isBuilder = true, weapons = { {} } },
		[2] = { name = "armsolar", humanName = "Solar Collector", metalCost = 155, energyCost = 0,
			customParams = { unitgroup = "energy" }, energyMake = 20, weapons = {} },
		[3] = { name = "armpw", humanName = "Pawn", metalCost = 54, energyCost = 900,
			customParams = {}, canMove = true, weapons = { {} } },
		[4] = { name = "armlab", humanName = "Bot Lab", metalCost = 500, energyCost = 1000,
			customParams = {}, isFactory = true, isBuilder = true, weapons = {} },
		[5] = { name = "armllt", humanName = "Sentry \"LLT\"\\ \255\1\2\3", metalCost = 85, energyCost = 680,
			customParams = {}, weapons = { {} } },
	}
end

-- opts: teams = { {id=, ally=, name=, ai=, side=, color={r,g,b}, units={...}} }, spectating, fullView,
--       myTeam, gaia (team id), socket (table or nil)
function M.new(opts)
	opts = opts or {}
	local E = {
		frame = 0, seconds = 0, paused = false, speed = 1,
		time = 0, -- fake clock in seconds (ignored when opts.realClock)
		spectating = opts.spectating or false,
		fullView = opts.fullView or false,
		myTeam = opts.myTeam or 0,
		myPlayer = opts.myPlayer or 0,
		gaia = opts.gaia,
		teams = {},
		teamOrder = {},
		echoes = {},
		actions = {},
		unitDefs = opts.unitDefs or defaultUnitDefs(),
		statsHistoryCalls = {},
		replay = opts.replay or false,
		nextUnitID = 100,
	}
	for _, t in ipairs(opts.teams or {
		{ id = 0, ally = 0, name = "Alice", side = "armada", color = { 0.12, 0.47, 0.71 } },
		{ id = 1, ally = 1, name = "Bob", side = "cortex", color = { 0.84, 0.15, 0.16 } },
	}) do
		local team = {
			id = t.id, ally = t.ally, name = t.name or ("P" .. t.id), ai = t.ai or false, side = t.side or "armada",
			color = t.color or { 0.5, 0.5, 0.5 }, dead = false, units = {}, stats = {},
			metal = t.metal or { 812.5, 1000, 3.2, 2.5, 3.2, 0.99, 0, 0, 0 },
			energy = t.energy or { 950, 1000, 20, 25, 20, 0.95, 0, 0, 5 },
			unknown = t.unknown,
		}
		E.teams[t.id] = team
		E.teamOrder[#E.teamOrder + 1] = t.id
		for _, u in ipairs(t.units or {}) do
			E.nextUnitID = E.nextUnitID + 1
			team.units[#team.units + 1] = { id = u.id or E.nextUnitID, def = u.def, x = u.x or 100.4, z = u.z or 200.6,
				hp = u.hp or 100, maxHp = u.maxHp or 100, build = u.build or 1 }
		end
	end

	function E:myAlly() return self.teams[self.myTeam] and self.teams[self.myTeam].ally or 0 end
	function E:canRead(teamID)
		local t = self.teams[teamID]
		if not t then return false end
		if self.spectating and self.fullView then return true end
		return t.ally == self:myAlly()
	end
	function E:addUnit(teamID, def, x, z, hp, build)
		self.nextUnitID = self.nextUnitID + 1
		local units = self.teams[teamID].units
		units[#units + 1] = { id = self.nextUnitID, def = def, x = x or 10, z = z or 20, hp = hp or 50,
			maxHp = 100, build = build or 1 }
		self:reindex()
		return self.nextUnitID
	end
	-- unit id -> unit; rebuilt after addUnit (or when a spec edits unit lists and calls E:reindex())
	local unitIndex
	function E:reindex() unitIndex = nil end
	function E:findUnit(unitID)
		if not unitIndex then
			unitIndex = {}
			for _, t in pairs(self.teams) do
				for _, u in ipairs(t.units) do unitIndex[u.id] = u end
			end
		end
		return unitIndex[unitID]
	end
	function E:echoed(pattern)
		for _, line in ipairs(self.echoes) do
			if line:find(pattern) then return true end
		end
		return false
	end

	local Spring = {}
	E.Spring = Spring
	function Spring.Echo(...)
		local parts = {}
		for i = 1, select("#", ...) do parts[#parts + 1] = tostring((select(i, ...))) end
		E.echoes[#E.echoes + 1] = table.concat(parts, " ")
		if E.printEchoes then print(E.echoes[#E.echoes]) end
	end
	Spring.Log = function(_, _, msg) Spring.Echo(msg) end
	if opts.realClock then
		local gettime = opts.realClock
		Spring.GetTimer = function() return gettime() end
	else
		Spring.GetTimer = function() return E.time end
	end
	Spring.DiffTimers = function(a, b, inMs)
		local d = a - b
		if inMs then return d * 1000 end
		return d
	end
	if opts.recoilTimers then
		-- Recoil: GetTimer counts whole milliseconds, GetTimerMicros microseconds;
		-- DiffTimers(end, start, inMs, fromMicroSecs) reads both.
		Spring.GetTimer = function() return math.floor(E.time * 1000) end
		Spring.GetTimerMicros = function() return math.floor(E.time * 1e6) end
		Spring.DiffTimers = function(a, b, inMs, fromMicros)
			local seconds = (a - b) / (fromMicros and 1e6 or 1e3)
			if inMs then return seconds * 1000 end
			return seconds
		end
	end
	Spring.GetGameFrame = function() return E.frame end
	Spring.GetGameSeconds = function() return E.frame / 30 end
	Spring.GetGameSpeed = function() return E.speed, E.speed, E.paused end
	Spring.IsReplay = function() return E.replay end
	Spring.IsGameOver = function() return false end
	Spring.GetGaiaTeamID = function() return E.gaia end
	Spring.GetMyPlayerID = function() return E.myPlayer end
	Spring.GetMyTeamID = function() return E.myTeam end
	Spring.GetMyAllyTeamID = function() return E:myAlly() end
	Spring.GetSpectatingState = function() return E.spectating, E.fullView, E.fullView end
	Spring.GetViewGeometry = function() return 1920, 1080 end
	Spring.GetTeamList = function(ally)
		local out = {}
		for _, id in ipairs(E.teamOrder) do
			if ally == nil or E.teams[id].ally == ally then out[#out + 1] = id end
		end
		return out
	end
	Spring.GetTeamInfo = function(teamID)
		local t = E.teams[teamID]
		if not t then return nil end
		return t.id, t.id, t.dead, t.ai, t.side, t.ally, 1
	end
	Spring.GetTeamColor = function(teamID)
		local t = E.teams[teamID]
		if not t then return nil end
		return t.color[1], t.color[2], t.color[3], 1
	end
	Spring.GetPlayerInfo = function(playerID)
		local t = E.teams[playerID]
		if not t then return nil end
		return t.name, true, false, t.id, t.ally, 0.05, 0.1, "de", 0
	end
	Spring.GetAIInfo = function(teamID)
		local t = E.teams[teamID]
		if not t or not t.ai then return nil end
		return 1, t.name, 0, "BARb", "1.0"
	end
	Spring.GetTeamResources = function(teamID, res)
		if not E:canRead(teamID) then return nil end
		local v = E.teams[teamID][res]
		return v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]
	end
	Spring.GetTeamUnitCount = function(teamID)
		local t = E.teams[teamID]
		return t and #t.units or nil
	end
	Spring.GetTeamUnitsCounts = function(teamID)
		local t = E.teams[teamID]
		if not t then return nil end
		local counts = { n = #t.units }
		for _, u in ipairs(t.units) do counts[u.def] = (counts[u.def] or 0) + 1 end
		if t.unknown then counts.unknown = t.unknown end
		return counts
	end
	Spring.GetTeamStatsHistory = function(teamID, i, j)
		local t = E.teams[teamID]
		if not t then return nil end
		if i == nil then return #t.stats end
		E.statsHistoryCalls[#E.statsHistoryCalls + 1] = { teamID, i, j }
		local out = {}
		for k = i, j or i do out[#out + 1] = t.stats[k] end
		return out
	end
	Spring.GetTeamUnits = function(teamID)
		local t = E.teams[teamID]
		if not t or not E:canRead(teamID) then return nil end
		local out = {}
		for k, u in ipairs(t.units) do out[k] = u.id end
		return out
	end
	Spring.GetUnitDefID = function(unitID) local u = E:findUnit(unitID); return u and u.def end
	Spring.GetUnitPosition = function(unitID)
		local u = E:findUnit(unitID)
		if u then return u.x, 0, u.z end
	end
	Spring.GetUnitHealth = function(unitID)
		local u = E:findUnit(unitID)
		if u then return u.hp, u.maxHp, 0, 0, u.build end
	end

	E.WG = {}
	E.widgetHandler = {
		AddAction = function(_, name, fn, data, types) E.actions[name] = { fn = fn, data = data, types = types } end,
		RemoveAction = function(_, name) E.actions[name] = nil end,
	}
	E.gl = opts.gl
	E.socket = opts.socket

	-- Simulated time/game helpers
	function E:advance(seconds) self.time = self.time + seconds end
	function E:command(line)
		local words = {}
		for w in line:gmatch("%S+") do words[#words + 1] = w end
		local a = self.actions.livedata
		assert(a, "livedata action not registered")
		return a.fn("livedata", line, words, a.data, false, false, {})
	end

	-- Loads the widget file (or `source`, its text) into a BAR-like environment.
	-- Returns the widget table; the widget's internals arrive in E.internals
	-- through the test hook (WIDGET_TEST_HOOK, the last lines of the widget).
	function E:loadWidget(path, source)
		local chunk
		if source then
			chunk = assert(loadstring(source, "=" .. (path or "widget")))
		else
			chunk = assert(loadfile(path or M.WIDGET_PATH))
		end
		local widget = {}
		local env = {
			widget = widget, Spring = Spring, WG = E.WG, widgetHandler = E.widgetHandler,
			Game = { gameName = "Beyond All Reason", gameVersion = "test-1", mapName = "Fake Isthmus",
				mapSizeX = 8192, mapSizeZ = 8192 },
			Engine = { version = "2025.04", versionFull = "2025.04.08" },
			UnitDefs = E.unitDefs,
			gl = E.gl, socket = E.socket, LOG = { WARNING = 2, INFO = 3 },
			WIDGET_TEST_HOOK = function(internals)
				E.internals = internals
			end,
		}
		local provided = { gl = true, socket = true }
		setmetatable(env, { __index = function(_, k)
			if provided[k] then return nil end
			return _G[k]
		end })
		setfenv(chunk, env)
		chunk()
		-- versions before the test hook exported their internals as widget._test
		if not E.internals and widget._test then E.internals = widget._test end
		self.widget = widget
		self.env = env
		return widget
	end

	-- The widget handler's order: SetConfigData (if any) before Initialize.
	-- savedConfig is what an earlier game's GetConfigData returned.
	function E:start(savedConfig)
		local w = self.widget or self:loadWidget()
		if savedConfig ~= nil and w.SetConfigData then w:SetConfigData(savedConfig) end
		w:Initialize()
		return w
	end

	function E:update(dt)
		self:advance(dt or 1 / 60)
		self.widget:Update(dt or 1 / 60)
	end

	-- Runs `n` game frames (GameFrame callins) then one draw Update.
	function E:frames(n, dt)
		for _ = 1, n do
			self.frame = self.frame + 1
			if self.widget.GameFrame then self.widget:GameFrame(self.frame) end
		end
		self:update(dt)
	end

	return E
end

-- The widget's source as the bar-live installer writes it for `port`: the first
-- "local DEFAULT_PORT         = 9876" line rewritten (crates/core/src/install.rs).
M.PORT_LINE = "local DEFAULT_PORT         = 9876"
function M.widgetSource(port, path)
	local f = assert(io.open(path or M.WIDGET_PATH, "rb"))
	local text = f:read("*a")
	f:close()
	if port == nil or port == 9876 then return text end
	local i, j = text:find(M.PORT_LINE, 1, true)
	assert(i, "the installer's port line is missing from the widget")
	return text:sub(1, i - 1) .. "local DEFAULT_PORT         = " .. port .. text:sub(j + 1)
end

return M
