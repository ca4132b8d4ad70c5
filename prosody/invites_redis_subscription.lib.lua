-- The XEP-0379 path of mod_invites_redis (Pre-Authenticated Roster Subscription): a subscription request carrying
-- the inviter's token is approved without asking, with one atomic use of the invite, as at registration. Answered
-- here for contact-only invites too: Prosody 0.12.3 crashes in mod_invites.lua:194 when the invite has no host-level
-- entry, so mod_invites_register never sees the token.
-- hook(store, settling) adds the hook: the store of the host (invites_redis_uses.lib.lua) and the settling of
-- claimed uses (invites_redis_settling.lib.lua).
local jid_split = require "util.jid".split;
local jid_bare = require "util.jid".bare;
local rostermanager = require "core.rostermanager";
local st = require "util.stanza";

-- Set by hook().
local redis_store, settling;

local function remove_preauth(stanza)
	stanza:maptags(function (tag)
		if tag.name == "preauth" and tag.attr.xmlns == "urn:xmpp:pars:0" then return nil; end
		return tag;
	end);
end

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
	if not (invite.type == "roster" and jid_split(invite.jid) == username) then return; end
	-- Every use counts, here as at registration: a counted invite stops at its cap on both paths. Marked, as there,
	-- and with its entry (settled once the contact is approved).
	local claimed = raw and {
		hash = hash; raw = raw; record = invite; claim_id = redis_store:new_claim_id(); unsettled = true;
		event = redis_store:event_fields({
			kind = "subscribed"; inviter = username.."@"..host; invitee = contact; invite = settling.invite_id(token);
			at = os.time();
		});
	} or nil;
	local left = settling.claim(hash, tag, invite, claimed);
	if left == nil or left < 0 then return; end -- used a moment ago by someone else, or Redis trouble

	module:log("info", "Pre-approving %s's subscription to %s with an invite", contact, username);
	if rostermanager.set_contact_pending_in(username, host, contact, stanza)
		and rostermanager.subscribed(username, host, contact) then
		rostermanager.roster_push(username, host, contact);
		-- The goal is a mutual subscription: ask the contact back.
		if not rostermanager.is_user_subscribed(username, host, contact)
			and not rostermanager.is_contact_pending_out(username, host, contact)
			and rostermanager.set_contact_pending_out(username, host, contact) then
			rostermanager.roster_push(username, host, contact);
			module:send(st.presence({ type = "subscribe", from = username.."@"..host, to = contact }));
		end
	end
	-- Recorded once the roster says so: what the sweep reads to settle it, should Prosody stop before Redis answers.
	if claimed then settling.settle(claimed); else settling.record_use("subscribed", username.."@"..host, contact, token); end
	-- mod_presence goes on: the contact is now subscribed, so it answers "subscribed".
end

local function hook(store, claimed_uses)
	redis_store, settling = store, claimed_uses;
	module:hook("presence/bare", on_subscribe, 10);
end

return {
	hook = hook;
};
