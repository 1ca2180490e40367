-- Unsynced LuaRules of the engine test game. Spring 106 wants this file non-empty.
function Shutdown() end
