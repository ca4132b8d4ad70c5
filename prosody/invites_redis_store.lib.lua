-- The Redis layout of docs/storage.md, for Prosody: Prosody's `invite_token`
-- map store, one Redis key per entry, values in keyv's JSON envelope
-- {"value": ..., "expires": unix-ms}, and a Redis TTL equal to the invite's
-- remaining lifetime. Shared by mod_storage_invites_redis and mod_invites_redis.
local json = require "util.json";
local socket = require "socket";
local resp = module:require("resp_client");

local DEFAULT_URL = "redis://127.0.0.1:6379/0";
local DEFAULT_TIMEOUT = 0.5; -- seconds; Redis on the same network answers in well under 1 ms

local store_mt = {};
store_mt.__index = store_mt;

local function escape_pattern(text)
	-- Redis glob special characters in a host or local part must match literally.
	return (text:gsub("[%*%?%[%]\\]", "\\%0"));
end

function store_mt:token_key(token)
	return "invite:"..self.host..":token:"..token;
end

function store_mt:inviter_key(username, token)
	return "invite:"..self.host..":inviter:"..username..":"..token;
end

local function now_ms()
	return math.floor(socket.gettime() * 1000);
end

-- The expiry (unix seconds) of an entry: the invite's own, or the number itself.
local function expiry_of(value)
	if type(value) == "table" then return tonumber(value.expires); end
	return tonumber(value);
end

local function decode(raw)
	if not raw then return nil; end
	local ok, envelope = pcall(json.decode, raw);
	if not ok or type(envelope) ~= "table" then return nil; end
	if type(envelope.expires) == "number" and envelope.expires < now_ms() then return nil; end
	return envelope.value;
end

function store_mt:get(key)
	local raw, err = self.redis:command("GET", key);
	if raw == nil then return nil, err; end
	return decode(raw or nil);
end

--- Writes or (value == nil) deletes one entry; an entry without a future expiry is deleted.
function store_mt:set(key, value)
	local expires = value ~= nil and expiry_of(value);
	local ttl = expires and (expires * 1000 - now_ms());
	if value == nil or not ttl or ttl <= 0 then
		local ok, err = self.redis:command("DEL", key);
		if ok == nil then return nil, err; end
		return true;
	end
	local text = json.encode({ value = value; expires = expires * 1000 });
	local ok, err = self.redis:command("SET", key, text, "PX", math.floor(ttl));
	if ok == nil then return nil, err; end
	return true;
end

--- Deletes a key and says whether this call was the one that removed it: the atomic claim.
function store_mt:claim(key)
	local removed, err = self.redis:command("DEL", key);
	if removed == nil then return nil, err; end
	return removed == 1;
end

--- All live entries whose key starts with `prefix`, as { [suffix] = value }.
function store_mt:scan(prefix)
	local found, cursor = {}, "0";
	repeat
		local reply, err = self.redis:command("SCAN", cursor, "MATCH", escape_pattern(prefix).."*", "COUNT", 1000);
		if not reply then return nil, err; end
		cursor = reply[1];
		local keys = reply[2] or {};
		if #keys > 0 then
			local values, merr = self.redis:command("MGET", table.unpack(keys));
			if not values then return nil, merr; end
			for i, key in ipairs(keys) do
				local value = decode(values[i] or nil);
				if value ~= nil then found[key:sub(#prefix + 1)] = value; end
			end
		end
	until cursor == "0";
	return found;
end

-- One use of a counted reusable invite, inside Redis so that racing servers
-- cannot both take the last use: returns the uses left after this one, -1 when
-- none was left (or the invite is gone), -2 when the invite is not counted.
local USE_ONE = [[
local raw = redis.call('GET', KEYS[1])
if not raw then return -1 end
local envelope = cjson.decode(raw)
local data = type(envelope.value) == 'table' and envelope.value.additional_data
if type(data) ~= 'table' or type(data.uses_left) ~= 'number' then return -2 end
if data.uses_left <= 0 then return -1 end
data.uses_left = data.uses_left - 1
if data.uses_left == 0 then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], cjson.encode(envelope), 'KEEPTTL')
end
return data.uses_left
]];

function store_mt:use_one(key)
	local left, err = self.redis:command("EVAL", USE_ONE, 1, key);
	if left == nil then return nil, err; end
	return left;
end

-- Use events and who-invited-whom (docs/storage.md, "Events"). The stream is
-- capped so that a bot that never reads it cannot fill Redis.
local EVENTS_MAXLEN = 100000;

function store_mt:events_key() return "invite-events:"..self.host; end
function store_mt:invited_by_key(jid) return "invited-by:"..self.host..":"..jid; end
function store_mt:invitees_key(jid) return "invitees:"..self.host..":"..jid; end

--- Records that `invitee` used an invite of `inviter` (bare JIDs), atomically:
--- the event for the bot, and both directions of who-invited-whom (kept forever).
function store_mt:record_use(event)
	local fields = {};
	for _, name in ipairs({ "kind", "inviter", "invitee", "invite", "at" }) do
		if event[name] ~= nil then
			fields[#fields+1] = name;
			fields[#fields+1] = tostring(event[name]);
		end
	end
	local ok, err = self.redis:command("MULTI");
	if not ok then return nil, err; end
	self.redis:command("XADD", self:events_key(), "MAXLEN", "~", EVENTS_MAXLEN, "*", table.unpack(fields));
	if event.inviter then
		-- The first invite that brought someone stays their inviter (NX).
		self.redis:command("SET", self:invited_by_key(event.invitee), event.inviter, "NX");
		self.redis:command("SADD", self:invitees_key(event.inviter), event.invitee);
	end
	local replies, eerr = self.redis:command("EXEC");
	if not replies then return nil, eerr; end
	return true;
end

function store_mt:ping()
	local pong, err = self.redis:command("PING");
	if pong == nil then return nil, err; end
	return true;
end

local function open(host)
	local url = module:get_option_string("invites_redis_url", DEFAULT_URL);
	local timeout = module:get_option_number("invites_redis_timeout", DEFAULT_TIMEOUT);
	local redis, err = resp.new(url, timeout, function (...) module:log(...) end);
	if not redis then error("invites_redis: "..err); end
	return setmetatable({ host = host:lower(); redis = redis }, store_mt);
end

return { open = open; expiry_of = expiry_of };
