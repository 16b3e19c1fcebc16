"""Companies similar to a given one, from what they are (industry, size, keywords, technologies)."""
