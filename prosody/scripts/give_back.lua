-- Gives one use back (docs/storage.md, "Counted uses") after a registration that
-- failed once claim.lua had taken it, or after a claim whose answer came late or
-- never: run by the Prosody module and by the bot (src/storage/redis-claims.ts).
-- KEYS = as claim.lua's; ARGV = hash, the record's stored value, expires (unix ms),
-- expires (unix s), max[, "marked"[, claim id]]. With "marked" (claims with a claim
-- id), the marker key is the claim's marker: only a claim whose marker is still
-- there goes back, and the marker with it, so a use goes back at most once. When
-- there is no marker (the claim took no use, has not reached Redis yet, or went back
-- already), "given back" takes its place until the invite expires, so that the claim,
-- should it come later, takes nothing (claim.lua). With a claim id (a claim that wrote
-- an entry), the last key is invite:{HOST}:unsettled, and the entry goes whatever
-- happens: the use is settled as not made.
-- A counted invite still stored gets its count lowered; one the claim removed (a
-- single use, or a counted invite's last) is written back with its indexes, unless
-- it has expired meanwhile. Returns 1 when a use went back, 0 otherwise.
local n = #KEYS
if ARGV[7] then
  redis.call('HDEL', KEYS[n], ARGV[7])
  n = n - 1
end
local max = tonumber(ARGV[5])
if max < 0 then return 0 end -- not counted: a claim takes nothing, and writes no marker
local last = n
if ARGV[6] == 'marked' then
  local marker = redis.call('GET', KEYS[n])
  if not marker or marker == 'given back' then
    redis.call('SET', KEYS[n], 'given back')
    redis.call('PEXPIREAT', KEYS[n], ARGV[3])
    return 0
  end
  redis.call('DEL', KEYS[n])
  last = n - 1
end
if max > 1 and redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('DECR', KEYS[2])
  return 1
end
if not redis.call('SET', KEYS[1], ARGV[2], 'NX') then return 0 end
-- An expiry in the past removes the record at once: an invite that expired meanwhile stays gone.
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if max > 1 then
  redis.call('SET', KEYS[2], max - 1)
  redis.call('PEXPIREAT', KEYS[2], ARGV[3])
end
for i = 3, last - 1 do redis.call('ZADD', KEYS[i], ARGV[4], ARGV[1]) end
redis.call('ZADD', KEYS[last], 0, ARGV[1])
return 1
