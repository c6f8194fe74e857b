# Deliberately empty: what remains is the cost of starting a compiled Python program at all.
