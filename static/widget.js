console.info("Innkeep widget loader: the booking widget is coming soon.");
