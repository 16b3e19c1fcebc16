"""How masking sees Arrow data: which leaves are text, what the snapshot writer says of a field, the leaves."""
