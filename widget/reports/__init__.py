"""The owner's reports: occupancy, ADR, RevPAR and room revenue, channels and lead times,
charts, and the accountant's CSV files."""
