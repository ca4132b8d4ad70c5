-- Storage driver "invites_redis": serves Prosody's `invite_token` store from
-- Redis in the layout of docs/storage.md, so Prosody's mod_invites family and
-- xmpp-invite-bot share one set of invites.
--
--   storage = { invite_token = "invites_redis" }
--   invites_redis_url = "redis://127.0.0.1:6379/0"
--
-- Prosody's map store `invite_token` (mod_invites.lua): key (nil, TOKEN) holds
-- the invite table, key (USERNAME, TOKEN) the expiry of a contact invite.
-- The keyval view (`open_store("invite_token")`, used to list pending invites)
-- is the same data as { [TOKEN] = invite } or { [TOKEN] = expires }.
local jid_bare = require "util.jid".bare;
local store_lib = module:require("invites_redis_store");

local STORE_NAME = "invite_token";
local redis_store = store_lib.open(module.host);

local function key_for(username, token)
	if username == nil then return redis_store:token_key(token); end
	return redis_store:inviter_key(username, token);
end

local function prefix_for(username)
	return key_for(username, "");
end

local map_store = {};
map_store.__index = map_store;

function map_store:get(username, token)
	return redis_store:get(key_for(username, token));
end

function map_store:set(username, token, value)
	return redis_store:set(key_for(username, token), value);
end

function map_store:set_keys(username, keyvalues)
	for token, value in pairs(keyvalues) do
		local ok, err = redis_store:set(key_for(username, token), value);
		if not ok then return nil, err; end
	end
	return true;
end

local keyval_store = {};
keyval_store.__index = keyval_store;

function keyval_store:get(username)
	local entries, err = redis_store:scan(prefix_for(username));
	if not entries then return nil, err; end
	if next(entries) == nil then return nil; end
	return entries;
end

function keyval_store:set(username, data)
	local existing, err = redis_store:scan(prefix_for(username));
	if not existing then return nil, err; end
	for token in pairs(existing) do
		if not (data and data[token] ~= nil) then
			local ok, derr = redis_store:set(key_for(username, token), nil);
			if not ok then return nil, derr; end
		end
	end
	return map_store.set_keys(self, username, data or {});
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

-- Account deletion: every pending invite the user made goes with the account:
-- their contact invites, and invites they asked for (additional_data.source).
function driver:purge(username)
	local bare = username.."@"..module.host;
	local mine, err = redis_store:scan(prefix_for(username));
	if not mine then return nil, err; end
	for token in pairs(mine) do
		redis_store:set(key_for(username, token), nil);
		redis_store:set(key_for(nil, token), nil);
	end
	local all, serr = redis_store:scan(prefix_for(nil));
	if not all then return nil, serr; end
	for token, invite in pairs(all) do
		local data = type(invite) == "table" and invite.additional_data;
		local source = type(data) == "table" and type(data.source) == "string" and jid_bare(data.source);
		if type(invite) == "table" and (invite.jid == bare or source == bare) then
			redis_store:set(key_for(nil, token), nil);
		end
	end
	return true;
end

module:provides("storage", driver);
