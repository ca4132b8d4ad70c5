-- One use of an invite (docs/storage.md, "Counted uses"), run by the Prosody module
-- (invites_redis_store.lib.lua) and by the bot where it is the registration hook
-- (src/storage/redis-claims.ts): one text, so both take uses the same way.
-- KEYS = rec, used, then every index the invite is in[, the claim's marker];
-- ARGV = hash, tag, max (0 single use, -1 not counted, N counted)[, claim id].
-- With a claim id (every claim of the bot and of the module), the last key is a
-- marker written with the use, until the invite expires: give_back.lua gives a
-- use back only by deleting it, so a use goes back at most once, and a claim
-- whose answer was lost goes back exactly when it was taken. A marker that is
-- there already was left by give_back.lua ("given back"): this claim's give-back
-- ran before the claim reached Redis, and the claim takes nothing.
-- Returns the uses left, -1 gone (or given back already), -2 none left, -3 changed.
local marked = ARGV[4] ~= nil
local last_index = marked and #KEYS - 1 or #KEYS
if marked and redis.call('EXISTS', KEYS[#KEYS]) == 1 then return -1 end
local raw = redis.call('GET', KEYS[1])
if not raw then return -1 end
local ok, env = pcall(cjson.decode, raw)
if not ok or type(env) ~= 'table' or type(env.value) ~= 'table' or env.value.tag ~= ARGV[2] then return -3 end
local max = tonumber(ARGV[3])
if max < 0 then return 0 end
local left = 0
if max > 1 then
  local used = redis.call('INCR', KEYS[2])
  if used == 1 and type(env.expires) == 'number' then
    redis.call('PEXPIREAT', KEYS[2], string.format('%d', env.expires))
  end
  if used > max then
    redis.call('DECR', KEYS[2])
    return -2
  end
  left = max - used
end
if left == 0 then
  redis.call('DEL', KEYS[1], KEYS[2])
  for i = 3, last_index do redis.call('ZREM', KEYS[i], ARGV[1]) end
end
if marked then
  if type(env.expires) == 'number' then
    redis.call('SET', KEYS[#KEYS], ARGV[4])
    redis.call('PEXPIREAT', KEYS[#KEYS], string.format('%d', env.expires))
  else -- SET … PX, not PEXPIRE: Prosody's Redis user may not send PEXPIRE (docs/security.md)
    redis.call('SET', KEYS[#KEYS], ARGV[4], 'PX', 86400000)
  end
end
return left
