"""Statistics: sessions rolled up per site per local day and hour, for program evaluation."""
