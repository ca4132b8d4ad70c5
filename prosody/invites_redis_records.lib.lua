-- The invite records of a store (docs/storage.md, "The invite record", "Writing and removing an invite"): the
-- layout check that guards every operation, reading, writing and removing one invite with its indexes, listing an
-- index, and removing a deleted account's invites. What Prosody's invite_token store needs
-- (mod_storage_invites_redis); mod_invites_redis adds the uses (invites_redis_uses.lib.lua).
-- open(host) is the store of invites_redis_store.lib.lua with these methods and the key names of
-- invites_redis_keys.lib.lua.
local async = require "util.async";
local gettime = require "util.time".now;
local store_lib = module:require("invites_redis_store");
local keys_lib = module:require("invites_redis_keys");

local LAYOUTS = keys_lib.LAYOUTS;
local token_hash = store_lib.token_hash;

local records = {};

local function now() return os.time(); end

-- Removes an invite with every index it is in.
local REMOVE = store_lib.script("scripts/remove.lua");
-- The live members of an index, pruned of expired ones.
local PRUNE = store_lib.script("scripts/prune.lua");

---------- Layout version (docs/storage.md, "Versions and migration") ----------

--- nil, reason when this module must not touch the store; true otherwise.
-- The layout is read at most every `invites_redis_layout_check_interval` seconds; the
-- result is shared by both modules of a host, so a wrong layout is logged once.
function records:usable()
	if not self.signing_ok then return nil, "no signing key (invites_redis_signing_key)"; end
	local state, t = self.layout, gettime();
	if state.checked_at == nil or t - state.checked_at >= self.layout_interval then
		local found = self.redis:command("GET", self:layout_key());
		if found ~= nil then -- nil: Redis trouble; the operation itself will say so
			state.checked_at = t;
			local was = state.error;
			-- Absent: a fresh store, or v1 data the bot has not migrated yet (it only ever writes v3's keys).
			if found == false or LAYOUTS[found] then
				state.error = nil;
				if was then module:log("info", "Invite store layout is %s again; invites work again", found or "new"); end
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

--- The record of an invite Prosody built, marked as Prosody's: roles in it are applied by Prosody's rule
-- (invites_redis_trust_roles), never by invites_redis_roles.lib.lua, which trusts the bot's.
local function prosodys_record(invite)
	local record = strip_token(invite);
	record.written_by = "prosody";
	return record;
end

--- Runs f with the lookup of `token` already done by the caller (record, hash, tag), so that
-- Prosody's own lookup inside f (mod_invites get) costs no second round trip to Redis.
-- Shared by both modules of the host; cleared as soon as f returns.
function records:with_known_record(token, record, hash, tag, f)
	local known = self.known;
	known.token, known.record, known.hash, known.tag = token, record, hash, tag;
	local ok, result = pcall(f);
	known.token, known.record, known.hash, known.tag = nil, nil, nil, nil;
	if not ok then error(result, 0); end
	return result;
end

--- The verified record of a token: record, hash, tag, and the stored value when it was read from Redis now (for
-- giving a use back); or nil, err (err only for Redis trouble).
function records:get_record(token)
	local known = self.known;
	if known.token ~= nil and known.token == token then return known.record, known.hash, known.tag; end
	local ok, uerr = self:usable();
	if not ok then return nil, uerr; end
	local hash = token_hash(token);
	local raw, err = self.redis:command("GET", self:record_key(hash));
	if raw == nil then return nil, err; end
	if raw == false then return nil; end
	local record, tag = self:decode(hash, raw);
	if not record then
		module:log("warn", "Ignoring invite record %s: its signature does not verify (not written with the signing key)",
			hash:sub(1, 8));
		return nil;
	end
	if record.expires <= now() then return nil; end
	return record, hash, tag, raw;
end

--- Signs and writes a record with its indexes, in one MULTI/EXEC.
function records:write_record(token, record)
	local ok, uerr = self:usable();
	if not ok then return nil, uerr; end
	local hash = token_hash(token);
	local ttl = record.expires and (record.expires - now()) or 0;
	if ttl <= 0 then return self:remove_token(token); end
	local envelope = self:encode(hash, record);
	local queued = { { "SET", self:record_key(hash), envelope, "PX", math.floor(ttl * 1000) } };
	for _, index in ipairs(self:expiry_indexes(record)) do queued[#queued+1] = { "ZADD", index, record.expires, hash }; end
	queued[#queued+1] = { "ZADD", self:ids_key(), 0, hash };
	-- MULTI, the writes and EXEC in one write to the connection: sent one by one, another session's command on the
	-- same (shared, pipelined) connection could come between them and be taken into the transaction.
	local transaction = { { "MULTI" } };
	for i, command in ipairs(queued) do transaction[i + 1] = command; end
	transaction[#transaction + 1] = { "EXEC" };
	local replies, err = self.redis:pipeline(transaction);
	if not replies then return nil, err; end
	-- A refused command (e.g. by the ACL) makes EXEC fail with EXECABORT; an error reply inside EXEC leaves a hole
	-- (nil) in its array: check every position.
	local exec = replies[#replies];
	if type(exec) ~= "table" or exec.redis_error then
		return nil, "Redis error: "..tostring(type(exec) == "table" and exec.redis_error or exec);
	end
	for i = 1, #queued do
		if exec[i] == nil then return nil, "Redis refused part of an invite write"; end
	end
	return true;
end

--- Writes the invite Prosody built (mod_invites create_invite), without its token.
function records:write_invite(token, invite)
	return self:write_record(token, prosodys_record(invite));
end

--- Whether any record exists for the token (signed or not).
function records:exists(token)
	local n, err = self.redis:command("EXISTS", self:record_key(token_hash(token)));
	if n == nil then return nil, err; end
	return n == 1;
end

--- Removes an invite by hash, reading its record (verified or not) for its indexes.
function records:remove_hash(hash, extra_indexes)
	local raw, err = self.redis:command("GET", self:record_key(hash));
	if raw == nil then return nil, err; end
	local keys = self:invite_keys(hash, store_lib.decode_unverified(raw));
	for _, index in ipairs(extra_indexes or {}) do keys[#keys+1] = index; end
	local removed, rerr = REMOVE(self.redis, keys, { hash });
	if removed == nil then return nil, rerr; end
	return removed == 1;
end

function records:remove_token(token)
	local ok, err = self:remove_hash(token_hash(token));
	if ok == nil then return nil, err; end
	return true;
end

--- Every pending invite the user made (by:) and every invite bound to their name (for:), removed.
function records:purge_user(username)
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

---------- Listing ----------

--- Live members of an index (pruned of expired ones; `pending` prunes `ids` too), at most `limit`.
function records:index_members(index, limit)
	local keys = { index };
	if index == self:pending_key() then keys[2] = self:ids_key(); end
	local members, err = PRUNE(self.redis, keys, { now(), limit or 100000 });
	if not members then return nil, err; end
	return members;
end

--- { [hash] = record } of the verified, live records among these hashes.
function records:records_of(hashes_list)
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
			local record = self:decode(hash, raw);
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

--- Runs `f` once the server has started: at once if it has (a reload, a host added later), else when it does.
-- Prosody loads every host and its modules before its event loop runs, so a Redis call made while they load gets
-- no answer before its timer runs out, however well Redis does, and opens the breaker (resp_client.lib.lua).
local function once_started(f)
	if module.on_ready then return module:on_ready(f); end -- Prosody 13
	-- Prosody 0.12 sets start_time once every host is loaded, then fires server-started.
	if prosody.start_time then return f(); end
	module:hook_global("server-started", function () f(); end);
end

--- The store of `host` with the key names, these methods, and those of each table given.
local function open(host, ...)
	local store = store_lib.open(host, keys_lib.methods, records, ...);
	-- The layout is read once the server has started, in a runner of its own so that a hanging Redis cannot hold
	-- up anything; then at most once per interval. prosodyctl reads it on first use.
	if store.signing_ok and prosody.process_type == "prosody" then
		once_started(function () async.runner(function () store:usable(); end):run(true); end);
	end
	return store;
end

return {
	open = open;
};
