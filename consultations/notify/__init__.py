"""Messages to patients and the front desk: what each e-mail says (`emails`), the one queue-and-send path every
e-mail takes (`tasks`), and the reminders sent before a visit (`reminders`)."""
