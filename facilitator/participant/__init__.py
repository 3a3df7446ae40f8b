"""The participant view: what a remote participant sees in their browser (served by `facilitator serve`).

It joins with the round's code, then scores points into the participant's own ballot file. It reads
the round file the facilitator's process publishes and never opens the session document.
"""
