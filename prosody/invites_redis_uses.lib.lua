-- The uses of invites (docs/storage.md, "Counted uses", "Use events"): taking one use atomically (claim.lua),
-- giving it back (give_back.lua), keeping it, and recording it as a signed use event with who invited whom
-- (record_use.lua). The scripts are the bot's too, one text for both sides. What mod_invites_redis needs on top of
-- the records (invites_redis_records.lib.lua): open(host) is that store with these methods as well.
local random_bytes = require "util.random".bytes;
local store_lib = module:require("invites_redis_store");
local records_lib = module:require("invites_redis_records");
local keys_lib = module:require("invites_redis_keys");
local valid_rooms = module:require("invites_redis_rooms").valid_rooms;

local EVENT_FIELDS = store_lib.EVENT_FIELDS;
local max_uses_of = keys_lib.max_uses_of;

local uses = {};

-- One use of an invite (docs/storage.md, "Counted uses"); the bot runs the same file.
local CLAIM = store_lib.script("scripts/claim.lua");
-- A use given back when Prosody could not create the account after the claim; the bot runs the same file.
local GIVE_BACK = store_lib.script("scripts/give_back.lua");
-- A use event and who-invited-whom in one step; the bot runs the same file.
local RECORD_USE = store_lib.script("scripts/record_use.lua");

---------- Claims ----------

--- A new claim id: 16 random base64url characters, as the bot's (docs/storage.md, "Keys").
function uses:new_claim_id()
	return store_lib.base64url(random_bytes(12));
end

--- One use of an invite (registration or XEP-0379): the uses left, or -1 gone, -2 used up, -3 changed; or nil, err,
-- unanswered (true when the script was sent and no answer came: it may have taken the use). With `claim_id` the use
-- is marked (claim:ID, until the invite expires), for give_back or keep.
function uses:claim(hash, tag, record, claim_id, entry)
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
function uses:give_back(hash, raw, record, claim_id, unsettled)
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
function uses:keep(claim_id)
	local ok, err = self.redis:command("DEL", self:claim_key(claim_id));
	if ok == nil then return nil, err; end
	return true;
end

---------- Use events (docs/storage.md, "Use events") ----------

--- The fields of a use event (name → string), with its tag: `event.tag` when it has one already (an unsettled
-- use's, signed when it was claimed), else made now with the current key. `event.rooms`, the group chats outside
-- circles (an array of room JIDs, or the text of an event made here before), becomes the valid ones joined by one
-- space, and no field at all when none is (docs/storage.md, "Use events").
function uses:event_fields(event)
	local fields = {};
	for _, name in ipairs(EVENT_FIELDS) do
		if event[name] ~= nil then fields[name] = tostring(event[name]); end
	end
	local rooms = valid_rooms(event.rooms, self.host);
	if #rooms > 0 then fields.rooms = table.concat(rooms, " "); end
	if event.held ~= nil then fields.held = tostring(event.held); end
	fields.tag = event.tag or self:event_tag(fields);
	return fields;
end

--- Appends what a script that writes `event` takes after its own: `joined` (when accounts registered), who-invited-
-- whom's keys (with a known inviter), and the event's field/value pairs, its tag last (record_use.lua, settle.lua).
local function add_event(store, keys, args, event)
	keys[#keys+1] = store:joined_key();
	if event.inviter then
		keys[#keys+1] = store:invited_by_key(event.invitee);
		keys[#keys+1] = store:invitees_key(event.inviter);
	end
	local fields = store:event_fields(event);
	for _, name in ipairs(EVENT_FIELDS) do
		if fields[name] ~= nil then
			args[#args+1] = name;
			args[#args+1] = fields[name];
		end
	end
	for _, name in ipairs({ "rooms", "held" }) do
		if fields[name] then
			args[#args+1] = name;
			args[#args+1] = fields[name];
		end
	end
	args[#args+1] = "tag";
	args[#args+1] = fields.tag;
end

--- Runs `script` (record_use.lua, settle.lua) with `keys` and `args` followed by `event`'s (add_event), and
-- `last_key` after those keys when given: the reply, or nil, err, retry (retry: Redis did not answer, or calls are
-- failing fast; trying again with the same arguments writes the event at most once).
function uses:write_event(script, keys, args, event, last_key)
	local ok, uerr = self:usable();
	if not ok then return nil, uerr, false; end
	add_event(self, keys, args, event);
	if last_key then keys[#keys+1] = last_key; end
	local reply, err = script(self.redis, keys, args);
	if reply == nil then return nil, err, not tostring(err):match("^Redis error"); end
	return reply;
end

--- Writes a use event and who invited whom: true (also when an earlier try with the same `marker_id` wrote it
-- already), or nil, err, retry (as write_event's).
function uses:record_use(event, marker_id)
	local reply, err, retry = self:write_event(RECORD_USE, { self:events_key() },
		{ event.inviter or "", event.invitee, keys_lib.EVENTS_MAXLEN }, event, marker_id and self:claim_key(marker_id));
	if reply == nil then return nil, err, retry; end
	return true;
end

return {
	open = function (host) return records_lib.open(host, uses); end;
};
