-- Mutual contacts for circles (docs/circles.md), server-side: subscription "both" in both rosters (RFC 6121
-- §2.1.2.5), filed under the circle's name (the roster group, §2.1.2.6), with no presence subscription exchanged
-- (§3), each change pushed to the interested resources of its roster's owner (§2.1.6). An item already so is
-- neither saved nor pushed. Used by invites_redis_circles.lib.lua for a newcomer and a circle's members.
local async = require "util.async";
local now = require "util.time".now;
local jid_split = require "util.jid".split;
local rostermanager = require "core.rostermanager";
local usermanager = require "core.usermanager";

-- The longest Prosody works on one join before it serves its other users a turn (a circle may have thousands).
local TURN_SECONDS = 0.002;

--- Makes `contact` (a bare JID) an item of `roster` (loaded) with subscription "both", filed under `group`; an item
-- there keeps its name and other groups. The item as it was and whether it changed (false: so already).
local function set_contact(roster, contact, group)
	local pending = roster[false].pending;
	local item, was_pending = roster[contact], pending[contact];
	if item and item.subscription == "both" and item.groups and item.groups[group] and not item.ask
		and not was_pending then
		return item, false;
	end
	local changed = { groups = {} };
	for field, value in pairs(item or {}) do if field ~= "groups" then changed[field] = value; end end
	for name in pairs(item and item.groups or {}) do changed.groups[name] = true; end
	changed.groups[group] = true;
	-- Subscribed both ways: a pending request either way (`ask`, §2.1.2.2; an inbound one kept in `pending`) is
	-- answered, and a pre-approval (`approved`, §3.4) has nothing left to approve.
	changed.subscription, changed.ask, changed.approved = "both", nil, nil;
	roster[contact], pending[contact] = changed, nil;
	return item, true, was_pending;
end

--- The same for the local user `username`'s stored roster, saved and pushed (§2.1.6): true when it changed, false
-- when it was so already, nil and a reason when it could not be saved (the roster is left as it was).
local function make_contact(username, contact, group)
	local roster, err = rostermanager.load_roster(username, module.host);
	if err then return nil, "cannot load the roster: "..tostring(err); end
	local item, changed, was_pending = set_contact(roster, contact, group);
	if not changed then return false; end
	local saved, serr = rostermanager.save_roster(username, module.host, roster, contact);
	if not saved then
		roster[contact], roster[false].pending[contact] = item, was_pending;
		return nil, "cannot save the roster: "..tostring(serr or "refused");
	end
	rostermanager.roster_push(username, module.host, contact);
	return true;
end

--- Whether `member` (a bare JID) is an account of this host, other than `newcomer`, that gets an item.
local function befriends(newcomer, member)
	local member_user, member_host = jid_split(member);
	return member ~= newcomer and member_host == module.host and member_user ~= nil
		and usermanager.user_exists(member_user, member_host);
end

--- The newcomer and each of `members` (bare JIDs) become each other's contacts in `group`: each member's roster
-- saved on its own, the newcomer's once at the end (saving it per member would rewrite a growing file a thousand
-- times), and Prosody given back to its other users every few milliseconds. How many pairs changed.
local function befriend_all(newcomer, members, group)
	local newcomer_user = jid_split(newcomer);
	local ours, lerr = rostermanager.load_roster(newcomer_user, module.host);
	if lerr then module:log("warn", "Could not load the roster of %s: %s", newcomer, lerr); return 0; end
	local made, pushes, turn = 0, {}, now();
	for _, member in ipairs(members) do
		if befriends(newcomer, member) then
			local theirs, terr = make_contact((jid_split(member)), newcomer, group);
			if theirs == nil then module:log("warn", "Could not make %s a contact of %s: %s", newcomer, member, terr); end
			local _, changed = set_contact(ours, member, group);
			if changed then pushes[#pushes+1] = member; end
			if theirs or changed then made = made + 1; end
		end
		if now() - turn > TURN_SECONDS and async.ready() then
			async.sleep(0);
			turn = now();
		end
	end
	if #pushes == 0 then return made; end
	if not rostermanager.save_roster(newcomer_user, module.host, ours) then
		module:log("warn", "Could not save the roster of %s with its circle's %d contacts", newcomer, #pushes);
		return made;
	end
	for _, member in ipairs(pushes) do rostermanager.roster_push(newcomer_user, module.host, member); end
	return made;
end

return {
	befriend_all = befriend_all;
	make_contact = make_contact;
};
