"""Owner webhooks: events written to an outbox with the change they tell of, then delivered
to the owner's other tools under the Standard Webhooks specification."""
