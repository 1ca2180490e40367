local S = require("helpers.setup")
local strict_json = require("helpers.strict_json")

local function teamIds(msg)
	local ids = {}
	for i, t in ipairs(msg.teams) do ids[i] = t.team_id end
	return ids
end

local THREE_TEAMS = {
	{ id = 0, ally = 0, name = "\255\255\64\64Alice\b", units = { { def = 1 }, { def = 2 }, { def = 2 } } },
	{ id = 1, ally = 0, name = 'Bo"b\\', ai = true, units = { { def = 3 } } },
	{ id = 2, ally = 1, name = "Carol", units = { { def = 4 }, { def = 5 } } },
	{ id = 3, ally = 2, name = "Gaia", units = {} },
}

local function connected(opts)
	local E, lib, w, T = S.start(opts)
	assert(S.tickUntil(E, "connected"))
	return E, lib, w, T, lib.last()
end

describe("hello", function()
	it("describes game and readable teams, with clean names and #rrggbb colours", function()
		local E, _, _, _, s = connected({ teams = THREE_TEAMS, gaia = 3, spectating = true, fullView = true })
		E:update()
		local hello = S.messages(s)[1]
		assert.are.equal("hello", hello.type)
		assert.are.equal(1, hello.schema_version)
		assert.are.equal("Live Data Export", hello.widget.name)
		assert.are.equal("Beyond All Reason", hello.game.game_name)
		assert.are.equal("2025.04.08", hello.game.engine_version)
		assert.is_true(hello.game.spectating)
		assert.is_true(hello.game.full_view)
		assert.are.same({ 0, 1, 2 }, teamIds(hello)) -- Gaia has no units: left out
		assert.are.equal("Alice", hello.teams[1].name)
		assert.are.equal('Bo"b\\', hello.teams[2].name)
		assert.is_true(hello.teams[2].is_ai)
		assert.are.equal(1, hello.teams[3].ally_team_id)
		for _, t in ipairs(hello.teams) do assert.truthy(t.color:match("^#%x%x%x%x%x%x$")) end
		assert.are.equal(15, hello.config.interval_frames)
		assert.are.equal("standard", hello.config.level)
	end)

	it("lists Gaia only when it has units", function()
		local E = connected({ teams = THREE_TEAMS, gaia = 3, spectating = true, fullView = true })
		E:addUnit(3, 2)
		E:command("disconnect"); E:command("connect")
		S.tickUntil(E, "connected")
		E:update()
		local hello = S.messages(E.socket.last())[1]
		assert.are.same({ 0, 1, 2, 3 }, teamIds(hello))
		assert.is_true(hello.teams[4].is_gaia)
	end)
end)

