return {
	{ name = "Test", startunit = "blcom" },
}
