"""Which stored papers are on which topic, and what a reader is shown: verdicts, rematching, the digest."""
