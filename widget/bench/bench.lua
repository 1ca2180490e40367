-- Widget benchmarks (plain lua5.1, like the engine's Lua 5.1 interpreter).
--   lua5.1 widget/bench/bench.lua [--iterations N] [--widget PATH] [--slow-engine]
-- 1. our generic encoder vs dkjson (Debian lua-dkjson) on a 16-team `standard` update (the message built
--    by the test oracle, widget/spec/helpers/update_oracle.lua)
-- 2. the whole update: collect + encode + frame + queue, `standard`, at 1v1 (2 teams), 8v8 (16 teams in
--    2 ally teams) and a 16-way FFA (16 ally teams; the ally layout only shows in hello, so this row
--    should match 8v8 within noise)
-- 3. the whole update at `detailed`, 8v8: 63 units per team (1008), 1000 sent (max_units cap)
-- Reports medians over batches (the machine is noisy: compare ratios, and run
-- before/after comparisons back to back; --widget PATH benchmarks another copy
-- of the widget file, e.g. `git show HEAD~1:widget/bar_live_export.lua`; copies
-- from before the test hook, which exported widget._test, work too).
--
-- The fake engine: in the game, Spring.* are C functions. The spec helper's
-- stand-ins compute their results in Lua (GetTeamUnitsCounts counts units,
-- GetUnitPosition looks units up, ...), which would bill the fake engine's
-- work to the widget. So by default the bench swaps in cheap stand-ins that
-- return pre-built values (a plain Lua call each, still not free: the
-- "engine calls" line measures exactly those calls, in the widget's pattern,
-- so "ours" = whole - engine calls). --slow-engine keeps the spec helper's.
local HERE = debug.getinfo(1, "S").source:sub(2):match("^(.*)/[^/]*$") or "."
package.path = HERE .. "/../spec/?.lua;" .. package.path
local fake_engine = require("helpers.fake_engine")
local fake_socket = require("helpers.fake_socket")
local oracle = require("helpers.update_oracle")

local iterations = 2000
local widgetPath
local slowEngine = false
for i = 1, #arg do
	if arg[i] == "--iterations" then iterations = tonumber(arg[i + 1]) end
	if arg[i] == "--widget" then widgetPath = arg[i + 1] end
	if arg[i] == "--slow-engine" then slowEngine = true end
end
local BATCH = math.max(1, math.floor(iterations / 50))

-- Replaces the data calls with ones returning pre-built values (see above).
local function cheapEngine(E)
	local S = E.Spring
	local res, counts, unitLists, stats = { metal = {}, energy = {} }, {}, {}, {}
	local defOf, xOf, zOf, hpOf, maxHpOf, buildOf = {}, {}, {}, {}, {}, {}
	for id, t in pairs(E.teams) do
		if E:canRead(id) then
			res.metal[id], res.energy[id] = t.metal, t.energy
		end
		counts[id] = S.GetTeamUnitsCounts(id)
		local list = {}
		for k, u in ipairs(t.units) do
			list[k] = u.id
			defOf[u.id], xOf[u.id], zOf[u.id] = u.def, u.x, u.z
			hpOf[u.id], maxHpOf[u.id], buildOf[u.id] = u.hp, u.maxHp, u.build
		end
		unitLists[id] = list
		stats[id] = { t.stats[#t.stats] }
	end
	local nStats = {}
	for id, t in pairs(E.teams) do nStats[id] = #t.stats end
	S.GetTeamResources = function(teamID, kind)
		local v = res[kind][teamID]
		if v then return v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9] end
	end
	S.GetTeamUnitsCounts = function(teamID) return counts[teamID] end
	S.GetTeamStatsHistory = function(teamID, i)
		if i == nil then return nStats[teamID] end
		return stats[teamID]
	end
	S.GetTeamUnits = function(teamID) return unitLists[teamID] end
	S.GetUnitDefID = function(unitID) return defOf[unitID] end
	S.GetUnitPosition = function(unitID) return xOf[unitID], 0, zOf[unitID] end
	S.GetUnitHealth = function(unitID) return hpOf[unitID], maxHpOf[unitID], 0, 0, buildOf[unitID] end
end

-- The engine calls one update makes, in the widget's pattern (for the split).
local function engineCalls(E, level)
	local S = E.Spring
	local teams = S.GetTeamList()
	local detailed = level == "detailed"
	return function()
		S.GetGameSpeed(); S.GetGameFrame(); S.GetGameSeconds(); S.GetGaiaTeamID()
		for i = 1, #teams do
			local t = teams[i]
			S.GetTeamResources(t, "metal"); S.GetTeamResources(t, "energy"); S.GetTeamUnitCount(t)
			if level ~= "minimal" then
				S.GetTeamUnitsCounts(t)
				local n = S.GetTeamStatsHistory(t)
				S.GetTeamStatsHistory(t, n, n)
			end
		end
		if detailed then
			for i = 1, #teams do
				local list = S.GetTeamUnits(teams[i])
				for k = 1, #list do
					local u = list[k]
					S.GetUnitDefID(u); S.GetUnitPosition(u); S.GetUnitHealth(u)
				end
			end
		end
	end
end

-- nTeams teams (default 16), ~40 unit defs each, realistic float resources, a stats entry.
-- Ally teams: two (team t in ally t % 2, so 16 teams = 8v8, 2 teams = 1v1), or one per team when ffa.
local function game(unitsPerTeam, level, nTeams, ffa)
	local unitDefs = {}
	for id = 1, 400 do
		unitDefs[id] = { name = "unit" .. id, humanName = "Unit " .. id, metalCost = id * 10, energyCost = id * 100,
			customParams = {}, canMove = id % 3 ~= 0, weapons = id % 2 == 0 and { {} } or {} }
	end
	local teams = {}
	for t = 0, (nTeams or 16) - 1 do
		local units = {}
		for k = 1, unitsPerTeam do
			units[k] = { def = ((t * 37 + k) % 400) + 1, x = 100.37 * k, z = 57.91 * t, hp = 431.7, maxHp = 560,
				build = k % 7 == 0 and 0.4312 or 1 }
		end
		teams[#teams + 1] = { id = t, ally = ffa and t or t % 2, name = "Player " .. t, units = units,
			metal = { 812.53, 1500, 13.27, 21.5, 12.9, 0.99, 0, 3.1, 0.25 },
			energy = { 4950.2, 6000, 220.4, 310.7, 201.3, 0.95, 0, 0, 12.1 } }
	end
	local lib = fake_socket.new()
	lib.mode = "ok"
	local E = fake_engine.new({ teams = teams, unitDefs = unitDefs, spectating = true, fullView = true,
		socket = lib })
	for _, team in pairs(E.teams) do
		team.stats[1] = { time = 900, frame = 27000, metalUsed = 15234.5, metalProduced = 16001.25,
			metalExcess = 12.5, metalReceived = 0, metalSent = 0, energyUsed = 250001.5, energyProduced = 260123.75,
			energyExcess = 1200, energyReceived = 0, energySent = 0, damageDealt = 45012.5, damageReceived = 39001,
			unitsProduced = 120, unitsDied = 40, unitsReceived = 0, unitsSent = 0, unitsCaptured = 0,
			unitsOutCaptured = 0, unitsKilled = 38 }
	end
	-- before loading: the widget keeps Spring.* functions in locals
	if not slowEngine then cheapEngine(E) end
	E:loadWidget(widgetPath)
	E:start({ level = level, maxUnits = 1000 })
	return E, E.internals
end

-- What the bench needs from the widget: the internals from the test hook, or an
-- older copy's widget._test (which had collectUpdate and a string-returning
-- encodeUpdate).
local function parts(E, T)
	if T.Json then
		return T.Json.encode,
			function(...) return oracle.collectUpdate(T, E.Spring, ...) end,
			function(...) return oracle.encodeFused(T, ...) end
	end
	return T.encode, T.collectUpdate, T.encodeUpdate
end

local function median(t)
	table.sort(t)
	local n = #t
	if n % 2 == 1 then return t[(n + 1) / 2] end
	return (t[n / 2] + t[n / 2 + 1]) / 2
end

-- Returns the median ms per call of fn over batches.
local function measure(fn, after)
	local samples = {}
	for _ = 1, math.max(1, math.floor(BATCH / 5)) do fn(); if after then after() end end -- warm up
	for _ = 1, math.max(3, math.floor(iterations / BATCH)) do
		local total = 0
		for _ = 1, BATCH do
			local t0 = os.clock()
			fn()
			total = total + (os.clock() - t0)
			if after then after() end
		end
		samples[#samples + 1] = total / BATCH * 1000
	end
	return median(samples)
end

local ok, dkjson = pcall(require, "dkjson")
local function out(s) print(s) end
out(string.format("iterations %d, %s, %s engine stand-ins%s", iterations, _VERSION,
	slowEngine and "spec-helper (slow)" or "cheap pre-built", widgetPath and (", widget " .. widgetPath) or ""))

-- 1. encoder vs dkjson
do
	local E, T = game(40, "standard")
	local encode, collectUpdate = parts(E, T)
	local msg = collectUpdate("standard", 1000, {}, {})
	msg.schema_version, msg.seq = 1, 1
	local ours = encode(msg)
	local ms = measure(function() encode(msg) end)
	out(string.format("generic encoder, 16-team standard update (%d bytes): ours %.4f ms", #ours, ms))
	if ok then
		assert(dkjson.decode(ours), "dkjson cannot read our output")
		local dk = measure(function() dkjson.encode(msg) end)
		out(string.format("  same with dkjson %.4f ms -> ours is %.1fx faster", dk, dk / ms))
	else
		out("dkjson not installed (apt install lua-dkjson): comparison skipped")
	end
end

-- 2./3. whole update: collect + encode + frame + queue
local function whole(level, unitsPerTeam, label, nTeams, ffa)
	local E, T = game(unitsPerTeam, level, nTeams, ffa)
	E:update() -- connect (fake socket connects at once) and send hello
	T.sendUpdate() -- first update describes unit defs; not what we measure
	T.queue:clear(true)
	local ms = measure(function() T.sendUpdate() end, function() T.queue:clear(true) end)
	T.sendUpdate()
	local bytes = T.queue.items[1] and #T.queue.items[1].data or 0
	local engine = measure(engineCalls(E, level))
	out(string.format("whole update %s (%d bytes): median %.4f ms = engine calls %.4f + ours %.4f",
		label, bytes, ms, engine, ms - engine))
	local _, _, encodeFused = parts(E, T)
	if encodeFused then
		local described = {}
		local fused = measure(function() encodeFused(level, 1000, described, {}, 1) end)
		out(string.format("  of which fused collect+encode to a string %.4f ms", fused))
	end
	return ms
end
whole("standard", 40, "1v1 (2 teams) standard", 2)
whole("standard", 40, "8v8 (16 teams) standard", 16)
whole("standard", 40, "16-team FFA standard", 16, true)
whole("detailed", 63, "8v8 (16 teams) detailed, 1000 units", 16)
