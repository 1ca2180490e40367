-- Every setting editable from the app: the `config` message, its config_ack,
-- hello.config, persistence, the move to another address and its fallback, and
-- enabled = false.
local S = require("helpers.setup")
local fake_engine = require("helpers.fake_engine")
local fake_socket = require("helpers.fake_socket")

local FIELDS = { "interval_frames", "level", "max_units", "host", "port", "queue_max_messages", "queue_max_bytes",
	"send_budget_bytes", "indicator", "enabled" }

local function connected(opts)
	local E, lib, w, I = S.start(opts)
	assert(S.tickUntil(E, "connected"))
	return E, lib, w, I, lib.last()
end

-- Sends an app->widget config (a JSON object body without type/schema_version)
-- and runs one Update; returns the config_ack.
local function sendConfig(E, s, body)
	s.inbox = fake_socket.frame('{"type":"config","schema_version":1' .. (body ~= "" and "," or "") .. body .. "}")
	local before = #S.ofType(S.messages(s), "config_ack")
	E:update()
	local acks = S.ofType(S.messages(s), "config_ack")
	assert.are.equal(before + 1, #acks, "no config_ack for " .. body)
	return acks[#acks]
end

local function keys(t)
	local out = {}
	for k in pairs(t) do out[#out + 1] = k end
	table.sort(out)
	return out
end

local function sorted(list)
	local out = {}
	for i, v in ipairs(list) do out[i] = v end
	table.sort(out)
	return out
end

describe("the app's config", function()
	it("hello.config and every config_ack carry all ten settings in force", function()
		local E, _, _, _, s = connected({})
		E:update()
		local hello = S.messages(s)[1]
		assert.are.same(sorted(FIELDS), keys(hello.config))
		assert.are.same({ 15, "standard", 1000, "127.0.0.1", 9876, 50, 524288, 32768, true, true },
			{ hello.config.interval_frames, hello.config.level, hello.config.max_units, hello.config.host,
				hello.config.port, hello.config.queue_max_messages, hello.config.queue_max_bytes,
				hello.config.send_budget_bytes, hello.config.indicator, hello.config.enabled })
		local ack = sendConfig(E, s, "")
		assert.are.same(sorted(FIELDS), keys(ack.config))
		assert.is_nil(ack.errors)
	end)

	it("applies each field; the ack shows it", function()
		local cases = {
			{ "interval_frames", "30", 30, "interval" },
			{ "level", '"detailed"', "detailed", "level" },
			{ "max_units", "0", 0, "maxUnits" },
			{ "queue_max_messages", "7", 7, "queueSize" },
			{ "queue_max_bytes", "16384", 16384, "queueBytes" },
			{ "send_budget_bytes", "1048576", 1048576, "sendBudget" },
			{ "indicator", "false", false, "indicator" },
			{ "enabled", "true", true, "enabled" },
		}
		local E, _, _, I, s = connected({})
		for _, c in ipairs(cases) do
			local ack = sendConfig(E, s, '"' .. c[1] .. '":' .. c[2])
			assert.is_nil(ack.errors, c[1])
			assert.are.equal(c[3], ack.config[c[1]], c[1])
			assert.are.equal(c[3], I.config[c[4]], c[1])
		end
		assert.are.same({ 7, 16384 }, { I.queue.maxMsgs, I.queue.maxBytes })
		assert.are.equal("connected", I.conn.state)
		assert.are.equal(1, #E.socket.created)
	end)

	it("lists each bad field in errors and changes nothing about it; good fields still apply", function()
		local bad = {
			interval_frames = { "0", "301", "1.5", '"15"' },
			level = { '"max"', "2" },
			max_units = { "-1", "100001" },
			host = { '"localhost"', '"256.0.0.1"', "1" },
			port = { "0", "65536", '"9876"' },
			queue_max_messages = { "0", "201" },
			queue_max_bytes = { "16383", "16777217" },
			send_budget_bytes = { "1023", "1048577" },
			indicator = { '"off"', "0" },
			enabled = { "null_is_absent", '"no"', "1" },
		}
		local E, lib, _, I, s = connected({})
		local before = sendConfig(E, s, "").config
		for field, values in pairs(bad) do
			for _, v in ipairs(values) do
				if v ~= "null_is_absent" then
					local ack = sendConfig(E, s, '"' .. field .. '":' .. v)
					assert.are.equal(1, ack.errors and #ack.errors, field .. "=" .. v)
					assert.truthy(ack.errors[1]:find("^" .. field), ack.errors[1])
					assert.are.same(before, ack.config, field .. "=" .. v)
				end
			end
		end
		-- null is "no value": ignored like an absent field, as are unknown fields
		local ack = sendConfig(E, s, '"enabled":null,"frobnicate":1')
		assert.is_nil(ack.errors)
		ack = sendConfig(E, s, '"interval_frames":60,"level":"max","port":0')
		assert.are.equal(2, #ack.errors)
		assert.are.equal(60, ack.config.interval_frames)
		assert.are.equal("standard", ack.config.level)
		assert.are.equal(60, I.config.interval)
		assert.are.equal("connected", I.conn.state)
		assert.are.equal(1, #lib.created)
	end)

	it("keeps every setting it changed for the next game (GetConfigData -> SetConfigData)", function()
		local E, _, w, _, s = connected({})
		local ack = sendConfig(E, s, '"interval_frames":45,"level":"minimal","max_units":12,"queue_max_messages":9,'
			.. '"queue_max_bytes":65536,"send_budget_bytes":4096,"indicator":false')
		local saved = w:GetConfigData()
		for _, v in pairs(saved) do
			local tv = type(v)
			assert.is_true(tv == "number" or tv == "string" or tv == "boolean")
		end
		-- next game: a new widget instance restores them
		local E2, _, _, I2, s2 = connected({ config = saved })
		E2:update()
		assert.are.same(ack.config, S.messages(s2)[1].config)
		assert.are.same({ 9, 65536 }, { I2.queue.maxMsgs, I2.queue.maxBytes })
		assert.are.equal(4096, I2.config.sendBudget)
		assert.are.equal(E.internals.config.level, I2.config.level)
	end)

	it("sends at most send_budget_bytes per drawn frame", function()
		local E, lib, _, I, s = connected({ teams = { { id = 0, ally = 0, units = {} } } })
		sendConfig(E, s, '"send_budget_bytes":1024')
		lib.capacity = 0
		for _ = 1, 30 do I.sendUpdate() end
		lib.capacity = nil
		local before = #s.out
		E:update()
		local sent = #s.out - before
		assert.is_true(sent > 0 and sent <= 1024, tostring(sent))
	end)

	it("moves to a new port: ack, bye 'moving to', then a new connection there at once", function()
		local E, lib, w, I, s1 = connected({})
		local ack = sendConfig(E, s1, '"port":9900')
		assert.are.equal(9900, ack.config.port)
		local msgs = S.messages(s1)
		assert.are.same({ "config_ack", "bye" }, { msgs[#msgs - 1].type, msgs[#msgs].type })
		assert.are.equal("moving to 127.0.0.1:9900", msgs[#msgs].reason)
		assert.is_true(s1.closed)
		local s2 = lib.last()
		assert.are_not.equal(s1, s2)
		assert.are.same({ "127.0.0.1", 9900 }, { s2.host, s2.port })
		-- no backoff: connecting already; saved settings keep the old port until connected there
		assert.are.equal("connecting", I.conn.state)
		assert.are.equal(9876, w:GetConfigData().port)
		assert.is_true(S.tickUntil(E, "connected", 5))
		E:update()
		local hello = S.messages(s2)[1]
		assert.are.equal("hello", hello.type)
		assert.are.equal(9900, hello.config.port)
		assert.are.equal(9900, w:GetConfigData().port)
		assert.is_true(E:echoed("moved to 127.0.0.1:9900"))
		-- a host works the same way
		sendConfig(E, s2, '"host":"127.0.0.2"')
		assert.is_true(S.tickUntil(E, "connected", 5))
		assert.are.same({ "127.0.0.2", 9900 }, { lib.last().host, lib.last().port })
	end)

	it("falls back to the old address when the new one does not answer within MOVE_TIMEOUT", function()
		local E, lib, w, I, s1 = connected({})
		lib.mode = "refused" -- nobody at the new port
		sendConfig(E, s1, '"port":9901')
		assert.are.equal(9901, lib.last().port)
		assert.is_true(table.concat(I.statusLines(), "\n"):find("back to 127.0.0.1:9876", 1, true) ~= nil)
		-- a few attempts at the new port within the timeout, then back
		local t0 = E.time
		while E.time - t0 < I.MOVE_TIMEOUT - 0.5 do E:update(0.25) end
		assert.are.equal(9901, I.config.port)
		assert.is_true(#lib.created >= 3, tostring(#lib.created))
		for i = 2, #lib.created do assert.are.equal(9901, lib.created[i].port) end
		assert.are.equal(9876, w:GetConfigData().port)
		lib.mode = "pending" -- the old address still answers
		for _ = 1, 8 do E:update(0.25) end
		assert.are.equal(9876, I.config.port)
		assert.is_true(S.tickUntil(E, "connected"))
		local s3 = lib.last()
		assert.are.equal(9876, s3.port)
		E:update()
		assert.are.equal(9876, S.messages(s3)[1].config.port)
		-- said once in the chat, and shown by /livedata status
		local n = 0
		for _, line in ipairs(E.echoes) do if line:find("back to 127.0.0.1:9876", 1, true) then n = n + 1 end end
		assert.are.equal(1, n)
		E.echoes = {}
		E:command("status")
		assert.is_true(E:echoed("9901.*back to 127.0.0.1:9876"))
		assert.are.equal(9876, w:GetConfigData().port)
	end)

	it("falls back too when TCPAllowConnect denies the new address", function()
		local E, lib, _, I, s1 = connected({})
		lib.mode = "denied"
		sendConfig(E, s1, '"port":9902')
		assert.are.equal("disabled", I.conn.state)
		lib.mode = "pending"
		for _ = 1, 45 do E:update(0.25) end
		assert.are.equal(9876, I.config.port)
		assert.is_true(S.tickUntil(E, "connected"))
		assert.are.equal(9876, lib.last().port)
	end)

	it("enabled = false: ack, bye, disconnected, and still off next game until /livedata connect", function()
		local E, lib, w, I, s = connected({})
		local ack = sendConfig(E, s, '"enabled":false')
		assert.is_false(ack.config.enabled)
		local msgs = S.messages(s)
		assert.are.equal("bye", msgs[#msgs].type)
		assert.are.equal("disabled by the app", msgs[#msgs].reason)
		assert.is_true(s.closed)
		for _ = 1, 200 do E:update(0.5) end
		assert.are.equal("disconnected", I.conn.state)
		assert.are.equal(1, #lib.created)
		local saved = w:GetConfigData()
		assert.is_false(saved.enabled)
		local E2, lib2, _, I2 = S.start({ config = saved })
		for _ = 1, 20 do E2:update(0.5) end
		assert.are.equal("disconnected", I2.conn.state)
		assert.are.equal(0, #lib2.created)
		E2:command("connect")
		assert.is_true(S.tickUntil(E2, "connected"))
		assert.is_true(E2.widget:GetConfigData().enabled)
	end)

	it("the same settings have /livedata commands, listed in help", function()
		local E, _, _, I = connected({})
		E:command("help")
		for _, cmd in ipairs({ "sendbudget", "queuebytes", "maxunits", "setqueuesize" }) do
			assert.is_true(E:echoed("/livedata " .. cmd), cmd)
		end
		E:command("sendbudget 2048")
		E:command("queuebytes 65536")
		E:command("maxunits 5")
		assert.are.same({ 2048, 65536, 5 }, { I.config.sendBudget, I.config.queueBytes, I.config.maxUnits })
		assert.are.equal(65536, I.queue.maxBytes)
		for _, line in ipairs({ "sendbudget 1023", "queuebytes 16383", "maxunits -1", "sendbudget" }) do
			E.echoes = {}
			E:command(line)
			assert.is_true(E:echoed("/livedata status"), line)
		end
		assert.are.same({ 2048, 65536, 5 }, { I.config.sendBudget, I.config.queueBytes, I.config.maxUnits })
	end)
end)

describe("unit_defs", function()
	it("carry tech_level (customParams.techlevel, default 1) and group (customParams.unitgroup)", function()
		local defs = {
			[1] = { name = "armcom", humanName = "Commander", metalCost = 1, energyCost = 1, customParams = {} },
			[2] = { name = "armamd", humanName = "Anti-Nuke", metalCost = 1, energyCost = 1,
				customParams = { techlevel = "2", unitgroup = "antinuke" } },
			[3] = { name = "armsilo", humanName = "Nuke", metalCost = 1, energyCost = 1,
				customParams = { techlevel = "3", unitgroup = "" } },
		}
		local E, _, _, _, s = connected({ unitDefs = defs, teams = { { id = 0, ally = 0,
			units = { { def = 1 }, { def = 2 }, { def = 3 } } } } })
		E:frames(15)
		local got = {}
		for _, m in ipairs(S.ofType(S.messages(s), "unit_defs")) do
			for _, d in ipairs(m.defs) do got[d.name] = { d.tech_level, d.group } end
		end
		assert.are.same({ armcom = { 1 }, armamd = { 2, "antinuke" }, armsilo = { 3 } }, got)
	end)

	it("are cached per def", function()
		local E = fake_engine.new({})
		E:loadWidget()
		local I = E.internals
		assert.are.equal(I.defInfo(1), I.defInfo(1))
		assert.is_false(I.defInfo(999))
	end)
end)
