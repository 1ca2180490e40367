-- The test oracle for the widget's `update` message: built the plain, slow way
-- (Lua tables, then the widget's generic JSON encoder), straight from the
-- engine's functions. The widget ships only its fused encoder (encodeUpdate,
-- reads the engine and writes JSON in one pass); update_encoder_spec.lua checks
-- that both give the same JSON value. Used by the specs and the bench, never by
-- the game.
--
-- What an update holds (docs/PROTOCOL.md): per readable team (GetTeamResources
-- not nil; Gaia only with units) the nine metal and energy values, units.total,
-- and from level standard on units.by_def (known defs only), units.unknown and
-- the latest statistics entry; at level detailed a unit list capped at maxUnits
-- with units_omitted. Engine values that are not numbers (nil, NaN, +-inf,
-- anything else) are written as null.
local M = {}

-- The generic encoder writes NaN as null.
local NULL = 0 / 0

local function num(v)
	if type(v) == "number" then return v end
	return NULL
end

local function clamp01(v)
	return math.max(0, math.min(1, v))
end

local RES_KEYS = { "current", "storage", "pull", "income", "expense", "share", "sent", "received", "excess" }

-- collectUpdate(I, Spring, level, maxUnits, described, newDefs) -> the update
-- as a table (without schema_version/seq). I: the widget's internals (view,
-- defInfo, LEVELS, STATS_KEYS, Json); Spring: the engine's functions. Def ids
-- not in `described` are added to it and appended to newDefs, in the order met.
function M.collectUpdate(I, Spring, level, maxUnits, described, newDefs)
	local Json = I.Json
	local lv = I.LEVELS[level] or 2
	local _, speed, paused = Spring.GetGameSpeed()
	local msg = {
		type = "update",
		game_frame = num(Spring.GetGameFrame()),
		game_seconds = num(Spring.GetGameSeconds and Spring.GetGameSeconds() or 0),
		paused = paused and true or false,
		speed = num(speed),
	}
	local function describe(defID)
		if not described[defID] then
			described[defID] = true
			newDefs[#newDefs + 1] = defID
		end
	end
	local function resources(teamID, kind)
		local v = { Spring.GetTeamResources(teamID, kind) }
		if v[1] == nil and v[2] == nil then return nil end
		local out = Json.object({})
		for i, key in ipairs(RES_KEYS) do out[key] = num(v[i]) end
		return out
	end
	local gaia = Spring.GetGaiaTeamID and Spring.GetGaiaTeamID()
	local teams = Json.array({})
	local readTeams = {}
	for _, teamID in ipairs(I.view.teams) do
		local metal = resources(teamID, "metal")
		local listed = teamID ~= gaia or (Spring.GetTeamUnitCount(teamID) or 0) > 0
		local energy = metal and listed and resources(teamID, "energy")
		if energy then
			local total = Spring.GetTeamUnitCount(teamID)
			if type(total) ~= "number" then total = 0 end
			local units = Json.object({ total = total })
			local team = Json.object({ team_id = teamID, metal = metal, energy = energy, units = units })
			if lv >= 2 then
				local byDef = Json.object({})
				local counts = Spring.GetTeamUnitsCounts and Spring.GetTeamUnitsCounts(teamID)
				if type(counts) == "table" then
					for defID, count in pairs(counts) do
						if type(defID) == "number" and I.defInfo(defID) then
							byDef[defID] = num(count)
							describe(defID)
						elseif defID == "unknown" and type(count) == "number" then
							units.unknown = count
						end
					end
				end
				units.by_def = byDef
				local n = Spring.GetTeamStatsHistory and Spring.GetTeamStatsHistory(teamID)
				if type(n) == "number" and n > 0 then
					local hist = Spring.GetTeamStatsHistory(teamID, n, n)
					local entry = type(hist) == "table" and hist[1]
					if type(entry) == "table" then
						local stats = Json.object({})
						for k, v in pairs(entry) do
							if I.STATS_KEYS[k] then stats[I.STATS_KEYS[k]] = num(v) end
						end
						team.stats = stats
					end
				end
			end
			teams[#teams + 1] = team
			readTeams[#readTeams + 1] = teamID
		end
	end
	msg.teams = teams
	if lv >= 3 then
		local list = Json.array({})
		local count, omitted = 0, 0
		for _, teamID in ipairs(readTeams) do
			for _, unitID in ipairs(Spring.GetTeamUnits(teamID) or {}) do
				if count >= maxUnits then
					omitted = omitted + 1
				else
					local defID = Spring.GetUnitDefID(unitID)
					local x, _, z = Spring.GetUnitPosition(unitID)
					if defID and type(x) == "number" and type(z) == "number" and I.defInfo(defID) then
						local hp, maxHp, _, _, build = Spring.GetUnitHealth(unitID)
						local health = NULL
						if type(hp) == "number" and type(maxHp) == "number" and maxHp > 0 then
							health = clamp01(hp / maxHp)
						end
						describe(defID)
						count = count + 1
						list[count] = Json.object({ id = unitID, def = defID, team = teamID,
							x = math.floor(x + 0.5), z = math.floor(z + 0.5), health = health,
							build = type(build) == "number" and clamp01(build) or NULL })
					end
				end
			end
		end
		msg.units = list
		msg.units_omitted = omitted
	end
	return msg
end

-- The oracle's update as JSON, with schema_version and `seq`.
function M.encodeOracle(I, Spring, level, maxUnits, described, newDefs, seq)
	local msg = M.collectUpdate(I, Spring, level, maxUnits, described, newDefs)
	msg.schema_version, msg.seq = 1, seq or 0
	return assert(I.Json.encode(msg))
end

-- The widget's fused encoder as a string with `seq`, or nil and its error.
function M.encodeFused(I, level, maxUnits, described, newDefs, seq)
	local ok, n = pcall(I.encodeUpdate, level, maxUnits, described, newDefs)
	if not ok then return nil, n end
	I.updateBuf[I.UPDATE_SEQ_SLOT] = I.Json.formatNumber(seq or 0)
	return table.concat(I.updateBuf, "", 1, n)
end

return M
