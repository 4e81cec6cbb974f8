"""Places: regions (Kemendagri codes), sites (village hotspots) and their routers."""
