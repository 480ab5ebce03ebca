"""A guesthouse's rooms as the owner keeps them in the console: room types and units
edited through the property file's own checks (`widget.rooms.edits`), and the photos the
owner uploads (`widget.rooms.photos`)."""
