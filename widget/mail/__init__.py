"""Guest and owner e-mails: written to an outbox with the booking, sent in the background."""
