"""The surgeon's review of an intake: the one-screen summary, marking it reviewed with a priority, and
questions asked of the patient (`charts` is pure)."""
