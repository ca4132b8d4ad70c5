-- Bookmarks on join (docs/circles.md, "Joining, on Prosody"): an account that joins circles through our module, or
-- whose invite names group chats outside circles, gets a XEP-0402 bookmark of each of those chats, with autojoin,
-- published server-side in its own PEP node urn:xmpp:bookmarks:1, so that its apps show the chats at once (XEP-0402
-- §3: a client fetches the node at login and joins the autojoin rooms; §4: one item per room, its id the room's bare
-- JID). Prosody's own PEP service of the account is used (mod_pep's get_pep_service, on 0.12 and 13), as
-- mod_bookmarks does with what a client sets: no client is involved.
--
-- A room bookmarked already is left alone: the user's own nick, name and autojoin choice wins. So running it again
-- (a retry once Redis answers, the sweep) publishes nothing twice. A host without mod_pep gets no bookmarks (said once
-- in the log at info): the rest of the join goes on. Nothing here fails a registration or its contacts.
--
-- A room served by a MUC component of this same Prosody also gets the account as `member` (XEP-0045 §9.3) first,
-- when it has no affiliation there yet, so that autojoin works in a members-only room before the bot's welcome; the
-- bot does it too when it reads the use event (idempotent). An outcast, admin or owner keeps what it is.
local st = require "util.stanza";
local jid_join = require "util.jid".join;
local jid_split = require "util.jid".split;
local modulemanager = require "core.modulemanager";

local NS = "urn:xmpp:bookmarks:1";
local PUBSUB = "http://jabber.org/protocol/pubsub";
-- XEP-0402 §5: the node's configuration, as publish-options (mod_bookmarks' default_options are the same).
local NODE_OPTIONS = {
	persist_items = true;
	max_items = "max";
	send_last_published_item = "never";
	access_model = "whitelist";
};

-- Whether the host's lack of mod_pep was logged already (once per load of the module).
local told_no_pep = false;

--- The account's PEP service, or nil when the host has no mod_pep.
local function pep_service_of(username)
	local pep = modulemanager.get_module(module.host, "pep");
	if not (pep and pep.get_pep_service) then
		if not told_no_pep then
			told_no_pep = true;
			module:log("info", "No bookmarks of group chats for accounts joining them (XEP-0402): mod_pep is not loaded "
				.."on %s", module.host);
		end
		return nil;
	end
	return pep.get_pep_service(username);
end

local function precondition_not_met(err)
	-- Prosody 13 says it in a string, 0.12 in an util.error with pubsub_condition.
	return err == "precondition-not-met" or (type(err) == "table" and err.pubsub_condition == "precondition-not-met");
end

--- Gives `account` the `member` affiliation in `room` when a MUC component of this Prosody serves it and the
-- account has no affiliation there.
local function make_member(account, room)
	local _, service = jid_split(room);
	local muc = modulemanager.get_module(service, "muc");
	local found = muc and muc.get_room_from_jid and muc.get_room_from_jid(room);
	if not found or found:get_affiliation(account) ~= nil then return; end
	local ok, err = found:set_affiliation(true, account, "member", "Joined through an invite");
	if ok then
		module:log("debug", "%s is a member of %s now", account, room);
	else
		module:log("warn", "Could not make %s a member of %s: %s", account, room, tostring(err));
	end
end

--- Publishes one bookmark item; true when done.
local function publish(service, owner, room, name)
	local item = st.stanza("item", { xmlns = PUBSUB; id = room })
		:tag("conference", { xmlns = NS; autojoin = "true"; name = name }):up();
	local ok, err = service:publish(NS, owner, room, item, NODE_OPTIONS);
	if not ok and precondition_not_met(err) then
		-- The account's node exists with another configuration (an app made it): its configuration stays, as the
		-- user's bookmarks do; the item goes into it all the same.
		ok, err = service:publish(NS, owner, room, item);
	end
	if not ok then
		module:log("warn", "Could not add a bookmark of %s for %s: %s", room, owner, tostring(err));
	end
	return ok;
end

local function add_now(username, rooms, name)
	if #rooms == 0 then return 0; end
	local owner = jid_join(username, module.host);
	for _, room in ipairs(rooms) do make_member(owner, room); end
	local service = pep_service_of(username);
	if not service then return 0; end
	local added = 0;
	for _, room in ipairs(rooms) do
		local ok, items = service:get_items(NS, owner, { room });
		if ok and items[room] then
			module:log("debug", "%s has a bookmark of %s already: left as it is", owner, room);
		elseif ok or items == "item-not-found" then -- "item-not-found": the account has no bookmarks node yet
			if publish(service, owner, room, name) then added = added + 1; end
		else
			module:log("warn", "Could not read the bookmarks of %s: %s", owner, tostring(items));
			return added;
		end
	end
	if added > 0 then module:log("info", "Added %d bookmarks of group chats for %s (XEP-0402)", added, owner); end
	return added;
end

--- Bookmarks each of `rooms` (room JIDs, validated) for the local user `username`, named `name` (the circle's, or
-- nil: the app shows the room's own name), unless it is bookmarked already. Returns how many were added. Never
-- raises: a failure here (another module's, say) is logged, and the join it is part of goes on.
local function add(username, rooms, name)
	local ok, added = pcall(add_now, username, rooms, name);
	if ok then return added; end
	module:log("error", "Adding bookmarks of group chats for %s failed: %s", username, tostring(added));
	return 0;
end

return {
	add = add;
};
