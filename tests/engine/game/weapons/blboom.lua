return {
	blboom = {
		name = "Test explosion",
		weapontype = "Cannon",
		areaofeffect = 32,
		explosiongenerator = "",
		damage = { default = 10 },
	},
}
