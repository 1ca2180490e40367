-- The fused update encoder (encodeUpdate, used by sendUpdate) against the test
-- oracle (helpers/update_oracle.lua: tables + the generic encoder), and the
-- piecewise number writer against string.format("%.7g").
local fake_engine = require("helpers.fake_engine")
local strict_json = require("helpers.strict_json")
local oracle = require("helpers.update_oracle")

local NUMBER_GRAMMAR = "^%-?%d+%.?%d*[eE]?[-+]?%d*$"

-- Deep equality of decoded JSON (arrays vs objects kept apart).
local function same(a, b, path)
	path = path or "$"
	if type(a) ~= "table" or a == strict_json.NULL or b == strict_json.NULL then
		if a ~= b then return false, path .. ": " .. tostring(a) .. " ~= " .. tostring(b) end
		return true
	end
	if type(b) ~= "table" then return false, path .. ": table vs " .. tostring(b) end
	if strict_json.kind(a) ~= strict_json.kind(b) then return false, path .. ": array vs object" end
	for k, v in pairs(a) do
		local ok, why = same(v, b[k], path .. "." .. tostring(k))
		if not ok then return false, why end
	end
	for k in pairs(b) do
		if a[k] == nil then return false, path .. "." .. tostring(k) .. " missing" end
	end
	return true
end

-- Values the engine might hand over, nasty ones included.
local SPECIAL = { 0 / 0, math.huge, -math.huge, 1e30, -1e30, 1e-30, 1e-5, -1e-5, -0.0, 0, 2 ^ 24, 2 ^ 24 + 1,
	-2 ^ 24, 2 ^ 31, -2 ^ 31, 2 ^ 31 - 1, 1e7, 9999999.5, 999.99996, 0.01, 0.0099999, 1e-4, 0.1, 1 / 3,
	812.53, 0.99, 12345.678, 1e8 + 0.5, 99999999, 100000000, 16383, 16384, 9999, 10000 }

