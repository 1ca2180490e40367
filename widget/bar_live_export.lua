function widget:GetInfo()
	return {
		name    = "Live Data Export",
		desc    = "Streams live game data (resources, units, stats) over TCP to the bar-live desktop app. /livedata help",
		author  = "bar-live",
		date    = "2026",
		license = "MIT",
		layer   = 0,
		enabled = false, -- user widgets start disabled anyway; the player opts in
	}
end

--------------------------------------------------------------------------------
-- bar-live export widget, protocol v1 (normative spec: docs/PROTOCOL.md).
--
-- Transport: the widget connects (TCP, IPv4 literal, default 127.0.0.1:9876) to
-- the app. Frames both ways: u32 big-endian length + UTF-8 JSON object.
--
-- Widget -> app (every message carries type, schema_version = 1, seq = 1,2,..
-- per connection; a seq gap means messages were dropped or refused):
--   hello      {widget{name,version}, game{...}, teams[{team_id, ally_team_id,
--               name, color "#rrggbb", is_ai, side, is_gaia}], config{...}}
--              first message of every connection
--   unit_defs  {defs[{id,name,label,metal_cost,energy_cost,category}]}
--              sent before the first update that uses a def id
--   update     {game_frame, game_seconds, paused, speed, teams[{team_id,
--               metal{9 values}, energy{9 values}, units{total, by_def?,
--               unknown?}, stats?}], units?[{id,def,team,x,z,health,build}],
--               units_omitted?}   (by_def/stats: level >= standard;
--               units list: level detailed)
--   event      {game_frame, name, ...}  game_start, game_over, team_died,
--              paused, unpaused, player_changed
--   stats      the widget's own health, every 5 s
--   test, custom, pong, config_ack, command, bye
-- App -> widget: config {interval_frames?, level?, max_units?}, ping {id}.
--
-- Only what the local player may read is exported: a spectator with full view
-- reads every team, anyone else only its own ally team; teams for which the
-- engine returns nil are left out.
--
-- WG.LiveDataExport (for other widgets):
--   send(name, data) -> true | nil, err   queue a `custom` message
--   encode(value)    -> json | nil, err   the widget's JSON encoder
--   array(t), object(t) -> t              mark a table's JSON shape
--   status()         -> table             connection state and counters
--   connect(), disconnect()
--------------------------------------------------------------------------------

local WIDGET_NAME      = "Live Data Export"
local WIDGET_VERSION   = "1.0.0"
local SCHEMA_VERSION   = 1
local LOG_PREFIX       = "[Live Data Export] "

-- Defaults and limits (settings persist through GetConfigData).
local DEFAULT_HOST         = "127.0.0.1"
local DEFAULT_PORT         = 9876
local DEFAULT_INTERVAL     = 15        -- game frames between updates (2 Hz)
local MIN_INTERVAL, MAX_INTERVAL = 1, 300
local DEFAULT_LEVEL        = "standard"
local DEFAULT_MAX_UNITS    = 1000
local MAX_MAX_UNITS        = 100000
local DEFAULT_QUEUE_MSGS   = 50
local MIN_QUEUE_MSGS, MAX_QUEUE_MSGS = 1, 200
local DEFAULT_QUEUE_BYTES  = 512 * 1024
-- Messages that are never dropped for updates may overshoot the byte limit up to
-- this factor; beyond it the link is hopeless and we reconnect (fresh hello).
local QUEUE_HARD_FACTOR    = 4
local MAX_PAYLOAD          = 4 * 1024 * 1024   -- refuse bigger messages (< 2^24: exact u32 in float Lua)
local SEND_BYTES_BUDGET    = 32 * 1024         -- per Update call
local SEND_TIME_BUDGET     = 0.002             -- seconds per Update call
local CONNECT_TIMEOUT      = 2.0               -- seconds; Windows never reports a refused connect
local BACKOFF_MIN, BACKOFF_MAX = 1.0, 30.0
local BACKOFF_JITTER       = 0.25              -- +-25 %
local STATS_PERIOD         = 5.0               -- seconds between `stats` messages
local MAX_INCOMING_FRAME   = 64 * 1024         -- app->widget messages are tiny
local MAX_RECV_BUFFER      = 256 * 1024
local MAX_JSON_DEPTH       = 32
local MAX_TIMING_SAMPLES   = 512

local LEVELS = { minimal = 1, standard = 2, detailed = 3 }
local LEVEL_NAMES = { "minimal", "standard", "detailed" }

local STATE_DISCONNECTED = "disconnected"
local STATE_CONNECTING   = "connecting"
local STATE_CONNECTED    = "connected"
local STATE_BACKOFF      = "backoff"
local STATE_DISABLED     = "disabled"

--------------------------------------------------------------------------------
-- Engine and library locals
--------------------------------------------------------------------------------

local Spring = Spring
local spEcho                 = Spring.Echo
local spGetTimer             = Spring.GetTimer
local spDiffTimers           = Spring.DiffTimers
local spGetGameFrame         = Spring.GetGameFrame
local spGetGameSeconds       = Spring.GetGameSeconds
local spGetGameSpeed         = Spring.GetGameSpeed
local spGetTeamList          = Spring.GetTeamList
local spGetTeamInfo          = Spring.GetTeamInfo
local spGetTeamColor         = Spring.GetTeamColor
local spGetTeamResources     = Spring.GetTeamResources
local spGetTeamUnitCount     = Spring.GetTeamUnitCount
local spGetTeamUnitsCounts   = Spring.GetTeamUnitsCounts
local spGetTeamStatsHistory  = Spring.GetTeamStatsHistory
local spGetTeamUnits         = Spring.GetTeamUnits
local spGetUnitDefID         = Spring.GetUnitDefID
local spGetUnitPosition      = Spring.GetUnitPosition
local spGetUnitHealth        = Spring.GetUnitHealth
local spGetPlayerInfo        = Spring.GetPlayerInfo
local spGetAIInfo            = Spring.GetAIInfo
local spGetGaiaTeamID        = Spring.GetGaiaTeamID
local spGetSpectatingState   = Spring.GetSpectatingState
local spGetMyPlayerID        = Spring.GetMyPlayerID
local spGetMyTeamID          = Spring.GetMyTeamID
local spGetMyAllyTeamID      = Spring.GetMyAllyTeamID
local spIsReplay             = Spring.IsReplay
local spGetViewGeometry      = Spring.GetViewGeometry

local type, pairs, ipairs, tostring, tonumber = type, pairs, ipairs, tostring, tonumber
local pcall, setmetatable, getmetatable = pcall, setmetatable, getmetatable
local floor, huge, random, min, max = math.floor, math.huge, math.random, math.min, math.max
local strformat, strbyte, strchar, strsub, strfind, strgsub, strlower =
	string.format, string.byte, string.char, string.sub, string.find, string.gsub, string.lower
local concat, tsort, tremove = table.concat, table.sort, table.remove

--------------------------------------------------------------------------------
-- Logging and time
--------------------------------------------------------------------------------

local function echo(msg)
	spEcho(LOG_PREFIX .. msg)
end

local loggedOnce = {}
-- Errors are logged once per context: a callin that fails every frame must not
-- flood the console.
local function logOnce(context, err)
	if loggedOnce[context] then return end
	loggedOnce[context] = true
	echo("error in " .. context .. ": " .. tostring(err) .. " (further errors here are not shown)")
end

local startTimer = spGetTimer()
-- Seconds since load. Spring.GetTimer keeps running in pregame and while paused.
local function clock()
	return spDiffTimers(spGetTimer(), startTimer)
end

--------------------------------------------------------------------------------
-- JSON encoder (RFC 8259). Own implementation: BAR's global Json is unsafe here
-- (no control-char escapes, emits nan/inf, pads sparse keys, {} == []).
--------------------------------------------------------------------------------

