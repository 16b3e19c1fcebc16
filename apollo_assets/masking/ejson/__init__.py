"""Extended JSON text columns: masked by the shape of each value; the texts the leak checks read."""
