-- Unsettled uses (docs/storage.md, "Unsettled uses"): a claim that takes a use for a registration or a XEP-0379
-- approval writes an entry into invite:{HOST}:unsettled in the same script, keyed by its claim id. The entry holds
-- what settles the use in any process, later: the use event, signed when it was claimed, and the invite's record as
-- read then (to give the use back). settle.lua records the event and removes the entry in one step; give_back.lua
-- removes it when the use goes back. So an entry left behind by a process that stopped in between (Prosody
-- restarted or killed right after a registration, or Redis away until then) is found by the next sweep, and
-- settled by what happened: the account exists (the subscription was approved), or the use goes back. Each use is
-- recorded exactly once, and never both recorded and given back.
local json = require "util.json";
local gettime = require "util.time".now;

local store_lib = module:require("invites_redis_store");
local keys_lib = module:require("invites_redis_keys");

local SETTLE = store_lib.script("scripts/settle.lua");
local ENTRY_VERSION = 1;
-- Who wrote an entry: each side sweeps its own (the bot asks the server, this module looks itself).
local WRITER = "prosody";

local function now_ms() return math.floor(gettime() * 1000); end

--- The entry a claim writes with its use: `claimed` = { hash, raw, event = the fields of the use event it will
-- record, signed (event_fields) }.
local function entry_of(claimed)
	return json.encode({
		v = ENTRY_VERSION; by = WRITER; at = now_ms();
		hash = claimed.hash; raw = claimed.raw;
		event = claimed.event;
	});
end

--- The use of claim `claim_id` stands: records `event` (its fields as entry_of signed them) and removes the entry.
-- true when recorded now, false when settled before (recorded, or given back); nil, err, retry otherwise (retry:
-- Redis did not answer, trying again with the same arguments records it at most once).
local function settle(store, claim_id, event)
	-- A held registration goes on the list of accounts awaiting approval in the same step (settle.lua).
	local reply, err, retry = store:write_event(SETTLE, { store:unsettled_key(), store:claim_key(claim_id),
		store:events_key() }, { claim_id, event.inviter or "", event.invitee, keys_lib.EVENTS_MAXLEN }, event,
		event.held and store:approvals_key() or nil);
	if reply == nil then return nil, err, retry; end
	return reply == 1;
end

--- Settles every entry of this module older than `older_than` seconds that `live(claim_id)` does not claim (this
-- process still settles those itself). `made(event)` tells whether the use happened; `happened(event, record)`, when
-- given, is called for each that did. Returns the number settled, or nil, err when Redis could not be read. Entries
-- that cannot be trusted (not signed with our keys) are removed.
local function sweep(store, older_than, live, made, happened)
	local ok, uerr = store:usable();
	if not ok then return nil, uerr; end
	local flat, err = store.redis:command("HGETALL", store:unsettled_key());
	if not flat then return nil, err; end
	local settled, cutoff = 0, now_ms() - older_than * 1000;
	for i = 1, #flat, 2 do
		local claim_id, text = flat[i], flat[i+1];
		local decoded, entry = pcall(json.decode, text);
		if not decoded or type(entry) ~= "table" then
			module:log("warn", "Removing unsettled use %s: not an entry (not JSON)", claim_id);
			store.redis:command("HDEL", store:unsettled_key(), claim_id);
		elseif entry.v == ENTRY_VERSION and entry.by == WRITER and type(entry.at) == "number" and entry.at <= cutoff and not live(claim_id) then
			local event = type(entry.event) == "table" and entry.event or {};
			local record = type(entry.hash) == "string"
				and store:decode(entry.hash, entry.raw);
			if not store:event_signed(event) or not record then
				module:log("warn", "Removing unsettled use %s: not signed with the signing key", claim_id);
				store.redis:command("HDEL", store:unsettled_key(), claim_id);
			elseif made(event) then
				local recorded, serr = settle(store, claim_id, event);
				if recorded == nil then return nil, serr; end
				if recorded then
					module:log("info", "Recorded the use of invite %s by %s, left unsettled by an earlier run",
						event.invite, event.invitee);
				end
				if happened then happened(event, record); end
				settled = settled + 1;
			else
				local given, gerr = store:give_back(entry.hash, entry.raw, record, claim_id, true);
				if given == nil then return nil, gerr; end
				module:log("info", "Gave back the use of invite %s: %s's %s did not happen (left unsettled by an "
					.."earlier run)", event.invite, event.invitee, event.kind == "subscribed" and "approval" or "account");
				settled = settled + 1;
			end
		end
	end
	return settled;
end

return {
	entry_of = entry_of;
	settle = settle;
	sweep = sweep;
};
