-- mod_invites_redis: what Prosody's invite modules need on top of the Redis
-- store (mod_storage_invites_redis) to be safe with a shared invite store.
--
--   modules_enabled = { ..., "invites", "invites_register", "invites_redis" }
--   storage = { invite_token = "invites_redis" }
--
-- 1. Every use is claimed atomically inside Redis (one script: docs/storage.md,
--    "Counted uses") when a registration is about to be accepted, and when a
--    XEP-0379 subscription is pre-approved; Prosody 0.12 checks, then deletes.
--    A counted invite stops at its cap on both paths, and its last use removes
--    every key of it. An invite bound to a username (XEP-0445) registers only that name.
-- 2. Only records whose signature verifies count (the store library checks it).
-- 3. XEP-0379 pre-approval works for contact-only invites (Prosody 0.12.3
--    crashes in mod_invites.lua:194 when the invite has no host-level entry).
-- 4. With Redis down, preauth and registration are refused with a clear reason.
local jid_split = require "util.jid".split;
local jid_bare = require "util.jid".bare;
local rostermanager = require "core.rostermanager";
local usermanager = require "core.usermanager";
local st = require "util.stanza";

local store_lib = module:require("invites_redis_store");
local redis_store = store_lib.open(module.host);


local UNAVAILABLE = "Invites are unavailable at the moment (the invite store cannot be reached). Please try again in a few minutes.";

if module:get_option("storage") == nil or type(module:get_option("storage")) ~= "table"
	or module:get_option("storage").invite_token ~= "invites_redis" then
	module:log("warn", "storage = { invite_token = \"invites_redis\" } is not set: Prosody keeps invites elsewhere");
end

-- XEP-0401 §4: the preauth IQ. Only Redis trouble is ours to answer; a healthy
-- store lets mod_invites_register validate the token as usual.
module:hook("stanza/iq/urn:xmpp:pars:0:preauth", function (event)
	local ok, err = redis_store:ping();
	if ok then return; end
	module:log("warn", "Refusing a preauth request: %s", err);
	event.origin.send(st.error_reply(event.stanza, "wait", "internal-server-error", UNAVAILABLE));
	return true;
end, 10);

-- The username an invite is bound to (XEP-0445): the bot's additional_data.username,
-- or the local part of a Prosody account invite made for one user.
local function bound_username(invite)
	local data = invite.additional_data;
	if type(data) == "table" and type(data.username) == "string" then return data.username; end
	if invite.type == "register" and type(invite.jid) == "string" then return (jid_split(invite.jid)); end
	return nil;
end

local function refuse(event, error_type, condition, reason)
	event.allowed = false;
	event.error_type, event.error_condition, event.reason = error_type, condition, reason;
end

-- Runs after mod_invites_register (priority 0) has accepted the invite, and
-- before the account is created: binding, then one atomic use.
module:hook("user-registering", function (event)
	if event.allowed == false then return; end
	local validated = event.validated_invite or (event.session and event.session.validated_invite);
	if not validated then return; end
	local invite, hash, tag = redis_store:get_record(validated.token);
	if invite == nil then
		if hash then -- get_record returned nil, err: Redis trouble or an unusable store
			module:log("warn", "Refusing a registration: %s", hash);
			return refuse(event, "wait", "internal-server-error", UNAVAILABLE);
		end
		return refuse(event, "cancel", "forbidden", "This invite has already been used");
	end

	local bound = bound_username(invite);
	if bound and bound ~= event.username then
		return refuse(event, "modify", "not-acceptable", "This invite is for the username "..bound.." only");
	end
	local exists = usermanager.user_exists(event.username, event.host or module.host);
	local resetting = type(invite.additional_data) == "table" and invite.additional_data.allow_reset == event.username;
	if resetting and not exists then
		-- A reset link for a name nobody has must not become a registration link for it.
		return refuse(event, "cancel", "item-not-found",
			"This link sets a new password for an existing account; there is no account "..event.username);
	end
	-- A name that is taken fails with <conflict/> next; do not use up the invite on it.
	if exists and not resetting then return; end

	local left, cerr = redis_store:claim(hash, tag, invite);
	if left == nil then
		module:log("warn", "Refusing a registration: %s", cerr);
		refuse(event, "wait", "internal-server-error", UNAVAILABLE);
	elseif left == -2 then
		refuse(event, "cancel", "forbidden", "This invite has been used as many times as it allows");
	elseif left < 0 then
		module:log("info", "Refusing a registration with an invite that was just used by someone else");
		refuse(event, "cancel", "forbidden", "This invite has already been used");
	end
end, -10);

-- The short invite id the bot shows: the first eight characters of the token's
-- hash (docs/storage.md, "Names"). Events never carry the token itself.
local function invite_id(token)
	return store_lib.token_hash(token):sub(1, 8);
end

-- Whoever asked for an account invite (the bot and Prosody's ad-hoc record it).
local function source_of(data)
	if type(data) == "table" and type(data.source) == "string" then return jid_bare(data.source); end
	return nil;
end

local function record_use(kind, inviter, invitee, token)
	local ok, err = redis_store:record_use({
		kind = kind; inviter = inviter; invitee = invitee; invite = invite_id(token); at = os.time();
	});
	if not ok then module:log("warn", "Could not record the use of invite %s: %s", invite_id(token), err); end
end

-- A registration with an invite succeeded: tell the bot, remember who invited whom.
module:hook("user-registered", function (event)
	local validated = event.validated_invite or (event.session and event.session.validated_invite);
	if not validated then return; end
	local invitee = event.username.."@"..module.host;
	-- Prosody sets `inviter` for contact invites; account invites name their source.
	local inviter = validated.inviter and (validated.inviter.."@"..module.host) or source_of(validated.additional_data);
	record_use("registered", inviter, invitee, validated.token);
end, -10);

local function remove_preauth(stanza)
	stanza:maptags(function (tag)
		if tag.name == "preauth" and tag.attr.xmlns == "urn:xmpp:pars:0" then return nil; end
		return tag;
	end);
end

-- XEP-0379 §3: a subscription request carrying the inviter's token is approved
-- without asking. Unknown, expired or used tokens (and Redis trouble) fall back
-- to normal manual approval. Priority above mod_invites_register's (1).
module:hook("presence/bare", function (event)
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

	local invite, hash, tag = redis_store:get_record(token);
	if invite == nil then
		if hash then module:log("warn", "Cannot check a preauth token, asking %s as usual: %s", username, hash); end
		return;
	end
	if not (invite.type == "roster" and jid_split(invite.jid) == username) then return; end
	-- Every use counts, here as at registration: a counted invite stops at its cap on both paths.
	local left = redis_store:claim(hash, tag, invite);
	if left == nil or left < 0 then return; end -- used a moment ago by someone else, or Redis trouble

	module:log("info", "Pre-approving %s's subscription to %s with an invite", contact, username);
	record_use("subscribed", username.."@"..host, contact, token);
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
	-- mod_presence goes on: the contact is now subscribed, so it answers "subscribed".
end, 10);
