"""The patient's booking: the red-flag screen, which times are free, requesting, moving and cancelling a
consultation, and the waitlist. `slots` and `red_flags` are pure; `services` holds the writes."""
