-- Layout v2 of docs/storage.md, for Prosody: signed invite records named by the
-- SHA-256 of their token (no token at rest), indexes per host, inviter, bound
-- username and id, counted uses, use events. Shared by mod_storage_invites_redis
-- and mod_invites_redis. Every key of a host carries the {HOST} hash tag, and
-- every key a script or MULTI touches is passed in KEYS, so each call stays
-- valid on a Redis Cluster. No SCAN: everything is found through an index.
--
-- Every Redis command this module sends (the Redis ACL user for Prosody in
-- docs/security.md is made from this list; keep it exact):
--   connection:  AUTH (when the URL has a password), SELECT (db other than 0)
--   direct:      GET (layout, rec:*), EXISTS (rec:*), MGET (rec:*),
--                ZRANGE 0 -1 (by:*, for:*: account deletion), DEL claim:* (a claim's use kept)
--   MULTI/EXEC:  SET rec:* PX, ZADD pending / ids / by:* / for:*  (creating an invite)
--   EVALSHA, and EVAL when Redis answers NOSCRIPT, of the five scripts below:
--     CLAIM       EXISTS claim:*, GET rec:*, INCR / DECR / PEXPIREAT used:*, DEL rec:* used:*, ZREM indexes,
--                 SET [PX] / PEXPIREAT claim:*
--     GIVE_BACK   GET / DEL / SET / PEXPIREAT claim:*, EXISTS rec:*, DECR used:*, SET rec:* NX, SET used:*,
--                 PEXPIREAT rec:* used:*, ZADD indexes
--     REMOVE      DEL rec:* used:*, ZREM indexes
--     PRUNE       ZRANGE BYSCORE, ZREM ids, ZREMRANGEBYSCORE, ZRANGE BYSCORE LIMIT (pending, by:*)
--     RECORD_USE  GET / SET PX claim:* (the event's marker), XADD events MAXLEN ~, SET invited-by:* NX,
--                 SADD invitees:*
-- Keys (all invite:{HOST}:...): layout (read only), rec:HASH, used:HASH, pending,
-- ids, by:BAREJID, for:LOCAL, events, invited-by:BAREJID, invitees:BAREJID, claim:ID.
local json = require "util.json";
local hashes = require "util.hashes";
local base64 = require "util.encodings".base64;
local jid_bare = require "util.jid".bare;
local jid_node = require "util.jid".node;
local async = require "util.async";
local gettime = require "util.time".now;
local random_bytes = require "util.random".bytes;
local resp = module:require("resp_client");

local DEFAULT_URL = "redis://127.0.0.1:6379/0";
-- Seconds. Redis on the same network answers in well under 1 ms; only the session that asked waits.
local DEFAULT_TIMEOUT = 0.25;
-- Seconds of failing at once, without trying, after Redis left a call unanswered (resp_client.lib.lua).
local DEFAULT_RETRY_AFTER = 1;
local LAYOUT = "2";
local TAG_CONTEXT = "xmpp-invite-bot/2";
-- The bot's relay proof (mod_invites_redis, src/registration/relay-proof.ts): a context of its own, so that no
-- record tag can pass for a proof, nor a proof for a tag.
local RELAY_CONTEXT = "xmpp-invite-bot/relay/0";
-- A use event's tag (docs/storage.md, "Use events"; src/storage/event-tag.ts): a context of its own too, over the
-- host and these fields in this order, an absent one as "".
local EVENT_CONTEXT = "xmpp-invite-bot/event/0";
local EVENT_FIELDS = { "kind", "inviter", "invitee", "invite", "at" };
local MIN_KEY_LENGTH = 32;
local EVENTS_MAXLEN = 100000;

local store_mt = {};
store_mt.__index = store_mt;

local function now() return os.time(); end

local function base64url(bytes)
	return (base64.encode(bytes):gsub("%+", "-"):gsub("/", "_"):gsub("=+$", ""));
end

--- base64url(SHA-256(token)), 43 characters: the name of an invite in Redis.
local function token_hash(token)
	return base64url(hashes.sha256(token));
end

-- Key names (docs/storage.md, "Keys").
function store_mt:key(suffix) return "invite:{"..self.host.."}:"..suffix; end
function store_mt:record_key(hash) return self:key("rec:"..hash); end
function store_mt:used_key(hash) return self:key("used:"..hash); end
function store_mt:pending_key() return self:key("pending"); end
function store_mt:ids_key() return self:key("ids"); end
function store_mt:by_key(bare) return self:key("by:"..bare); end
function store_mt:for_key(localpart) return self:key("for:"..localpart); end
function store_mt:events_key() return self:key("events"); end
function store_mt:invited_by_key(bare) return self:key("invited-by:"..bare); end
function store_mt:invitees_key(bare) return self:key("invitees:"..bare); end
function store_mt:layout_key() return self:key("layout"); end
function store_mt:claim_key(claim_id) return self:key("claim:"..claim_id); end
function store_mt:unsettled_key() return self:key("unsettled"); end

-- A script run with EVALSHA, sent again with EVAL when Redis does not know it (after a restart).
-- A script shared with the bot, from prosody/scripts/ (beside this file).
local function resource(path)
	local file = assert(module:load_resource(path));
	local text = file:read("*a");
	file:close();
	return text;
end

local function script(source)
	local hex = hashes.sha1(source, true);
	return function (redis, keys, args)
		local call = { "EVALSHA", hex, #keys };
		for _, k in ipairs(keys) do call[#call+1] = k; end
		for _, a in ipairs(args) do call[#call+1] = a; end
		local reply, err, unanswered = redis:command(table.unpack(call));
		if reply == nil and tostring(err):match("NOSCRIPT") then
			call[1], call[2] = "EVAL", source;
			reply, err, unanswered = redis:command(table.unpack(call));
		end
		return reply, err, unanswered;
	end;
end

-- One use of an invite (docs/storage.md, "Counted uses"); the bot runs the same file.
local CLAIM = script(resource("scripts/claim.lua"));

-- Removes an invite: KEYS = rec, used, indexes; ARGV = hash. Returns 1 if the record existed.
local REMOVE = script([[
local existed = redis.call('DEL', KEYS[1])
redis.call('DEL', KEYS[2])
for i = 3, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
return existed
]]);

-- A use given back when Prosody could not create the account after the claim; the bot runs the same file.
local GIVE_BACK = script(resource("scripts/give_back.lua"));

-- A use event and who-invited-whom in one step; the bot runs the same file.
local RECORD_USE = script(resource("scripts/record_use.lua"));

-- The live members of an index, pruned of expired ones (score below NOW); for
-- `pending`, the expired members leave `ids` too. KEYS = index[, ids];
-- ARGV = now, limit.
local PRUNE = script([[
local expired = '(' .. ARGV[1]
if KEYS[2] then
  local gone = redis.call('ZRANGE', KEYS[1], '-inf', expired, 'BYSCORE')
  for i = 1, #gone, 1000 do
    redis.call('ZREM', KEYS[2], unpack(gone, i, math.min(i + 999, #gone)))
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', expired)
return redis.call('ZRANGE', KEYS[1], ARGV[1], '+inf', 'BYSCORE', 'LIMIT', 0, ARGV[2])
]]);

--- The value inside a stored keyv envelope {"value": ..., "expires": ms}, or nil for anything else.
local function envelope_value(raw)
	if not raw then return nil; end
	local ok, envelope = pcall(json.decode, raw);
	if not ok or type(envelope) ~= "table" then return nil; end
	return envelope.value;
end

---------- Signing (docs/storage.md, "The tag"; docs/prosody.md, the relay proof) ----------

-- base64url(HMAC-SHA256(key, context \n field \n ...)): every MAC shared with the bot, made as it makes them
-- (macOf in src/storage/record.ts).
local function mac(key, context, ...)
	return base64url(hashes.hmac_sha256(key, table.concat({ context, ... }, "\n")));
end

--- Whether `given` is the MAC of these fields with the current or an old signing key.
function store_mt:mac_matches(given, context, ...)
	if type(given) ~= "string" then return false; end
	local valid = false;
	for _, key in ipairs(self.keys) do
		-- Constant-time comparison, and every key tried: the time taken tells nothing about the MAC or the key.
		if hashes.equals(mac(key, context, ...), given) then valid = true; end
	end
	return valid;
end

function store_mt:tag_with(key, hash, text)
	return mac(key, TAG_CONTEXT, self.host, hash, text);
end

--- The tag of a use event with these fields (name → string), with the current key: the bot tells only signed events.
function store_mt:event_tag(fields)
	local values = {};
	for i, name in ipairs(EVENT_FIELDS) do values[i] = fields[name] or ""; end
	return mac(self.keys[1], EVENT_CONTEXT, self.host, table.unpack(values));
end

--- Whether `proof` is the bot's relay proof for this token on this host: only a holder of the signing key makes one.
function store_mt:relay_proof_valid(token, proof)
	return self:mac_matches(proof, RELAY_CONTEXT, self.host, token);
end

--- The record in a stored value if its tag verifies with the current or an old key.
function store_mt:verify(hash, value)
	if type(value) ~= "table" or type(value.record) ~= "string" or type(value.tag) ~= "string" then return nil; end
	if not self:mac_matches(value.tag, TAG_CONTEXT, self.host, hash, value.record) then return nil; end
	local ok, record = pcall(json.decode, value.record);
	if not ok or type(record) ~= "table" or (record.type ~= "register" and record.type ~= "roster")
		or type(record.jid) ~= "string" or type(record.expires) ~= "number"
		or type(record.created_at) ~= "number" then
		return nil;
	end
	return record;
end

---------- Which indexes an invite is in (docs/storage.md, "Keys") ----------

--- Who made the invite: a contact invite's JID, or the bare JID of an account invite's source.
local function inviter_of(record)
	if record.type == "roster" then return jid_bare(record.jid):lower(); end
	local data = record.additional_data;
	if type(data) == "table" and type(data.source) == "string" then return jid_bare(data.source):lower(); end
	return nil;
end

--- The username an account invite (or reset link) is bound to: jid = LOCAL@HOST.
local function bound_local_of(record)
	if record.type ~= "register" then return nil; end
	local node = jid_node(record.jid);
	return node and node:lower() or nil;
end

function store_mt:expiry_indexes(record)
	local keys = { self:pending_key() };
	local inviter = inviter_of(record);
	if inviter then keys[#keys+1] = self:by_key(inviter); end
	local bound = bound_local_of(record);
	if bound then keys[#keys+1] = self:for_key(bound); end
	return keys;
end

--- The cap of a counted reusable invite; -1 for a reusable invite without one; 0 for single use.
local function max_uses_of(record)
	if not record.reusable then return 0; end
	local data = record.additional_data;
	local max = type(data) == "table" and tonumber(data.max_uses);
	if max and max > 1 then return math.floor(max); end
	return -1;
end

---------- Layout version (docs/storage.md, "Versions and migration") ----------

--- nil, reason when this module must not touch the store; true otherwise.
-- The layout is read at most every `invites_redis_layout_check_interval` seconds; the
-- result is shared by both modules of a host, so a wrong layout is logged once.
function store_mt:usable()
	if not self.signing_ok then return nil, "no signing key (invites_redis_signing_key)"; end
	local state, t = self.layout, gettime();
	if state.checked_at == nil or t - state.checked_at >= self.layout_interval then
		local found = self.redis:command("GET", self:layout_key());
		if found ~= nil then -- nil: Redis trouble; the operation itself will say so
			state.checked_at = t;
			local was = state.error;
			if found == false or found == LAYOUT then
				state.error = nil;
				if was then module:log("info", "Invite store layout is %s again; invites work again", LAYOUT); end
			else
				state.error = "invite store layout "..tostring(found).." is not supported by this module; update prosody/";
				if was ~= state.error then module:log("error", "%s", state.error); end
			end
		end
	end
	if state.error then return nil, state.error; end
	return true;
end

---------- Records ----------

local function strip_token(invite)
	local record = {
		type = invite.type;
		jid = invite.jid;
		allow_registration = not not invite.allow_registration;
		created_at = tonumber(invite.created_at) or now();
		expires = tonumber(invite.expires);
		reusable = not not invite.reusable;
	};
	if type(invite.additional_data) == "table" then record.additional_data = invite.additional_data; end
	return record;
end

--- Runs f with the lookup of `token` already done by the caller (record, hash, tag), so that
-- Prosody's own lookup inside f (mod_invites get) costs no second round trip to Redis.
-- Shared by both modules of the host; cleared as soon as f returns.
function store_mt:with_known_record(token, record, hash, tag, f)
	local known = self.known;
	known.token, known.record, known.hash, known.tag = token, record, hash, tag;
	local ok, result = pcall(f);
	known.token, known.record, known.hash, known.tag = nil, nil, nil, nil;
	if not ok then error(result, 0); end
	return result;
end

--- The verified record of a token: record, hash, tag, and the stored value when it was read from Redis now (for
-- giving a use back); or nil, err (err only for Redis trouble).
function store_mt:get_record(token)
	local known = self.known;
	if known.token ~= nil and known.token == token then return known.record, known.hash, known.tag; end
	local ok, uerr = self:usable();
	if not ok then return nil, uerr; end
	local hash = token_hash(token);
	local raw, err = self.redis:command("GET", self:record_key(hash));
	if raw == nil then return nil, err; end
	if raw == false then return nil; end
	local value = envelope_value(raw);
	local record = self:verify(hash, value);
	if not record then
		module:log("warn", "Ignoring invite record %s: its signature does not verify (not written with the signing key)",
			hash:sub(1, 8));
		return nil;
	end
	if record.expires <= now() then return nil; end
	return record, hash, value.tag, raw;
end

--- Signs and writes a record with its indexes, in one MULTI/EXEC.
function store_mt:write_record(token, record)
	local ok, uerr = self:usable();
	if not ok then return nil, uerr; end
	local hash = token_hash(token);
	local ttl = record.expires and (record.expires - now()) or 0;
	if ttl <= 0 then return self:remove_token(token); end
	local text = json.encode(record);
	local value = { record = text; tag = self:tag_with(self.keys[1], hash, text) };
	local envelope = json.encode({ value = value; expires = record.expires * 1000 });
	local r = self.redis;
	local okm, err = r:command("MULTI");
	if not okm then return nil, err; end
	local queued = { { "SET", self:record_key(hash), envelope, "PX", math.floor(ttl * 1000) } };
	for _, index in ipairs(self:expiry_indexes(record)) do queued[#queued+1] = { "ZADD", index, record.expires, hash }; end
	queued[#queued+1] = { "ZADD", self:ids_key(), 0, hash };
	for _, command in ipairs(queued) do
		-- A refused command (e.g. by the ACL) makes EXEC fail with EXECABORT below.
		local q, qerr = r:command(table.unpack(command));
		if q == nil and not tostring(qerr):match("^Redis error") then return nil, qerr; end
	end
	local replies, eerr = r:command("EXEC");
	if not replies then return nil, eerr; end
	-- An error reply inside EXEC leaves a hole (nil) in the array: check every position.
	for i = 1, #queued do
		if replies[i] == nil then return nil, "Redis refused part of an invite write"; end
	end
	return true;
end

--- Writes the invite Prosody built (mod_invites create_invite), without its token.
function store_mt:write_invite(token, invite)
	return self:write_record(token, strip_token(invite));
end

--- Whether any record exists for the token (signed or not).
function store_mt:exists(token)
	local n, err = self.redis:command("EXISTS", self:record_key(token_hash(token)));
	if n == nil then return nil, err; end
	return n == 1;
end

--- The keys one invite touches: rec, used, then every index (for CLAIM and REMOVE).
function store_mt:invite_keys(hash, record)
	local keys = { self:record_key(hash), self:used_key(hash) };
	local indexes = record and self:expiry_indexes(record) or { self:pending_key() };
	for _, index in ipairs(indexes) do keys[#keys+1] = index; end
	keys[#keys+1] = self:ids_key();
	return keys;
end

--- Removes an invite by hash, reading its record (verified or not) for its indexes.
function store_mt:remove_hash(hash, extra_indexes)
	local raw, err = self.redis:command("GET", self:record_key(hash));
	if raw == nil then return nil, err; end
	local record;
	local value = envelope_value(raw or nil);
	if type(value) == "table" and type(value.record) == "string" then
		local ok, parsed = pcall(json.decode, value.record);
		if ok and type(parsed) == "table" and type(parsed.jid) == "string" then record = parsed; end
	end
	local keys = self:invite_keys(hash, record);
	for _, index in ipairs(extra_indexes or {}) do keys[#keys+1] = index; end
	local removed, rerr = REMOVE(self.redis, keys, { hash });
	if removed == nil then return nil, rerr; end
	return removed == 1;
end

function store_mt:remove_token(token)
	local ok, err = self:remove_hash(token_hash(token));
	if ok == nil then return nil, err; end
	return true;
end

--- Every pending invite the user made (by:) and every invite bound to their name (for:), removed.
function store_mt:purge_user(username)
	local ok, uerr = self:usable();
	if not ok then return nil, uerr; end
	local indexes = { self:by_key((username.."@"..self.host):lower()), self:for_key(username:lower()) };
	for _, index in ipairs(indexes) do
		local members, err = self.redis:command("ZRANGE", index, 0, -1);
		if not members then return nil, err; end
		for _, hash in ipairs(members) do
			local removed, rerr = self:remove_hash(hash, indexes);
			if removed == nil then return nil, rerr; end
		end
	end
	return true;
end

--- A new claim id: 16 random base64url characters, as the bot's (docs/storage.md, "Keys").
function store_mt:new_claim_id()
	return base64url(random_bytes(12));
end

--- The keys of a claim: the invite's (invite_keys), then the claim's marker when it has an id.
function store_mt:claim_keys(hash, record, claim_id)
	local keys = self:invite_keys(hash, record);
	if claim_id then keys[#keys+1] = self:claim_key(claim_id); end
	return keys;
end

--- One use of an invite (registration or XEP-0379): the uses left, or -1 gone, -2 used up, -3 changed; or nil, err,
-- unanswered (true when the script was sent and no answer came: it may have taken the use). With `claim_id` the use
-- is marked (claim:ID, until the invite expires), for give_back or keep.
function store_mt:claim(hash, tag, record, claim_id, entry)
	local args = { hash, tag, max_uses_of(record) };
	if claim_id then args[4] = claim_id; end
	local keys = self:claim_keys(hash, record, claim_id);
	-- An entry (invites_redis_unsettled.lib.lua) goes into invite:{HOST}:unsettled with the use.
	if claim_id and entry then
		args[5] = entry;
		keys[#keys+1] = self:unsettled_key();
	end
	local left, err, unanswered = CLAIM(self.redis, keys, args);
	if left == nil then return nil, err, unanswered; end
	return left;
end

--- Gives back the use a claim took (`raw`: the record's stored value, as get_record read it); true when it went back.
-- With `claim_id`, only if that claim's marker is there (and then never twice); a claim with that id that reaches
-- Redis afterwards takes nothing.
-- With `unsettled` (a claim that wrote an entry), its entry goes too, whatever happens.
function store_mt:give_back(hash, raw, record, claim_id, unsettled)
	local args = { hash, raw, string.format("%d", record.expires * 1000), record.expires, max_uses_of(record) };
	local keys = self:claim_keys(hash, record, claim_id);
	if claim_id then args[6] = "marked"; end
	if claim_id and unsettled then
		args[7] = claim_id;
		keys[#keys+1] = self:unsettled_key();
	end
	local given, err = GIVE_BACK(self.redis, keys, args);
	if given == nil then return nil, err; end
	return given == 1;
end

--- The use of a marked claim stands (the account exists, the subscription was approved): its marker goes.
function store_mt:keep(claim_id)
	local ok, err = self.redis:command("DEL", self:claim_key(claim_id));
	if ok == nil then return nil, err; end
	return true;
end

--- Live members of an index (pruned of expired ones; `pending` prunes `ids` too), at most `limit`.
function store_mt:index_members(index, limit)
	local keys = { index };
	if index == self:pending_key() then keys[2] = self:ids_key(); end
	local members, err = PRUNE(self.redis, keys, { now(), limit or 100000 });
	if not members then return nil, err; end
	return members;
end

--- { [hash] = record } of the verified, live records among these hashes.
function store_mt:records_of(hashes_list)
	local out = {};
	if #hashes_list == 0 then return out; end
	local keys = {};
	for i, hash in ipairs(hashes_list) do keys[i] = self:record_key(hash); end
	local values, err = self.redis:command("MGET", table.unpack(keys));
	if not values then return nil, err; end
	local ignored = 0;
	for i, hash in ipairs(hashes_list) do
		local raw = values[i];
		if raw then
			local record = self:verify(hash, envelope_value(raw));
			if not record then
				ignored = ignored + 1;
			elseif record.expires > now() then
				out[hash] = record;
			end
		end
	end
	if ignored > 0 then
		module:log("warn", "Ignoring %d invite record(s) in a listing: their signature does not verify", ignored);
	end
	return out;
end

---------- Use events (docs/storage.md, "Use events") ----------

--- The fields of a use event (name → string), with its tag: `event.tag` when it has one already (an unsettled
-- use's, signed when it was claimed), else made now with the current key.
function store_mt:event_fields(event)
	local fields = {};
	for _, name in ipairs(EVENT_FIELDS) do
		if event[name] ~= nil then fields[name] = tostring(event[name]); end
	end
	fields.tag = event.tag or self:event_tag(fields);
	return fields;
end

--- Appends what a script that writes `event` takes after its own: who-invited-whom's keys (with a known inviter),
-- and the event's field/value pairs, its tag last (record_use.lua, settle.lua).
function store_mt:add_event(keys, args, event)
	if event.inviter then
		keys[#keys+1] = self:invited_by_key(event.invitee);
		keys[#keys+1] = self:invitees_key(event.inviter);
	end
	local fields = self:event_fields(event);
	for _, name in ipairs(EVENT_FIELDS) do
		if fields[name] ~= nil then
			args[#args+1] = name;
			args[#args+1] = fields[name];
		end
	end
	args[#args+1] = "tag";
	args[#args+1] = fields.tag;
end

--- Whether `fields` (name → string, with `tag`) are a use event signed with the current or an old key.
function store_mt:event_signed(fields)
	local values = {};
	for i, name in ipairs(EVENT_FIELDS) do values[i] = fields[name] or ""; end
	return self:mac_matches(fields.tag, EVENT_CONTEXT, self.host, table.unpack(values));
end

--- Writes a use event and who invited whom: true (also when an earlier try with the same `marker_id` wrote it
-- already), or nil, err, retry (retry: Redis did not answer, or calls are failing fast; trying again with the same
-- event and `marker_id` writes it at most once).
function store_mt:record_use(event, marker_id)
	local ok, uerr = self:usable();
	if not ok then return nil, uerr, false; end
	local keys = { self:events_key() };
	local args = { event.inviter or "", event.invitee, EVENTS_MAXLEN };
	self:add_event(keys, args, event);
	if marker_id then keys[#keys+1] = self:claim_key(marker_id); end
	local reply, err = RECORD_USE(self.redis, keys, args);
	if reply == nil then return nil, err, not tostring(err):match("^Redis error"); end
	return true;
end

--- Whether Redis failed to answer a moment ago (calls fail at once now, without trying).
function store_mt:unreachable()
	return self.redis:unreachable();
end

--- The xmpp: URI of an invite, rebuilt from its record and token (XEP-0401 §5, Prosody's get_uri).
local function uri_of(record, token)
	local ibr = (record.type == "roster" and record.allow_registration) and ";ibr=y" or "";
	return "xmpp:"..record.jid.."?"..record.type..";preauth="..token..ibr;
end

local function open(host)
	local keys = {};
	local current = module:get_option_string("invites_redis_signing_key");
	local signing_ok = type(current) == "string" and #current >= MIN_KEY_LENGTH;
	if signing_ok then keys[1] = current; end
	for _, old in ipairs(module:get_option_array("invites_redis_signing_keys_old", {})) do
		if type(old) == "string" and #old >= MIN_KEY_LENGTH then
			keys[#keys+1] = old;
		else
			module:log("warn", "Ignoring an entry of invites_redis_signing_keys_old: shorter than %d characters",
				MIN_KEY_LENGTH);
		end
	end
	if not signing_ok then
		module:log("error", "invites_redis_signing_key is %s: add invites_redis_signing_key = \"...\" (at least %d "
			.."characters, the same as the bot's INVITE_SIGNING_KEY; make one with: openssl rand -base64 32). "
			.."Every invite is refused until then.", current and "too short" or "not set", MIN_KEY_LENGTH);
	end
	local url = module:get_option_string("invites_redis_url", DEFAULT_URL);
	local timeout = module:get_option_number("invites_redis_timeout", DEFAULT_TIMEOUT);
	local retry_after = module:get_option_number("invites_redis_retry_after", DEFAULT_RETRY_AFTER);
	-- One connection per process for each URL, shared by every host and both modules.
	local clients = module:shared("/*/invites_redis/clients");
	local client_key = url.."\0"..tostring(timeout).."\0"..tostring(retry_after);
	local redis = clients[client_key];
	if not redis then
		local err;
		redis, err = resp.new(url, timeout, retry_after, function (...) module:log(...) end);
		if not redis then error("invites_redis: "..err); end
		clients[client_key] = redis;
	end
	local store = setmetatable({
		host = host:lower();
		redis = redis;
		keys = keys;
		signing_ok = signing_ok;
		trust_roles = module:get_option_boolean("invites_redis_trust_roles", false);
		-- Seconds between reads of invite:{HOST}:layout; 0 reads it before every operation (tests).
		layout_interval = module:get_option_number("invites_redis_layout_check_interval", 60);
		-- { checked_at, error }, shared by mod_storage_invites_redis and mod_invites_redis of this host.
		layout = module:shared("/"..host:lower().."/invites_redis/layout");
		-- A lookup the caller has just made (with_known_record), shared by both modules of this host.
		known = module:shared("/"..host:lower().."/invites_redis/known");
	}, store_mt);
	-- The layout is read at load, in a runner of its own so that a hanging Redis cannot hold up the
	-- server's start; then at most once per interval. prosodyctl reads it on first use.
	if signing_ok and prosody.process_type == "prosody" then
		async.runner(function () store:usable(); end):run(true);
	end
	return store;
end

return {
	open = open;
	shared_script = function (path) return script(resource(path)); end;
	envelope_value = envelope_value;
	EVENTS_MAXLEN = EVENTS_MAXLEN;
	token_hash = token_hash;
	uri_of = uri_of;
	inviter_of = inviter_of;
	bound_local_of = bound_local_of;
	max_uses_of = max_uses_of;
};