local function randomNumber(rnd)
	local r = rnd()
	if r < 0.3 then return SPECIAL[math.random(#SPECIAL)] end
	if r < 0.5 then return math.random(-100, 100000) end
	local v = math.random() * 10 ^ math.random(-6, 9)
	if math.random() < 0.3 then v = -v end
	return v
end

local function randomGame(seed)
	math.randomseed(seed)
	local rnd = math.random
	local unitDefs = {}
	for id = 1, 30 do
		unitDefs[id] = { name = "u" .. id, humanName = "U" .. id, metalCost = id, energyCost = id,
			customParams = {}, canMove = true, weapons = {} }
	end
	local teams = {}
	-- every 5th game gets input the engine never gives (nil resource values, a
	-- string in the stats entry): written as null all the same
	local nilRate = seed % 5 == 0 and 0.05 or 0
	for t = 0, rnd(1, 6) do
		local function res()
			local v = {}
			for i = 1, 9 do
				if rnd() < nilRate then v[i] = nil else v[i] = randomNumber(rnd) end
			end
			return v
		end
		local units = {}
		for k = 1, rnd(0, 12) do
			units[k] = { def = rnd(1, 34), -- 31..34: unknown defs
				x = randomNumber(rnd), z = randomNumber(rnd), hp = randomNumber(rnd),
				maxHp = rnd() < 0.2 and 0 or randomNumber(rnd), build = randomNumber(rnd) }
		end
		teams[#teams + 1] = { id = t, ally = t % 3, name = "P" .. t, units = units, metal = res(), energy = res(),
			unknown = rnd() < 0.3 and rnd(0, 5) or nil }
	end
	local E = fake_engine.new({ teams = teams, unitDefs = unitDefs, spectating = rnd() < 0.7,
		fullView = rnd() < 0.7, myTeam = 0, gaia = rnd() < 0.5 and #teams - 1 or nil })
	for _, team in pairs(E.teams) do
		for _, u in ipairs(team.units) do
			if rnd() < 0.2 then u.build = nil end
			if rnd() < 0.1 then u.hp = nil end
			if seed % 5 == 0 and rnd() < 0.1 then
				u.x, u.maxHp, u.build = ({ "far", true, {} })[rnd(1, 3)], "full", false
			end
		end
		if rnd() < 0.8 then
			local entry = {}
			for _, k in ipairs({ "time", "frame", "metalUsed", "metalProduced", "energyExcess", "damageDealt",
				"unitsKilled", "unitsOutCaptured", "notAStat" }) do
				if rnd() < 0.8 then entry[k] = randomNumber(rnd) end
			end
			if seed % 5 == 0 and rnd() < 0.3 then entry.metalSent = "not a number" end
			team.stats[1] = entry
		end
	end
	E.frame = rnd(0, 100000)
	E.paused = rnd() < 0.5
	E.speed = randomNumber(rnd)
	return E
end

describe("fused update encoder", function()
	it("equals the oracle (tables + the generic encoder), decoded, for randomized games", function()
		for seed = 1, 150 do
			local E = randomGame(seed)
			E:loadWidget()
			local T = E.internals
			E:start()
			local level = ({ "minimal", "standard", "detailed" })[seed % 3 + 1]
			local maxUnits = math.random(0, 40)
			local d1, n1, d2, n2 = {}, {}, {}, {}
			local fused, err = oracle.encodeFused(T, level, maxUnits, d1, n1, seed)
			-- input the engine never gives (nil resource values, strings) included: never refused
			assert(fused, "seed " .. seed .. ": " .. tostring(err))
			local generic = oracle.encodeOracle(T, E.Spring, level, maxUnits, d2, n2, seed)
			assert(strict_json.validUtf8(fused))
			local a, b = strict_json.parse(fused), strict_json.parse(generic)
			local ok, why = same(a, b)
			assert(ok, "seed " .. seed .. " " .. level .. ": " .. tostring(why) .. "\n" .. fused .. "\n" .. generic)
			table.sort(n1)
			table.sort(n2)
			assert.are.same(n2, n1)
			assert.are.same(d2, d1)
			-- every number in the output is a plain JSON number
			for num in fused:gmatch("[:%[,](%-?[%d][^,%]}]*)") do
				assert(num:match(NUMBER_GRAMMAR), "bad number " .. num)
			end
		end
	end)

	it("writes null for engine values that are not numbers, without an encode error", function()
		local lib = require("helpers.fake_socket").new()
		lib.mode = "ok"
		local E = fake_engine.new({ socket = lib, teams = {
			{ id = 0, ally = 0, metal = { 1.5, nil, 3, 4, 5, 6, 7, 8, 0 / 0 }, units = { { def = 3 } } },
			{ id = 1, ally = 0, energy = { "12.5", 2, 3, 4, 5, 6, 7, 8, true } } } })
		E.teams[0].stats[1] = { time = 15, metalSent = "lots", damageDealt = math.huge }
		E:loadWidget()
		local T = E.internals
		E:start()
		E:update()
		E:frames(15)
		assert.are.equal(0, T.counters.encodeErrors)
		local msgs = {}
		for _, p in ipairs(strict_json.frames(lib.last().out)) do msgs[#msgs + 1] = strict_json.parse(p) end
		local upd = msgs[#msgs]
		assert.are.equal("update", upd.type)
		local NULL = strict_json.NULL
		assert.are.equal(NULL, upd.teams[1].metal.storage)
		assert.are.equal(NULL, upd.teams[1].metal.excess)
		assert.are.equal(1.5, upd.teams[1].metal.current)
		assert.are.equal(NULL, upd.teams[2].energy.current)
		assert.are.equal(NULL, upd.teams[2].energy.excess)
		assert.are.equal(2, upd.teams[2].energy.storage)
		assert.are.same({ 15, NULL, NULL }, { upd.teams[1].stats.time, upd.teams[1].stats.metal_sent,
			upd.teams[1].stats.damage_dealt })
		assert.are.equal(3, msgs[2].defs[1].id)
		for i, m in ipairs(msgs) do assert.are.equal(i, m.seq) end
	end)

	it("writes null for a unit's missing health and build (the schema requires both)", function()
		local lib = require("helpers.fake_socket").new()
		lib.mode = "ok"
		local E = fake_engine.new({ socket = lib, teams = { { id = 0, ally = 0, units = {
			{ def = 1, maxHp = 0, build = 0.5 }, { def = 2 } } } } })
		E.teams[0].units[2].build = nil
		E:loadWidget()
		E:start({ level = "detailed" })
		E:update()
		E:frames(15)
		local msgs = {}
		for _, p in ipairs(strict_json.frames(lib.last().out)) do msgs[#msgs + 1] = strict_json.parse(p) end
		local units = msgs[#msgs].units
		assert.are.same({ strict_json.NULL, 0.5 }, { units[1].health, units[1].build })
		assert.are.same({ 1, strict_json.NULL }, { units[2].health, units[2].build })
	end)

	it("is what sendUpdate queues, with the connection's seq", function()
		local lib = require("helpers.fake_socket").new()
		lib.mode = "ok"
		local E = fake_engine.new({ socket = lib, spectating = true, fullView = true,
			teams = { { id = 0, ally = 0, units = { { def = 1 }, { def = 3, x = 5.5, z = -0.4, hp = 31, build = 0.25 } } },
				{ id = 1, ally = 1, units = { { def = 2 } } } } })
		E:loadWidget()
		local T = E.internals
		E:start({ level = "detailed" })
		E:update()
		E:frames(15)
		local msgs = {}
		for _, p in ipairs(strict_json.frames(lib.last().out)) do msgs[#msgs + 1] = strict_json.parse(p) end
		local upd = msgs[#msgs]
		assert.are.equal("update", upd.type)
		assert.are.equal(#msgs, upd.seq)
		for i, m in ipairs(msgs) do assert.are.equal(i, m.seq) end
		assert.are.same({ "hello", "unit_defs", "update" }, { msgs[1].type, msgs[2].type, msgs[3].type })
		local ref = oracle.encodeOracle(T, E.Spring, "detailed", 1000, {}, {}, upd.seq)
		assert(same(upd, strict_json.parse(ref)))
	end)

	it("counts an engine error as an encode error, forgets the new defs and keeps going", function()
		local lib = require("helpers.fake_socket").new()
		lib.mode = "ok"
		local E = fake_engine.new({ socket = lib, teams = { { id = 0, ally = 0, units = { { def = 3 } } } } })
		local boom = true
		local real = E.Spring.GetTeamStatsHistory
		E.Spring.GetTeamStatsHistory = function(...)
			if boom then error("engine hiccup") end
			return real(...)
		end
		E:loadWidget()
		local T = E.internals
		E:start()
		E:update()
		E:frames(15)
		assert.is_true(T.counters.encodeErrors >= 1)
		assert.is_nil(T.conn.describedDefs[3])
		boom = false
		E:frames(15)
		local msgs = {}
		for _, p in ipairs(strict_json.frames(lib.last().out)) do msgs[#msgs + 1] = strict_json.parse(p) end
		assert.are.equal("update", msgs[#msgs].type)
		assert.are.equal("unit_defs", msgs[#msgs - 1].type)
		assert.are.equal(3, msgs[#msgs - 1].defs[1].id)
	end)
end)

describe("number writer", function()
	local T
	setup(function()
		local E = fake_engine.new({})
		E:loadWidget()
		T = E.internals.Json
	end)

	it("agrees with %.7g to the 7th significant digit, in valid JSON", function()
		math.randomseed(7)
		local function check(v)
			local s = T.formatNumber(v)
			assert(s:match(NUMBER_GRAMMAR), s)
			local ref = tonumber(string.format("%.7g", v))
			local got = tonumber(s)
			local unit = 10 ^ (math.floor(math.log10(math.abs(ref))) - 6)
			assert(math.abs(got - ref) <= unit * 1.000001, string.format("%.17g -> %s, want %.7g", v, s, v))
			if v % 1 ~= 0 then
				local digits = s:gsub("e.*", ""):gsub("[^%d]", ""):gsub("^0+", "")
				assert(#digits <= 8, s) -- 7 digits, or 10000000 after rounding up
			end
		end
		for _ = 1, 20000 do
			local v = math.random() * 10 ^ math.random(-8, 10)
			if math.random() < 0.5 then v = -v end
			check(v)
			check(math.floor(v * 1000 + 0.5) / 1000)
		end
		for _, v in ipairs(SPECIAL) do
			if v == v and v ~= math.huge and v ~= -math.huge and v ~= 0 then check(v) end
		end
	end)

	it("formats exactly where it matters", function()
		local cases = {
			[0] = "0", [16777216] = "16777216", [16777217] = "16777217", [-16777216] = "-16777216",
			[2147483646] = "2147483646", [2147483647] = "2.147484e+09", [-2147483648] = "-2.147484e+09", [1e20] = "1e+20",
			[812.5] = "812.5", [0.99] = "0.99", [0.9900000095367432] = "0.99", [3.2000000476837] = "3.2",
			[1 / 3] = "0.3333333", [0.05] = "0.05", [0.0105] = "0.0105", [1.0001] = "1.0001",
			[10000.5] = "10000.5", [123456.75] = "123456.8", [999.99996] = "1000", [9999999.6] = "10000000",
			[0.001] = "0.001", [1e-5] = "1e-05", [12345678.5] = "1.234568e+07", [-3.25] = "-3.25",
			[100000001.5] = "1e+08", [0.10000001] = "0.1",
		}
		for v, want in pairs(cases) do
			assert.are.equal(want, T.formatNumber(v), string.format("%.17g", v))
		end
		assert.are.equal("0", T.formatNumber(-0.0))
		assert.are.equal("null", T.formatNumber(0 / 0))
		assert.are.equal("null", T.formatNumber(math.huge))
		assert.are.equal("null", T.formatNumber(-math.huge))
	end)
end)
