-- The invite store of one host, in layout v3 of docs/storage.md (v2 is the same without circles): opening it (the options, the signing keys, the
-- one Redis connection of the process), running its scripts (prosody/scripts/), and the record codec: the token
-- hash that names an invite (no token at rest), keyv's envelope around a signed record, and every MAC shared with
-- the bot (record tags, the relay proof, use events' tags; circles' tags are made with `mac` by
-- invites_redis_circles.lib.lua). Shared by mod_storage_invites_redis and mod_invites_redis; the store operations are
-- methods added by invites_redis_records.lib.lua and invites_redis_uses.lib.lua, on top of the key names of
-- invites_redis_keys.lib.lua (which also lists every Redis command the modules send). This file needs nothing but
-- the Redis client, so that test/lua/signing_check.lua can run its MACs outside Prosody.
local json = require "util.json";
local hashes = require "util.hashes";
local base64 = require "util.encodings".base64;
local resp = module:require("resp_client");

local DEFAULT_URL = "redis://127.0.0.1:6379/0";
-- Seconds. Redis on the same network answers in well under 1 ms; only the session that asked waits.
local DEFAULT_TIMEOUT = 0.25;
-- Seconds of failing at once, without trying, after Redis left a call unanswered (resp_client.lib.lua).
local DEFAULT_RETRY_AFTER = 1;
local TAG_CONTEXT = "xmpp-invite-bot/2";
-- The bot's relay proof (mod_invites_redis, src/registration/relay-proof.ts): a context of its own, so that no
-- record tag can pass for a proof, nor a proof for a tag.
local RELAY_CONTEXT = "xmpp-invite-bot/relay/0";
-- A use event's tag (docs/storage.md, "Use events"; src/storage/event-tag.ts): a context of its own too, over the
-- host and these fields in this order, an absent one as "", then `rooms` (the group chats outside circles, room JIDs
-- joined by one space) as one more part only when the event has rooms: an event without keeps the tag it always had.
local EVENT_CONTEXT = "xmpp-invite-bot/event/0";
local EVENT_FIELDS = { "kind", "inviter", "invitee", "invite", "at" };
local MIN_KEY_LENGTH = 32;

local store_mt = {};
store_mt.__index = store_mt;

local function base64url(bytes)
	return (base64.encode(bytes):gsub("%+", "-"):gsub("/", "_"):gsub("=+$", ""));
end

--- base64url(SHA-256(token)), 43 characters: the name of an invite in Redis.
local function token_hash(token)
	return base64url(hashes.sha256(token));
end

---------- Scripts ----------

