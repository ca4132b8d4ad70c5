-- The use of a claim stands (the account was made, the XEP-0379 subscription approved), and is
-- recorded once (docs/storage.md, "Unsettled uses"): run by the Prosody module and by the bot
-- where it is the registration hook (one text for both).
-- KEYS = unsettled, the claim's marker, events, joined[, invited-by, invitees][, approvals];
-- ARGV = claim id, inviter (or ""), invitee, maxlen, then the event's field/value pairs, its tag
-- (signed by the caller, never here) last.
-- Only a claim whose entry is still in invite:{HOST}:unsettled is recorded, and its entry goes
-- with it: a retry of a settle whose answer was lost, a second process that found the entry
-- after a restart, or a settle after the use was given back (give_back.lua removes the entry
-- too) writes nothing and returns 0. Otherwise the marker goes (the use stands: nothing is left
-- to give back), the event is added with who-invited-whom, and 1 is returned.
-- With the approvals key (an odd number of keys: the Prosody module's held registration, whose event has `held`),
-- the account goes on the list of accounts awaiting approval, its entry the event's fields with the tag, JSON, first:
-- a Redis user whose ACL lacks the key fails here, before anything changed, and the use stays unsettled.
if not redis.call('HGET', KEYS[1], ARGV[1]) then return 0 end
local fields = {}
for i = 5, #ARGV - 1, 2 do fields[ARGV[i]] = ARGV[i + 1] end
if #KEYS % 2 == 1 and fields.held then redis.call('HSET', KEYS[#KEYS], ARGV[3], cjson.encode(fields)) end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], '*', unpack(ARGV, 5))
-- A registration puts the new account in `joined` (as record_use.lua; redis.pcall: an older ACL still settles).
if fields.kind == 'registered' and tonumber(fields.at) then
  redis.pcall('ZADD', KEYS[4], tonumber(fields.at), ARGV[3])
end
if ARGV[2] ~= '' then
  redis.call('SET', KEYS[5], ARGV[2], 'NX')
  redis.call('SADD', KEYS[6], ARGV[3])
end
return 1
