-- bar-live engine test game: the smallest game Spring 106 / Recoil will run.
return {
	name        = "bar-live engine test",
	shortname   = "BLET",
	game        = "bar-live engine test",
	shortgame   = "BLET",
	version     = "1",
	description = "Two unit defs that make metal and energy; used by tests/engine",
	modtype     = 1,
	depend      = { "Spring content v1", "Spring Cursors" },
}
