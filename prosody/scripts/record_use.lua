-- A use event and who-invited-whom in one step (docs/storage.md, "Use events"), run by
-- the Prosody module and by the bot where it is the registration hook (one text for both).
-- KEYS = events[, invited-by, invitees]; ARGV = inviter (or ""), invitee, maxlen, then
-- the event's field/value pairs, its tag (signed by the caller, never here) last.
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', unpack(ARGV, 4))
if ARGV[1] ~= '' then
  redis.call('SET', KEYS[2], ARGV[1], 'NX')
  redis.call('SADD', KEYS[3], ARGV[2])
end
return 1
