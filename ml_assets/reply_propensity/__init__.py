"""Probability that a prospect replies to a sequence message, from what is known when the message is sent."""
