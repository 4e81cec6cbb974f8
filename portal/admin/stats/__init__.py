"""Statistics for program evaluation: pages and JSON API over wifidesa.stats."""
