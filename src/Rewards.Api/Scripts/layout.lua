-- Module layout: numbers a script's keys and arguments in the order the script declares them.
-- Exports: new() -> l, with l.key(width) and l.arg(width) returning the 1-based position of the next key or argument
--   (width: how many it takes, 1 by default) and l.keys, l.args counting those declared so far.
-- A script declares one per line, e.g. `local MEMBER = L.key()`: adding one is one line, and nothing is renumbered.
-- The C# side builds them from one record (Infrastructure/Redis/ScriptArgs.cs); ScriptContractTests checks both agree.

local function new()
  local l = {keys = 0, args = 0}
  function l.key(width)
    local at = l.keys + 1
    l.keys = l.keys + (width or 1)
    return at
  end
  function l.arg(width)
    local at = l.args + 1
    l.args = l.args + (width or 1)
    return at
  end
  return l
end

return {new = new}
