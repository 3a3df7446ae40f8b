"""The scorecard's charts as self-contained SVG, drawn here by hand (no charting library).

Why by hand: the three charts are a radar, a heatmap and one line over time, about 300 lines
together. pygal (measured: 56 ms to import, 11 ms a radar) has no heatmap, draws every series
with the same round dot (a chart in black and white needs a shape and a dash per line), and
writes a `<script>` even with `js=[]`; each of these would have to be patched over. Here every
line has its own dash pattern and marker, every cell prints its value, every text is escaped
for XML in one place (`svg.text`), and nothing refers outside the file.

- `svg`: the document, escaped text, markers and line styles shared by the charts.
- `radar`, `heatmap`, `trend`: one chart each, from plain numbers and names.

The same picture as PNG (for Word) is drawn by Typst in `facilitator.reports.formats.png`, with
the other converters of the `documents` extra (only that package imports them), and only when a
PNG is asked for.
"""
