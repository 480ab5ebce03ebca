"""Channel sync: the units' iCal exports (and, later, imports from other channels' feeds)."""
