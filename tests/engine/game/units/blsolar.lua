-- Spawned mid-game by LuaRules: a def the widget first meets after the start.
return {
	blsolar = {
		name = "Test Solar",
		description = "Makes energy",
		objectname = "tri.obj",
		script = "",
		footprintx = 2, footprintz = 2,
		maxvelocity = 0,
		maxdamage = 500,
		buildcostmetal = 150, buildcostenergy = 0, buildtime = 2000,
		energymake = 30,
		category = "ECONOMY",
		explodeas = "blboom", selfdestructas = "blboom",
		customparams = { unitgroup = "energy", techlevel = "2" },
	},
}
