-- Removes an invite (docs/storage.md, "Writing and removing an invite"), run by the Prosody
-- module (invites_redis_records.lib.lua) when Prosody deletes an invite or a deleted account's.
-- KEYS = rec, used, then every index the invite is in; ARGV = hash.
-- Returns 1 if the record existed, 0 otherwise.
local existed = redis.call('DEL', KEYS[1])
redis.call('DEL', KEYS[2])
for i = 3, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
return existed
