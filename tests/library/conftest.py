# The fixture generator imports torch, which the suite must not need.
collect_ignore = ["fixtures"]
