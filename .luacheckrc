-- luacheck configuration for the bar-live widget (Lua 5.1 inside BAR / Recoil).
std = "lua51"
max_line_length = 120
codes = true
self = false -- widget:Callin() methods need not use self

-- Engine globals a LuaUI widget sees.
read_globals = {
	"Spring", "Game", "Engine", "UnitDefs", "WeaponDefs", "VFS", "LOG", "gl", "GL",
	"socket", -- LuaSocket: a global in LuaUI, never require()d
	"widgetHandler",
}
globals = {
	"widget", -- the widget table; callins are assigned to it
	"WG",     -- shared table between widgets
}

files["widget/spec"] = {
	std = "+busted",
	globals = { "Spring", "Game", "Engine", "UnitDefs", "WG", "widgetHandler", "socket", "gl", "widget" },
}
files["widget/spec/e2e"] = { std = "lua51" }
files["widget/bench"] = { std = "lua51" }
