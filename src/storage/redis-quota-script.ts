/**
 * The scripts that check and take a place under every limit of a requester's invites (redis-quota.ts; docs/
 * storage.md, "The quota"): one step inside Redis, so that racing requests, bot instances and registrations cannot
 * pass a limit between a check and its place. SAVE_WITHIN_QUOTA also writes the invite in that step (the bot's own
 * way: one round trip per user's invite, issue 26); RESERVE takes a place in flight for an invite to be saved later.
 *
 * KEYS = quota, by:SUBJECT (its invites, scored by expiry in seconds), reserving:SUBJECT (places taken whose invites
 * are not saved yet, scored by when they stop counting), joined (when accounts registered, Unix seconds).
 * ARGV = now (ms), window (ms), limit (-1: none), member, most pending (-1: none), lease (ms), the invite's lifetime
 * (ms), the youngest account allowed (ms, -1: any), the subject, the tree budget (-1: none), the chain's pace (ms,
 * -1: none), the registrations the invite can make, the host's key prefix, how many exempt accounts (admins) follow,
 * the exempt accounts; then, for SAVE_WITHIN_QUOTA, the invite's writes, each its argument count and its arguments
 * (redis-invite-writes.ts). redis-quota-call.ts builds both and reads the reply.
 *
 * The tree rules read keys beyond KEYS (invited-by:, invitees:, by:, reserving:, rec:, used: of other accounts), and
 * the writes name the invite's record and indexes: every key of a host shares the `{HOST}` hash tag, so they are in
 * the slot of the declared ones, which a Redis Cluster allows a script to use.
 *
 * Returns {0, 1 if an age could not be read} when taken, else {code, the time (ms) the next invite is possible at
 * the latest, 0 if waiting frees nothing}: 1 the period, 2 pending, 3 the account's age, 4 the tree, 5 the pace.
 */
import { RedisScript } from "./redis-connection.js";

