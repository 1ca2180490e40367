local S = require("helpers.setup")

local function connected(opts)
	local E, lib, w, T = S.start(opts)
	assert(S.tickUntil(E, "connected"))
	return E, lib, w, T, lib.last()
end

describe("/livedata commands", function()
	it("registers the action with widgetHandler:AddAction", function()
		local E = S.start({})
		assert.is_not_nil(E.actions.livedata)
		assert.are.equal("t", E.actions.livedata.types)
		assert.is_true(E:command("help"))
		assert.is_true(E:echoed("setqueuesize"))
	end)

	it("status shows state and counters", function()
		local E = connected({})
		E:command("status")
		assert.is_true(E:echoed("state: connected"))
		assert.is_true(E:echoed("drops 0"))
	end)

	it("changes settings with valid arguments", function()
		local E, _, _, T = connected({})
		E:command("rate 30")
		assert.are.equal(30, T.config.interval)
		E:command("level detailed")
		assert.are.equal("detailed", T.config.level)
		E:command("setqueuesize 10")
		assert.are.equal(10, T.config.queueSize)
		assert.are.equal(10, T.queue.maxMsgs)
		E:command("indicator off")
		assert.is_false(T.config.indicator)
	end)

	it("bad arguments print usage and change nothing", function()
		local E, _, _, T = connected({})
		local before = {}
		for k, v in pairs(T.config) do before[k] = v end
		for _, line in ipairs({ "rate 0", "rate 301", "rate 1.5", "rate x", "level max", "setqueuesize 0",
			"setqueuesize 201", "host localhost", "host 256.1.1.1", "port 0", "port 70000", "connect 1.2.3",
			"connect 127.0.0.1 0", "overlay spin", "frobnicate", "indicator maybe", "rate 15 16" }) do
			E.echoes = {}
			E:command(line)
			assert.is_true(E:echoed("/livedata status"), line)
		end
		assert.are.same(before, T.config)
		assert.are.equal("connected", T.conn.state)
	end)

	it("connect host port reconnects to the new address", function()
		local E, lib, _, T = connected({})
		E:command("connect 127.0.0.2 9999")
		assert.are.equal("127.0.0.2", T.config.host)
		assert.are.equal(9999, T.config.port)
		assert.are.equal("127.0.0.2", lib.last().host)
		assert.are.equal(9999, lib.last().port)
		E:command("port 9000")
		assert.are.equal(9000, lib.last().port)
	end)

	it("testmessage, overlay and clearqueue", function()
		local E, lib, _, T, s = connected({})
		E:command("testmessage")
		E:command("overlay lock")
		E:update()
		local msgs = S.messages(s)
		local test = S.ofType(msgs, "test")[1]
		assert.truthy(test.text:find("testmessage"))
		local cmd = S.ofType(msgs, "command")[1]
		assert.are.equal("overlay", cmd.name)
		assert.are.same({ "lock" }, { cmd.args[1] })
		assert.are.equal(1, #cmd.args)
		lib.capacity = 0
		for _ = 1, 10 do E:frames(15) end
		assert.is_true(T.queue:count() > 0)
		E:command("clearqueue")
		assert.is_true(T.queue:count() <= 1)
	end)
end)

describe("settings persistence", function()
	it("merges saved settings key by key with validation", function()
		local _, _, w, T = S.start({ config = { host = "10.0.0.2", port = "x", interval = 30, level = "bogus",
			indicator = false, queueSize = 500, maxUnits = 20, unknown = 1 } })
		assert.are.equal("10.0.0.2", T.config.host)
		assert.are.equal(9876, T.config.port)
		assert.are.equal(30, T.config.interval)
		assert.are.equal("standard", T.config.level)
		assert.is_false(T.config.indicator)
		assert.are.equal(50, T.config.queueSize)
		assert.are.equal(20, T.config.maxUnits)
		local saved = w:GetConfigData()
		assert.are.equal("10.0.0.2", saved.host)
		assert.is_false(saved.indicator)
		for _, v in pairs(saved) do
			local tv = type(v)
			assert.is_true(tv == "number" or tv == "string" or tv == "boolean")
		end
	end)

	it("ignores a non-table saved config", function()
		local _, _, _, T = S.start({ config = "garbage" })
		assert.are.equal(15, T.config.interval)
	end)
end)

describe("WG.LiveDataExport and lifecycle", function()
	it("lets other widgets send custom messages and use the encoder", function()
		local E, _, _, _, s = connected({})
		local api = E.WG.LiveDataExport
		assert.is_true(api.send("my_widget", { list = { 1, 2, 3 }, empty = api.object(), none = api.array() }))
		assert.is_nil(api.send("", {}))
		assert.is_nil(api.send("x", { f = print }))
		assert.are.equal('{"a":[]}', api.encode({ a = api.array() }))
		assert.are.equal("connected", api.status().state)
		E:update()
		local custom = S.ofType(S.messages(s), "custom")
		assert.are.equal(1, #custom)
		assert.are.equal("my_widget", custom[1].name)
	end)

	it("Shutdown sends bye, removes the action, WG API and options", function()
		local removed = {}
		local added = {}
		local E, lib, w = S.start({})
		E.WG.options = { addOption = function(o) added[#added + 1] = o.id end,
			removeOption = function(id) removed[#removed + 1] = id end }
		w:Shutdown()
		w:Initialize()
		assert.is_true(#added >= 3)
		S.tickUntil(E, "connected")
		E:update()
		local s = lib.last()
		w:Shutdown()
		local msgs = S.messages(s)
		assert.are.equal("bye", msgs[#msgs].type)
		assert.are.equal("shutdown", msgs[#msgs].reason)
		assert.is_true(s.closed)
		assert.is_nil(E.WG.LiveDataExport)
		assert.is_nil(E.actions.livedata)
		assert.are.equal(#added, #removed)
	end)

	it("draws the status indicator when gl exists and it is switched on", function()
		local calls = 0
		local gl = setmetatable({}, { __index = function() return function() calls = calls + 1 end end })
		local E, _, w = S.start({ gl = gl })
		w:DrawScreen()
		assert.is_true(calls > 0)
		calls = 0
		E:command("indicator off")
		w:DrawScreen()
		assert.are.equal(0, calls)
	end)

	it("no callin raises, even when the engine misbehaves; errors are logged once", function()
		local E, _, w = connected({})
		-- the widget cached Spring.* at load; make the data behind it fail instead
		E.teams[0].metal = setmetatable({}, { __index = function() error("engine exploded") end })
		for _ = 1, 30 do
			assert.has_no.errors(function() E:frames(15) end)
		end
		local n = 0
		for _, line in ipairs(E.echoes) do if line:find("engine exploded") then n = n + 1 end end
		assert.are.equal(1, n)
		assert.has_no.errors(function()
			w:GameOver(); w:TeamDied("x"); w:PlayerChanged(nil); w:GamePaused(nil, nil); w:DrawScreen()
			w:SetConfigData(nil); E:command("")
		end)
	end)
end)
