-- An independent, strict RFC 8259 parser for the specs (deliberately not the
-- widget's own decoder). Rejects: invalid UTF-8, raw control characters,
-- NaN/Infinity, leading zeros, trailing commas, lone surrogates, trailing data.
-- Arrays and objects come back with distinct metatables (see M.kind).
local M = {}

local ARRAY, OBJECT = { kind = "array" }, { kind = "object" }
M.NULL = setmetatable({}, { __tostring = function() return "null" end })

function M.kind(v)
	local mt = type(v) == "table" and getmetatable(v)
	if mt == ARRAY then return "array" elseif mt == OBJECT then return "object" end
	if v == M.NULL then return "null" end
	return type(v)
end

local function validUtf8(s)
	local i, n = 1, #s
	while i <= n do
		local c = s:byte(i)
		local need
		local lo, hi = 0x80, 0xBF
		if c < 0x80 then need = 0
		elseif c >= 0xC2 and c <= 0xDF then need = 1
		elseif c == 0xE0 then need, lo = 2, 0xA0
		elseif c == 0xED then need, hi = 2, 0x9F
		elseif c >= 0xE1 and c <= 0xEF then need = 2
		elseif c == 0xF0 then need, lo = 3, 0x90
		elseif c == 0xF4 then need, hi = 3, 0x8F
		elseif c >= 0xF1 and c <= 0xF3 then need = 3
		else return false, i end
		for k = 1, need do
			local b = s:byte(i + k)
			if not b then return false, i end
			if k == 1 then
				if b < lo or b > hi then return false, i end
			elseif b < 0x80 or b > 0xBF then return false, i end
		end
		i = i + need + 1
	end
	return true
end
M.validUtf8 = validUtf8

local function parser(s)
	local pos = 1
	local function fail(msg) error(("strict_json: %s at %d"):format(msg, pos), 0) end
	local function ws()
		while true do
			local c = s:sub(pos, pos)
			if c == " " or c == "\t" or c == "\n" or c == "\r" then pos = pos + 1 else return end
		end
	end
	local value
	local function str()
		pos = pos + 1
		local out = {}
		while true do
			local c = s:sub(pos, pos)
			if c == "" then fail("unterminated string") end
			local b = c:byte()
			if b < 0x20 then fail("raw control character") end
			if c == '"' then pos = pos + 1; return table.concat(out) end
			if c == "\\" then
				local e = s:sub(pos + 1, pos + 1)
				local map = { ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n", r = "\r", t = "\t" }
				if map[e] then out[#out + 1] = map[e]; pos = pos + 2
				elseif e == "u" then
					local h = s:sub(pos + 2, pos + 5)
					if not h:match("^%x%x%x%x$") then fail("bad \\u") end
					local cp = tonumber(h, 16)
					if cp >= 0xD800 and cp <= 0xDFFF then fail("surrogate escape") end
					if cp < 0x80 then out[#out + 1] = string.char(cp) else out[#out + 1] = "?" end
					pos = pos + 6
				else fail("bad escape") end
			else
				out[#out + 1] = c; pos = pos + 1
			end
		end
	end
	local function num()
		local start = pos
		if s:sub(pos, pos) == "-" then pos = pos + 1 end
		local c = s:sub(pos, pos)
		if c == "0" then pos = pos + 1
		elseif c:match("[1-9]") then
			while s:sub(pos, pos):match("%d") do pos = pos + 1 end
		else fail("bad number") end
		if s:sub(pos, pos) == "." then
			pos = pos + 1
			if not s:sub(pos, pos):match("%d") then fail("bad fraction") end
			while s:sub(pos, pos):match("%d") do pos = pos + 1 end
		end
		if s:sub(pos, pos):match("[eE]") then
			pos = pos + 1
			if s:sub(pos, pos):match("[-+]") then pos = pos + 1 end
			if not s:sub(pos, pos):match("%d") then fail("bad exponent") end
			while s:sub(pos, pos):match("%d") do pos = pos + 1 end
		end
		return tonumber(s:sub(start, pos - 1))
	end
	value = function(depth)
		if depth > 200 then fail("too deep") end
		ws()
		local c = s:sub(pos, pos)
		if c == "{" then
			pos = pos + 1
			local obj = setmetatable({}, OBJECT)
			ws()
			if s:sub(pos, pos) == "}" then pos = pos + 1; return obj end
			while true do
				ws()
				if s:sub(pos, pos) ~= '"' then fail("expected key") end
				local k = str()
				ws()
				if s:sub(pos, pos) ~= ":" then fail("expected :") end
				pos = pos + 1
				if rawget(obj, k) ~= nil then fail("duplicate key " .. k) end
				obj[k] = value(depth + 1)
				ws()
				local d = s:sub(pos, pos)
				pos = pos + 1
				if d == "}" then return obj end
				if d ~= "," then fail("expected , or }") end
			end
		elseif c == "[" then
			pos = pos + 1
			local arr = setmetatable({}, ARRAY)
			ws()
			if s:sub(pos, pos) == "]" then pos = pos + 1; return arr end
			local n = 0
			while true do
				n = n + 1
				arr[n] = value(depth + 1)
				ws()
				local d = s:sub(pos, pos)
				pos = pos + 1
				if d == "]" then return arr end
				if d ~= "," then fail("expected , or ]") end
			end
		elseif c == '"' then return str()
		elseif c == "-" or c:match("%d") then return num()
		elseif s:sub(pos, pos + 3) == "true" then pos = pos + 4; return true
		elseif s:sub(pos, pos + 4) == "false" then pos = pos + 5; return false
		elseif s:sub(pos, pos + 3) == "null" then pos = pos + 4; return M.NULL
		end
		fail("unexpected " .. (c == "" and "end" or c))
	end
	return function()
		local ok, at = validUtf8(s)
		if not ok then pos = at; fail("invalid UTF-8") end
		local v = value(0)
		ws()
		if pos <= #s then fail("trailing data") end
		return v
	end
end

-- parse(s) -> value (null as M.NULL) or raises
function M.parse(s)
	return parser(s)()
end

-- Splits a byte stream into frames: returns list of payloads and the leftover.
function M.frames(stream)
	local out, pos = {}, 1
	while #stream - pos + 1 >= 4 do
		local a, b, c, d = stream:byte(pos, pos + 3)
		local len = ((a * 256 + b) * 256 + c) * 256 + d
		if #stream - pos + 1 < 4 + len then break end
		out[#out + 1] = stream:sub(pos + 4, pos + 3 + len)
		pos = pos + 4 + len
	end
	return out, stream:sub(pos)
end

return M
