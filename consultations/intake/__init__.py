"""The intake history a patient gives before the visit: its steps and forms, saving and submitting them,
uploaded reports, questionnaires as data with pure `scoring`, and how answers read back (`display`)."""
