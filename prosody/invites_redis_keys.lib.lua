-- Layout v3 of docs/storage.md (v2's keys and the circles'), for Prosody: the name of every key, which indexes an
-- invite is in, and which keys each call touches. Methods of the store (invites_redis_store.lib.lua), added by
-- invites_redis_records.lib.lua. Signed invite records are named by the SHA-256 of their token (no token at rest), with
-- indexes per host, inviter, bound username and id, counted uses and use events. Every key of a host carries the {HOST}
-- hash tag, and every key a script or MULTI touches is passed in KEYS, so each call stays valid on a Redis Cluster. No
-- SCAN: everything is found through an index.
--
-- Every Redis command the modules send (the Redis ACL user for Prosody in docs/security.md is made from this
-- list; keep it exact):
--   connection:  AUTH (when the URL has a password), SELECT (db other than 0)
--   direct:      GET (layout, rec:*), EXISTS (rec:*), MGET (rec:*),
--                ZRANGE 0 -1 (by:*, for:*: account deletion), DEL claim:* (a claim's use kept),
--                HGETALL / HDEL unsettled (the sweep), GET circle:* and HGETALL circle:*:members (circles on join),
--                HEXISTS approvals (Prosody 0.12: binding of an account held for approval)
--   MULTI/EXEC:  SET rec:* PX, ZADD pending / ids / by:* / for:*  (creating an invite)
--   WAIT         after CLAIM, behind Redis Sentinel: the replicas confirm the use (resp_replicas.lib.lua)
--   EVALSHA, and EVAL when Redis answers NOSCRIPT, of seven scripts in prosody/scripts/:
--     CLAIM       EXISTS claim:*, GET rec:*, INCR / DECR / PEXPIREAT used:*, DEL rec:* used:*, ZREM indexes,
--                 SET [PX] / PEXPIREAT claim:*, HSET unsettled
--     GIVE_BACK   HDEL unsettled, GET / DEL / SET / PEXPIREAT claim:*, EXISTS rec:*, DECR used:*, SET rec:* NX,
--                 SET used:*, PEXPIREAT rec:* used:*, ZADD indexes
--     SETTLE      HGET / HDEL unsettled, DEL claim:*, XADD events MAXLEN ~, ZADD joined, SET invited-by:* NX,
--                 SADD invitees:*, HSET approvals (a held registration)
--     REMOVE      DEL rec:* used:*, ZREM indexes
--     PRUNE       ZRANGE BYSCORE, ZREM ids, ZREMRANGEBYSCORE, ZRANGE BYSCORE LIMIT (pending, by:*, for:*: held names)
--     RECORD_USE  GET / SET PX claim:* (the event's marker), XADD events MAXLEN ~, ZADD joined,
--                 SET invited-by:* NX, SADD invitees:*
--     CIRCLE_ADD_MEMBER  EXISTS circle:*, HGET / HSET circle:*:members
-- Keys (all invite:{HOST}:...): layout (read only), rec:HASH, used:HASH, pending,
-- ids, by:BAREJID, for:LOCAL, events, joined, invited-by:BAREJID, invitees:BAREJID, claim:ID, unsettled, approvals;
-- circle:CID (read only) and circle:CID:members.
local jid_bare = require "util.jid".bare;
local jid_node = require "util.jid".node;

-- The values of invite:{HOST}:layout this module works with (docs/storage.md, "Versions and migration"): 3 is 2 with
-- circles (the bot moves 2 to 3 by the marker alone), so both are the same keys to this module. A module older than
-- circles knows only 2 and refuses a store of 3: it must not consume invites whose circles it would skip.
local LAYOUT = "3"; -- the newest, which the bot writes
local LAYOUTS = { ["2"] = true; ["3"] = true };
-- About how many use events invite:{HOST}:events keeps (XADD MAXLEN ~).
local EVENTS_MAXLEN = 100000;

local keys = {};

-- Key names (docs/storage.md, "Keys").
function keys:key(suffix) return "invite:{"..self.host.."}:"..suffix; end
function keys:record_key(hash) return self:key("rec:"..hash); end
function keys:used_key(hash) return self:key("used:"..hash); end
function keys:pending_key() return self:key("pending"); end
function keys:ids_key() return self:key("ids"); end
function keys:by_key(bare) return self:key("by:"..bare); end
function keys:for_key(localpart) return self:key("for:"..localpart); end
function keys:events_key() return self:key("events"); end
function keys:invited_by_key(bare) return self:key("invited-by:"..bare); end
function keys:invitees_key(bare) return self:key("invitees:"..bare); end
function keys:joined_key() return self:key("joined"); end
function keys:layout_key() return self:key("layout"); end
function keys:claim_key(claim_id) return self:key("claim:"..claim_id); end
function keys:unsettled_key() return self:key("unsettled"); end
function keys:approvals_key() return self:key("approvals"); end
function keys:circle_key(cid) return self:key("circle:"..cid); end
function keys:circle_members_key(cid) return self:key("circle:"..cid..":members"); end

---------- Which indexes an invite is in (docs/storage.md, "Keys") ----------

--- Who made the invite: a contact invite's JID, or the bare JID of an account invite's source.
local function inviter_of(record)
	if record.type == "roster" then return jid_bare(record.jid):lower(); end
	local data = record.additional_data;
	if type(data) == "table" and type(data.source) == "string" then return jid_bare(data.source):lower(); end
	return nil;
end

--- The username an invite is bound to: an account invite's (or reset link's) jid = LOCAL@HOST, or the bot's
--- additional_data.username (also on a contact invite that registers: XEP-0401 roster-subscription).
local function bound_local_of(record)
	local data = record.additional_data;
	if type(data) == "table" and type(data.username) == "string" then return data.username:lower(); end
	if record.type ~= "register" then return nil; end
	local node = jid_node(record.jid);
	return node and node:lower() or nil;
end

function keys:expiry_indexes(record)
	local list = { self:pending_key() };
	local inviter = inviter_of(record);
	if inviter then list[#list+1] = self:by_key(inviter); end
	local bound = bound_local_of(record);
	if bound then list[#list+1] = self:for_key(bound); end
	return list;
end

--- The keys one invite touches: rec, used, then every index (for CLAIM and REMOVE).
function keys:invite_keys(hash, record)
	local list = { self:record_key(hash), self:used_key(hash) };
	local indexes = record and self:expiry_indexes(record) or { self:pending_key() };
	for _, index in ipairs(indexes) do list[#list+1] = index; end
	list[#list+1] = self:ids_key();
	return list;
end

--- The keys of a claim: the invite's (invite_keys), then the claim's marker when it has an id.
function keys:claim_keys(hash, record, claim_id)
	local list = self:invite_keys(hash, record);
	if claim_id then list[#list+1] = self:claim_key(claim_id); end
	return list;
end

--- The cap of a counted reusable invite; -1 for a reusable invite without one; 0 for single use.
local function max_uses_of(record)
	if not record.reusable then return 0; end
	local data = record.additional_data;
	local max = type(data) == "table" and tonumber(data.max_uses);
	if max and max > 1 then return math.floor(max); end
	return -1;
end

return {
	methods = keys;
	LAYOUT = LAYOUT;
	LAYOUTS = LAYOUTS;
	EVENTS_MAXLEN = EVENTS_MAXLEN;
	max_uses_of = max_uses_of;
	bound_local_of = bound_local_of;
};
