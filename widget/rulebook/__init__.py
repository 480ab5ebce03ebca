"""The owner's prices and rules: a draft rule list checked, previewed and saved."""