local markArray, markObject, sanitizeUtf8, formatNumber, jsonEncode, jsonDecode
-- Building blocks for the fused update encoder (see encodeUpdate): write into a
-- piece buffer, return the new piece count.
local jsonPutNumber, jsonIntStrings
local HIGH_BYTE_PATTERN = '[\128-\255]'
do
	local ARRAY_MT  = { __jsontype = "array" }
	local OBJECT_MT = { __jsontype = "object" }

	function markArray(t) return setmetatable(t or {}, ARRAY_MT) end
	function markObject(t) return setmetatable(t or {}, OBJECT_MT) end

	local ESCAPES = { ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
		["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }
	for b = 0, 31 do
		local c = strchar(b)
		if not ESCAPES[c] then ESCAPES[c] = strformat("\\u%04x", b) end
	end
	local ESCAPE_PATTERN = '[%z\1-\31"\\]'
	local NEEDS_WORK_PATTERN = '[%z\1-\31"\\\128-\255]'
	local REPLACEMENT_CHAR = "\239\191\189" -- U+FFFD

	-- Returns s with every invalid UTF-8 sequence replaced by U+FFFD (strict:
	-- no overlongs, no surrogates, nothing above U+10FFFF).
	function sanitizeUtf8(s)
		local n = #s
		local i = 1
		local out, nout, last = nil, 0, 1
		while i <= n do
			local c = strbyte(s, i)
			local len
			if c < 0x80 then
				len = 1
			elseif c >= 0xC2 and c <= 0xDF then
				local c2 = strbyte(s, i + 1)
				if c2 and c2 >= 0x80 and c2 <= 0xBF then len = 2 end
			elseif c >= 0xE0 and c <= 0xEF then
				local c2, c3 = strbyte(s, i + 1, i + 2)
				local lo, hi = 0x80, 0xBF
				if c == 0xE0 then lo = 0xA0 elseif c == 0xED then hi = 0x9F end
				if c2 and c3 and c2 >= lo and c2 <= hi and c3 >= 0x80 and c3 <= 0xBF then len = 3 end
			elseif c >= 0xF0 and c <= 0xF4 then
				local c2, c3, c4 = strbyte(s, i + 1, i + 3)
				local lo, hi = 0x80, 0xBF
				if c == 0xF0 then lo = 0x90 elseif c == 0xF4 then hi = 0x8F end
				if c2 and c3 and c4 and c2 >= lo and c2 <= hi and c3 >= 0x80 and c3 <= 0xBF
					and c4 >= 0x80 and c4 <= 0xBF then len = 4 end
			end
			if len then
				i = i + len
			else
				out = out or {}
				nout = nout + 1; out[nout] = strsub(s, last, i - 1)
				nout = nout + 1; out[nout] = REPLACEMENT_CHAR
				i = i + 1
				last = i
			end
		end
		if not out then return s end
		nout = nout + 1; out[nout] = strsub(s, last)
		return concat(out)
	end

	local function quoteString(s)
		if not strfind(s, NEEDS_WORK_PATTERN) then
			return '"' .. s .. '"'
		end
		if strfind(s, HIGH_BYTE_PATTERN) then s = sanitizeUtf8(s) end
		return '"' .. strgsub(s, ESCAPE_PATTERN, ESCAPES) .. '"'
	end

	-- Numbers are written as pieces into the output buffer (no intermediate
	-- strings): integers from cached digit strings, other finite numbers with 7
	-- significant digits by fixed-point arithmetic (string.format("%.7g") costs
	-- several times more), NaN/inf as null. Same value as "%.7g" (the last digit
	-- may differ by one where the product v * 10^d rounds across .5).
	local INT_LIMIT = 2147483647 -- "%d" goes through a C long (32-bit on Windows)
	local INT = {}     -- [0, 10000) -> "123" (filled lazily)
	local PAD = { {}, {}, {}, {} }   -- PAD[w][x] = x zero-padded to w digits (lazily)
	local STRIP = { {}, {}, {}, {} } -- STRIP[w][x] = PAD[w][x] without trailing zeros, x > 0
	local PAD4, STRIP4 = PAD[4], STRIP[4]
	local INT_DOT = {}  -- [0, 10000) -> "123."
	local POW = { [0] = 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8 }

	local function intStr(x) -- 0 <= x < 10000, integer
		local s = strformat("%d", x)
		INT[x] = s
		return s
	end

	local function padStr(w, x) -- 0 <= x < 10^w, integer
		local s = strformat("%0" .. w .. "d", x)
		PAD[w][x] = s
		return s
	end

	local function stripStr(w, x) -- 0 < x < 10^w, integer
		local s = strgsub(strformat("%0" .. w .. "d", x), "0+$", "")
		STRIP[w][x] = s
		return s
	end

	-- Writes a non-negative integer < 1e8.
	local function putUint(buf, n, v)
		if v < 10000 then
			n = n + 1; buf[n] = INT[v] or intStr(v)
			return n
		end
		local lo = v % 10000
		local hi = (v - lo) / 10000
		n = n + 1; buf[n] = INT[hi] or intStr(hi)
		n = n + 1; buf[n] = PAD4[lo] or padStr(4, lo)
		return n
	end

	local encodeValue -- forward declaration (recursive)

	-- putNumber(buf, n, v) -> n: writes the number v.
	local function putNumber(buf, n, v)
		if v - v ~= 0 then -- NaN or +-inf
			n = n + 1; buf[n] = "null"
			return n
		end
		if v < 0 then
			if v <= -INT_LIMIT then
				n = n + 1; buf[n] = strformat("%.7g", v)
				return n
			end
			n = n + 1; buf[n] = "-"
			v = -v
		end
		if v % 1 == 0 then
			if v < 1e8 then return putUint(buf, n, v) end
			n = n + 1; buf[n] = v < INT_LIMIT and strformat("%d", v) or strformat("%.7g", v)
			return n
		end
		-- d = decimals for 7 significant digits: 10^(6-d) <= v < 10^(7-d)
		local d
		if v >= 1 then
			if v >= 1e3 then
				if v >= 1e5 then
					if v >= 1e7 then
						n = n + 1; buf[n] = strformat("%.7g", v)
						return n
					end
					d = v >= 1e6 and 0 or 1
				else
					d = v >= 1e4 and 2 or 3
				end
			elseif v >= 1e2 then d = 4
			elseif v >= 10 then d = 5
			else d = 6 end
		elseif v >= 0.1 then d = 7
		elseif v >= 0.01 then d = 8
		else
			n = n + 1; buf[n] = strformat("%.7g", v)
			return n
		end
		local scale = POW[d]
		local t = v * scale + 0.5
		local m = t - t % 1 -- 10^6 <= m <= 10^7: the 7 significant digits
		if d == 0 then return putUint(buf, n, m) end
		local fp = m % scale -- the d decimals as an integer
		local ip = (m - fp) / scale
		if fp == 0 then return putUint(buf, n, ip) end -- rounded to an integer
		if ip < 10000 then
			local s = INT_DOT[ip]
			if not s then s = (INT[ip] or intStr(ip)) .. "."; INT_DOT[ip] = s end
			n = n + 1; buf[n] = s
		else
			n = putUint(buf, n, ip)
			n = n + 1; buf[n] = "."
		end
		if d <= 4 then
			n = n + 1; buf[n] = STRIP[d][fp] or stripStr(d, fp)
			return n
		end
		local lo = fp % 10000 -- last 4 decimals
		local hi = (fp - lo) / 10000 -- first d - 4 decimals
		local w = d - 4
		if lo == 0 then
			n = n + 1; buf[n] = STRIP[w][hi] or stripStr(w, hi)
		else
			n = n + 1; buf[n] = PAD[w][hi] or padStr(w, hi)
			n = n + 1; buf[n] = STRIP4[lo] or stripStr(4, lo)
		end
		return n
	end

	-- putValue(buf, n, v) -> n: a number fast, anything else through the
	-- generic encoder.
	local function putValue(buf, n, v)
		if type(v) == "number" then return putNumber(buf, n, v) end
		return encodeValue(v, buf, n, 1)
	end

	jsonPutNumber, jsonIntStrings = putNumber, INT

	local numBuf = {}
	function formatNumber(v)
		return concat(numBuf, "", 1, putValue(numBuf, 0, v))
	end

	-- Quoted object keys ("key":) are cached; bounded because custom data may use
	-- arbitrary keys.
	local KEY_CACHE_MAX = 4096
	local keyCache, keyCacheSize = {}, 0

	local function keyString(k)
		local s = keyCache[k]
		if s then return s end
		local tk = type(k)
		if tk == "string" then
			s = quoteString(k) .. ":"
		elseif tk == "number" then
			if k ~= k or k == huge or k == -huge then return nil end
			s = '"' .. formatNumber(k) .. '":'
		else
			return nil
		end
		if keyCacheSize < KEY_CACHE_MAX then
			keyCache[k] = s
			keyCacheSize = keyCacheSize + 1
		end
		return s
	end

	-- Unmarked tables: empty -> {}, keys exactly 1..n -> array, else object.
	local function isSequence(t)
		local n = #t
		if n == 0 then return false end
		local count = 0
		for _ in pairs(t) do
			count = count + 1
			if count > n then return false end
		end
		return count == n
	end

	-- Cycles need no bookkeeping: they hit the depth guard.
	local function encodeTable(t, buf, n, depth)
		if depth > MAX_JSON_DEPTH then error("json: nesting deeper than " .. MAX_JSON_DEPTH .. " (or a cycle)", 0) end
		local mt = getmetatable(t)
		local kind = mt and mt.__jsontype
		if kind == nil then kind = isSequence(t) and "array" or "object" end
		depth = depth + 1
		if kind == "array" then
			local len = t.n
			if type(len) ~= "number" then len = #t end
			if len == 0 then
				n = n + 1; buf[n] = "[]"
				return n
			end
			n = n + 1; buf[n] = "["
			for i = 1, len do
				if i > 1 then n = n + 1; buf[n] = "," end
				local v = t[i]
				if type(v) == "number" then
					local s = INT[v]
					if s then n = n + 1; buf[n] = s else n = putNumber(buf, n, v) end
				else
					n = encodeValue(v, buf, n, depth)
				end
			end
			n = n + 1; buf[n] = "]"
			return n
		end
		n = n + 1; buf[n] = "{"
		local open = n
		for k, v in pairs(t) do
			local ks = keyCache[k] or keyString(k)
			if not ks then error("json: unsupported key type " .. type(k), 0) end
			n = n + 1; buf[n] = ks
			local tv = type(v)
			if tv == "number" then
				local s = INT[v]
				if s then n = n + 1; buf[n] = s else n = putNumber(buf, n, v) end
			elseif tv == "string" then
				n = n + 1; buf[n] = quoteString(v)
			else
				n = encodeValue(v, buf, n, depth)
			end
			n = n + 1; buf[n] = ","
		end
		if n == open then
			buf[n] = "{}"
		else
			buf[n] = "}" -- replaces the trailing comma
		end
		return n
	end

	encodeValue = function(v, buf, n, depth)
		local tv = type(v)
		if tv == "number" then
			n = putNumber(buf, n, v)
		elseif tv == "string" then
			n = n + 1; buf[n] = quoteString(v)
		elseif tv == "table" then
			n = encodeTable(v, buf, n, depth)
		elseif tv == "boolean" then
			n = n + 1; buf[n] = v and "true" or "false"
		elseif v == nil then
			n = n + 1; buf[n] = "null"
		else
			error("json: cannot encode a " .. tv, 0)
		end
		return n
	end

	local encodeBuf = {}

	-- encode(value) -> string | nil, err. Never raises.
	local function encodeRaw(v)
		return concat(encodeBuf, "", 1, encodeValue(v, encodeBuf, 0, 0))
	end

	function jsonEncode(v)
		local ok, res = pcall(encodeRaw, v)
		if ok then return res end
		return nil, tostring(res)
	end

	--------------------------------------------------------------------------------
	-- JSON decoder (app -> widget frames only). Strict; errors are returned, never
	-- raised.
	--------------------------------------------------------------------------------

	local decodeValue
	local UNESCAPES = { ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n", r = "\r", t = "\t" }

	local function decodeError(pos, what)
		error("json: " .. what .. " at byte " .. pos, 0)
	end

	local function skipWs(s, pos)
		return strfind(s, "[^ \t\r\n]", pos) or (#s + 1)
	end

	local function codepointToUtf8(cp)
		if cp < 0x80 then return strchar(cp) end
		if cp < 0x800 then return strchar(0xC0 + floor(cp / 64), 0x80 + cp % 64) end
		if cp < 0x10000 then
			return strchar(0xE0 + floor(cp / 4096), 0x80 + floor(cp / 64) % 64, 0x80 + cp % 64)
		end
		return strchar(0xF0 + floor(cp / 262144), 0x80 + floor(cp / 4096) % 64,
			0x80 + floor(cp / 64) % 64, 0x80 + cp % 64)
	end

	local function decodeString(s, pos)
		-- pos is at the opening quote
		local parts, np = {}, 0
		local i = pos + 1
		while true do
			local j = strfind(s, '["\\%z\1-\31]', i)
			if not j then decodeError(pos, "unterminated string") end
			if j > i then np = np + 1; parts[np] = strsub(s, i, j - 1) end
			local c = strsub(s, j, j)
			if c == '"' then
				local str = concat(parts)
				if strfind(str, HIGH_BYTE_PATTERN) and sanitizeUtf8(str) ~= str then
					decodeError(pos, "invalid UTF-8")
				end
				return str, j + 1
			elseif c == "\\" then
				local e = strsub(s, j + 1, j + 1)
				if UNESCAPES[e] then
					np = np + 1; parts[np] = UNESCAPES[e]
					i = j + 2
				elseif e == "u" then
					local hex = strsub(s, j + 2, j + 5)
					if not strfind(hex, "^%x%x%x%x$") then decodeError(j, "bad \\u escape") end
					local cp = tonumber(hex, 16)
					i = j + 6
					if cp >= 0xD800 and cp <= 0xDBFF then
						local hex2 = strsub(s, i, i + 5)
						local lo = strfind(hex2, "^\\u%x%x%x%x$") and tonumber(strsub(hex2, 3), 16)
						if not lo or lo < 0xDC00 or lo > 0xDFFF then decodeError(j, "lone surrogate") end
						cp = 0x10000 + (cp - 0xD800) * 1024 + (lo - 0xDC00)
						i = i + 6
					elseif cp >= 0xDC00 and cp <= 0xDFFF then
						decodeError(j, "lone surrogate")
					end
					np = np + 1; parts[np] = codepointToUtf8(cp)
				else
					decodeError(j, "bad escape")
				end
			else
				decodeError(j, "control character in string")
			end
		end
	end

	local function decodeNumber(s, pos)
		local int = s:match("^-?0", pos) or s:match("^-?[1-9]%d*", pos)
		if not int then decodeError(pos, "bad number") end
		local p = pos + #int
		local frac = s:match("^%.%d+", p)
		if frac then p = p + #frac elseif strsub(s, p, p) == "." then decodeError(p, "bad number") end
		local exp = s:match("^[eE][-+]?%d+", p)
		if exp then p = p + #exp elseif strfind(strsub(s, p, p), "^[eE]") then decodeError(p, "bad number") end
		return tonumber(strsub(s, pos, p - 1)), p
	end

	decodeValue = function(s, pos, depth)
		if depth > MAX_JSON_DEPTH then decodeError(pos, "nesting too deep") end
		pos = skipWs(s, pos)
		local c = strsub(s, pos, pos)
		if c == "{" then
			local obj = markObject({})
			pos = skipWs(s, pos + 1)
			if strsub(s, pos, pos) == "}" then return obj, pos + 1 end
			while true do
				if strsub(s, pos, pos) ~= '"' then decodeError(pos, "expected key") end
				local key
				key, pos = decodeString(s, pos)
				pos = skipWs(s, pos)
				if strsub(s, pos, pos) ~= ":" then decodeError(pos, "expected ':'") end
				obj[key], pos = decodeValue(s, pos + 1, depth + 1)
				pos = skipWs(s, pos)
				local d = strsub(s, pos, pos)
				if d == "}" then return obj, pos + 1 end
				if d ~= "," then decodeError(pos, "expected ',' or '}'") end
				pos = skipWs(s, pos + 1)
			end
		elseif c == "[" then
			local arr, n = markArray({}), 0
			pos = skipWs(s, pos + 1)
			if strsub(s, pos, pos) == "]" then arr.n = 0; return arr, pos + 1 end
			while true do
				n = n + 1
				arr[n], pos = decodeValue(s, pos, depth + 1)
				pos = skipWs(s, pos)
				local d = strsub(s, pos, pos)
				if d == "]" then arr.n = n; return arr, pos + 1 end
				if d ~= "," then decodeError(pos, "expected ',' or ']'") end
				pos = pos + 1
			end
		elseif c == '"' then
			return decodeString(s, pos)
		elseif c == "-" or strfind(c, "^%d") then
			return decodeNumber(s, pos)
		elseif strsub(s, pos, pos + 3) == "true" then
			return true, pos + 4
		elseif strsub(s, pos, pos + 4) == "false" then
			return false, pos + 5
		elseif strsub(s, pos, pos + 3) == "null" then
			return nil, pos + 4
		end
		decodeError(pos, "unexpected character")
	end

	local function decodeRaw(s)
		local v, pos = decodeValue(s, 1, 0)
		pos = skipWs(s, pos)
		if pos <= #s then decodeError(pos, "trailing data") end
		return v
	end

	-- decode(s) -> value | nil, err. Never raises.
	function jsonDecode(s)
		if type(s) ~= "string" then return nil, "json: not a string" end
		local ok, res = pcall(decodeRaw, s)
		if ok then return res end
		return nil, tostring(res)
	end

end

--------------------------------------------------------------------------------
-- Framing: u32 big-endian length + payload. Built with arithmetic because
-- VFS.PackU32 is native-endian; exact for n < 2^24 (32-bit float Lua numbers).
--------------------------------------------------------------------------------

local function u32be(n)
	return strchar(floor(n / 16777216) % 256, floor(n / 65536) % 256, floor(n / 256) % 256, n % 256)
end

local function readU32be(s, i)
	local a, b, c, d = strbyte(s, i, i + 3)
	return ((a * 256 + b) * 256 + c) * 256 + d
end

local function frame(payload)
	local n = #payload
	if n == 0 or n > MAX_PAYLOAD then return nil end
	return u32be(n) .. payload
end

--------------------------------------------------------------------------------
-- Send queue of encoded frames. FIFO bounded by message count and bytes.
-- Droppable messages (update, stats, custom, test) give way first, oldest
-- first; hello, unit_defs, events, bye and replies are never dropped for them.
-- The head frame, once partly sent, is pinned until its last byte is out.
--------------------------------------------------------------------------------

local Queue = {}
Queue.__index = Queue

local function newQueue(maxMsgs, maxBytes)
	return setmetatable({ items = {}, bytes = 0, maxMsgs = maxMsgs, maxBytes = maxBytes,
		headSent = 0, drops = 0 }, Queue)
end

function Queue:count() return #self.items end

-- Removes the oldest droppable, unpinned entry; returns true if one went.
function Queue:dropOldest()
	local items = self.items
	local first = (self.headSent > 0) and 2 or 1
	for i = first, #items do
		local e = items[i]
		if e.droppable then
			tremove(items, i)
			self.bytes = self.bytes - #e.data
			self.drops = self.drops + 1
			return true
		end
	end
	return false
end

-- push(data, droppable) -> "queued" | "dropped" (the new message) | "overflow"
-- (a protected message would exceed the hard limit).
function Queue:push(data, droppable)
	local len = #data
	local items = self.items
	while #items + 1 > self.maxMsgs or self.bytes + len > self.maxBytes do
		if not self:dropOldest() then break end
	end
	if #items + 1 > self.maxMsgs or self.bytes + len > self.maxBytes then
		if droppable then
			self.drops = self.drops + 1
			return "dropped"
		end
		if self.bytes + len > self.maxBytes * QUEUE_HARD_FACTOR
			or #items + 1 > self.maxMsgs * QUEUE_HARD_FACTOR then
			return "overflow"
		end
	end
	items[#items + 1] = { data = data, droppable = droppable }
	self.bytes = self.bytes + len
	return "queued"
end

function Queue:head()
	return self.items[1]
end

-- Marks `k` bytes of the head as sent; pops it when complete.
function Queue:advance(k)
	local e = self.items[1]
	self.headSent = k
	if k >= #e.data then
		tremove(self.items, 1)
		self.bytes = self.bytes - #e.data
		self.headSent = 0
		return true
	end
	return false
end

-- Drops everything not pinned; returns the number dropped.
function Queue:clear(includePinned)
	local items = self.items
	local keep = (not includePinned and self.headSent > 0) and 1 or 0
	local dropped = #items - keep
	for i = #items, keep + 1, -1 do
		self.bytes = self.bytes - #items[i].data
		items[i] = nil
	end
	if keep == 0 then self.headSent = 0; self.bytes = 0 end
	return dropped
end

--------------------------------------------------------------------------------
-- Settings
--------------------------------------------------------------------------------

local config = {
	host = DEFAULT_HOST,
	port = DEFAULT_PORT,
	interval = DEFAULT_INTERVAL,
	level = DEFAULT_LEVEL,
	maxUnits = DEFAULT_MAX_UNITS,
	queueSize = DEFAULT_QUEUE_MSGS,
	queueBytes = DEFAULT_QUEUE_BYTES,
	indicator = true,
}

local function isInt(v, lo, hi)
	return type(v) == "number" and v == v and v % 1 == 0 and v >= lo and v <= hi
end

local function validIPv4(h)
	if type(h) ~= "string" then return false end
	local a, b, c, d = h:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
	if not a then return false end
	for _, part in ipairs({ a, b, c, d }) do
		if #part > 3 or tonumber(part) > 255 then return false end
	end
	return true
end

-- Validators per persisted key: return the value if acceptable, else nil.
local VALIDATORS = {
	host = function(v) if validIPv4(v) then return v end end,
	port = function(v) if isInt(v, 1, 65535) then return v end end,
	interval = function(v) if isInt(v, MIN_INTERVAL, MAX_INTERVAL) then return v end end,
	level = function(v) if LEVELS[v] then return v end end,
	maxUnits = function(v) if isInt(v, 0, MAX_MAX_UNITS) then return v end end,
	queueSize = function(v) if isInt(v, MIN_QUEUE_MSGS, MAX_QUEUE_MSGS) then return v end end,
	queueBytes = function(v) if isInt(v, 16 * 1024, 16 * 1024 * 1024) then return v end end,
	indicator = function(v) if type(v) == "boolean" then return v end end,
}

-- Key-by-key merge so a saved `false` survives and junk is ignored.
local function mergeConfig(saved)
	if type(saved) ~= "table" then return 0 end
	local applied = 0
	for key, validate in pairs(VALIDATORS) do
		local v = saved[key]
		if v ~= nil then
			v = validate(v)
			if v ~= nil then config[key] = v; applied = applied + 1 end
		end
	end
	return applied
end

--------------------------------------------------------------------------------
-- Connection state and counters
--------------------------------------------------------------------------------

local conn = {
	state = STATE_DISCONNECTED,
	reason = "not started",
	sock = nil,
	deadline = 0,       -- connect deadline (clock seconds)
	retryAt = 0,        -- backoff end (clock seconds)
	failures = 0,       -- consecutive failed attempts (for backoff)
	manual = false,     -- disconnected by command: no automatic retries
	seq = 0,
	recvBuf = "",
	describedDefs = {}, -- def ids sent in unit_defs on this connection
	lastSampleFrame = nil,
}

local queue = newQueue(DEFAULT_QUEUE_MSGS, DEFAULT_QUEUE_BYTES)

local counters = {
	refused = 0, partialSends = 0, reconnects = 0, connects = 0,
	messagesSent = 0, bytesSent = 0, -- current stats period
	encodeErrors = 0,
}

local timings = { collect = {}, encode = {}, send = {} }
local lastReport = { collect_ms = 0, encode_ms = 0, send_ms = 0, messages_per_sec = 0, bytes_per_sec = 0 }
local statsPeriodStart = 0

local function addTiming(list, seconds)
	local n = #list
	if n < MAX_TIMING_SAMPLES then list[n + 1] = seconds * 1000 end
end

local function median(list)
	local n = #list
	if n == 0 then return 0 end
	tsort(list)
	local m
	if n % 2 == 1 then m = list[(n + 1) / 2] else m = (list[n / 2] + list[n / 2 + 1]) / 2 end
	for i = n, 1, -1 do list[i] = nil end
	return m
end

local function setState(state, reason)
	conn.state = state
	conn.reason = reason
end

--------------------------------------------------------------------------------
-- Messages
--------------------------------------------------------------------------------

local DROPPABLE = { update = true, stats = true, custom = true, test = true }

local onQueueOverflow -- set below (needs the connection functions)

-- Frames an encoded message and queues it; t0 = when encoding started (for the
-- encode timing). Returns true when queued.
local function queuePayload(msgType, payload, t0)
	local data = frame(payload)
	addTiming(timings.encode, spDiffTimers(spGetTimer(), t0))
	if not data then
		counters.refused = counters.refused + 1
		logOnce("refused " .. tostring(msgType), "message of " .. #payload .. " bytes is over the "
			.. MAX_PAYLOAD .. " byte cap")
		return false
	end
	local res = queue:push(data, DROPPABLE[msgType] or false)
	if res == "overflow" then
		onQueueOverflow()
		return false
	end
	return res == "queued"
end

-- Encodes `msg` (a table with at least `type`), frames it and queues it.
-- Only while connected: a new connection always starts with hello, so nothing
-- is kept across connections. Returns true when queued.
local function enqueue(msg)
	if conn.state ~= STATE_CONNECTED then return false end
	local t0 = spGetTimer()
	conn.seq = conn.seq + 1
	msg.schema_version = SCHEMA_VERSION
	msg.seq = conn.seq
	local payload, err = jsonEncode(msg)
	if not payload then
		counters.encodeErrors = counters.encodeErrors + 1
		logOnce("encode " .. tostring(msg.type), err)
		return false
	end
	return queuePayload(msg.type, payload, t0)
end

local function resourceObject(teamID, res)
	local cur, stor, pull, inc, exp, share, sent, recv, excess = spGetTeamResources(teamID, res)
	if cur == nil and stor == nil then return nil end
	return markObject({ current = cur, storage = stor, pull = pull, income = inc, expense = exp,
		share = share, sent = sent, received = recv, excess = excess })
end

local STATS_KEYS = {
	time = "time", frame = "frame",
	metalUsed = "metal_used", metalProduced = "metal_produced", metalExcess = "metal_excess",
	metalReceived = "metal_received", metalSent = "metal_sent",
	energyUsed = "energy_used", energyProduced = "energy_produced", energyExcess = "energy_excess",
	energyReceived = "energy_received", energySent = "energy_sent",
	damageDealt = "damage_dealt", damageReceived = "damage_received",
	unitsProduced = "units_produced", unitsDied = "units_died", unitsReceived = "units_received",
	unitsSent = "units_sent", unitsCaptured = "units_captured", unitsOutCaptured = "units_out_captured",
	unitsKilled = "units_killed",
}

--------------------------------------------------------------------------------
-- Visibility and teams
--------------------------------------------------------------------------------

local view = { spectating = false, fullView = false, allyTeam = nil, teams = {}, myPlayerID = nil }

local function computeView()
	local spectating, fullView = false, false
	if spGetSpectatingState then spectating, fullView = spGetSpectatingState() end
	view.spectating = spectating and true or false
	view.fullView = fullView and true or false
	view.allyTeam = spGetMyAllyTeamID and spGetMyAllyTeamID()
	view.myPlayerID = spGetMyPlayerID and spGetMyPlayerID()
	local teams = {}
	local list = (view.spectating and view.fullView) and spGetTeamList()
		or (view.allyTeam and spGetTeamList(view.allyTeam)) or {}
	for i = 1, #list do teams[#teams + 1] = list[i] end
	tsort(teams)
	view.teams = teams
end

local function gaiaTeam()
	return spGetGaiaTeamID and spGetGaiaTeamID()
end

-- Gaia only when it has units.
local function teamListed(teamID, gaia)
	if teamID == gaia then
		local n = spGetTeamUnitCount and spGetTeamUnitCount(teamID)
		return (n or 0) > 0
	end
	return true
end

-- Strips BAR colour codes (\255 r g b, \b reset) from names.
local function stripColorCodes(s)
	s = strgsub(s, "\255...", "")
	return (strgsub(s, "\b", ""))
end

local function colorHex(r, g, b)
	local function c(v)
		v = tonumber(v) or 0
		if v ~= v then v = 0 end
		return floor(max(0, min(1, v)) * 255 + 0.5)
	end
	return strformat("#%02x%02x%02x", c(r), c(g), c(b))
end

local function teamName(teamID, leader, hasAI, gaia)
	if teamID == gaia then return "Gaia" end
	local name
	if hasAI and spGetAIInfo then
		local _, aiName = spGetAIInfo(teamID)
		name = aiName
	end
	if not name and leader and leader >= 0 and spGetPlayerInfo then
		name = spGetPlayerInfo(leader, false)
	end
	if type(name) ~= "string" or name == "" then name = "Team " .. teamID end
	return stripColorCodes(name)
end

local function teamInfoList()
	local gaia = gaiaTeam()
	local out = markArray({})
	for _, teamID in ipairs(view.teams) do
		if teamListed(teamID, gaia) then
			local _, leader, _, hasAI, side, allyTeam = spGetTeamInfo(teamID, false)
			if allyTeam then
				local r, g, b = spGetTeamColor(teamID)
				out[#out + 1] = markObject({
					team_id = teamID,
					ally_team_id = allyTeam,
					name = teamName(teamID, leader, hasAI, gaia),
					color = colorHex(r, g, b),
					is_ai = hasAI and true or false,
					side = type(side) == "string" and side or "",
					is_gaia = teamID == gaia,
				})
			end
		end
	end
	return out
end

--------------------------------------------------------------------------------
-- Unit defs: described lazily, once per connection
--------------------------------------------------------------------------------

local defCache = {}

local function defCategory(ud)
	local cp = ud.customParams or {}
	if cp.iscommander or cp.commtype then return "commander" end
	if ud.isFactory then return "factory" end
	if ud.isBuilder and (ud.canMove or ud.speed and ud.speed > 0) then return "builder" end
	if cp.unitgroup == "energy" or cp.unitgroup == "metal" or (ud.extractsMetal or 0) > 0
		or (ud.energyMake or 0) > 0 or (ud.windGenerator or 0) > 0 or (ud.tidalGenerator or 0) > 0
		or cp.energyconv_capacity or cp.metal_extractor then
		return "economy"
	end
	local armed = ud.weapons and #ud.weapons > 0
	if ud.isBuilder then return "builder" end
	if armed and ud.canMove then return "army" end
	if armed then return "defense" end
	return "other"
end

local function defInfo(defID)
	local info = defCache[defID]
	if info ~= nil then return info end
	local ud = UnitDefs and UnitDefs[defID]
	if not ud then defCache[defID] = false; return false end
	info = markObject({
		id = defID,
		name = tostring(ud.name or defID),
		label = stripColorCodes(tostring(ud.humanName or ud.name or defID)),
		metal_cost = tonumber(ud.metalCost) or 0,
		energy_cost = tonumber(ud.energyCost) or 0,
		category = defCategory(ud),
	})
	defCache[defID] = info
	return info
end

--------------------------------------------------------------------------------
-- Collecting an update
--------------------------------------------------------------------------------

-- Collects one `update` table for `level`; newDefs receives def ids not yet
-- described on this connection.
local function collectUpdate(level, maxUnits, described, newDefs)
	local lv = LEVELS[level] or 2
	local _, speed, paused = spGetGameSpeed()
	local msg = {
		type = "update",
		game_frame = spGetGameFrame(),
		game_seconds = spGetGameSeconds and spGetGameSeconds() or 0,
		paused = paused and true or false,
		speed = speed,
	}
	local teams = markArray({})
	local gaia = gaiaTeam()
	local nNew = #newDefs
	local readTeams = {}
	for _, teamID in ipairs(view.teams) do
		local metal = resourceObject(teamID, "metal")
		-- nil = the viewer may not read this team: leave it out entirely.
		if metal and teamListed(teamID, gaia) then
			local energy = resourceObject(teamID, "energy")
			if energy then
				local units = markObject({ total = spGetTeamUnitCount(teamID) or 0 })
				local team = markObject({ team_id = teamID, metal = metal, energy = energy, units = units })
				if lv >= 2 then
					local counts = spGetTeamUnitsCounts and spGetTeamUnitsCounts(teamID)
					local byDef = markObject({})
					if type(counts) == "table" then
						for defID, count in pairs(counts) do
							if type(defID) == "number" then
								if defInfo(defID) then
									byDef[defID] = count
									if not described[defID] then
										described[defID] = true
										nNew = nNew + 1; newDefs[nNew] = defID
									end
								end
							elseif defID == "unknown" and type(count) == "number" then
								units.unknown = count
							end
						end
					end
					units.by_def = byDef
					local n = spGetTeamStatsHistory and spGetTeamStatsHistory(teamID)
					if type(n) == "number" and n > 0 then
						local hist = spGetTeamStatsHistory(teamID, n, n)
						local entry = type(hist) == "table" and hist[1]
						if type(entry) == "table" then
							local stats = markObject({})
							for k, v in pairs(entry) do
								local key = STATS_KEYS[k]
								if key and type(v) == "number" then stats[key] = v end
							end
							team.stats = stats
						end
					end
				end
				teams[#teams + 1] = team
				readTeams[#readTeams + 1] = teamID
			end
		end
	end
	msg.teams = teams
	if lv >= 3 then
		local units = markArray({})
		local count, omitted = 0, 0
		for _, teamID in ipairs(readTeams) do
			local list = spGetTeamUnits(teamID) or {}
			for i = 1, #list do
				local unitID = list[i]
				if count >= maxUnits then
					omitted = omitted + 1
				else
					local defID = spGetUnitDefID(unitID)
					local x, _, z = spGetUnitPosition(unitID)
					if defID and x and defInfo(defID) then
						local hp, maxHp, _, _, build = spGetUnitHealth(unitID)
						local health
						if hp and maxHp and maxHp > 0 then health = max(0, min(1, hp / maxHp)) end
						if build then build = max(0, min(1, build)) end
						if not described[defID] then
							described[defID] = true
							nNew = nNew + 1; newDefs[nNew] = defID
						end
						count = count + 1
						units[count] = markObject({ id = unitID, def = defID, team = teamID,
							x = floor(x + 0.5), z = floor(z + 0.5), health = health, build = build })
					end
				end
			end
		end
		msg.units = units
		msg.units_omitted = omitted
	end
	return msg
end

--------------------------------------------------------------------------------
-- Fused collect + encode for `update`, the hot path. Reads the engine and
-- writes JSON pieces straight into a reused buffer using pre-built fragments
-- (per-team prefixes, per-def keys, key strings); no per-update tables. It
-- yields the same JSON value as jsonEncode(collectUpdate(...)) (see
-- widget/spec/update_encoder_spec.lua). It expects numbers where the engine
-- returns numbers; anything unusual (a nil among the nine resource values, a
-- non-number) raises, and sendUpdate then builds that update the reference way
-- (collectUpdate + the generic encoder), which remains the specification.
--------------------------------------------------------------------------------

-- encodeUpdate(level, maxUnits, described, newDefs) -> n: the message is
-- updateBuf[1..n]; updateBuf[UPDATE_SEQ_SLOT] is a placeholder for seq.
local UPDATE_SEQ_SLOT = 2
local encodeUpdate, updateBuf
do
	local buf, bufLen = {}, 0
	updateBuf = buf
	local INT = jsonIntStrings
	local putNumber = jsonPutNumber
	local HEADER = '{"type":"update","schema_version":' .. SCHEMA_VERSION .. ',"seq":'

	local teamOpen = {}     -- teamID -> '{"team_id":5,"metal":'
	local unitTeamKey = {}  -- teamID -> ',"team":5,"x":'
	local defCommaKey = {}  -- defID -> ',"12":' (false: not a known def)
	local defBraceKey = {}  -- defID -> '{"12":'
	local unitDefKey = {}   -- defID -> ',"def":12'
	local statsCommaKey, statsBraceKey = {}, {} -- engine key -> ',"metal_used":' / '{"metal_used":'
	for k, v in pairs(STATS_KEYS) do
		statsCommaKey[k] = ',"' .. v .. '":'
		statsBraceKey[k] = '{"' .. v .. '":'
	end
	local readTeams = {}
	local EMPTY = {}

	-- A def id's key fragments, built once; false if the def is unknown.
	local function defKey(defID)
		local ck = false
		if defInfo(defID) then
			local id = formatNumber(defID)
			ck = ',"' .. id .. '":'
			defBraceKey[defID] = '{"' .. id .. '":'
			unitDefKey[defID] = ',"def":' .. id
		end
		defCommaKey[defID] = ck
		return ck
	end

	-- {"current":..,...,"excess":..}. The nine values are numbers in the engine;
	-- anything else raises (putNumber) and sendUpdate falls back to the
	-- reference path for this update.
	local function putResources(n, v1, v2, v3, v4, v5, v6, v7, v8, v9)
		local s
		n = n + 1; buf[n] = '{"current":'
		s = INT[v1]; if s then n = n + 1; buf[n] = s else n = putNumber(buf, n, v1) end
		n = n + 1; buf[n] = ',"storage":'
		s = INT[v2]; if s then n = n + 1; buf[n] = s else n = putNumber(buf, n, v2) end
		n = n + 1; buf[n] = ',"pull":'
		s = INT[v3]; if s then n = n + 1; buf[n] = s else n = putNumber(buf, n, v3) end
		n = n + 1; buf[n] = ',"income":'
		s = INT[v4]; if s then n = n + 1; buf[n] = s else n = putNumber(buf, n, v4) end
		n = n + 1; buf[n] = ',"expense":'
		s = INT[v5]; if s then n = n + 1; buf[n] = s else n = putNumber(buf, n, v5) end
		n = n + 1; buf[n] = ',"share":'
		s = INT[v6]; if s then n = n + 1; buf[n] = s else n = putNumber(buf, n, v6) end
		n = n + 1; buf[n] = ',"sent":'
		s = INT[v7]; if s then n = n + 1; buf[n] = s else n = putNumber(buf, n, v7) end
		n = n + 1; buf[n] = ',"received":'
		s = INT[v8]; if s then n = n + 1; buf[n] = s else n = putNumber(buf, n, v8) end
		n = n + 1; buf[n] = ',"excess":'
		s = INT[v9]; if s then n = n + 1; buf[n] = s else n = putNumber(buf, n, v9) end
		n = n + 1; buf[n] = "}"
		return n
	end

	-- units.by_def and units.unknown, then closes `units`.
	local function putUnitCounts(n, teamID, described, newDefs)
		local counts = spGetTeamUnitsCounts and spGetTeamUnitsCounts(teamID)
		local unknown, firstDef
		local open = n
		if type(counts) == "table" then
			for defID, count in pairs(counts) do
				local ck = defCommaKey[defID]
				if ck == nil then
					if type(defID) == "number" then
						ck = defKey(defID)
					elseif defID == "unknown" and type(count) == "number" then
						unknown = count
					end
				end
				if ck then
					if not firstDef then firstDef = defID end
					n = n + 1; buf[n] = ck
					local s = INT[count]
					if s then n = n + 1; buf[n] = s else n = putNumber(buf, n, count) end
					if not described[defID] then
						described[defID] = true
						newDefs[#newDefs + 1] = defID
					end
				end
			end
		end
		if firstDef then
			buf[open + 1] = defBraceKey[firstDef]
			n = n + 1; buf[n] = "}"
		else
			n = n + 1; buf[n] = "{}"
		end
		if unknown ~= nil then
			n = n + 1; buf[n] = ',"unknown":'
			n = putNumber(buf, n, unknown)
		end
		n = n + 1; buf[n] = "}"
		return n
	end

	-- ,"stats":{...} from the latest statistics entry, if any.
	local function putStats(n, teamID)
		local sn = spGetTeamStatsHistory and spGetTeamStatsHistory(teamID)
		if type(sn) ~= "number" or sn <= 0 then return n end
		local hist = spGetTeamStatsHistory(teamID, sn, sn)
		local entry = type(hist) == "table" and hist[1]
		if type(entry) ~= "table" then return n end
		n = n + 1; buf[n] = ',"stats":'
		local open, firstKey = n, nil
		for k, v in pairs(entry) do
			local ck = statsCommaKey[k]
			if ck then -- a non-number raises in putNumber: reference path (which skips it)
				if not firstKey then firstKey = k end
				n = n + 1; buf[n] = ck
				local s = INT[v]
				if s then n = n + 1; buf[n] = s else n = putNumber(buf, n, v) end
			end
		end
		if firstKey then
			buf[open + 1] = statsBraceKey[firstKey]
			n = n + 1; buf[n] = "}"
		else
			n = n + 1; buf[n] = "{}"
		end
		return n
	end

	-- The unit list (level detailed), then units_omitted.
	local function putUnitList(n, nRead, maxUnits, described, newDefs)
		n = n + 1; buf[n] = ',"units":['
		local count, omitted = 0, 0
		for r = 1, nRead do
			local teamID = readTeams[r]
			local list = spGetTeamUnits(teamID) or EMPTY
			local teamKey = unitTeamKey[teamID]
			if not teamKey then
				teamKey = ',"team":' .. formatNumber(teamID) .. ',"x":'
				unitTeamKey[teamID] = teamKey
			end
			local len = #list
			for i = 1, len do
				if count >= maxUnits then
					omitted = omitted + (len - i + 1)
					break
				end
				local unitID = list[i]
				local defID = spGetUnitDefID(unitID)
				local x, _, z = spGetUnitPosition(unitID)
				if defID and x then
					local ck = defCommaKey[defID]
					if ck == nil then ck = defKey(defID) end
					if ck then
						local hp, maxHp, _, _, build = spGetUnitHealth(unitID)
						if not described[defID] then
							described[defID] = true
							newDefs[#newDefs + 1] = defID
						end
						count = count + 1
						n = n + 1; buf[n] = count == 1 and '{"id":' or ',{"id":'
						local s = INT[unitID]
						if s then n = n + 1; buf[n] = s else n = putNumber(buf, n, unitID) end
						n = n + 1; buf[n] = unitDefKey[defID]
						n = n + 1; buf[n] = teamKey
						-- floor(v + 0.5) without the C call
						local t = x + 0.5
						t = t - t % 1
						s = INT[t]
						if s then n = n + 1; buf[n] = s else n = putNumber(buf, n, t) end
						n = n + 1; buf[n] = ',"z":'
						t = z + 0.5
						t = t - t % 1
						s = INT[t]
						if s then n = n + 1; buf[n] = s else n = putNumber(buf, n, t) end
						if hp and maxHp and maxHp > 0 then
							-- max(0, min(1, h)) without the C calls (NaN -> 1 as there)
							local h = hp / maxHp
							if h < 1 then
								if h <= 0 then h = 0 end -- also turns -0 into 0
							else
								h = 1
							end
							if h == 1 then
								n = n + 1; buf[n] = ',"health":1'
							else
								n = n + 1; buf[n] = ',"health":'
								n = putNumber(buf, n, h)
							end
						end
						if build then
							if build < 1 then
								if build <= 0 then build = 0 end
							else
								build = 1
							end
							if build == 1 then
								n = n + 1; buf[n] = ',"build":1}'
							else
								n = n + 1; buf[n] = ',"build":'
								n = putNumber(buf, n, build)
								n = n + 1; buf[n] = "}"
							end
						else
							n = n + 1; buf[n] = "}"
						end
					end
				end
			end
		end
		n = n + 1; buf[n] = '],"units_omitted":'
		return putNumber(buf, n, omitted)
	end

	function encodeUpdate(level, maxUnits, described, newDefs)
		local lv = LEVELS[level] or 2
		local _, speed, paused = spGetGameSpeed()
		local n = 2
		buf[1] = HEADER
		buf[UPDATE_SEQ_SLOT] = "0" -- seq, filled in by the caller
		local gameFrame = spGetGameFrame()
		if gameFrame ~= nil then
			n = n + 1; buf[n] = ',"game_frame":'
			n = putNumber(buf, n, gameFrame)
		end
		n = n + 1; buf[n] = ',"game_seconds":'
		n = putNumber(buf, n, spGetGameSeconds and spGetGameSeconds() or 0)
		n = n + 1; buf[n] = paused and ',"paused":true' or ',"paused":false'
		if speed ~= nil then
			n = n + 1; buf[n] = ',"speed":'
			n = putNumber(buf, n, speed)
		end
		n = n + 1; buf[n] = ',"teams":['
		local gaia = gaiaTeam()
		local teams = view.teams
		local nRead = 0
		for ti = 1, #teams do
			local teamID = teams[ti]
			local m1, m2, m3, m4, m5, m6, m7, m8, m9 = spGetTeamResources(teamID, "metal")
			-- nil = the viewer may not read this team: leave it out entirely.
			if (m1 ~= nil or m2 ~= nil) and teamListed(teamID, gaia) then
				local e1, e2, e3, e4, e5, e6, e7, e8, e9 = spGetTeamResources(teamID, "energy")
				if e1 ~= nil or e2 ~= nil then
					nRead = nRead + 1
					readTeams[nRead] = teamID
					local open = teamOpen[teamID]
					if not open then
						open = '{"team_id":' .. formatNumber(teamID) .. ',"metal":'
						teamOpen[teamID] = open
					end
					if nRead > 1 then n = n + 1; buf[n] = "," end
					n = n + 1; buf[n] = open
					n = putResources(n, m1, m2, m3, m4, m5, m6, m7, m8, m9)
					n = n + 1; buf[n] = ',"energy":'
					n = putResources(n, e1, e2, e3, e4, e5, e6, e7, e8, e9)
					n = n + 1; buf[n] = ',"units":{"total":'
					local total = spGetTeamUnitCount(teamID) or 0
					local ts = INT[total]
					if ts then n = n + 1; buf[n] = ts else n = putNumber(buf, n, total) end
					if lv >= 2 then
						n = n + 1; buf[n] = ',"by_def":'
						n = putUnitCounts(n, teamID, described, newDefs)
						n = putStats(n, teamID)
					else
						n = n + 1; buf[n] = "}"
					end
					n = n + 1; buf[n] = "}"
				end
			end
		end
		n = n + 1; buf[n] = "]"
		if lv >= 3 then n = putUnitList(n, nRead, maxUnits, described, newDefs) end
		n = n + 1; buf[n] = "}"
		-- Reused buffer: drop what a bigger earlier update left behind.
		for i = n + 1, bufLen do buf[i] = nil end
		bufLen = n
		return n
	end
end

--------------------------------------------------------------------------------
-- Connection handling
--------------------------------------------------------------------------------

local function closeSocket()
	local s = conn.sock
	conn.sock = nil
	if s then pcall(s.close, s) end
end

local function resetConnectionData()
	queue:clear(true)
	conn.seq = 0
	conn.recvBuf = ""
	conn.describedDefs = {}
	conn.lastSampleFrame = nil
end

local function scheduleRetry(reason)
	closeSocket()
	resetConnectionData()
	conn.failures = conn.failures + 1
	local base = min(BACKOFF_MAX, BACKOFF_MIN * 2 ^ (conn.failures - 1))
	local delay = base * (1 + BACKOFF_JITTER * (2 * random() - 1))
	delay = max(BACKOFF_MIN * (1 - BACKOFF_JITTER), min(BACKOFF_MAX, delay))
	conn.retryAt = clock() + delay
	setState(STATE_BACKOFF, strformat("%s; retrying in %.1f s", reason, delay))
end

local function socketAvailable()
	-- `socket` is a global passed through by BAR; never `require` or shadow it.
	if type(socket) ~= "table" or type(socket.tcp) ~= "function" then
		setState(STATE_DISABLED, "LuaSocket is not available: set LuaSocketEnabled = 1 in springsettings.cfg"
			.. " and restart the game")
		return false
	end
	return true
end

local function deniedMessage(err)
	return "connection to " .. config.host .. ":" .. config.port .. " denied (" .. tostring(err)
		.. "): add " .. config.host .. ":" .. config.port
		.. " to TCPAllowConnect in springsettings.cfg (or set it to *) and restart the game"
end

local sendHello -- forward

local function onConnected()
	setState(STATE_CONNECTED, "connected to " .. config.host .. ":" .. config.port)
	if conn.connectedOnce then counters.reconnects = counters.reconnects + 1 end
	conn.connectedOnce = true
	counters.connects = counters.connects + 1
	conn.failures = 0
	resetConnectionData()
	sendHello()
end

local function startConnect()
	closeSocket()
	if not socketAvailable() then return end
	local ok, s = pcall(socket.tcp)
	if not ok or not s then
		scheduleRetry("could not create a socket (" .. tostring(s) .. ")")
		return
	end
	conn.sock = s
	s:settimeout(0)
	local res, err = s:connect(config.host, config.port)
	if res then
		onConnected()
		return
	end
	err = tostring(err)
	local lerr = strlower(err)
	if strfind(lerr, "denied") or strfind(lerr, "not allowed") then
		closeSocket()
		setState(STATE_DISABLED, deniedMessage(err))
		echo(conn.reason)
		return
	end
	if err == "timeout" or strfind(lerr, "in progress") or strfind(lerr, "already") then
		conn.deadline = clock() + CONNECT_TIMEOUT
		setState(STATE_CONNECTING, "connecting to " .. config.host .. ":" .. config.port)
		return
	end
	scheduleRetry("connect failed: " .. err)
end

local function pollConnecting()
	local s = conn.sock
	local _, writable = socket.select(nil, { s }, 0)
	if writable and (writable[1] == s or writable[s]) then
		if s:getpeername() then
			onConnected()
		else
			scheduleRetry("connection refused by " .. config.host .. ":" .. config.port)
		end
		return
	end
	if clock() >= conn.deadline then
		scheduleRetry("no answer from " .. config.host .. ":" .. config.port .. " within "
			.. CONNECT_TIMEOUT .. " s")
	end
end

-- Best effort: push what is queued without blocking, then close.
local function flushNow()
	local s = conn.sock
	if not s then return end
	local guard = 0
	while queue:head() and guard < 1000 do
		guard = guard + 1
		local e = queue:head()
		local res, err, k = s:send(e.data, queue.headSent + 1)
		if res then
			queue:advance(res)
		else
			if k and k > queue.headSent then queue:advance(k) end
			if err ~= "timeout" then break end
			break
		end
	end
end

local function disconnectWithBye(reason)
	if conn.state == STATE_CONNECTED then
		-- Queued messages go first (events may be among them), then bye.
		enqueue({ type = "bye", reason = reason })
		flushNow()
	end
	closeSocket()
	resetConnectionData()
end

onQueueOverflow = function()
	-- Messages that must not be dropped pile up: the app stopped reading. Start
	-- over; the new connection gets a fresh hello.
	scheduleRetry("send queue overflow (app not reading)")
end

local function connectNow()
	conn.manual = false
	conn.failures = 0
	startConnect()
end

local function disconnectNow(reason)
	disconnectWithBye(reason or "disconnect")
	conn.manual = true
	setState(STATE_DISCONNECTED, "disconnected by command; /livedata connect to reconnect")
end

--------------------------------------------------------------------------------
-- Outgoing messages
--------------------------------------------------------------------------------

local function gameString(v)
	if type(v) ~= "string" then return "" end
	return v
end

sendHello = function()
	computeView()
	local engineVersion = Engine and (Engine.versionFull ~= "" and Engine.versionFull or Engine.version) or ""
	enqueue({
		type = "hello",
		widget = markObject({ name = WIDGET_NAME, version = WIDGET_VERSION }),
		game = markObject({
			game_name = gameString(Game and Game.gameName),
			game_version = gameString(Game and Game.gameVersion),
			engine_version = gameString(engineVersion),
			map_name = gameString(Game and Game.mapName),
			is_replay = (spIsReplay and spIsReplay()) and true or false,
			spectating = view.spectating,
			full_view = view.fullView,
			my_player_id = view.myPlayerID or -1,
			my_team_id = spGetMyTeamID and spGetMyTeamID() or -1,
			game_frame = spGetGameFrame(),
		}),
		teams = teamInfoList(),
		config = markObject({ interval_frames = config.interval, level = config.level }),
	})
end

local function sendEvent(name, fields)
	local msg = fields or {}
	msg.type = "event"
	msg.name = name
	msg.game_frame = spGetGameFrame()
	return enqueue(msg)
end

local newDefsScratch = {}

-- The update goes through the fused encoder (encodeUpdate); collect_ms then
-- covers reading the engine and writing the JSON pieces, encode_ms joining them,
-- framing and queueing. If the fused encoder raises (input it does not expect,
-- or an engine error), this update is built the reference way instead.
local function sendUpdate()
	local t0 = spGetTimer()
	local newDefs = newDefsScratch
	for i = #newDefs, 1, -1 do newDefs[i] = nil end
	local described = conn.describedDefs
	local ok, n = pcall(encodeUpdate, config.level, config.maxUnits, described, newDefs)
	local msg
	if not ok then
		for i = #newDefs, 1, -1 do
			described[newDefs[i]] = nil
			newDefs[i] = nil
		end
		ok, msg = pcall(collectUpdate, config.level, config.maxUnits, described, newDefs)
		if not ok then
			for i = 1, #newDefs do described[newDefs[i]] = nil end
			counters.encodeErrors = counters.encodeErrors + 1
			logOnce("collect update", msg)
			return false
		end
	end
	addTiming(timings.collect, spDiffTimers(spGetTimer(), t0))
	if #newDefs > 0 then
		local defs = markArray({})
		for i = 1, #newDefs do defs[i] = defInfo(newDefs[i]) end
		if not enqueue({ type = "unit_defs", defs = defs }) then
			-- Not described, so forget them: the next update tries again.
			for i = 1, #newDefs do described[newDefs[i]] = nil end
			return false
		end
	end
	if msg then return enqueue(msg) end
	if conn.state ~= STATE_CONNECTED then return false end
	local t1 = spGetTimer()
	conn.seq = conn.seq + 1
	updateBuf[UPDATE_SEQ_SLOT] = formatNumber(conn.seq)
	return queuePayload("update", concat(updateBuf, "", 1, n), t1)
end

local function sendStats()
	local now = clock()
	local period = max(0.001, now - statsPeriodStart)
	lastReport.collect_ms = median(timings.collect)
	lastReport.encode_ms = median(timings.encode)
	lastReport.send_ms = median(timings.send)
	lastReport.messages_per_sec = counters.messagesSent / period
	lastReport.bytes_per_sec = counters.bytesSent / period
	counters.messagesSent, counters.bytesSent = 0, 0
	statsPeriodStart = now
	enqueue({
		type = "stats",
		game_frame = spGetGameFrame(),
		collect_ms = lastReport.collect_ms,
		encode_ms = lastReport.encode_ms,
		send_ms = lastReport.send_ms,
		queue_depth = queue:count(),
		queue_bytes = queue.bytes,
		drops = queue.drops,
		refused = counters.refused,
		partial_sends = counters.partialSends,
		reconnects = counters.reconnects,
		messages_per_sec = lastReport.messages_per_sec,
		bytes_per_sec = lastReport.bytes_per_sec,
	})
end

--------------------------------------------------------------------------------
-- Sending and receiving (called from Update, so it also runs while paused)
--------------------------------------------------------------------------------

local function pumpSend()
	local s = conn.sock
	local t0 = spGetTimer()
	local budget = SEND_BYTES_BUDGET
	while budget > 0 do
		local e = queue:head()
		if not e then break end
		local data = e.data
		local from = queue.headSent + 1
		local to = min(#data, from + budget - 1)
		local res, err, k = s:send(data, from, to)
		if res then
			budget = budget - (res - from + 1)
			if queue:advance(res) then
				counters.messagesSent = counters.messagesSent + 1
			end
			counters.bytesSent = counters.bytesSent + (res - from + 1)
			if res < #data and to < #data then
				-- the byte budget ended inside this frame; it stays pinned
				break
			end
		elseif err == "timeout" then
			-- Partial write: resume from k + 1 next time.
			counters.partialSends = counters.partialSends + 1
			if k and k >= from then
				counters.bytesSent = counters.bytesSent + (k - from + 1)
				if queue:advance(k) then counters.messagesSent = counters.messagesSent + 1 end
			end
			break
		else
			scheduleRetry("connection lost (" .. tostring(err) .. ")")
			return
		end
		if spDiffTimers(spGetTimer(), t0) > SEND_TIME_BUDGET then break end
	end
	addTiming(timings.send, spDiffTimers(spGetTimer(), t0))
end

local function handleIncoming(msg)
	if type(msg) ~= "table" or type(msg.type) ~= "string" then
		return false, "frame is not a message object"
	end
	if msg.type == "ping" then
		local id = msg.id
		if type(id) ~= "number" or id % 1 ~= 0 then return false, "ping without integer id" end
		enqueue({ type = "pong", id = id })
	elseif msg.type == "config" then
		local errors = markArray({})
		if msg.interval_frames ~= nil then
			if isInt(msg.interval_frames, MIN_INTERVAL, MAX_INTERVAL) then
				config.interval = msg.interval_frames
			else
				errors[#errors + 1] = "interval_frames must be an integer 1-300"
			end
		end
		if msg.level ~= nil then
			if LEVELS[msg.level] then config.level = msg.level
			else errors[#errors + 1] = "level must be minimal, standard or detailed" end
		end
		if msg.max_units ~= nil then
			if isInt(msg.max_units, 0, MAX_MAX_UNITS) then config.maxUnits = msg.max_units
			else errors[#errors + 1] = "max_units must be an integer 0-" .. MAX_MAX_UNITS end
		end
		local ack = { type = "config_ack", config = markObject({ interval_frames = config.interval,
			level = config.level, max_units = config.maxUnits }) }
		if #errors > 0 then ack.errors = errors end
		enqueue(ack)
	end
	-- Unknown types are ignored: newer apps may send more.
	return true
end

local function pumpReceive()
	local s = conn.sock
	local data, err, partial = s:receive("*a")
	local chunk = data or partial
	if chunk and chunk ~= "" then
		conn.recvBuf = conn.recvBuf .. chunk
	end
	local buf = conn.recvBuf
	local pos = 1
	while #buf - pos + 1 >= 4 do
		local len = readU32be(buf, pos)
		if len == 0 or len > MAX_INCOMING_FRAME then
			scheduleRetry("malformed frame from the app (length " .. len .. ")")
			return
		end
		if #buf - pos + 1 < 4 + len then break end
		local payload = strsub(buf, pos + 4, pos + 3 + len)
		pos = pos + 4 + len
		local msg, derr = jsonDecode(payload)
		local ok = msg ~= nil
		if ok then ok, derr = handleIncoming(msg) end
		if not ok then
			scheduleRetry("malformed message from the app (" .. tostring(derr) .. ")")
			return
		end
		if conn.state ~= STATE_CONNECTED then return end
	end
	if pos > 1 then buf = strsub(buf, pos) end
	if #buf > MAX_RECV_BUFFER then
		scheduleRetry("incoming data too large")
		return
	end
	conn.recvBuf = buf
	if err == "closed" then
		scheduleRetry("the app closed the connection")
	end
end

--------------------------------------------------------------------------------
-- Status
--------------------------------------------------------------------------------

local function statusTable()
	local st = {
		state = conn.state,
		reason = conn.reason,
		host = config.host,
		port = config.port,
		interval_frames = config.interval,
		level = config.level,
		max_units = config.maxUnits,
		queue_depth = queue:count(),
		queue_bytes = queue.bytes,
		queue_max = config.queueSize,
		drops = queue.drops,
		refused = counters.refused,
		partial_sends = counters.partialSends,
		reconnects = counters.reconnects,
		encode_errors = counters.encodeErrors,
		collect_ms = lastReport.collect_ms,
		encode_ms = lastReport.encode_ms,
		send_ms = lastReport.send_ms,
		messages_per_sec = lastReport.messages_per_sec,
		bytes_per_sec = lastReport.bytes_per_sec,
	}
	if conn.state == STATE_BACKOFF then st.retry_in = max(0, conn.retryAt - clock()) end
	return st
end

local function statusLines()
	local st = statusTable()
	local lines = {
		strformat("state: %s (%s)", st.state, st.reason),
		strformat("target %s:%d, level %s, every %d frames, max_units %d", st.host, st.port, st.level,
			st.interval_frames, st.max_units),
		strformat("queue %d/%d msgs, %d bytes; drops %d, refused %d, partial sends %d, reconnects %d",
			st.queue_depth, st.queue_max, st.queue_bytes, st.drops, st.refused, st.partial_sends, st.reconnects),
		strformat("collect %.3f ms, encode %.3f ms, send %.3f ms; %.1f msg/s, %.0f B/s",
			st.collect_ms, st.encode_ms, st.send_ms, st.messages_per_sec, st.bytes_per_sec),
	}
	if st.retry_in then lines[#lines + 1] = strformat("next attempt in %.1f s", st.retry_in) end
	return lines
end

--------------------------------------------------------------------------------
-- Commands: /livedata <cmd>
--------------------------------------------------------------------------------

local USAGE = {
	"/livedata status                      connection state and counters",
	"/livedata connect [host] [port]       connect (IPv4 literal, port 1-65535)",
	"/livedata disconnect                  disconnect and stay disconnected",
	"/livedata host H | port P             set the app address",
	"/livedata rate FRAMES                 game frames between updates (1-300)",
	"/livedata level minimal|standard|detailed",
	"/livedata setqueuesize N              max queued messages (1-200)",
	"/livedata clearqueue                  drop queued messages",
	"/livedata testmessage                 send a test message",
	"/livedata overlay lock|unlock|toggle  control the app's overlay",
	"/livedata indicator on|off            status dot on screen",
	"/livedata help",
}

local function printUsage(err)
	if err then echo(err) end
	for _, line in ipairs(USAGE) do spEcho(line) end
end

local options -- forward: refreshes the Settings menu after a change

local function reconnectIfActive()
	if not conn.manual and conn.state ~= STATE_DISABLED then
		disconnectWithBye("reconfigured")
		connectNow()
	end
end

local commands = {}

commands.help = function() printUsage() return true end

commands.status = function()
	for _, line in ipairs(statusLines()) do echo(line) end
	return true
end

commands.connect = function(args)
	local host, port = config.host, config.port
	if args[1] then
		if not validIPv4(args[1]) then return false, "host must be an IPv4 address such as 127.0.0.1" end
		host = args[1]
	end
	if args[2] then
		port = tonumber(args[2])
		if not isInt(port, 1, 65535) then return false, "port must be 1-65535" end
	end
	if args[3] then return false, "too many arguments" end
	disconnectWithBye("reconnect")
	config.host, config.port = host, port
	connectNow()
	echo(conn.reason)
	return true
end

commands.disconnect = function(args)
	if args[1] then return false, "disconnect takes no arguments" end
	disconnectNow("disconnect")
	echo(conn.reason)
	return true
end

commands.host = function(args)
	if not validIPv4(args[1]) or args[2] then return false, "usage: /livedata host 127.0.0.1" end
	config.host = args[1]
	reconnectIfActive()
	echo("host set to " .. config.host)
	return true
end

commands.port = function(args)
	local port = tonumber(args[1])
	if not isInt(port, 1, 65535) or args[2] then return false, "usage: /livedata port 9876 (1-65535)" end
	config.port = port
	reconnectIfActive()
	echo("port set to " .. port)
	return true
end

commands.rate = function(args)
	local n = tonumber(args[1])
	if not isInt(n, MIN_INTERVAL, MAX_INTERVAL) or args[2] then
		return false, "usage: /livedata rate FRAMES (1-300; 15 = 2 updates per second)"
	end
	config.interval = n
	echo("update every " .. n .. " game frames")
	return true
end

commands.level = function(args)
	if not LEVELS[args[1]] or args[2] then return false, "usage: /livedata level minimal|standard|detailed" end
	config.level = args[1]
	echo("level set to " .. config.level)
	return true
end

commands.setqueuesize = function(args)
	local n = tonumber(args[1])
	if not isInt(n, MIN_QUEUE_MSGS, MAX_QUEUE_MSGS) or args[2] then
		return false, "usage: /livedata setqueuesize N (1-200)"
	end
	config.queueSize = n
	queue.maxMsgs = n
	while queue:count() > n and queue:dropOldest() do end
	echo("queue size set to " .. n)
	return true
end

commands.clearqueue = function(args)
	if args[1] then return false, "clearqueue takes no arguments" end
	local n = queue:clear(false)
	queue.drops = queue.drops + n
	echo("dropped " .. n .. " queued messages")
	return true
end

commands.testmessage = function(args)
	local text = "hello from /livedata testmessage"
	if args[1] then text = concat(args, " ") end
	if enqueue({ type = "test", text = text, game_frame = spGetGameFrame() }) then
		echo("test message queued")
	else
		echo("not connected (" .. conn.reason .. ")")
	end
	return true
end

local OVERLAY_ARGS = { lock = true, unlock = true, toggle = true }
commands.overlay = function(args)
	if not OVERLAY_ARGS[args[1]] or args[2] then return false, "usage: /livedata overlay lock|unlock|toggle" end
	if not enqueue({ type = "command", name = "overlay", args = markArray({ args[1] }) }) then
		echo("not connected (" .. conn.reason .. ")")
	end
	return true
end

commands.indicator = function(args)
	if (args[1] ~= "on" and args[1] ~= "off") or args[2] then return false, "usage: /livedata indicator on|off" end
	config.indicator = args[1] == "on"
	return true
end

-- Runs one command line (words); returns true if it was accepted.
local function runCommand(words)
	local name = words[1] or "help"
	local fn = commands[strlower(name)]
	if not fn then
		printUsage("unknown command '" .. tostring(name) .. "'")
		return false
	end
	local args = {}
	for i = 2, #words do args[i - 1] = words[i] end
	local ok, err = fn(args)
	if not ok then
		printUsage(err)
		return false
	end
	if options then options.refresh() end
	return true
end

local function splitWords(line)
	local words = {}
	for w in string.gmatch(line or "", "%S+") do words[#words + 1] = w end
	return words
end

local function actionHandler(_, optLine, optWords)
	local ok, err = pcall(function()
		local words = type(optWords) == "table" and optWords or splitWords(optLine)
		runCommand(words)
	end)
	if not ok then logOnce("command", err) end
	return true
end

--------------------------------------------------------------------------------
-- Settings → Custom (BAR's options widget, when present)
--------------------------------------------------------------------------------

local OPTION_IDS = { "livedata_level", "livedata_rate", "livedata_indicator", "livedata_enabled" }

options = {
	added = false,
	refresh = function() end,
}

local function addOptions()
	local wgOptions = WG and WG['options']
	if type(wgOptions) ~= "table" or type(wgOptions.addOption) ~= "function" then return end
	local ok, err = pcall(function()
		wgOptions.addOption({ id = "livedata_enabled", group = "custom", category = 2,
			widgetname = WIDGET_NAME, name = "Live Data Export: connected",
			description = "Stream game data to the bar-live app at " .. config.host .. ":" .. config.port,
			type = "bool", value = not conn.manual,
			onchange = function(_, value) if value then connectNow() else disconnectNow("disabled in settings") end end })
		wgOptions.addOption({ id = "livedata_level", group = "custom", category = 2,
			widgetname = WIDGET_NAME, name = "Live Data Export: detail level",
			description = "minimal: resources; standard: + unit counts and stats; detailed: + unit list",
			type = "select", options = LEVEL_NAMES, value = LEVELS[config.level],
			onchange = function(_, value)
				local level = LEVEL_NAMES[value] or (LEVELS[value] and value)
				if level then config.level = level end
			end })
		wgOptions.addOption({ id = "livedata_rate", group = "custom", category = 2,
			widgetname = WIDGET_NAME, name = "Live Data Export: update interval (game frames)",
			description = "30 frames = one second of game time", type = "slider",
			min = MIN_INTERVAL, max = 60, step = 1, value = config.interval,
			onchange = function(_, value)
				value = tonumber(value)
				if value then value = floor(value + 0.5) end
				if isInt(value, MIN_INTERVAL, MAX_INTERVAL) then config.interval = value end
			end })
		wgOptions.addOption({ id = "livedata_indicator", group = "custom", category = 2,
			widgetname = WIDGET_NAME, name = "Live Data Export: status indicator",
			description = "Small coloured dot with the connection state", type = "bool",
			value = config.indicator,
			onchange = function(_, value) config.indicator = value and true or false end })
	end)
	if ok then options.added = true else logOnce("options", err) end
end

local function removeOptions()
	if not options.added then return end
	local wgOptions = WG and WG['options']
	if type(wgOptions) == "table" and type(wgOptions.removeOption) == "function" then
		for _, id in ipairs(OPTION_IDS) do pcall(wgOptions.removeOption, id) end
	end
	options.added = false
end

--------------------------------------------------------------------------------
-- Status indicator
--------------------------------------------------------------------------------

local STATE_COLORS = {
	[STATE_CONNECTED] = { 0.2, 0.85, 0.2 },
	[STATE_CONNECTING] = { 0.95, 0.8, 0.1 },
	[STATE_BACKOFF] = { 0.95, 0.55, 0.1 },
	[STATE_DISCONNECTED] = { 0.6, 0.6, 0.6 },
	[STATE_DISABLED] = { 0.9, 0.15, 0.15 },
}

local function drawIndicator()
	local vsx, vsy = 1920, 1080
	if spGetViewGeometry then vsx, vsy = spGetViewGeometry() end
	local x, y = vsx - 150, vsy - 40
	local c = STATE_COLORS[conn.state] or STATE_COLORS[STATE_DISCONNECTED]
	gl.Color(c[1], c[2], c[3], 0.9)
	gl.Rect(x, y, x + 10, y + 10)
	gl.Color(1, 1, 1, 0.8)
	gl.Text("live: " .. conn.state, x + 14, y, 11, "o")
	gl.Color(1, 1, 1, 1)
end

--------------------------------------------------------------------------------
-- WG API for other widgets
--------------------------------------------------------------------------------

local api = {
	-- send(name, data): queue a `custom` message. Returns true, or nil and why.
	send = function(name, data)
		if type(name) ~= "string" or name == "" then return nil, "name must be a non-empty string" end
		if conn.state ~= STATE_CONNECTED then return nil, "not connected" end
		local ok, res = pcall(enqueue, { type = "custom", name = name, data = data })
		if not ok then return nil, tostring(res) end
		if not res then return nil, "not queued (encode error, too large or queue full)" end
		return true
	end,
	encode = jsonEncode,
	array = markArray,
	object = markObject,
	status = statusTable,
	connect = function() connectNow() end,
	disconnect = function() disconnectNow("disconnect") end,
}

--------------------------------------------------------------------------------
-- Callins. Each runs inside a guard: BAR removes a widget on its first error.
--------------------------------------------------------------------------------

local function guarded(name, fn)
	return function(_, ...)
		local ok, err = pcall(fn, ...)
		if not ok then logOnce(name, err) end
	end
end

local function tick()
	local state = conn.state
	if state == STATE_BACKOFF then
		if not conn.manual and clock() >= conn.retryAt then startConnect() end
		return
	elseif state == STATE_CONNECTING then
		pollConnecting()
		return
	elseif state ~= STATE_CONNECTED then
		return
	end
	pumpReceive()
	if conn.state ~= STATE_CONNECTED then return end
	-- Sample by game frame, at most once per draw frame: a fast-forwarding
	-- replay runs many GameFrames per Update but cannot grow the queue.
	local f = spGetGameFrame()
	local last = conn.lastSampleFrame
	if last == nil or f - last >= config.interval or f < last then
		conn.lastSampleFrame = f
		sendUpdate()
	end
	if clock() - statsPeriodStart >= STATS_PERIOD then sendStats() end
	if conn.state == STATE_CONNECTED then pumpSend() end
end

widget.Update = guarded("Update", tick)

widget.GameStart = guarded("GameStart", function()
	sendEvent("game_start")
end)

widget.GameOver = guarded("GameOver", function(winners)
	-- BAR passes no arguments; some engines pass the winning ally teams.
	local fields = {}
	if type(winners) == "table" then
		local list = markArray({})
		for _, w in ipairs(winners) do if type(w) == "number" then list[#list + 1] = w end end
		fields.winners = list
	end
	sendEvent("game_over", fields)
end)

widget.TeamDied = guarded("TeamDied", function(teamID)
	if type(teamID) == "number" then sendEvent("team_died", { team_id = teamID }) end
end)

widget.GamePaused = guarded("GamePaused", function(playerID, paused)
	local fields = {}
	if type(playerID) == "number" then fields.player_id = playerID end
	sendEvent(paused and "paused" or "unpaused", fields)
end)

widget.PlayerChanged = guarded("PlayerChanged", function(playerID)
	local spectating, fullView, allyTeam = view.spectating, view.fullView, view.allyTeam
	computeView()
	if view.spectating ~= spectating or view.fullView ~= fullView or view.allyTeam ~= allyTeam then
		sendEvent("player_changed", { player_id = type(playerID) == "number" and playerID or view.myPlayerID,
			spectating = view.spectating, full_view = view.fullView })
		-- The readable team set changed; hello (which lists the teams) is only
		-- sent at the start of a connection, so start a new one.
		if conn.state == STATE_CONNECTED then
			disconnectWithBye("view changed")
			connectNow()
		end
	end
end)

widget.DrawScreen = guarded("DrawScreen", function()
	if config.indicator and gl then drawIndicator() end
end)

function widget:GetConfigData()
	return {
		host = config.host, port = config.port, interval = config.interval, level = config.level,
		maxUnits = config.maxUnits, queueSize = config.queueSize, queueBytes = config.queueBytes,
		indicator = config.indicator,
	}
end

function widget:SetConfigData(data)
	local ok, err = pcall(mergeConfig, data)
	if not ok then logOnce("SetConfigData", err) end
end

function widget:Initialize()
	local ok, err = pcall(function()
		queue.maxMsgs, queue.maxBytes = config.queueSize, config.queueBytes
		statsPeriodStart = clock()
		computeView()
		if widgetHandler and widgetHandler.AddAction then
			widgetHandler:AddAction("livedata", actionHandler, nil, "t")
		end
		WG.LiveDataExport = api
		addOptions()
		if socketAvailable() then
			connectNow()
		else
			echo(conn.reason)
		end
	end)
	if not ok then logOnce("Initialize", err) end
end

function widget:Shutdown()
	local ok, err = pcall(function()
		disconnectWithBye("shutdown")
		setState(STATE_DISCONNECTED, "widget shut down")
		removeOptions()
		if widgetHandler and widgetHandler.RemoveAction then
			widgetHandler:RemoveAction("livedata")
		end
		if WG.LiveDataExport == api then WG.LiveDataExport = nil end
	end)
	if not ok then logOnce("Shutdown", err) end
end

--------------------------------------------------------------------------------
-- Internals for the specs and benchmarks (widget/spec, widget/bench); unused
-- by the game.
--------------------------------------------------------------------------------

widget._test = {
	encode = jsonEncode,
	decode = jsonDecode,
	sanitizeUtf8 = sanitizeUtf8,
	formatNumber = formatNumber,
	stripColorCodes = stripColorCodes,
	colorHex = colorHex,
	u32be = u32be,
	readU32be = readU32be,
	frame = frame,
	newQueue = newQueue,
	queue = queue,
	config = config,
	conn = conn,
	counters = counters,
	view = view,
	mergeConfig = mergeConfig,
	runCommand = runCommand,
	collectUpdate = collectUpdate,
	-- the fused update encoder: the update message as JSON with `seq`, or nil
	-- and the error when it refuses the input (sendUpdate then falls back)
	encodeUpdate = function(level, maxUnits, described, newDefs, seq)
		local ok, n = pcall(encodeUpdate, level, maxUnits, described, newDefs)
		if not ok then return nil, n end
		updateBuf[UPDATE_SEQ_SLOT] = formatNumber(seq or 0)
		return concat(updateBuf, "", 1, n)
	end,
	sendUpdate = sendUpdate,
	enqueue = enqueue,
	tick = tick,
	statusTable = statusTable,
	statusLines = statusLines,
	api = api,
	MAX_PAYLOAD = MAX_PAYLOAD,
}
