-- Fixes for what a BAR player met: the settings menu, timing stats, a caster
-- following players, unit labels, and the port chosen at install time. Each
-- of these failed on the widget before the fix (WIDGET_UNDER_TEST=<old copy>).
local S = require("helpers.setup")
local fake_engine = require("helpers.fake_engine")
local fake_socket = require("helpers.fake_socket")

local function connected(opts)
	local E, lib, w, I = S.start(opts)
	assert(S.tickUntil(E, "connected"))
	return E, lib, w, I, lib.last()
end

-- BAR's options widget as far as we use it: options by id with the value shown,
-- and a log of calls. `lists = false`: an older one without addOptions/removeOptions.
local function fakeOptions(lists)
	local o = { shown = {}, calls = {} }
	local function add(opt) o.shown[opt.id] = opt end
	local function remove(id) o.shown[id] = nil end
	o.addOption = function(opt) o.calls[#o.calls + 1] = "addOption"; add(opt) end
	o.removeOption = function(id) o.calls[#o.calls + 1] = "removeOption"; remove(id) end
	if lists ~= false then
		o.addOptions = function(list)
			o.calls[#o.calls + 1] = "addOptions"
			for _, opt in ipairs(list) do add(opt) end
		end
		o.removeOptions = function(ids)
			o.calls[#o.calls + 1] = "removeOptions"
			for _, id in ipairs(ids) do remove(id) end
		end
	end
	return o
end

-- A widget started with BAR's options widget present.
local function withOptions(lists, opts)
	opts = opts or {}
	local lib = fake_socket.new()
	opts.socket = lib
	local E = fake_engine.new(opts)
	local wgOptions = fakeOptions(lists)
	E.WG.options = wgOptions
	E:loadWidget()
	E:start(opts.config)
	return E, wgOptions, lib
end

describe("settings menu", function()
	it("shows enabled, level, rate and indicator in the basic view, added in one call", function()
		local _, o = withOptions()
		assert.are.same({ "addOptions" }, o.calls)
		for _, id in ipairs({ "livedata_enabled", "livedata_level", "livedata_rate", "livedata_indicator" }) do
			local opt = o.shown[id]
			assert.is_not_nil(opt, id)
			-- category 2 is BAR's advanced view, hidden unless the player ticks it
			assert.is_true(opt.category == nil or opt.category == 1, id)
			assert.are.equal("Live Data Export", opt.widgetname)
		end
		assert.is_true(o.shown.livedata_enabled.value)
		assert.are.equal(2, o.shown.livedata_level.value) -- standard
		assert.are.equal(15, o.shown.livedata_rate.value)
	end)

	it("the rate slider covers every interval the widget accepts (1-300)", function()
		local _, o = withOptions(nil, { config = { interval = 300 } })
		local rate = o.shown.livedata_rate
		assert.are.equal("slider", rate.type)
		assert.is_true(rate.min <= 1 and rate.max >= 300, rate.min .. ".." .. rate.max)
		assert.are.equal(300, rate.value)
	end)

	it("changing an option changes the setting, without rebuilding the window", function()
		local E, o = withOptions()
		local I = E.internals
		o.shown.livedata_rate.onchange(nil, 120.2)
		o.shown.livedata_level.onchange(nil, 3)
		o.shown.livedata_indicator.onchange(nil, false)
		assert.are.same({ 120, "detailed", false }, { I.config.interval, I.config.level, I.config.indicator })
		assert.are.same({ "addOptions" }, o.calls)
		o.shown.livedata_enabled.onchange(nil, false)
		assert.are.equal("disconnected", I.conn.state)
		assert.is_false(I.config.enabled)
		o.shown.livedata_enabled.onchange(nil, true)
		assert.is_true(S.tickUntil(E, "connected"))
	end)

	it("shows a value changed by a command or the app: the option is removed and added again", function()
		local E, o, lib = withOptions()
		assert(S.tickUntil(E, "connected"))
		E:command("rate 240")
		assert.are.equal(240, o.shown.livedata_rate.value)
		assert.are.same({ "addOptions", "removeOptions", "addOptions" }, o.calls)
		lib.last().inbox = fake_socket.frame('{"type":"config","schema_version":1,"level":"minimal"}')
		E:update()
		assert.are.equal(1, o.shown.livedata_level.value)
		assert.are.equal(240, o.shown.livedata_rate.value)
		E:command("disconnect")
		assert.is_false(o.shown.livedata_enabled.value)
		E:command("status") -- changes nothing: no rebuild
		assert.are.equal(7, #o.calls)
	end)

	it("removes every option in one call on Shutdown", function()
		local E, o = withOptions()
		E.widget:Shutdown()
		assert.are.equal("removeOptions", o.calls[#o.calls])
		assert.are.same({}, o.shown)
	end)

	it("falls back to addOption / removeOption per option", function()
		local E, o = withOptions(false)
		assert.are.equal(4, #o.calls)
		E:command("level detailed")
		assert.are.equal(3, o.shown.livedata_level.value)
		E.widget:Shutdown()
		assert.are.same({}, o.shown)
	end)
end)

describe("timing stats", function()
	it("measure sub-millisecond work with GetTimerMicros (GetTimer counts whole ms in Recoil)", function()
		local lib = fake_socket.new()
		lib.mode = "ok"
		local E = fake_engine.new({ socket = lib, recoilTimers = true, spectating = true, fullView = true })
		-- each engine read takes 50 microseconds: 4 per update (2 teams x metal, energy)
		local real = E.Spring.GetTeamResources
		E.Spring.GetTeamResources = function(...)
			E.time = E.time + 0.00005
			return real(...)
		end
		E:loadWidget()
		E:start()
		for _ = 1, 6 * 60 do E:frames(1, 1 / 60) end
		local stats = S.ofType(S.messages(lib.last()), "stats")
		assert.is_true(#stats >= 1)
		local ms = stats[1].collect_ms
		assert.is_true(ms > 0.15 and ms < 0.3, "collect_ms " .. tostring(ms))
	end)
end)

describe("a full-view spectator following players (specteam)", function()
	it("gets player_changed on the same connection, no bye and no reconnect", function()
		local E, lib, w, I, s = connected({ spectating = true, fullView = true, myTeam = 0 })
		E:frames(15)
		E.myTeam = 1 -- the caster clicked Bob: team and ally team change, full view stays
		w:PlayerChanged(0)
		E:frames(15)
		assert.are.equal("connected", I.conn.state)
		assert.are.equal(1, #lib.created)
		local msgs = S.messages(s)
		assert.are.equal(0, #S.ofType(msgs, "bye"))
		local ev = S.ofType(msgs, "event")
		assert.are.equal(1, #ev)
		assert.are.equal("player_changed", ev[1].name)
		assert.is_true(ev[1].full_view)
		assert.are.equal(1, ev[1].my_team_id)
		assert.are.equal("update", msgs[#msgs].type)
		for i, m in ipairs(msgs) do assert.are.equal(i, m.seq) end
	end)

	it("still reconnects when the readable teams change (full view switched off)", function()
		local E, lib, w, _, s = connected({ spectating = true, fullView = true, myTeam = 0 })
		E.fullView = false
		w:PlayerChanged(0)
		local msgs = S.messages(s)
		assert.are.equal("bye", msgs[#msgs].type)
		assert.is_true(S.tickUntil(E, "connected"))
		E:update()
		assert.are.equal(2, #lib.created)
		local hello = S.messages(lib.last())[1]
		assert.are.equal(1, #hello.teams)
	end)
end)

describe("unit labels", function()
	it("use translatedHumanName, then a non-empty humanName, then name", function()
		local defs = {
			[1] = { name = "armcom", humanName = "", translatedHumanName = "Armada Commander", metalCost = 2700,
				energyCost = 26000, customParams = { iscommander = "1" } },
			[2] = { name = "armsolar", humanName = "", metalCost = 155, energyCost = 0, customParams = {} },
			[3] = { name = "armpw", humanName = "Pawn", translatedHumanName = "", metalCost = 54, energyCost = 900,
				customParams = {} },
		}
		local E, _, _, _, s = connected({ unitDefs = defs, teams = { { id = 0, ally = 0,
			units = { { def = 1 }, { def = 2 }, { def = 3 } } } } })
		E:frames(15)
		local labels = {}
		for _, m in ipairs(S.ofType(S.messages(s), "unit_defs")) do
			for _, d in ipairs(m.defs) do labels[d.name] = d.label end
		end
		assert.are.same({ armcom = "Armada Commander", armsolar = "armsolar", armpw = "Pawn" }, labels)
	end)
end)

describe("the port chosen last wins", function()
	-- Start a widget file installed for `port` with saved settings `saved`.
	local function installed(port, saved)
		local lib = fake_socket.new()
		local E = fake_engine.new({ socket = lib })
		E:loadWidget(nil, fake_engine.widgetSource(port))
		E:start(saved)
		return E, lib
	end

	it("a reinstall with a new port beats the port saved before", function()
		local _, lib = installed(9000, { port = 9876, installedPort = 9876 })
		assert.are.equal(9000, lib.last().port)
		-- settings of older versions have no installedPort: saved against the stock 9876
		_, lib = installed(9000, { port = 9876 })
		assert.are.equal(9000, lib.last().port)
		_, lib = installed(9000, { port = 9100 })
		assert.are.equal(9000, lib.last().port)
	end)

	it("a port set in game after the install beats the installed one, next game too", function()
		local E, lib = installed(9000, nil)
		assert.are.equal(9000, lib.last().port)
		E:command("port 9100")
		local saved = E.widget:GetConfigData()
		assert.are.same({ 9100, 9000 }, { saved.port, saved.installedPort })
		local _
		_, lib = installed(9000, saved)
		assert.are.equal(9100, lib.last().port)
		-- and a reinstall with another port after that wins again
		_, lib = installed(9200, saved)
		assert.are.equal(9200, lib.last().port)
		-- the stock file keeps a port set in game with an older version
		_, lib = installed(9876, { port = 9100 })
		assert.are.equal(9100, lib.last().port)
	end)

	-- The file as the installer writes it: its port, and its stamp on the INSTALL_STAMP line.
	local function stamped(port, stamp, saved)
		local source = fake_engine.widgetSource(port)
		local line = 'local INSTALL_STAMP        = ""'
		local i, j = source:find(line, 1, true)
		assert(i, "the installer's stamp line is missing from the widget")
		source = source:sub(1, i - 1) .. 'local INSTALL_STAMP        = "' .. stamp .. '"' .. source:sub(j + 1)
		local lib = fake_socket.new()
		local E = fake_engine.new({ socket = lib })
		E:loadWidget(nil, source)
		E:start(saved)
		return E, lib
	end

	it("a reinstall with the same port beats a port set in game before it", function()
		local E = stamped(9000, "111", nil)
		E:command("port 9100")
		local saved = E.widget:GetConfigData()
		assert.are.same({ 9100, 9000, "111" }, { saved.port, saved.installedPort, saved.installStamp })
		local _, lib = stamped(9000, "111", saved)
		assert.are.equal(9100, lib.last().port, "the same install: the player's port")
		_, lib = stamped(9000, "222", saved)
		assert.are.equal(9000, lib.last().port, "installed again: the file's port")
		-- settings saved by a widget without stamps, then a stamped install
		_, lib = stamped(9000, "333", { port = 9100, installedPort = 9000 })
		assert.are.equal(9000, lib.last().port)
	end)
end)
