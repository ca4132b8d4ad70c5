-- The XEP-0379 path of mod_invites_redis (Pre-Authenticated Roster Subscription): a subscription request carrying
-- the inviter's token is approved without asking, with one atomic use of the invite, as at registration. Answered
-- here for contact-only invites too: Prosody 0.12.3 crashes in mod_invites.lua:194 when the invite has no host-level
-- entry, so mod_invites_register never sees the token.
--
-- The same request also lets an EXISTING account of this host join the circles of an invite (docs/circles.md,
-- "Joining with an existing account"): the invite page's `xmpp:BOT@HOST?roster;preauth=T` link makes the user's own
-- app send it, so this server has authenticated the sender, which is the proof of the account. One use of the invite
-- then joins the sender with the join of registrations (invites_redis_circles.lib.lua), and the use event is
-- `joined`. A contact invite's own inviter still pre-approves the subscription; when that invite names circles too,
-- the same one use does both.
-- hook(store, settling, circles) adds the hook: the store of the host (invites_redis_uses.lib.lua), the settling of
-- claimed uses (invites_redis_settling.lib.lua) and the circle joins (invites_redis_circles.lib.lua).
local jid_split = require "util.jid".split;
local jid_bare = require "util.jid".bare;
local nodeprep = require "util.encodings".stringprep.nodeprep;
local rostermanager = require "core.rostermanager";
local usermanager = require "core.usermanager";
local st = require "util.stanza";

-- Set by hook().
local redis_store, settling, circles;

local function remove_preauth(stanza)
	stanza:maptags(function (tag)
		if tag.name == "preauth" and tag.attr.xmlns == "urn:xmpp:pars:0" then return nil; end
		return tag;
	end);
end

---------- Joining circles with an existing account ----------

-- Whether the invite's record names circles (additional_data.groups) or group chats outside them (.rooms).
local function names_circles(invite)
	local data = invite.additional_data;
	if type(data) ~= "table" then return false; end
	return (type(data.groups) == "table" and data.groups[1] ~= nil) or #circles.rooms_of(invite) > 0;
end

-- The username of the account of this host that joins the invite's circles with this request, or nil. Members are
-- accounts of the domain: a subscriber of another domain joins nothing. Not with a password reset link, and an
-- invite bound to one username (XEP-0445) joins that user only.
local function joiner_of(from, invite)
	local username, host = jid_split(from);
	if not username or host ~= module.host or not names_circles(invite) then return nil; end
	local data = invite.additional_data;
	if data.allow_reset ~= nil then return nil; end
	local bound = type(data.username) == "string" and data.username
		or (invite.type == "register" and type(invite.jid) == "string" and (jid_split(invite.jid))) or nil;
	if bound and nodeprep(bound) ~= username then return nil; end
	if not usermanager.user_exists(username, host) then return nil; end
	return username;
end

-- Who made the invite, as a registration's use event names them: a contact invite's JID, or an account invite's
-- source (the bot and Prosody's ad-hoc record it).
local function inviter_of(invite)
	if invite.type == "roster" then return jid_bare(invite.jid); end
	local data = invite.additional_data;
	return type(data) == "table" and type(data.source) == "string" and jid_bare(data.source) or nil;
end

-- A contact invite's inviter pre-approves the contact (XEP-0379 §3), and asks them back: a mutual subscription.
local function pre_approve(username, host, contact, stanza)
	module:log("info", "Pre-approving %s's subscription to %s with an invite", contact, username);
	if rostermanager.set_contact_pending_in(username, host, contact, stanza)
		and rostermanager.subscribed(username, host, contact) then
		rostermanager.roster_push(username, host, contact);
		if not rostermanager.is_user_subscribed(username, host, contact)
			and not rostermanager.is_contact_pending_out(username, host, contact)
			and rostermanager.set_contact_pending_out(username, host, contact) then
			rostermanager.roster_push(username, host, contact);
			module:send(st.presence({ type = "subscribe", from = username.."@"..host, to = contact }));
		end
	end
end

---------- The request ----------

-- XEP-0379 §3: a subscription request carrying the inviter's token is approved
-- without asking. Unknown, expired or used tokens (and Redis trouble) fall back
-- to normal manual approval. Priority above mod_invites_register's (1).
local function on_subscribe(event)
	local stanza = event.stanza;
	if stanza.attr.type ~= "subscribe" then return; end
	local preauth = stanza:get_child("preauth", "urn:xmpp:pars:0");
	if not preauth or not preauth.attr.token then return; end
	local token = preauth.attr.token;
	-- Whatever happens, mod_invites_register must not see it again (its contact-only path crashes).
	remove_preauth(stanza);

	local username, host = jid_split(stanza.attr.to);
	if not username or host ~= module.host then return; end
	local contact = jid_bare(stanza.attr.from);

	local invite, hash, tag, raw = redis_store:get_record(token);
	if invite == nil then
		if hash then module:log("warn", "Cannot check a preauth token, asking %s as usual: %s", username, hash); end
		return;
	end
	local approves = invite.type == "roster" and jid_split(invite.jid) == username;
	-- Joining needs the record as read now (raw): its claim is marked, with the entry that settles it.
	local joiner = raw and joiner_of(stanza.attr.from, invite);
	if not approves and not joiner then return; end
	-- Every use counts, here as at registration: a counted invite stops at its cap on both paths. Marked, as there,
	-- and with its entry (settled once the contact is approved, or the account has joined).
	local invite_id = settling.invite_id(token);
	local event = joiner and {
		kind = "joined"; inviter = inviter_of(invite); invitee = contact; invite = invite_id; at = os.time();
		rooms = circles.rooms_of(invite);
	} or { kind = "subscribed"; inviter = username.."@"..host; invitee = contact; invite = invite_id; at = os.time() };
	local claimed = raw and {
		hash = hash; raw = raw; record = invite; claim_id = redis_store:new_claim_id(); unsettled = true;
		event = redis_store:event_fields(event);
	} or nil;
	local left = settling.claim(hash, tag, invite, claimed);
	if left == nil or left < 0 then return; end -- used up a moment ago (or by an earlier try), or Redis trouble

	if approves then pre_approve(username, host, contact, stanza); end
	if joiner then
		module:log("info", "%s joins the circles of invite %s with its account", contact, invite_id);
		-- Recorded once joined, as after a registration: the bot finds the account in its circles when it reads it.
		circles.join(joiner, invite, function () settling.settle(claimed); end);
	elseif claimed then
		-- Recorded once the roster says so: what the sweep reads to settle it, should Prosody stop before Redis answers.
		settling.settle(claimed);
	else
		settling.record_use("subscribed", username.."@"..host, contact, token);
	end
	-- mod_presence goes on: the contact is now subscribed, so it answers "subscribed".
end

local function hook(store, claimed_uses, circle_joins)
	-- The module's one circle join (mod_invites_redis.lua), the same as registrations use, with the same retries.
	redis_store, settling, circles = store, claimed_uses, circle_joins;
	module:hook("presence/bare", on_subscribe, 10);
end

return {
	hook = hook;
};
