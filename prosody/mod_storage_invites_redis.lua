-- Storage driver "invites_redis": serves Prosody's `invite_token` store from
-- Redis in layout v3 of docs/storage.md, so Prosody's mod_invites family and
-- xmpp-invite-bot share one set of invites.
--
--   storage = { invite_token = "invites_redis" }
--   invites_redis_url = "redis://prosody:PASSWORD@127.0.0.1:6379/0"
--   invites_redis_signing_key = "..."   -- the bot's INVITE_SIGNING_KEY
--
-- Prosody's map store `invite_token` (mod_invites.lua) is keyed by token:
-- (nil, TOKEN) holds the invite when it allows registration, (USERNAME, TOKEN)
-- the expiry of a contact invite. Redis keeps one signed record per invite,
-- named by the token's hash; the table "Prosody's invite_token store on top of
-- it" in docs/storage.md says how each call maps onto it.
local jid_node = require "util.jid".node;

local STORE_NAME = "invite_token";
local redis_store = module:require("invites_redis_records").open(module.host);

--- The xmpp: URI of an invite, rebuilt from its record and token (XEP-0401 §5, Prosody's get_uri).
local function uri_of(record, token)
	local ibr = (record.type == "roster" and record.allow_registration) and ";ibr=y" or "";
	return "xmpp:"..record.jid.."?"..record.type..";preauth="..token..ibr;
end

--- What Prosody gets back: the record with its token and URI, and no roles or groups unless trusted.
local function as_invite(record, token)
	local invite = {};
	for k, v in pairs(record) do invite[k] = v; end
	invite.token = token;
	invite.uri = uri_of(record, token);
	local data = record.additional_data;
	if type(data) == "table" and not redis_store.trust_roles and (data.roles ~= nil or data.groups ~= nil) then
		local copy = {};
		for k, v in pairs(data) do if k ~= "roles" and k ~= "groups" then copy[k] = v; end end
		invite.additional_data = copy;
	end
	return invite;
end

local function is_contact_of(record, username)
	return record.type == "roster" and jid_node(record.jid) == username;
end

local map_store = {};
map_store.__index = map_store;

function map_store:get(username, token)
	local record, err = redis_store:get_record(token);
	if not record then return nil, err; end
	if username == nil then
		if not record.allow_registration then return nil; end
		return as_invite(record, token);
	end
	if is_contact_of(record, username) then return record.expires; end
	return nil;
end

function map_store:set(username, token, value)
	if value == nil then return redis_store:remove_token(token); end
	if username == nil then return redis_store:write_invite(token, value); end
	-- The contact part of an invite whose record Prosody wrote a moment ago with set(nil, ...).
	local exists, err = redis_store:exists(token);
	if exists == nil then return nil, err; end
	if exists then return true; end
	return redis_store:write_record(token, {
		type = "roster";
		jid = username.."@"..module.host;
		allow_registration = false;
		created_at = os.time();
		expires = tonumber(value);
		reusable = false;
		written_by = "prosody"; -- as every record Prosody makes (invites_redis_records.lib.lua)
	});
end

function map_store:set_keys(username, keyvalues)
	for token, value in pairs(keyvalues) do
		local ok, err = map_store.set(self, username, token, value);
		if not ok then return nil, err; end
	end
	return true;
end

-- The keyval view lists pending invites keyed by HASH: Redis has no tokens.
local keyval_store = {};
keyval_store.__index = keyval_store;

function keyval_store:get(username)
	local ok, uerr = redis_store:usable();
	if not ok then return nil, uerr; end
	local index = username == nil and redis_store:pending_key() or redis_store:by_key(username.."@"..module.host);
	local members, err = redis_store:index_members(index);
	if not members then return nil, err; end
	local records, rerr = redis_store:records_of(members);
	if not records then return nil, rerr; end
	local out = {};
	for hash, record in pairs(records) do
		if username == nil and record.allow_registration then out[hash] = record; end
		if username ~= nil and is_contact_of(record, username) then out[hash] = record.expires; end
	end
	if next(out) == nil then return nil; end
	return out;
end

function keyval_store:set(username, data)
	if data ~= nil or username == nil then
		return nil, "invites_redis: replacing the whole invite store is not supported (docs/storage.md)";
	end
	return redis_store:purge_user(username);
end

local driver = {};

function driver:open(store, typ)
	if store ~= STORE_NAME then
		module:log("error", "invites_redis only serves the %q store, not %q; check the storage option", STORE_NAME, store);
		return nil, "unsupported-store";
	end
	if typ == "map" then return setmetatable({}, map_store); end
	if typ == nil or typ == "keyval" then return setmetatable({}, keyval_store); end
	return nil, "unsupported-store";
end

-- Account deletion: the invites the user made, and those bound to their username
-- (a reset link for the account must not reset the password of a later account of that name).
function driver:purge(username)
	return redis_store:purge_user(username);
end

module:provides("storage", driver);
