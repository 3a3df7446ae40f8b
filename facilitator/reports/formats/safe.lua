-- The second line of defence, run by pandoc on every document it converts (formats/pandoc.py).
-- Text typed in the room reaches pandoc already escaped (reports/markdown.py), so it holds no
-- link, image or raw markup at all; this filter keeps a customised template from adding any:
-- no image but our own figures (nothing is fetched: pandoc also runs with --sandbox), no link but
-- http(s), mailto and the document's own anchors (no javascript:), no raw HTML, TeX or Typst.

local SAFE_TARGETS = { "^https?://", "^mailto:", "^#" }

local function figures_of(meta)
  local allowed = {}
  local given = meta["facilitator-figures"]
  if given ~= nil then
    for name in pandoc.utils.stringify(given):gmatch("[^,]+") do
      allowed["figures/" .. name .. ".svg"] = true
    end
  end
  return allowed
end

function Pandoc(doc)
  local figures = figures_of(doc.meta)
  doc.meta["facilitator-figures"] = nil
  return doc:walk {
    Image = function(image)
      if image.src:match("^data:image/") or figures[image.src] then
        return nil
      end
      return image.caption  -- the alternative text, as text
    end,
    Link = function(link)
      local target = link.target:lower()
      for _, pattern in ipairs(SAFE_TARGETS) do
        if target:match(pattern) then
          return nil
        end
      end
      return link.content
    end,
    RawInline = function(raw)
      return pandoc.Str(raw.text)
    end,
    RawBlock = function(raw)
      return pandoc.Para { pandoc.Str(raw.text) }
    end,
  }
end
