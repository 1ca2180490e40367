-- Shared spec setup: a fake engine + fake socket with the widget loaded.
local fake_engine = require("helpers.fake_engine")
local fake_socket = require("helpers.fake_socket")
local strict_json = require("helpers.strict_json")

local M = {}

-- Returns E (engine), lib (fake socket library), w (widget), I (the widget's
-- internals, from the test hook).
function M.start(opts)
	opts = opts or {}
	local lib
	if not opts.noSocket then lib = fake_socket.new() end
	if lib and opts.mode then lib.mode = opts.mode end
	opts.socket = lib
	local E = fake_engine.new(opts)
	local w = E:loadWidget()
	E:start(opts.config)
	return E, lib, w, E.internals
end

-- Parses every complete frame a fake socket received; returns the messages.
function M.messages(sock)
	local payloads, rest = strict_json.frames(sock.out)
	local out = {}
	for i, p in ipairs(payloads) do out[i] = strict_json.parse(p) end
	return out, rest
end

function M.types(msgs)
	local t = {}
	for i, m in ipairs(msgs) do t[i] = m.type end
	return t
end

function M.ofType(msgs, typ)
	local out = {}
	for _, m in ipairs(msgs) do if m.type == typ then out[#out + 1] = m end end
	return out
end

-- Ticks until the widget reports `state` (or n ticks passed).
function M.tickUntil(E, state, n, dt)
	for _ = 1, n or 100 do
		if E.internals.conn.state == state then return true end
		E:update(dt or 0.05)
	end
	return E.internals.conn.state == state
end

return M
