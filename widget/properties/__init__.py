"""A guesthouse as its owner describes it: the property file (`file`), applying it to the
database (`apply`), and the property as guests see it (`public`)."""
