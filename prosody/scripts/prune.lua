-- The live members of an index, pruned of expired ones (score below NOW), run by the Prosody
-- module (invites_redis_records.lib.lua) to list invites; for `pending`, the expired members
-- leave `ids` too. KEYS = index[, ids]; ARGV = now (unix s), limit.
local expired = '(' .. ARGV[1]
if KEYS[2] then
  local gone = redis.call('ZRANGE', KEYS[1], '-inf', expired, 'BYSCORE')
  for i = 1, #gone, 1000 do
    redis.call('ZREM', KEYS[2], unpack(gone, i, math.min(i + 999, #gone)))
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', expired)
return redis.call('ZRANGE', KEYS[1], ARGV[1], '+inf', 'BYSCORE', 'LIMIT', 0, ARGV[2])
