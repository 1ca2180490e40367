-- A scripted fake of LuaSocket's TCP client (2.0.2 semantics) for the specs.
-- lib.mode: "ok" (connect returns 1), "pending" (nil,"timeout", then select
-- decides), "refused" (pending, writable, no peer), "silent" (pending, never
-- writable), "denied" (nil,"connect denied"), "error" (nil,"connection refused").
-- s.capacity: bytes accepted per send call (nil = unlimited).
local M = {}

function M.new()
	local lib = { mode = "pending", peerUp = true, created = {}, capacity = nil }

	local Sock = {}
	Sock.__index = Sock

	function Sock:settimeout(t) self.timeout = t; return 1 end
	function Sock:connect(host, port)
		self.host, self.port = host, port
		self.connectCalls = (self.connectCalls or 0) + 1
		local mode = lib.mode
		if mode == "ok" then self.connected = true; return 1 end
		if mode == "denied" then return nil, "connect denied" end
		if mode == "error" then return nil, "connection refused" end
		return nil, "timeout"
	end
	function Sock:getpeername()
		if self.connected then return "127.0.0.1", self.port end
		return nil, "not connected"
	end
	function Sock:send(data, i, j)
		i = i or 1
		j = j or #data
		if self.closed then return nil, "closed", i - 1 end
		if self.peerClosed then return nil, "closed", i - 1 end
		local want = j - i + 1
		local cap = self.capacity or lib.capacity
		local n = cap and math.min(want, cap) or want
		if cap then self.capacity = nil end -- one-shot per call unless lib.capacity
		self.out = self.out .. data:sub(i, i + n - 1)
		self.sendCalls = self.sendCalls + 1
		if n < want then return nil, "timeout", i + n - 1 end
		return j
	end
	function Sock:receive(pattern)
		assert(pattern == "*a", "widget should read with *a")
		local data = self.inbox
		self.inbox = ""
		if self.peerClosed then return nil, "closed", data end
		return nil, "timeout", data
	end
	function Sock:close() self.closed = true; return 1 end

	lib.tcp = function()
		local s = setmetatable({ out = "", inbox = "", sendCalls = 0 }, Sock)
		lib.created[#lib.created + 1] = s
		return s
	end
	lib.select = function(_, wr)
		local out = {}
		for _, s in ipairs(wr or {}) do
			if lib.mode == "pending" then
				s.connected = lib.peerUp
				out[#out + 1] = s; out[s] = true
			elseif lib.mode == "refused" then
				out[#out + 1] = s; out[s] = true
			end
		end
		if #out == 0 then return {}, {}, "timeout" end
		return {}, out
	end
	function lib.last() return lib.created[#lib.created] end
	return lib
end

-- Builds an app->widget frame from a JSON string.
function M.frame(json)
	local n = #json
	return string.char(math.floor(n / 16777216) % 256, math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
		.. json
end

return M
