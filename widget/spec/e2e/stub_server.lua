-- A small validating test server with the same interface and --json report as
-- `bar-live check` (subset), plus --stall SECS (accept, then read nothing for
-- SECS) for the back-pressure scenario. Uses real LuaSocket.
--   lua5.1 stub_server.lua --listen 127.0.0.1:PORT [--connections N] [--duration SECS] [--stall SECS] --json
local HERE = debug.getinfo(1, "S").source:sub(2):match("^(.*)/[^/]*$") or "."
package.path = HERE .. "/../?.lua;" .. package.path
local socket = require("socket")
local strict_json = require("helpers.strict_json")

local args = { connections = 1, duration = 30, stall = 0 }
local i = 1
while i <= #arg do
	local a = arg[i]
	if a == "--listen" then args.listen = arg[i + 1]; i = i + 2
	elseif a == "--connections" then args.connections = tonumber(arg[i + 1]); i = i + 2
	elseif a == "--duration" then args.duration = tonumber(arg[i + 1]); i = i + 2
	elseif a == "--stall" then args.stall = tonumber(arg[i + 1]); i = i + 2
	elseif a == "--json" then args.json = true; i = i + 1
	else io.stderr:write("unknown argument " .. a .. "\n"); os.exit(2) end
end
local host, port = args.listen:match("^(.*):(%d+)$")
local server = assert(socket.bind(host, tonumber(port)))
server:settimeout(0)

local report = { connections = 0, frames = 0, bytes = 0, valid = 0, invalid = 0, by_type = {}, seq_gaps = 0,
	errors = {}, first_types = {} }
local function err(c, kind, detail)
	report.errors[#report.errors + 1] = { connection = c.n, kind = kind, detail = detail }
end

local clients, closed = {}, 0
local start = socket.gettime()

local function handleFrame(c, payload)
	report.frames = report.frames + 1
	local ok, msg = pcall(strict_json.parse, payload)
	if not ok or strict_json.kind(msg) ~= "object" or type(msg.type) ~= "string"
		or msg.schema_version ~= 1 or type(msg.seq) ~= "number" then
		report.invalid = report.invalid + 1
		err(c, "invalid", tostring(ok and "bad envelope" or msg))
		return
	end
	report.valid = report.valid + 1
	report.by_type[msg.type] = (report.by_type[msg.type] or 0) + 1
	if c.lastSeq == 0 then
		report.first_types[#report.first_types + 1] = msg.type
		if msg.type ~= "hello" then err(c, "protocol", "first message is " .. msg.type) end
	end
	if msg.seq <= c.lastSeq then err(c, "seq", "seq went from " .. c.lastSeq .. " to " .. msg.seq)
	elseif msg.seq > c.lastSeq + 1 then report.seq_gaps = report.seq_gaps + 1 end
	c.lastSeq = msg.seq
	if msg.type == "unit_defs" then
		for _, d in ipairs(msg.defs) do c.defs[d.id] = true end
	elseif msg.type == "update" then
		for _, t in ipairs(msg.teams) do
			for k in pairs(t.units.by_def or {}) do
				if not c.defs[tonumber(k)] then err(c, "protocol", "def " .. k .. " used before unit_defs") end
			end
		end
		for _, u in ipairs(msg.units or {}) do
			if not c.defs[u.def] then err(c, "protocol", "def " .. u.def .. " used before unit_defs") end
		end
	end
end

local function drain(c)
	while #c.buf - c.pos + 1 >= 4 do
		local a, b, cc, d = c.buf:byte(c.pos, c.pos + 3)
		local len = ((a * 256 + b) * 256 + cc) * 256 + d
		if len == 0 or len > 8 * 1024 * 1024 then
			err(c, "framing", "bad length " .. len)
			return false
		end
		if #c.buf - c.pos + 1 < 4 + len then break end
		handleFrame(c, c.buf:sub(c.pos + 4, c.pos + 3 + len))
		c.pos = c.pos + 4 + len
	end
	if c.pos > 65536 then c.buf = c.buf:sub(c.pos); c.pos = 1 end
	return true
end

while closed < args.connections and socket.gettime() - start < args.duration do
	local s = server:accept()
	if s then
		s:settimeout(0)
		report.connections = report.connections + 1
		clients[#clients + 1] = { s = s, n = report.connections, buf = "", pos = 1, lastSeq = 0, defs = {},
			readFrom = socket.gettime() + args.stall }
	end
	local now = socket.gettime()
	for idx = #clients, 1, -1 do
		local c = clients[idx]
		if now >= c.readFrom then
			local data, e, partial = c.s:receive(65536)
			local chunk = data or partial
			if chunk and #chunk > 0 then
				report.bytes = report.bytes + #chunk
				c.buf = c.buf .. chunk
				if not drain(c) then e = "closed" end
			end
			if e == "closed" then
				if #c.buf - c.pos + 1 > 0 then err(c, "truncated", (#c.buf - c.pos + 1) .. " bytes left") end
				c.s:close()
				table.remove(clients, idx)
				closed = closed + 1
			end
		end
	end
	socket.select({ server }, nil, 0.005)
end
local elapsed = math.max(0.001, socket.gettime() - start)
report.updates_per_sec = (report.by_type.update or 0) / elapsed
report.bytes_per_sec = report.bytes / elapsed
report.ping_ms = nil

-- tiny encoder for the report (plain data only)
local function enc(v)
	local t = type(v)
	if t == "table" then
		if #v > 0 or next(v) == nil and v == report.errors then
			local parts = {}
			for k = 1, #v do parts[k] = enc(v[k]) end
			return "[" .. table.concat(parts, ",") .. "]"
		end
		local parts = {}
		for k, x in pairs(v) do parts[#parts + 1] = string.format("%q", tostring(k)) .. ":" .. enc(x) end
		return "{" .. table.concat(parts, ",") .. "}"
	elseif t == "string" then
		return (string.format("%q", v):gsub("\\\n", "\\n"))
	elseif t == "number" then
		return string.format("%.6g", v)
	end
	return tostring(v)
end
if next(report.by_type) == nil then report.by_type = { _ = 0 } end
print(enc(report))
os.exit((report.invalid == 0 and #report.errors == 0) and 0 or 1)
