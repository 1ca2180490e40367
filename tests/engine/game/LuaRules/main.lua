-- Synced LuaRules of the engine test game (raw handler, no gadgets).
-- Mod options (script.txt [MODOPTIONS], all optional, in game frames):
--   bl_solar_frame  spawn one blsolar for every team at this frame (a def first used mid-game)
--   bl_kill_frame   kill the last team (TeamDied) at this frame
--   bl_over_frame   declare ally team 0 the winner (GameOver) at this frame
local opts = Spring.GetModOptions() or {}
local solarFrame = tonumber(opts.bl_solar_frame)
local killFrame = tonumber(opts.bl_kill_frame)
local overFrame = tonumber(opts.bl_over_frame)

local function playingTeams()
	local gaia = Spring.GetGaiaTeamID()
	local out = {}
	for _, teamID in ipairs(Spring.GetTeamList()) do
		if teamID ~= gaia then out[#out + 1] = teamID end
	end
	table.sort(out)
	return out
end

local function spawn(defName, teamID, dx)
	local x, _, z = Spring.GetTeamStartPosition(teamID)
	if not x or x < 0 then x, z = 256 + 512 * teamID, 256 + 512 * teamID end
	x = x + (dx or 0)
	Spring.CreateUnit(defName, x, Spring.GetGroundHeight(x, z), z, "s", teamID)
end

function GameStart()
	for _, teamID in ipairs(playingTeams()) do spawn("blcom", teamID, 0) end
end

function GameFrame(n)
	if n == solarFrame then
		for _, teamID in ipairs(playingTeams()) do spawn("blsolar", teamID, 64) end
	end
	if n == killFrame then
		local teams = playingTeams()
		Spring.KillTeam(teams[#teams])
	end
	if n == overFrame then
		Spring.GameOver({ 0 })
	end
end