describe("update", function()
	it("a player sees only its ally team; other teams are absent, not zero", function()
		local E, _, _, _, s = connected({ teams = THREE_TEAMS, myTeam = 0 })
		E:frames(15)
		local upd = S.ofType(S.messages(s), "update")
		assert.are.same({ 0, 1 }, teamIds(upd[#upd]))
		assert.are.same({ 0, 1 }, teamIds(S.messages(s)[1]))
	end)

	it("a spectator without full view sees its ally team; with full view sees all", function()
		local E, _, _, _, s = connected({ teams = THREE_TEAMS, myTeam = 2, spectating = true, fullView = false })
		E:frames(15)
		local upd = S.ofType(S.messages(s), "update")
		assert.are.same({ 2 }, teamIds(upd[#upd]))
		E, _, _, _, s = connected({ teams = THREE_TEAMS, myTeam = 2, spectating = true, fullView = true, gaia = 3 })
		E:frames(15)
		upd = S.ofType(S.messages(s), "update")
		assert.are.same({ 0, 1, 2 }, teamIds(upd[#upd]))
	end)

	it("sends all 9 resource values for metal and energy", function()
		local E, _, _, _, s = connected({ teams = { { id = 0, ally = 0,
			metal = { 1, 2, 3, 4, 5, 0.5, 7, 8, 0 / 0 } } } })
		E:frames(15)
		local t = S.ofType(S.messages(s), "update")[1].teams[1]
		local keys = { "current", "storage", "pull", "income", "expense", "share", "sent", "received", "excess" }
		for _, k in ipairs(keys) do
			assert.is_not_nil(t.metal[k], k)
			assert.is_not_nil(t.energy[k], k)
		end
		assert.are.equal(0.5, t.metal.share)
		assert.are.equal(strict_json.NULL, t.metal.excess)
	end)

	it("minimal: units.total only", function()
		local E, _, _, _, s = connected({ teams = THREE_TEAMS, config = { level = "minimal" } })
		E:frames(15)
		local msgs = S.messages(s)
		local t = S.ofType(msgs, "update")[1].teams[1]
		assert.are.equal(3, t.units.total)
		assert.is_nil(t.units.by_def)
		assert.is_nil(t.stats)
		assert.are.equal(0, #S.ofType(msgs, "unit_defs"))
	end)

	it("standard: by_def and the latest stats entry fetched as (n, n); defs described first", function()
		local E, _, _, _, s = connected({ teams = THREE_TEAMS, myTeam = 2 })
		local team = E.teams[2]
		team.unknown = 4
		for i = 1, 5 do
			team.stats[i] = { time = i * 15, frame = i * 450, metalUsed = i, unitsKilled = 2, damageDealt = 0.5 }
		end
		E:frames(15)
		local msgs = S.messages(s)
		local upd = S.ofType(msgs, "update")[1]
		local t = upd.teams[1]
		assert.are.equal("object", strict_json.kind(t.units.by_def))
		assert.are.equal(1, t.units.by_def["4"])
		assert.are.equal(1, t.units.by_def["5"])
		assert.are.equal(4, t.units.unknown)
		assert.are.equal(75, t.stats.time)
		assert.are.equal(5, t.stats.metal_used)
		assert.are.equal(2, t.stats.units_killed)
		for _, call in ipairs(E.statsHistoryCalls) do assert.are.same({ 2, 5, 5 }, call) end
		-- every def used was described earlier on this connection
		local described = {}
		for _, m in ipairs(msgs) do
			if m.type == "unit_defs" then
				for _, d in ipairs(m.defs) do described[d.id] = d end
			elseif m.type == "update" then
				for _, tm in ipairs(m.teams) do
					for k in pairs(tm.units.by_def or {}) do assert.is_not_nil(described[tonumber(k)], k) end
				end
			end
		end
		assert.are.equal("factory", described[4].category)
		assert.are.equal('Sentry "LLT"\\ ', described[5].label)
	end)

	-- In the engine the last history entry is the live accumulator (Recoil's
	-- CTeam::GetCurrentStats() is statHistory.back(); GetTeamStatsHistory reports
	-- the current frame for it): it changes every second while the count stays
	-- put for 15 s. Checked in Spring 106 (tests/engine): stats.frame == game_frame
	-- and metal_produced grows every 30 frames. So the entry must not be cached
	-- by history count.
	it("standard: stats follow the live last entry, not just the history count", function()
		local E, _, _, _, s = connected({ teams = THREE_TEAMS, myTeam = 2 })
		local entry = { time = 1, frame = 30, metalProduced = 1.5, unitsKilled = 0 }
		E.teams[2].stats[1] = entry
		E:frames(15)
		entry.time, entry.frame, entry.metalProduced, entry.unitsKilled = 2, 60, 3.25, 1 -- same count
		E:frames(15)
		local ups = S.ofType(S.messages(s), "update")
		local first, last = ups[#ups - 1].teams[1].stats, ups[#ups].teams[1].stats
		assert.are.same({ 1, 30, 1.5, 0 }, { first.time, first.frame, first.metal_produced, first.units_killed })
		assert.are.same({ 2, 60, 3.25, 1 }, { last.time, last.frame, last.metal_produced, last.units_killed })
	end)

	it("describes each def once per connection", function()
		local E, _, _, _, s = connected({ teams = THREE_TEAMS })
		for _ = 1, 5 do E:frames(15) end
		E:addUnit(0, 4)
		for _ = 1, 5 do E:frames(15) end
		local defsMsgs = S.ofType(S.messages(s), "unit_defs")
		assert.are.equal(2, #defsMsgs)
		assert.are.equal(4, defsMsgs[2].defs[1].id)
	end)

	it("detailed: a capped unit list with rounded coordinates and units_omitted", function()
		local E, _, _, _, s = connected({ teams = THREE_TEAMS, config = { level = "detailed", maxUnits = 2 } })
		E:frames(15)
		local upd = S.ofType(S.messages(s), "update")[1]
		assert.are.equal(2, #upd.units)
		assert.are.equal(2, upd.units_omitted) -- 4 units in the ally team
		local u = upd.units[1]
		assert.are.equal(100, u.x)
		assert.are.equal(201, u.z)
		assert.are.equal(1, u.health)
		assert.are.equal(1, u.build)
		assert.are.equal(0, u.team)
	end)

	it("samples every 15 game frames by default", function()
		local E, _, _, _, s = connected({})
		for _ = 1, 300 do E:frames(1) end
		local n = #S.ofType(S.messages(s), "update")
		assert.is_true(n >= 20 and n <= 22, tostring(n))
	end)

	it("fast-forwarding replays do not grow the queue", function()
		local E, lib, _, T = connected({ replay = true })
		lib.capacity = 0
		for _ = 1, 20 do E:frames(3000) end
		assert.is_true(T.queue:count() <= 22)
		lib.capacity = nil
		E:update()
		local n = #S.ofType(S.messages(lib.last()), "update")
		assert.is_true(n <= 21, tostring(n))
	end)

	it("emits a stats message every 5 s", function()
		local E, _, _, _, s = connected({})
		for _ = 1, 11 * 60 do E:frames(1, 1 / 60) end
		local stats = S.ofType(S.messages(s), "stats")
		assert.are.equal(2, #stats)
		assert.is_number(stats[1].collect_ms)
		assert.is_number(stats[1].bytes_per_sec)
		assert.is_true(stats[2].messages_per_sec > 1)
	end)
end)

describe("events", function()
	it("sends game_start, game_over, team_died, pause/unpause", function()
		local E, _, w, _, s = connected({})
		w:GameStart()
		E.frame = 1800
		w:TeamDied(1)
		w:GamePaused(3, true)
		w:GamePaused(3, false)
		w:GameOver()
		w:GameOver({ 0 })
		E:update()
		local ev = S.ofType(S.messages(s), "event")
		local names = {}
		for i, e in ipairs(ev) do names[i] = e.name end
		assert.are.same({ "game_start", "team_died", "paused", "unpaused", "game_over", "game_over" }, names)
		assert.are.equal(1, ev[2].team_id)
		assert.are.equal(1800, ev[2].game_frame)
		assert.are.equal(3, ev[3].player_id)
		assert.is_nil(ev[5].winners)
		assert.are.same({ 0 }, { ev[6].winners[1] })
	end)

	it("player_changed when the view changes, then a new connection with a fresh hello", function()
		local E, lib, w, _, s = connected({ teams = THREE_TEAMS, myTeam = 0, gaia = 3 })
		E:frames(15)
		w:PlayerChanged(5) -- nothing changed for us
		E.spectating, E.fullView = true, true
		w:PlayerChanged(0)
		local msgs = S.messages(s)
		local ev = S.ofType(msgs, "event")
		assert.are.equal(1, #ev)
		assert.are.equal("player_changed", ev[1].name)
		assert.is_true(ev[1].full_view)
		assert.are.equal("bye", msgs[#msgs].type)
		S.tickUntil(E, "connected")
		E:frames(15)
		local hello = S.messages(lib.last())[1]
		assert.are.same({ 0, 1, 2 }, teamIds(hello))
	end)
end)
