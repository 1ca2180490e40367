--------------------------------------------------------------------------------
-- tests/engine/game/luaui.lua: the LuaUI entry point of the engine test game.
--
-- Outside Lua developer mode the engine reads luaui.lua (else LuaUI/main.lua)
-- from the game archive only, so the handler ships inside the game. Two parts:
--   1. a small widget handler that gives widgets what BAR's luaui/barwidgets.lua
--      gives ours: the `widget` table as environment, the callins (Update(dt),
--      GameFrame, GameStart, GameOver with NO arguments, TeamDied, PlayerChanged,
--      GamePaused, Unit*), `widgetHandler` with AddAction / RemoveAction /
--      RemoveWidget, `WG`, Get/SetConfigData (SetConfigData before Initialize),
--      text commands (/livedata ..., /luaui livedata ...), and BAR's rule that a
--      callin error removes the widget;
--   2. a test controller: reads engine_test/scenario.lua, writes one JSON object
--      per line to engine_test/harness.log (widget load, callin errors, echoes,
--      periodic status, truth values from the engine), obeys commands appended
--      by the driver to engine_test/control.txt, and ends the run with quitforce.
--------------------------------------------------------------------------------

local SCENARIO_FILE = "engine_test/scenario.lua"
local LOG_FILE      = "engine_test/harness.log"
local CONTROL_FILE  = "engine_test/control.txt"
local CONFIG_FILE   = "LuaUI/Config/engine_test_widgets.lua"

local realEcho = Spring.Echo
local spGetTimer, spDiffTimers = Spring.GetTimer, Spring.DiffTimers
local startTimer = spGetTimer()
local function now() return spDiffTimers(spGetTimer(), startTimer) end

--------------------------------------------------------------------------------
-- Log (JSON lines)
--------------------------------------------------------------------------------

local function jsonString(s)
	s = tostring(s)
	s = s:gsub('[%c"\\]', function(c)
		if c == '"' then return '\\"' elseif c == "\\" then return "\\\\" end
		return string.format("\\u%04x", c:byte())
	end)
	return '"' .. s .. '"'
end

