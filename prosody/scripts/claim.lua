-- One use of an invite (docs/storage.md, "Counted uses"), run by the Prosody module
-- (invites_redis_store.lib.lua) and by the bot where it is the registration hook
-- (src/storage/redis-claims.ts): one text, so both take uses the same way.
-- KEYS = rec, used, then every index the invite is in[, the claim's marker[, unsettled]];
-- ARGV = hash, tag, max (0 single use, -1 not counted, N counted)[, claim id[, entry]].
-- With a claim id (every claim of the bot and of the module), the marker key is
-- written with the use, until the invite expires: give_back.lua gives a use back
-- only by deleting it, so a use goes back at most once, and a claim whose answer
-- was lost goes back exactly when it was taken. A marker that is there already
-- was left by give_back.lua ("given back"): this claim's give-back ran before the
-- claim reached Redis, and the claim takes nothing.
-- With an entry (a registration or a XEP-0379 approval: docs/storage.md, "Unsettled
-- uses"), the last key is invite:{HOST}:unsettled and the entry goes into it under
-- the claim id, with the use: settle.lua records the use from there, give_back.lua
-- removes it, and whoever finds it old after a restart decides between the two.
-- Returns the uses left, -1 gone (or given back already), -2 none left, -3 changed.
local marked = ARGV[4] ~= nil
local entry = ARGV[5]
local unsettled = entry and KEYS[#KEYS] or nil
local marker = marked and KEYS[entry and #KEYS - 1 or #KEYS] or nil
local last_index = #KEYS - (marked and 1 or 0) - (entry and 1 or 0)
if marked and redis.call('EXISTS', marker) == 1 then return -1 end
local raw = redis.call('GET', KEYS[1])
if not raw then return -1 end
local ok, env = pcall(cjson.decode, raw)
if not ok or type(env) ~= 'table' or type(env.value) ~= 'table' or env.value.tag ~= ARGV[2] then return -3 end
local max = tonumber(ARGV[3])
if max < 0 then -- not counted: nothing to take, nothing to give back; the use is still recorded once
  if entry then redis.call('HSET', unsettled, ARGV[4], entry) end
  return 0
end
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
    redis.call('SET', marker, ARGV[4])
    redis.call('PEXPIREAT', marker, string.format('%d', env.expires))
  else -- SET … PX, not PEXPIRE: Prosody's Redis user may not send PEXPIRE (docs/security.md)
    redis.call('SET', marker, ARGV[4], 'PX', 86400000)
  end
end
if entry then redis.call('HSET', unsettled, ARGV[4], entry) end
return left
