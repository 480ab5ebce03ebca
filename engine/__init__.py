"""Innkeep's pricing engine: rules are pluggy plugins, composed in the owner's order."""
