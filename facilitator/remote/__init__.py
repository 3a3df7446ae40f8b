"""Remote scoring: participants score from their own browsers while the room's screen stays the room's.

How the pieces talk (all through files next to the session, no server state of our own):

- `facilitator serve ID` (`serve.py`) runs textual-serve, which starts one participant app process
  (`facilitator.participant`) per browser connection.
- The facilitator's process (the TUI, the only writer of the session document) publishes the
  round in `<id>.ballots/round.json` (`room.py`): the join code, whether the round is open, the
  point the room is on, and what has been revealed.
- Each participant process writes only its own ballot, `<id>.ballots/<participant>.json`
  (`ballots.py`), atomically.
- The facilitator's process polls the ballots, validates each against the round and the session,
  merges good ones into the session and logs refused ones (`merge.py`).

Nothing here imports Textual: the CLI's `serve` must stay light, and tests use these modules alone.
"""
