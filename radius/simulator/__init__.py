"""A MikroTik hotspot router, simulated: logins, accounting, CoA; `wifidesa simulate`."""
