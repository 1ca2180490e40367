-- Start unit: makes 1.5 metal/s and 20 energy/s unconditionally (metalmake/energymake).
return {
	blcom = {
		name = "Test Commander",
		description = "Makes metal and energy",
		objectname = "tri.obj",
		script = "",
		footprintx = 2, footprintz = 2,
		movementclass = "tank2",
		maxvelocity = 1.0, acceleration = 0.1, brakerate = 0.1, turnrate = 500,
		maxdamage = 3000,
		buildcostmetal = 2700, buildcostenergy = 26000, buildtime = 1000,
		metalmake = 1.5, energymake = 20,
		metalstorage = 500, energystorage = 500,
		category = "COMMANDER",
		explodeas = "blboom", selfdestructas = "blboom",
		customparams = { iscommander = "1" },
	},
}
