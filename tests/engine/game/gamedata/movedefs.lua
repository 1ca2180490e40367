return {
	{ name = "tank2", footprintx = 2, footprintz = 2, maxwaterdepth = 30, maxslope = 40, crushstrength = 10 },
}