local function toJson(v, depth)
	depth = depth or 0
	local t = type(v)
	if t == "number" then
		if v ~= v or v == math.huge or v == -math.huge then return "null" end
		if v % 1 == 0 and math.abs(v) < 2^31 then return string.format("%d", v) end
		return string.format("%.9g", v)
	elseif t == "boolean" then return v and "true" or "false"
	elseif t == "string" then return jsonString(v)
	elseif t == "table" and depth < 8 then
		local n = #v
		if n > 0 then
			local parts = {}
			for i = 1, n do parts[i] = toJson(v[i], depth + 1) end
			return "[" .. table.concat(parts, ",") .. "]"
		end
		local parts = {}
		for k, val in pairs(v) do
			parts[#parts + 1] = jsonString(k) .. ":" .. toJson(val, depth + 1)
		end
		return "{" .. table.concat(parts, ",") .. "}"
	elseif v == nil then return "null"
	end
	return jsonString(tostring(v))
end

local logFile = io.open(LOG_FILE, "a")
local function log(kind, fields)
	fields = fields or {}
	fields.kind = kind
	fields.t = now()
	fields.frame = Spring.GetGameFrame()
	if logFile then
		logFile:write(toJson(fields), "\n")
		logFile:flush()
	end
end

if not logFile then realEcho("[engine_test] cannot open " .. LOG_FILE .. " for writing") end
log("luaui_loaded", { engine_version = Engine and Engine.version, engine_version_full = Engine and Engine.versionFull,
	has_socket = type(socket) == "table", lua_version = _VERSION })

-- The engine's API as LuaUI sees it: the driver compares it with what the widget references.
do
	local api = {}
	for _, lib in ipairs({ "Spring", "gl", "VFS", "Engine", "Game", "Script" }) do
		local t = _G[lib]
		local names = {}
		if type(t) == "table" then for k in pairs(t) do names[#names + 1] = tostring(k) end end
		table.sort(names)
		api[lib] = names
	end
	log("api", { api = api })
end

-- Every Spring.Echo (ours and the widgets') also goes to the log. Installed
-- before widgets load, since they cache Spring.Echo in a local.
Spring.Echo = function(...)
	local n = select("#", ...)
	local parts = {}
	for i = 1, n do parts[i] = tostring((select(i, ...))) end
	log("echo", { text = table.concat(parts, " ") })
	return realEcho(...)
end

--------------------------------------------------------------------------------
-- Scenario
--------------------------------------------------------------------------------

local scenario = {}
do
	local text = VFS.LoadFile(SCENARIO_FILE, VFS.RAW)
	if text then
		local chunk, err = loadstring(text, SCENARIO_FILE)
		if chunk then
			local ok, res = pcall(chunk)
			if ok and type(res) == "table" then scenario = res else log("harness_error", { what = "scenario", err = tostring(res) }) end
		else
			log("harness_error", { what = "scenario", err = tostring(err) })
		end
	else
		log("harness_error", { what = "scenario", err = "missing " .. SCENARIO_FILE })
	end
end

--------------------------------------------------------------------------------
-- Config data (Get/SetConfigData), persisted like BAR's LuaUI/Config/BYAR.lua
--------------------------------------------------------------------------------

local function serialize(v, indent)
	indent = indent or ""
	local t = type(v)
	if t == "string" then return string.format("%q", v)
	elseif t == "number" or t == "boolean" then return tostring(v)
	elseif t == "table" then
		local keys = {}
		for k in pairs(v) do if type(k) == "string" or type(k) == "number" then keys[#keys + 1] = k end end
		table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
		local out = { "{\n" }
		for _, k in ipairs(keys) do
			local ks = type(k) == "string" and string.format("[%q]", k) or ("[" .. k .. "]")
			out[#out + 1] = indent .. "\t" .. ks .. " = " .. serialize(v[k], indent .. "\t") .. ",\n"
		end
		out[#out + 1] = indent .. "}"
		return table.concat(out)
	end
	return "nil"
end

local configData = {}
do
	local text = VFS.LoadFile(CONFIG_FILE, VFS.RAW)
	if text then
		local chunk = loadstring(text, CONFIG_FILE)
		local ok, res = pcall(chunk or error)
		if ok and type(res) == "table" then configData = res end
	end
end

--------------------------------------------------------------------------------
-- Widget handler
--------------------------------------------------------------------------------

local WG = {}
local widgets = {}          -- load order (sorted by layer)
local textActions = {}      -- cmd -> list of {widget=, func=, data=}
local removed = {}          -- name -> true
local failures = 0

local CALLINS = {
	"Initialize", "Shutdown", "Update", "GameFrame", "GameStart", "GameOver", "TeamDied", "PlayerChanged",
	"GamePaused", "UnitCreated", "UnitFinished", "UnitDestroyed", "UnitGiven", "UnitTaken", "DrawScreen",
	"TextCommand",
}

-- What BAR's System table passes through to widgets (the engine globals; `socket`
-- only when LuaSocket is enabled).
local System = {}
for k, v in pairs(_G) do System[k] = v end

local function widgetName(w) return (w.whInfo and w.whInfo.name) or "?" end

local handler = {}

function handler:RemoveWidget(w, why)
	for i, x in ipairs(widgets) do
		if x == w then
			table.remove(widgets, i)
			local name = widgetName(w)
			removed[name] = true
			log("widget_removed", { widget = name, why = why or "RemoveWidget" })
			if w.Shutdown then
				local ok, err = pcall(w.Shutdown, w)
				if not ok then
					failures = failures + 1
					log("callin_error", { widget = name, callin = "Shutdown", err = tostring(err) })
				end
			end
			for cmd, list in pairs(textActions) do
				for j = #list, 1, -1 do if list[j].widget == w then table.remove(list, j) end end
				if #list == 0 then textActions[cmd] = nil end
			end
			return true
		end
	end
	return false
end

-- BAR: every callin is pcall-wrapped and an error removes the widget.
local function callWidget(w, name, ...)
	local f = w[name]
	if type(f) ~= "function" then return nil end
	local ok, res = pcall(f, w, ...)
	if not ok then
		failures = failures + 1
		local wname = widgetName(w)
		log("callin_error", { widget = wname, callin = name, err = tostring(res) })
		realEcho("Error in " .. name .. "(): " .. tostring(res) .. " -- removing widget " .. wname)
		handler:RemoveWidget(w, "error in " .. name)
		return nil
	end
	return res
end

local callinCounts = {} -- engine callins seen, reported at shutdown

local function callAll(name, ...)
	callinCounts[name] = (callinCounts[name] or 0) + 1
	local list = {}
	for i, w in ipairs(widgets) do list[i] = w end
	for _, w in ipairs(list) do callWidget(w, name, ...) end
end

local function makeWidgetHandlerProxy(w)
	return {
		AddAction = function(_, cmd, func, data, types)
			if type(cmd) ~= "string" or type(func) ~= "function" then return false end
			types = types or "tp"
			if not types:find("t") then return true end
			cmd = cmd:lower()
			textActions[cmd] = textActions[cmd] or {}
			table.insert(textActions[cmd], { widget = w, func = func, data = data })
			log("action_added", { widget = widgetName(w), cmd = cmd, types = types })
			return true
		end,
		RemoveAction = function(_, cmd, types)
			if type(cmd) ~= "string" then return false end
			cmd = cmd:lower()
			local list = textActions[cmd]
			if not list then return false end
			for j = #list, 1, -1 do if list[j].widget == w then table.remove(list, j) end end
			if #list == 0 then textActions[cmd] = nil end
			log("action_removed", { widget = widgetName(w), cmd = cmd })
			return true
		end,
		RemoveWidget = function(_, target) return handler:RemoveWidget(target or w, "RemoveWidget") end,
		GetConfigData = function() return configData[widgetName(w)] end,
		IsWidgetEnabled = function() return true end,
	}
end

local function loadWidget(path)
	local text = VFS.LoadFile(path, VFS.RAW)
	if not text then
		failures = failures + 1
		log("load_error", { file = path, err = "file not found" })
		return
	end
	local chunk, err = loadstring(text, path)
	if not chunk then
		failures = failures + 1
		log("load_error", { file = path, err = tostring(err) })
		return
	end
	local w = {}
	for k, v in pairs(System) do w[k] = v end
	w.widget = w
	w.WG = WG
	w.widgetHandler = makeWidgetHandlerProxy(w)
	setfenv(chunk, w)
	local ok, res = pcall(chunk)
	if not ok then
		failures = failures + 1
		log("load_error", { file = path, err = tostring(res) })
		return
	end
	if type(w.GetInfo) ~= "function" then
		failures = failures + 1
		log("load_error", { file = path, err = "no GetInfo" })
		return
	end
	local okInfo, info = pcall(w.GetInfo, w)
	if not okInfo or type(info) ~= "table" or type(info.name) ~= "string" then
		failures = failures + 1
		log("load_error", { file = path, err = "bad GetInfo: " .. tostring(info) })
		return
	end
	w.whInfo = { name = info.name, filename = path, layer = tonumber(info.layer) or 0 }
	local missing = {}
	for _, name in ipairs({ "Initialize", "Shutdown", "Update" }) do
		if type(w[name]) ~= "function" then missing[#missing + 1] = name end
	end
	table.insert(widgets, w)
	table.sort(widgets, function(a, b) return a.whInfo.layer < b.whInfo.layer end)
	log("widget_loaded", { widget = info.name, file = path })
	-- BAR: SetConfigData runs before Initialize.
	local saved = configData[info.name]
	if saved ~= nil and w.SetConfigData then callWidget(w, "SetConfigData", saved) end
	callWidget(w, "Initialize")
	if not removed[info.name] then log("widget_initialized", { widget = info.name }) end
end

local function saveConfig()
	for _, w in ipairs(widgets) do
		if w.GetConfigData then
			local data = callWidget(w, "GetConfigData")
			if type(data) == "table" then configData[widgetName(w)] = data end
		end
	end
	local f = io.open(CONFIG_FILE, "w")
	if f then
		f:write("return ", serialize(configData), "\n")
		f:close()
		log("config_saved", { file = CONFIG_FILE })
	else
		log("harness_error", { what = "config", err = "cannot write " .. CONFIG_FILE })
	end
end

-- BAR's actionHandler:TextAction: first word is the action, the rest is
-- optLine / optWords; fn(cmd, optLine, optWords, data, isRepeat, release, actions).
local function textAction(line, via)
	if type(line) ~= "string" then return false end
	line = line:gsub("^%s*/", "")
	local words = {}
	for word in line:gmatch("%S+") do words[#words + 1] = word end
	local cmd = words[1]
	if not cmd then return false end
	cmd = cmd:lower()
	local list = textActions[cmd]
	if not list then return false end
	table.remove(words, 1)
	local optLine = line:match("^%s*%S+%s+(.-)%s*$") or ""
	log("text_action", { cmd = cmd, line = optLine, via = via })
	for _, a in ipairs(list) do
		local ok, res = pcall(a.func, cmd, optLine, words, a.data, false, false, {})
		if not ok then
			failures = failures + 1
			log("callin_error", { widget = widgetName(a.widget), callin = "action " .. cmd, err = tostring(res) })
			handler:RemoveWidget(a.widget, "error in action " .. cmd)
		elseif res then
			return true
		end
	end
	return true
end

--------------------------------------------------------------------------------
-- Test controller
--------------------------------------------------------------------------------

local quitRequested = false
local function quit(why)
	if quitRequested then return end
	quitRequested = true
	log("quit", { why = why, failures = failures })
	saveConfig()
	Spring.SendCommands("quitforce")
end

local function statusOf(name)
	local api = WG.LiveDataExport
	if type(api) ~= "table" or type(api.status) ~= "function" then return nil end
	local ok, st = pcall(api.status)
	if ok then return st end
	return { error = tostring(st) }
end

-- The engine's own numbers, for comparison with what the widget sent.
local function truth()
	local teams = {}
	for _, teamID in ipairs(Spring.GetTeamList() or {}) do
		local m = { Spring.GetTeamResources(teamID, "metal") }
		local e = { Spring.GetTeamResources(teamID, "energy") }
		teams[#teams + 1] = { team = teamID, metal = m, energy = e, units = Spring.GetTeamUnitCount(teamID) }
	end
	return teams
end

local controlOffset = 0
local function pollControl()
	local f = io.open(CONTROL_FILE, "r")
	if not f then return end
	local text = f:read("*a") or ""
	f:close()
	if #text <= controlOffset then return end
	local fresh = text:sub(controlOffset + 1)
	local lastNl = fresh:match(".*()\n")
	if not lastNl then return end
	controlOffset = controlOffset + lastNl
	for line in fresh:sub(1, lastNl):gmatch("[^\n]+") do
		log("control", { line = line })
		local verb, rest = line:match("^(%S+)%s*(.*)$")
		if verb == "quit" then
			quit("driver")
		elseif verb == "command" then
			-- The console path: the same route as a line typed into the chat box.
			Spring.SendCommands(rest)
		elseif verb == "status" then
			log("status", { status = statusOf(), truth = truth(), game_seconds = Spring.GetGameSeconds() })
		end
	end
end

local lastPoll, lastStatus = -1, -1
local statusEvery = tonumber(scenario.status_every) or 0.5
local maxSeconds = tonumber(scenario.max_seconds) or 60
local quitFrame = tonumber(scenario.quit_frame)
local frameCommands = scenario.frame_commands or {} -- { {frame=, cmd=} }
local gameStarted = false

--------------------------------------------------------------------------------
-- Engine callins (globals). Recoil hands /luaui <text> to the ConfigureLayout
-- callin (BAR's main.lua passes it to actionHandler:TextAction); Recoil has no
-- TextCommand callin. Spring 106 sends unknown /commands and /luaui <text> to
-- GotChatMsg. All three are routed to the same action dispatch here.
--------------------------------------------------------------------------------

local lastUpdate
function Update()
	local t = now()
	local dt = 0
	if Spring.GetLastUpdateSeconds then dt = Spring.GetLastUpdateSeconds() or 0
	elseif lastUpdate then dt = t - lastUpdate end
	lastUpdate = t
	callAll("Update", dt)
	if t - lastPoll >= 0.1 then
		lastPoll = t
		pollControl()
	end
	if t - lastStatus >= statusEvery then
		lastStatus = t
		log("status", { status = statusOf(), game_seconds = Spring.GetGameSeconds() })
	end
	if t > maxSeconds then quit("max_seconds " .. maxSeconds) end
end

function GameFrame(n)
	callAll("GameFrame", n)
	for _, fc in ipairs(frameCommands) do
		if fc.frame == n then
			log("frame_command", { cmd = fc.cmd })
			Spring.SendCommands(fc.cmd)
		end
	end
	if quitFrame and n >= quitFrame then quit("quit_frame " .. quitFrame) end
	if n % 30 == 0 then log("truth", { teams = truth(), game_seconds = Spring.GetGameSeconds() }) end
end

function GameStart()
	gameStarted = true
	log("game_start", {})
	callAll("GameStart")
end

function GameOver(winners)
	log("game_over", { engine_args = winners })
	callAll("GameOver") -- BAR passes no arguments
end

function TeamDied(teamID)
	log("team_died", { team = teamID })
	callAll("TeamDied", teamID)
end

function PlayerChanged(playerID)
	log("player_changed", { player = playerID })
	callAll("PlayerChanged", playerID)
end

function GamePaused(playerID, paused)
	callAll("GamePaused", playerID, paused)
end

function UnitCreated(unitID, unitDefID, teamID, builderID)
	log("unit_created", { unit = unitID, def = unitDefID, team = teamID,
		def_name = UnitDefs[unitDefID] and UnitDefs[unitDefID].name })
	callAll("UnitCreated", unitID, unitDefID, teamID, builderID)
end

function UnitFinished(unitID, unitDefID, teamID)
	callAll("UnitFinished", unitID, unitDefID, teamID)
end

function UnitDestroyed(unitID, unitDefID, teamID, attackerID, attackerDefID, attackerTeam)
	callAll("UnitDestroyed", unitID, unitDefID, teamID, attackerID, attackerDefID, attackerTeam)
end

function UnitGiven(unitID, unitDefID, newTeam, oldTeam)
	callAll("UnitGiven", unitID, unitDefID, newTeam, oldTeam)
end

function UnitTaken(unitID, unitDefID, oldTeam, newTeam)
	callAll("UnitTaken", unitID, unitDefID, oldTeam, newTeam)
end

function DrawScreen()
	callAll("DrawScreen")
end

local function handleText(text, via)
	log("text_in", { text = text, via = via })
	if textAction(text, via) then return true end
	for _, w in ipairs(widgets) do
		if w.TextCommand and callWidget(w, "TextCommand", text) then return true end
	end
	return false
end

function ConfigureLayout(command) return handleText(command, "ConfigureLayout") end
function TextCommand(command) return handleText(command, "TextCommand") end

function GotChatMsg(msg, playerID)
	return handleText(msg, "GotChatMsg")
end

function Shutdown()
	log("shutdown", { failures = failures, callins = callinCounts })
	if not quitRequested then saveConfig() end
	local list = {}
	for i, w in ipairs(widgets) do list[i] = w end
	for _, w in ipairs(list) do callWidget(w, "Shutdown") end
	log("shutdown_done", { failures = failures })
	if logFile then logFile:close(); logFile = nil end
end

--------------------------------------------------------------------------------
-- Load the widgets named by the scenario (default: every LuaUI/Widgets/*.lua)
--------------------------------------------------------------------------------

local files = scenario.widgets or VFS.DirList("LuaUI/Widgets", "*.lua", VFS.RAW) or {}
for _, path in ipairs(files) do loadWidget(path) end
log("widgets_ready", { count = #widgets, game_started = gameStarted })
