-- Module spend: where a debit of the balance takes its points from, and where a refund gives them back. The one call site
-- of the lots (issue 15's expiry by lots): until the lots module exists it takes from no lot and answers '' (nothing to
-- name); then take consumes lots earliest-expiry first and answers what it took ('20270131:50,20270228:20'), and giveBack
-- returns exactly that to the same lots, with their original expiry dates.
-- Exports:
--   take(memberKey, lotsKey, amount) -> taken
--   giveBack(memberKey, lotsKey, taken)

local function take(memberKey, lotsKey, amount)
  return ''
end

local function giveBack(memberKey, lotsKey, taken)
end

return {take = take, giveBack = giveBack}
