local fake_engine = require("helpers.fake_engine")
local strict_json = require("helpers.strict_json")

describe("JSON encoder", function()
	local T, encode
	setup(function()
		local E = fake_engine.new({})
		E:loadWidget()
		T = E.internals
		encode = T.Json.encode
	end)

	local function roundtrip(v)
		local s = assert(encode(v))
		return strict_json.parse(s), s
	end

	it("escapes quotes, backslashes and every control byte", function()
		local all = {}
		for b = 0, 31 do all[#all + 1] = string.char(b) end
		local hostile = 'a"b\\c/' .. table.concat(all) .. "\127end"
		local v, s = roundtrip({ s = hostile })
		assert.are.equal(hostile, v.s)
		assert.is_nil(s:find("[%z\1-\31]"))
		assert.truthy(s:find('\\u0000', 1, true))
		assert.truthy(s:find('\\n', 1, true))
	end)

	it("replaces invalid UTF-8 (BAR colour codes, truncated, overlong, surrogates)", function()
		local cases = {
			"\255\200\100\50Alice", "abc\195", "\192\175", "\237\160\128", "\244\144\128\128", "\128x",
			"ok \226\130\172 euro", "\240\159\152\128 emoji",
		}
		for _, c in ipairs(cases) do
			local s = assert(encode(c))
			assert(strict_json.validUtf8(s), "invalid utf8 for case " .. c)
			strict_json.parse(s)
		end
		assert.are.equal('"ok \226\130\172 euro"', encode("ok \226\130\172 euro"))
		assert.are.equal('"\239\191\189x"', encode("\128x"))
	end)

	it("formats integers without fraction and others with 7 significant digits", function()
		assert.are.equal("15", encode(15))
		assert.are.equal("0", encode(0))
		assert.are.equal("-3", encode(-3))
		assert.are.equal("812.5", encode(812.5))
		assert.are.equal("0.3333333", encode(1 / 3))
		assert.are.equal("1e+20", encode(1e20))
		assert.are.equal("16777216", encode(16777216))
		-- what a 32-bit float 0.99 looks like in a double
		assert.are.equal("0.99", encode(0.9900000095367432))
		assert.are.equal("3.2", encode(3.2000000476837))
	end)

	it("encodes NaN and infinities as null", function()
		local v, s = roundtrip(T.api.array({ 0 / 0, math.huge, -math.huge, 1 }))
		assert.are.equal("[null,null,null,1]", s)
		assert.are.equal(strict_json.NULL, v[1])
	end)

	it("keeps empty arrays and empty objects apart", function()
		assert.are.equal("[]", encode(T.api.array({})))
		assert.are.equal("{}", encode(T.api.object({})))
		assert.are.equal("{}", encode({}))
		local v = roundtrip({ list = { 1, 2, 3 }, empty = T.api.object(), none = T.api.array() })
		assert.are.equal("array", strict_json.kind(v.list))
		assert.are.equal("object", strict_json.kind(v.empty))
		assert.are.equal("array", strict_json.kind(v.none))
	end)

	it("turns numeric keys into strings and sparse tables into objects", function()
		local v, s = roundtrip({ [12] = 1, [40] = 2 })
		assert.are.equal("object", strict_json.kind(v))
		assert.are.equal(1, v["12"])
		assert.are.equal(2, v["40"])
		assert.truthy(s:find('"12":1', 1, true))
		v = roundtrip(T.api.object({ [1] = "a" }))
		assert.are.equal("a", v["1"])
		v = roundtrip({ [1.5] = true })
		assert.are.equal(true, v["1.5"])
	end)

	it("encodes booleans and nested structures", function()
		local v = roundtrip({ a = true, b = false, c = { { x = { y = { 1 } } } } })
		assert.are.equal(true, v.a)
		assert.are.equal(false, v.b)
		assert.are.equal(1, v.c[1].x.y[1])
	end)

	it("encodes holes in marked arrays as null", function()
		assert.are.equal("[1,null,3]", encode(T.api.array({ 1, nil, 3, n = 3 })))
	end)

	it("refuses cycles, too deep nesting and functions without raising", function()
		local t = {}
		t.self = t
		local s, err = encode(t)
		assert.is_nil(s)
		assert.truthy(err:find("cycle"))  -- reported through the depth guard
		local deep = {}
		local cur = deep
		for _ = 1, 100 do cur.x = {}; cur = cur.x end
		s, err = encode(deep)
		assert.is_nil(s)
		assert.truthy(err:find("deeper"))
		s, err = encode({ f = function() end })
		assert.is_nil(s)
		assert.truthy(err:find("function"))
		-- and the encoder still works afterwards
		assert.are.equal('{"a":1}', encode({ a = 1 }))
	end)

	it("survives a hostile mix in keys and values", function()
		local hostile = {
			['k"\\\0\31'] = "v\255\1\2\3\b\"\\",
			["\255\255\255\255"] = 0 / 0,
			list = T.api.array({ "\n", "\r\t", -0.0, 1e-7, 123456789 }),
		}
		local s = assert(encode(hostile))
		local v = strict_json.parse(s)
		assert.are.equal("object", strict_json.kind(v))
		assert.are.equal(5, #v.list)
	end)

	it("rounds like the engine's 32-bit floats", function()
		-- Simulate float32 values and check 7 significant digits come out short.
		for _, x in ipairs({ 0.1, 2.675, 1234.5678, 99999.99, 0.000123 }) do
			local s = encode(x)
			local digits = s:gsub("e.*", ""):gsub("[^%d]", ""):gsub("^0+", "")
			assert.is_true(#digits <= 7, s)
			assert.is_true(math.abs(tonumber(s) - x) <= math.abs(x) * 1e-6, s)
		end
	end)
end)

describe("JSON decoder (app -> widget)", function()
	local T
	setup(function()
		local E = fake_engine.new({})
		E:loadWidget()
		T = E.internals
	end)

	it("decodes the app's messages", function()
		local v = assert(T.Json.decode('{"type":"config","schema_version":1,"interval_frames":30,"level":"detailed"}'))
		assert.are.equal("config", v.type)
		assert.are.equal(30, v.interval_frames)
		v = assert(T.Json.decode(' {"a":[1,-2.5e3,true,false,null,"x\\u00e9\\n\\ud83d\\ude00"],"b":{}} '))
		assert.are.equal(-2500, v.a[2])
		assert.are.equal("x\195\169\n\240\159\152\128", v.a[6])
	end)

	it("rejects malformed input without raising", function()
		for _, bad in ipairs({ "", "{", '{"a":}', "[1,]", "01", "1.", "1e", "NaN", '"\1"', '"\\x"',
			'{"a":1} x', '"\\ud800"', "\255", "[1.5-3]", '{"a" 1}', "tru" }) do
			local v, err = T.Json.decode(bad)
			assert.is_nil(v, bad)
			assert.is_string(err, bad)
		end
	end)
end)
