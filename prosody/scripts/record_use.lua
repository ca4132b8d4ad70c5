-- A use event and who-invited-whom in one step (docs/storage.md, "Use events"), run by
-- the Prosody module and by the bot where it is the registration hook (one text for both).
-- KEYS = events, joined[, invited-by, invitees][, the event's marker]; ARGV = inviter (or ""),
-- invitee, maxlen, then the event's field/value pairs, its tag (signed by the caller, never here) last.
-- With a marker (an odd number of keys: invite:{HOST}:claim:ID, ID fresh for this one event,
-- never a claim's), the event is written once however often it is sent: the first run sets the
-- marker to "recorded" for a day, and a later one (a retry of a run whose answer was lost)
-- writes nothing and returns 0. The bot passes no marker.
-- A registration also puts the new account in `joined`, scored by the event's time (docs/storage.md,
-- "When accounts joined"): the age the bot's policy for users' invites reads. Not NX: a name
-- registered again after its account was deleted is a new account, as young as its registration.
-- Through redis.pcall: a Redis user whose ACL predates the key still records the use.
local marker = #KEYS % 2 == 1 and KEYS[#KEYS] or nil
if marker then
  if redis.call('GET', marker) == 'recorded' then return 0 end
  redis.call('SET', marker, 'recorded', 'PX', 86400000)
end
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', unpack(ARGV, 4))
local fields = {}
for i = 4, #ARGV - 1, 2 do fields[ARGV[i]] = ARGV[i + 1] end
if fields.kind == 'registered' and tonumber(fields.at) then
  redis.pcall('ZADD', KEYS[2], tonumber(fields.at), ARGV[2])
end
if ARGV[1] ~= '' then
  redis.call('SET', KEYS[3], ARGV[1], 'NX')
  redis.call('SADD', KEYS[4], ARGV[2])
end
return 1
