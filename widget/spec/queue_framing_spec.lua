local fake_engine = require("helpers.fake_engine")

describe("framing", function()
	local T
	setup(function()
		local E = fake_engine.new({})
		E:loadWidget()
		T = E.internals
	end)

	it("prefixes a 4-byte big-endian length", function()
		assert.are.equal("\0\0\0\2{}", T.Wire.frame("{}"))
		assert.are.equal("\0\1\0\0", T.Wire.u32be(65536))
		assert.are.equal("\1\2\3\4", T.Wire.u32be(16909060))
		assert.are.equal(16777215, T.Wire.readU32be(T.Wire.u32be(16777215), 1))
	end)

	it("refuses empty and over-cap payloads", function()
		assert.is_nil(T.Wire.frame(""))
		assert.is_nil(T.Wire.frame(string.rep("x", T.MAX_PAYLOAD + 1)))
		assert.is_string(T.Wire.frame(string.rep("x", 1000)))
	end)
end)

describe("send queue", function()
	local T
	setup(function()
		local E = fake_engine.new({})
		E:loadWidget()
		T = E.internals
	end)

	it("is FIFO", function()
		local q = T.Wire.newQueue(10, 1000)
		q:push("a", true); q:push("b", false); q:push("c", true)
		assert.are.equal("a", q:head().data)
		q:advance(1)
		assert.are.equal("b", q:head().data)
		assert.are.equal(2, q:count())
		assert.are.equal(2, q.bytes)
	end)

	it("drops the oldest droppable message when the count limit is reached", function()
		local q = T.Wire.newQueue(3, 1000)
		q:push("hello", false)
		q:push("u1", true)
		q:push("u2", true)
		assert.are.equal("queued", q:push("ev", false))
		local data = {}
		for i, e in ipairs(q.items) do data[i] = e.data end
		assert.are.same({ "hello", "u2", "ev" }, data)
		assert.are.equal(1, q.drops)
	end)

	it("enforces the byte limit too", function()
		local q = T.Wire.newQueue(100, 10)
		q:push("aaaa", true)
		q:push("bbbb", true)
		q:push("cccc", true) -- 12 bytes > 10: "aaaa" goes
		assert.are.equal(2, q:count())
		assert.are.equal("bbbb", q:head().data)
		assert.are.equal(8, q.bytes)
		assert.are.equal(1, q.drops)
	end)

	it("never drops protected messages for updates", function()
		local q = T.Wire.newQueue(2, 1000)
		q:push("hello", false)
		q:push("defs", false)
		assert.are.equal("dropped", q:push("update", true))
		assert.are.equal(2, q:count())
		assert.are.equal(1, q.drops)
		-- a protected message may overshoot up to the hard limit, then overflow
		assert.are.equal("queued", q:push("event", false))
		for _ = 1, 5 do q:push("e", false) end
		assert.are.equal("overflow", q:push("e", false))
	end)

	it("pins a partly sent head frame", function()
		local q = T.Wire.newQueue(2, 1000)
		q:push("update1", true)
		q:advance(3) -- partly sent
		q:push("update2", true)
		q:push("update3", true) -- must drop update2, not the pinned head
		assert.are.equal("update1", q.items[1].data)
		assert.are.equal("update3", q.items[2].data)
		assert.are.equal(3, q.headSent)
		assert.are.equal(1, q:clear(false))
		assert.are.equal(1, q:count())
		q:clear(true)
		assert.are.equal(0, q:count())
		assert.are.equal(0, q.bytes)
		assert.are.equal(0, q.headSent)
	end)
end)
