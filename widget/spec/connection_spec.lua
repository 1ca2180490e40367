local S = require("helpers.setup")
local fake_socket = require("helpers.fake_socket")

describe("connection", function()
	it("connects without blocking and starts with hello", function()
		local E, lib, _, T = S.start({})
		assert.are.equal("connecting", T.conn.state)
		local s = lib.last()
		assert.are.equal(0, s.timeout)
		assert.are.equal("127.0.0.1", s.host)
		assert.are.equal(9876, s.port)
		assert.is_true(S.tickUntil(E, "connected"))
		E:update()
		local msgs = S.messages(s)
		assert.are.equal("hello", msgs[1].type)
		assert.are.equal(1, msgs[1].seq)
		for i, m in ipairs(msgs) do assert.are.equal(i, m.seq) end
	end)

	it("gives up a silent connect after ~2 s and backs off with a fresh socket", function()
		local E, lib, _, T = S.start({ mode = "silent" })
		E:update(0.5)
		assert.are.equal("connecting", T.conn.state)
		E:advance(2.0); E:update()
		assert.are.equal("backoff", T.conn.state)
		assert.truthy(T.conn.reason:find("within"))
		assert.is_true(lib.created[1].closed)
		lib.mode = "pending"
		assert.is_true(S.tickUntil(E, "connected", 200))
		assert.are.equal(2, #lib.created)
	end)

	it("backs off exponentially from 1 s to 30 s with jitter, and resets on success", function()
		local E, lib, _, T = S.start({ mode = "refused" })
		local delays = {}
		for _ = 1, 8 do
			E:update(0.01)
			assert.are.equal("backoff", T.conn.state)
			local d = T.conn.retryAt - E.time
			delays[#delays + 1] = d
			E:advance(d + 0.01)
			E:update(0.01) -- next attempt starts (select says refused on the following tick)
		end
		assert.is_true(delays[1] >= 0.75 and delays[1] <= 1.25, tostring(delays[1]))
		assert.is_true(delays[2] >= 1.5 and delays[2] <= 2.5)
		assert.is_true(delays[3] >= 3 and delays[3] <= 5)
		for _, d in ipairs(delays) do assert.is_true(d <= 30) end
		assert.is_true(delays[8] >= 22.5)
		assert.truthy(S.tickUntil(E, "backoff"))
		assert.truthy(table.concat(T.statusLines(), "\n"):find("next attempt in"))
		lib.mode = "pending"
		assert.is_true(S.tickUntil(E, "connected", 2000, 0.5))
		assert.are.equal(0, T.conn.failures)
	end)

	it("is disabled with one clear message when the socket global is missing", function()
		local E, _, w, T = S.start({ noSocket = true })
		assert.are.equal("disabled", T.conn.state)
		assert.truthy(T.conn.reason:find("LuaSocketEnabled"))
		for _ = 1, 50 do E:frames(1) end
		w:DrawScreen()
		local n = 0
		for _, line in ipairs(E.echoes) do if line:find("LuaSocket") then n = n + 1 end end
		assert.are.equal(1, n)
		assert.is_false(E:echoed("error in"))
		E:command("status")
		assert.is_true(E:echoed("disabled"))
	end)

	it("is disabled, with what to change, when TCPAllowConnect denies", function()
		local E, _, _, T = S.start({ mode = "denied" })
		assert.are.equal("disabled", T.conn.state)
		assert.truthy(T.conn.reason:find("TCPAllowConnect"))
		for _ = 1, 100 do E:update(0.5) end
		assert.are.equal("disabled", T.conn.state)
		local n = 0
		for _, line in ipairs(E.echoes) do if line:find("TCPAllowConnect") then n = n + 1 end end
		assert.are.equal(1, n)
	end)

	it("resumes partial sends from the returned index and never interleaves frames", function()
		local E, lib, _, T = S.start({})
		S.tickUntil(E, "connected")
		local s = lib.last()
		lib.capacity = 7 -- every send call takes at most 7 bytes
		for _ = 1, 60 do E:frames(15) end
		lib.capacity = nil
		for _ = 1, 20 do E:update() end
		assert.is_true(T.counters.partialSends > 0)
		local msgs, rest = S.messages(s)
		assert.are.equal("", rest)
		assert.is_true(#msgs > 5)
		local last = 0
		for _, m in ipairs(msgs) do
			assert.is_true(m.seq > last)
			last = m.seq
		end
	end)

	it("reconnects after the app goes away, discarding the half-sent frame", function()
		local E, lib, _, T = S.start({})
		S.tickUntil(E, "connected")
		local s1 = lib.last()
		E:frames(15)
		s1.capacity = 3 -- leave a frame half sent
		E:frames(15)
		s1.peerClosed = true
		E:frames(15)
		assert.are.equal("backoff", T.conn.state)
		assert.are.equal(0, T.queue:count())
		assert.are.equal(0, T.queue.headSent)
		assert.is_true(S.tickUntil(E, "connected", 200, 0.25))
		E:frames(15)
		local s2 = lib.last()
		assert.are_not.equal(s1, s2)
		local msgs = S.messages(s2)
		assert.are.equal("hello", msgs[1].type)
		assert.are.equal(1, msgs[1].seq)
		assert.are.equal(1, T.counters.reconnects)
	end)

	it("answers ping with pong and config with config_ack, reassembling split frames", function()
		local E, lib, _, T = S.start({})
		S.tickUntil(E, "connected")
		local s = lib.last()
		local data = fake_socket.frame('{"type":"ping","schema_version":1,"id":7}')
			.. fake_socket.frame('{"type":"config","schema_version":1,"interval_frames":30,"level":"detailed",'
				.. '"max_units":5}')
		s.inbox = data:sub(1, 5)
		E:update()
		s.inbox = data:sub(6, 50)
		E:update()
		s.inbox = data:sub(51)
		E:update()
		local msgs = S.messages(s)
		local pong = S.ofType(msgs, "pong")[1]
		assert.are.equal(7, pong.id)
		local ack = S.ofType(msgs, "config_ack")[1]
		assert.are.equal(30, ack.config.interval_frames)
		assert.are.equal("detailed", ack.config.level)
		assert.are.equal(5, ack.config.max_units)
		assert.are.equal(30, T.config.interval)
		assert.are.equal("connected", T.conn.state)
	end)

	it("acknowledges an invalid config with errors and keeps the old values", function()
		local E, lib, _, T = S.start({})
		S.tickUntil(E, "connected")
		local s = lib.last()
		s.inbox = fake_socket.frame('{"type":"config","schema_version":1,"interval_frames":0,"level":"max"}')
		E:update()
		local ack = S.ofType(S.messages(s), "config_ack")[1]
		assert.are.equal(2, #ack.errors)
		assert.are.equal(15, ack.config.interval_frames)
		assert.are.equal(15, T.config.interval)
	end)

	it("closes and re-opens on a malformed incoming frame, without raising", function()
		for _, bad in ipairs({ fake_socket.frame("{not json"), "\0\0\0\0", "\127\0\0\0xxxx",
			fake_socket.frame("[1,2]"), fake_socket.frame('{"type":"ping","schema_version":1,"id":"x"}') }) do
			local E, lib, _, T = S.start({})
			S.tickUntil(E, "connected")
			lib.last().inbox = bad
			E:update()
			assert.are.equal("backoff", T.conn.state)
			assert.truthy(T.conn.reason:find("malformed"))
			assert.is_false(E:echoed("error in"))
			assert.is_true(S.tickUntil(E, "connected", 200, 0.25))
		end
	end)

	it("stays disconnected after /livedata disconnect until connect", function()
		local E, lib, _, T = S.start({})
		S.tickUntil(E, "connected")
		local s = lib.last()
		E:command("disconnect")
		assert.are.equal("disconnected", T.conn.state)
		local msgs = S.messages(s)
		assert.are.equal("bye", msgs[#msgs].type)
		assert.is_true(s.closed)
		for _ = 1, 100 do E:update(1) end
		assert.are.equal("disconnected", T.conn.state)
		assert.are.equal(1, #lib.created)
		E:command("connect")
		assert.is_true(S.tickUntil(E, "connected"))
	end)

	it("keeps timers running while paused and sends from Update", function()
		local E, lib, _, T = S.start({ mode = "silent" })
		E.paused = true
		E:advance(3); E:update()
		assert.are.equal("backoff", T.conn.state)
		lib.mode = "pending"
		assert.is_true(S.tickUntil(E, "connected", 200, 0.25))
		E:update()
		assert.are.equal("hello", S.messages(lib.last())[1].type)
	end)

	it("bounds the queue when the app stops reading and counts drops", function()
		local E, lib, _, T = S.start({})
		S.tickUntil(E, "connected")
		lib.capacity = 0 -- app reads nothing
		for _ = 1, 400 do E:frames(15) end
		assert.is_true(T.queue:count() <= T.config.queueSize)
		assert.is_true(T.queue.bytes <= T.config.queueBytes)
		assert.is_true(T.queue.drops > 0)
		lib.capacity = nil
		for _ = 1, 100 do E:update() end
		local msgs, rest = S.messages(lib.last())
		assert.are.equal("", rest)
		assert.is_true(#msgs > 10)
	end)
end)
