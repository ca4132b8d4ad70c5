-- Circles on join (docs/circles.md): an account registered with one of our invites whose signed record names
-- circles (additional_data.groups, by id) becomes a member of each, and every member's contact, server-side.
--
-- For each circle id, its record is read and verified (docs/storage.md, "The circle's tags": the same MACs as the
-- bot's src/storage/circle-record.ts, with the same `mac`): a record that does not verify is no circle and grants
-- nothing, since anyone with write access to Redis could have put it there. The newcomer is added with the bot's
-- own script (scripts/circle_add_member.lua, which adds nobody to a circle removed meanwhile), the members are read
-- after that, and the newcomer and every member whose tag verifies become mutual contacts: subscription "both" in
-- both rosters (RFC 6121 §2.1.2.5), filed under the circle's name (the roster group, §2.1.2.6), with no presence
-- subscription exchanged (§3): the admin who made the circle and the invite decided it, as with Prosody's shared
-- groups. Each change is pushed to the interested resources of its roster's owner (§2.1.6).
--
-- Every step is idempotent: an item that is "both" with the group already is left alone (no save, no push), and the
-- script keeps a membership that is there. So running it again (a retry once Redis answers, the sweep of
-- invites_redis_unsettled.lib.lua in this or another Prosody) adds nobody twice. Newcomers racing into one circle
-- each write their own membership before they read the others': of any two, the later reader sees the earlier
-- (Redis runs commands one at a time), so every pair ends up as contacts.
-- The newcomer also gets a bookmark of each circle's group chats and of the record's group chats outside circles
-- (additional_data.rooms, also when it names no circle): invites_redis_bookmarks.lib.lua, idempotent as well.
-- new(store, retry) gives join(username, record, after) for one store (invites_redis_uses.lib.lua), with the queue of
-- work that waits for Redis (invites_redis_retry.lib.lua, as invites_redis_settling.lib.lua holds it).
local json = require "util.json";
local async = require "util.async";
local new_cache = require "util.cache".new;
local jid_split = require "util.jid".split;
local jid_join = require "util.jid".join;
local store_lib = module:require("invites_redis_store");
local rosters = module:require("invites_redis_rosters");

-- The MAC contexts of a circle's record and of a membership (src/storage/circle-record.ts).
local CIRCLE_CONTEXT = "xmpp-invite-bot/circle/1";
local MEMBER_CONTEXT = "xmpp-invite-bot/circle-member/1";
-- Circles one invite can make its user join; the bot names at most 10 (src/invites/circle-choice.ts).
local MAX_CIRCLES = 20;
local ADD_MEMBER = store_lib.script("scripts/circle_add_member.lua");

---------- A circle's record and its memberships (docs/storage.md, "Circles") ----------

--- The circle ids an invite's record names: 12 base64url characters each (Prosody's own group invites on 13 use
-- the same key and size; those ids find no circle here), without repeats.
local function circle_ids(record)
	local data = type(record) == "table" and record.additional_data;
	local groups = type(data) == "table" and data.groups;
	local ids, seen = {}, {};
	if type(groups) ~= "table" then return ids; end
	for _, cid in ipairs(groups) do
		if type(cid) == "string" and #cid == 12 and cid:match("^[A-Za-z0-9_-]+$") and not seen[cid]
			and #ids < MAX_CIRCLES then
			seen[cid], ids[#ids+1] = true, cid;
		end
	end
	return ids;
end

--- The circle in the text stored under circle:CID if its tag verifies with the current or an old key, and it is the
-- circle of that id with the right types; nil for anything else (absent, forged, copied, malformed).
local function verify_circle(store, cid, raw)
	if type(raw) ~= "string" then return nil; end
	local ok, stored = pcall(json.decode, raw);
	if not ok or type(stored) ~= "table" or type(stored.circle) ~= "string" then return nil; end
	if not store:mac_matches(stored.tag, CIRCLE_CONTEXT, store.host, cid, stored.circle) then return nil; end
	local parsed, circle = pcall(json.decode, stored.circle);
	if not parsed or type(circle) ~= "table" or circle.id ~= cid or type(circle.name) ~= "string"
		or type(circle.rooms) ~= "table" or type(circle.createdAt) ~= "number" or type(circle.createdBy) ~= "string" then
		return nil;
	end
	for _, room in ipairs(circle.rooms) do
		if type(room) ~= "string" then return nil; end
	end
	return circle;
end

--- The tags that make `jid` a member of circle `cid`, one per signing key, the current one first: what the script
-- takes (it writes the first, and keeps a membership that has any of them).
local function member_tags(store, cid, jid)
	local tags = {};
	for i, key in ipairs(store.keys) do tags[i] = store_lib.mac(key, MEMBER_CONTEXT, store.host, cid, jid); end
	return tags;
end

local function is_member(store, cid, jid, tag)
	return store:mac_matches(tag, MEMBER_CONTEXT, store.host, cid, jid);
end

---------- Mutual contacts (RFC 6121 §2) ----------

---------- Joining ----------

local function new(store, retry)
	-- Loaded here, not with the MACs above, which test/lua/signing_check.lua runs outside Prosody.
	local bookmarks = module:require("invites_redis_bookmarks");
	local rooms_lib = module:require("invites_redis_rooms");
	local rooms_of = rooms_lib.rooms_of;
	-- Circle ids whose record did not verify: logged at warn once each (every registration with a forged invite
	-- would repeat it), then at debug.
	local warned = new_cache(256);

	local function forged(cid, newcomer)
		local level = warned:get(cid) and "debug" or "warn";
		warned:set(cid, true);
		module:log(level, "Ignoring circle %s named by the invite of %s: its record does not verify (not written with "
			.."the signing key)", cid, newcomer);
	end

	-- A Redis failure: false (try again) when Redis did not answer, true (give up) when it answered with an error.
	local function failed(cid, newcomer, err)
		if not tostring(err):match("^Redis error") then return false, err; end
		module:log("warn", "Could not add %s to circle %s: %s", newcomer, cid, err);
		return true;
	end

	--- Adds `newcomer` to circle `cid` and makes them and its members contacts. true when done (or nothing is to be
	-- done), false and the reason when Redis did not answer.
	local function join_circle(newcomer, cid)
		local raw, err = store.redis:command("GET", store:circle_key(cid));
		-- A Redis error here is a key of another type (WRONGTYPE): no circle either.
		if raw == nil and not tostring(err):match("^Redis error") then return false, err; end
		local circle = raw and verify_circle(store, cid, raw);
		if not circle then
			if raw == false then
				module:log("info", "Circle %s named by the invite of %s is not there (removed)", cid, newcomer);
			else
				forged(cid, newcomer);
			end
			return true;
		end
		local members_key = store:circle_members_key(cid);
		local added, aerr = ADD_MEMBER(store.redis, { store:circle_key(cid), members_key },
			{ newcomer, table.unpack(member_tags(store, cid, newcomer)) });
		if added == nil then return failed(cid, newcomer, aerr); end
		if added == -1 then return true; end -- removed since it was read: a removed circle has no members
		local flat, ferr = store.redis:command("HGETALL", members_key);
		if flat == nil then return failed(cid, newcomer, ferr); end
		local members = {};
		for i = 1, #flat, 2 do
			if is_member(store, cid, flat[i], flat[i+1]) then members[#members+1] = flat[i]; end
		end
		local made = rosters.befriend_all(newcomer, members, circle.name);
		module:log("info", "%s %s circle %q (%s); new contacts with %d of its members", newcomer,
			added == 1 and "joined" or "is in", circle.name, cid, made);
		-- Its chats (XEP-0402 bookmarks, named as the circle), however many it has.
		bookmarks.add((jid_split(newcomer)), rooms_lib.valid_rooms(circle.rooms, store.host, math.huge), circle.name);
		return true;
	end

	--- Joins the local user `username` to every circle the verified invite `record` names, now, and what Redis did
	-- not answer as soon as it does (invites_redis_retry.lib.lua). In a runner of its own, then `after` (the use is
	-- recorded after the join, so the bot finds the newcomer in its circles when it reads the use).
	local function join(username, record, after)
		local ids, rooms = circle_ids(record), rooms_of(record);
		if #ids == 0 and #rooms == 0 then return after and after(); end
		local newcomer = jid_join(username, module.host);
		-- Tries the circles not done yet; the reason Redis gave for the last one left.
		local function run()
			local ok, uerr = store:usable();
			if not ok then
				module:log("warn", "Not adding %s to its circles: %s", newcomer, uerr);
				ids = {};
				return;
			end
			local left, why = {}, nil;
			for _, cid in ipairs(ids) do
				local done, err = join_circle(newcomer, cid);
				if not done then left[#left+1], why = cid, err; end
			end
			ids = left;
			return why;
		end
		async.runner(function ()
			local why = #ids > 0 and run() or nil;
			-- The group chats outside circles need nothing from Redis: bookmarked once, after the circles' first try,
			-- so that a chat that is also a circle's has the circle's name.
			bookmarks.add(username, rooms);
			if #ids == 0 then return after and after(); end
			local job = { until_time = os.time() + retry.RECORD_FOR };
			function job.try() run(); return #ids == 0; end
			function job.expired()
				module:log("error", "Gave up adding %s to circles %s: Redis did not answer for %d s", newcomer,
					table.concat(ids, ", "), retry.RECORD_FOR);
			end
			if not retry.wait_for_redis(job, string.format("%s joins its circles as soon as Redis answers (%s)",
				newcomer, tostring(why))) then
				module:log("error", "Cannot add %s to circles %s later (%s): %d jobs are waiting for Redis already",
					newcomer, table.concat(ids, ", "), tostring(why), retry.waiting());
			end
			if after then after(); end
		end, {
			error = function (_, err) module:log("error", "Adding %s to its circles failed: %s", newcomer, err); end;
		}):run(true);
	end

	--- The sweep settled a registration (or an existing account's join) a stopped run left unsettled
	-- (invites_redis_unsettled.lib.lua): that run may have stopped before its user joined the circles, too.
	local function swept(event, record)
		local username, host = jid_split(event.invitee);
		if (event.kind == "registered" or event.kind == "joined") and username and host == module.host then
			join(username, record);
		end
	end

	return {
		join = join;
		swept = swept;
		rooms_of = rooms_of;
	};
end

return {
	new = new;
	-- For test/lua/signing_check.lua: the circle's MACs as the bot makes them.
	verify_circle = verify_circle;
	member_tags = member_tags;
	is_member = is_member;
};
