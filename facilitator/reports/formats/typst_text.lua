-- For the PDF only, run after safe.lua (formats/pdf.py): every run of text becomes a Typst string
-- literal, `#"...";`, which Typst shows as it is and never reads as markup. pandoc's Typst writer
-- escapes markup characters, but not everywhere Typst reads them: the hostile-text property found
-- a table cell "- / 1. item" written as `[- / 1. item]`, a list item opening a term list that broke
-- the compile. A string literal has two escapes only, the backslash and the quote; the semicolon
-- ends the expression, so what follows it is never read as an argument or a field.

function Str(text)
  local literal = text.text:gsub("\\", "\\\\"):gsub('"', '\\"')
  return pandoc.RawInline("typst", '#"' .. literal .. '";')
end
