"""The captive portal: the router's login page posts here; villagers log in; the hand-off."""