const RULES = `
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local member, most, lease, lifetime = ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local youngest, subject, tree_max, pace = tonumber(ARGV[8]), ARGV[9], tonumber(ARGV[10]), tonumber(ARGV[11])
local uses, prefix = tonumber(ARGV[12]), ARGV[13]
local exempt, after_exempt = {}, 15 + tonumber(ARGV[14])
for i = 15, after_exempt - 1 do exempt[ARGV[i]] = true end
local unchecked = 0
local now_seconds = math.floor(now / 1000)

-- When an account registered through an invite (ms), or nil: no record, or (redis.pcall) a Redis user whose ACL
-- lacks +zscore, older than these rules, which still gets invites, unchecked.
local function joined_ms(account)
  local joined = redis.pcall('ZSCORE', KEYS[4], account)
  if type(joined) == 'table' then unchecked = 1 return nil end
  return joined and tonumber(joined) * 1000 or nil
end

local function inviter_of(account)
  local inviter = redis.call('GET', prefix .. 'invited-by:' .. account)
  if inviter and not exempt[inviter] then return inviter end
  return nil
end

-- The accounts an invite can still register (registrationsLeft in src/invites/record.ts).
local function registrations_left(hash)
  local ok, envelope = pcall(cjson.decode, redis.call('GET', prefix .. 'rec:' .. hash) or '')
  if not ok or type(envelope) ~= 'table' or type(envelope.value) ~= 'table' then return 0 end
  local parsed, record = pcall(cjson.decode, envelope.value.record or '')
  if not parsed or type(record) ~= 'table' or record.allow_registration ~= true then return 0 end
  local data = type(record.additional_data) == 'table' and record.additional_data or {}
  if data.allow_reset ~= nil then return 0 end
  local max = tonumber(data.max_uses)
  if record.reusable ~= true or not max or max <= 1 then return 1 end
  return math.max(max - (tonumber(redis.call('GET', prefix .. 'used:' .. hash)) or 0), 0)
end

-- The tree budget: the topmost account above the subject that is not exempt, then everything below it.
local function tree_refusal()
  local root, seen = subject, { [subject] = true }
  for _ = 0, tree_max do
    local up = inviter_of(root)
    if not up or seen[up] then break end
    seen[up] = true
    root = up
  end
  local accounts, count, soonest = 0, 0, nil
  local queue, head, listed = { root }, 1, { [root] = true }
  while queue[head] do
    local account = queue[head]
    head = head + 1
    local invites = redis.call('ZRANGE', prefix .. 'by:' .. account, '(' .. now_seconds, '+inf', 'BYSCORE', 'WITHSCORES')
    for i = 1, #invites, 2 do
      local left = registrations_left(invites[i])
      if left > 0 then
        count = count + left
        local ends = tonumber(invites[i + 1]) * 1000
        if soonest == nil or ends < soonest then soonest = ends end
      end
    end
    -- A place in flight becomes an invite that lasts the lifetime from when it was taken (users' invites all do).
    local places = redis.call('ZRANGE', prefix .. 'reserving:' .. account, '(' .. now, '+inf', 'BYSCORE', 'WITHSCORES')
    for i = 1, #places, 2 do
      count = count + (tonumber(string.match(places[i], '#(%d+)$')) or 1)
      local ends = tonumber(places[i + 1]) - lease + lifetime
      if soonest == nil or ends < soonest then soonest = ends end
    end
    for _, invitee in ipairs(redis.call('SMEMBERS', prefix .. 'invitees:' .. account)) do
      if not listed[invitee] then
        listed[invitee] = true
        accounts = accounts + 1
        queue[#queue + 1] = invitee
      end
    end
    -- Full of accounts: waiting frees no place, and reading on would only cost time.
    if accounts + uses > tree_max then return {4, 0} end
  end
  if accounts + count + uses > tree_max then return {4, soonest or 0} end
  return nil
end

-- The first limit that refuses this invite, as the reply; nil when every one has a place.
local function refusal()
  if youngest >= 0 then
    local joined = joined_ms(subject)
    if joined and joined + youngest > now then return {3, joined + youngest} end
  end
  if pace >= 0 then
    local inviter = inviter_of(subject)
    local joined = inviter and joined_ms(inviter)
    if joined and joined + pace > now then return {5, joined + pace} end
  end
  if limit >= 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
    if redis.call('ZCARD', KEYS[1]) >= limit then
      local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
      return {1, tonumber(oldest[2]) + window}
    end
  end
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
  if most >= 0 then
    local pending = redis.call('ZCOUNT', KEYS[2], '(' .. now_seconds, '+inf') + redis.call('ZCARD', KEYS[3])
    if pending >= most then
      local soonest = nil
      local invite = redis.call('ZRANGE', KEYS[2], '(' .. now_seconds, '+inf', 'BYSCORE', 'LIMIT', 0, 1, 'WITHSCORES')
      if invite[2] then soonest = tonumber(invite[2]) * 1000 end
      local reserved = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
      if reserved[2] then
        local ends = tonumber(reserved[2]) - lease + lifetime
        if soonest == nil or ends < soonest then soonest = ends end
      end
      return {2, soonest or now}
    end
  end
  if tree_max >= 0 and uses > 0 then return tree_refusal() end
  return nil
end

-- Takes the place: in the period's count, and, unless the invite is saved in this step (it then counts through
-- by:SUBJECT), as a place in flight.
local function take(in_flight)
  if in_flight and (most >= 0 or tree_max >= 0) then
    redis.call('ZADD', KEYS[3], now + lease, member)
    redis.call('PEXPIRE', KEYS[3], lease)
  end
  if limit >= 0 then
    redis.call('ZADD', KEYS[1], now, member)
    redis.call('PEXPIRE', KEYS[1], window)
  end
end

local refused = refusal()
if refused then return refused end
`;

/** A place in flight, for an invite saved later (QuotaStore.reserve). */
export const RESERVE = new RedisScript(`${RULES}
take(true)
return {0, unchecked}
`);

/** A place and the invite's writes in one step (InviteStore.save with a claim). */
export const SAVE_WITHIN_QUOTA = new RedisScript(`${RULES}
take(false)
local at = after_exempt
while at <= #ARGV do
  local count = tonumber(ARGV[at])
  redis.call(unpack(ARGV, at + 1, at + count))
  at = at + count + 1
end
return {0, unchecked}
`);
