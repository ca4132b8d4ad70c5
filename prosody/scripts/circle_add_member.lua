-- Adds a member to a circle (docs/storage.md, "Circles"), run by the bot (src/storage/redis-circles.ts) and meant
-- for the Prosody module too (one text for both sides). The check and the write are one step, so that a member is
-- never added to a circle removed meanwhile: its members hash would outlive it, and a later circle could inherit it.
-- KEYS = circle:ID, circle:ID:members; ARGV = the member's bare JID, its tag (made with the current signing key),
-- then optionally the tags the same membership has with each old signing key.
-- Returns -1 when there is no circle record (nothing is written), 0 when the member is there already with one of
-- the given tags (kept as it is), 1 when the member was added (a field with any other value, which verifies for
-- nobody, is overwritten).
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local stored = redis.call('HGET', KEYS[2], ARGV[1])
if stored then
  for i = 2, #ARGV do
    if stored == ARGV[i] then return 0 end
  end
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1
