"""The front desk's work: status changes checked against the pure `transitions` table, proposing times, time
off and weekly clinics, the schedules, and how full the clinics are (`charts` is pure)."""