-- A script from prosody/scripts/ (beside this file; most are shared with the bot), run with EVALSHA and sent again
-- with EVAL when Redis does not know it (after a restart). Called as f(redis, keys, args) → reply, err, unanswered.
-- The claim takes a use: behind Sentinel, WAIT follows it (resp_client's command_confirmed), and a use that fewer
-- replicas confirmed than needed is reported as a claim without an answer: refused, and given back like one.
local CONFIRMED = { ["scripts/claim.lua"] = true };
local function script(path)
	local file = assert(module:load_resource(path));
	local source = file:read("*a");
	file:close();
	local hex = hashes.sha1(source, true);
	local send = CONFIRMED[path] and "command_confirmed" or "command";
	return function (redis, keys, args)
		local call = { "EVALSHA", hex, #keys };
		for _, k in ipairs(keys) do call[#call+1] = k; end
		for _, a in ipairs(args) do call[#call+1] = a; end
		local reply, err, unanswered = redis[send](redis, table.unpack(call));
		if reply == nil and tostring(err):match("NOSCRIPT") then
			call[1], call[2] = "EVAL", source;
			reply, err, unanswered = redis[send](redis, table.unpack(call));
		end
		return reply, err, unanswered;
	end;
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

local function event_values(fields)
	local values = {};
	for i, name in ipairs(EVENT_FIELDS) do values[i] = fields[name] or ""; end
	if fields.rooms ~= nil and fields.rooms ~= "" then values[#values+1] = fields.rooms; end
	-- A held registration (invites_redis_approval.lib.lua): covered only when there, so other tags stay as they were.
	if fields.held ~= nil and fields.held ~= "" then values[#values+1] = "held:"..fields.held; end
	return table.unpack(values);
end

--- The tag of a use event with these fields (name → string), with the current key: the bot tells only signed events.
function store_mt:event_tag(fields)
	return mac(self.keys[1], EVENT_CONTEXT, self.host, event_values(fields));
end

--- Whether `fields` (name → string, with `tag`) are a use event signed with the current or an old key.
function store_mt:event_signed(fields)
	return self:mac_matches(fields.tag, EVENT_CONTEXT, self.host, event_values(fields));
end

--- Whether `proof` is the bot's relay proof for this token on this host: only a holder of the signing key makes one.
function store_mt:relay_proof_valid(token, proof)
	return self:mac_matches(proof, RELAY_CONTEXT, self.host, token);
end

---------- The record codec (docs/storage.md, "The invite record") ----------

-- What rec:HASH holds: keyv's envelope {"value": {"record": JSON text, "tag": MAC}, "expires": unix ms}.

--- The value inside a stored envelope, or nil for anything else.
local function envelope_value(raw)
	if not raw then return nil; end
	local ok, envelope = pcall(json.decode, raw);
	if not ok or type(envelope) ~= "table" then return nil; end
	return envelope.value;
end

--- The record in a value's JSON text, or nil when it is no JSON object.
local function parse_record(text)
	if type(text) ~= "string" then return nil; end
	local ok, record = pcall(json.decode, text);
	if not ok or type(record) ~= "table" then return nil; end
	return record;
end

--- The stored text of `record` under `hash`, tagged with the current key.
function store_mt:encode(hash, record)
	local text = json.encode(record);
	local value = { record = text; tag = self:tag_with(self.keys[1], hash, text) };
	return json.encode({ value = value; expires = record.expires * 1000 });
end

--- The record in a stored value if its tag verifies with the current or an old key.
function store_mt:verify(hash, value)
	if type(value) ~= "table" or type(value.record) ~= "string" or type(value.tag) ~= "string" then return nil; end
	if not self:mac_matches(value.tag, TAG_CONTEXT, self.host, hash, value.record) then return nil; end
	local record = parse_record(value.record);
	if not record or (record.type ~= "register" and record.type ~= "roster")
		or type(record.jid) ~= "string" or type(record.expires) ~= "number"
		or type(record.created_at) ~= "number" then
		return nil;
	end
	return record;
end

--- The verified record in a stored text, and its tag; nil when it is no envelope or its tag does not verify.
function store_mt:decode(hash, raw)
	local value = envelope_value(raw);
	local record = self:verify(hash, value);
	if not record then return nil; end
	return record, value.tag;
end

--- The record in a stored text, verified or not (only to find the indexes of an invite being removed).
local function decode_unverified(raw)
	local value = envelope_value(raw);
	local record = type(value) == "table" and parse_record(value.record);
	if record and type(record.jid) == "string" then return record; end
	return nil;
end

---------- Opening ----------

--- The store of `host`: this library's methods, and those of each table of methods given.
local function open(host, ...)
	local methods = {};
	for name, f in pairs(store_mt) do methods[name] = f; end
	for i = 1, select("#", ...) do
		for name, f in pairs((select(i, ...))) do methods[name] = f; end
	end
	methods.__index = methods;
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
	-- Redis Sentinel or Redis Cluster instead of the URL's host (resp_topology.lib.lua); the URL's user, password
	-- (and database, outside a Cluster) stay the data nodes'.
	local topology = {
		sentinels = module:get_option_array("invites_redis_sentinels");
		sentinel_name = module:get_option_string("invites_redis_sentinel_name");
		sentinel_user = module:get_option_string("invites_redis_sentinel_user");
		sentinel_password = module:get_option_string("invites_redis_sentinel_password");
		cluster_nodes = module:get_option_array("invites_redis_cluster_nodes");
		-- Behind Sentinel: the replicas that confirm a claim (resp_replicas.lib.lua), "all" or a number.
		confirm_replicas = module:get_option_string("invites_redis_confirm_replicas");
	};
	-- One connection per process for each Redis, shared by every host and both modules.
	local clients = module:shared("/*/invites_redis/clients");
	local client_key = table.concat({ url, tostring(timeout), tostring(retry_after),
		table.concat(topology.sentinels or {}, ","), topology.sentinel_name or "",
		table.concat(topology.cluster_nodes or {}, ","), tostring(topology.confirm_replicas) }, "\0");
	local redis = clients[client_key];
	if not redis then
		local err;
		redis, err = resp.new(url, timeout, retry_after, function (...) module:log(...) end, topology);
		if not redis then error("invites_redis: "..err); end
		clients[client_key] = redis;
	end
	return setmetatable({
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
	}, methods);
end

return {
	open = open;
	script = script;
	base64url = base64url;
	token_hash = token_hash;
	mac = mac;
	EVENT_FIELDS = EVENT_FIELDS;
	decode_unverified = decode_unverified;
};
