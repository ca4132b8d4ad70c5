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
--    A registration that fails after its use was claimed (Prosody could not
--    store the account, or a later hook refused it) gives the use back. So does
--    a claim whose answer did not come in time (or whose connection dropped):
--    each claim writes a marker with its use, and the use goes back with that
--    marker once Redis answers, exactly once if the claim took it.
--    Each use is recorded exactly once (a use event for the bot), even when the
--    client hangs up at once, Redis does not answer the record at first, or
--    Prosody stops right after the registration: the claim writes what settles
--    the use into Redis with it (invites_redis_unsettled.lib.lua).
-- 5. Nothing here can stall Prosody: Redis is reached over Prosody's event loop
--    (resp_client.lib.lua), a preauth costs one lookup and nothing else, and
--    invite checks from one address (and from everybody together) are rate limited.
--    The invite bot, which relays every registration made through its web pages
--    from its one address, proves it with a MAC in the preauth (relay proof) and
--    is held to the limit for everybody together only.
-- 6. An account registered with an invite to circles (its signed record's
--    additional_data.groups) joins them, and becomes every member's contact;
--    it gets a XEP-0402 bookmark of their group chats and of the invite's own
--    (additional_data.rooms), which its use event names too.
-- 7. Prosody 13: an account registered with the bot's invite naming a role
--    (its signed record's additional_data.roles) gets it as its primary role.
-- 8. An account registered with the bot's invite marked for approval (its signed
--    record's additional_data.approval) waits for an admin: disabled on Prosody 13,
--    refused resource binding on 0.12 (invites_redis_approval.lib.lua).
--
-- The parts, each in its own file beside this one: invites_redis_checks.lib.lua (refusals, rate limits),
-- invites_redis_registration.lib.lua (the registration hooks), invites_redis_subscription.lib.lua (XEP-0379),
-- invites_redis_settling.lib.lua (what becomes of a claimed use) with invites_redis_retry.lib.lua (work that waits
-- for Redis), invites_redis_circles.lib.lua (circles on join, with invites_redis_bookmarks.lib.lua for their group
-- chats), invites_redis_roles.lib.lua (roles on join), invites_redis_approval.lib.lua (approval), on the store of
-- invites_redis_uses.lib.lua. The preauth IQ is answered here.
local st = require "util.stanza";

local checks = module:require("invites_redis_checks");

-- The bot asks the server's disco#info whether it consumes invites itself (REGISTRATION=auto, docs/servers.md).
module:add_feature("urn:xmpp-invite-bot:registration-hook:0");
local redis_store = module:require("invites_redis_uses").open(module.host);
local invites = module:depends("invites");

-- The invite bot's child of <preauth/>: <relay xmlns=RELAY_NS proof='…'/> (src/registration/relay-proof.ts).
local RELAY_NS = "urn:xmpp-invite-bot:relay:0";

if module:get_option("storage") == nil or type(module:get_option("storage")) ~= "table"
	or module:get_option("storage").invite_token ~= "invites_redis" then
	module:log("warn", "storage = { invite_token = \"invites_redis\" } is not set: Prosody keeps invites elsewhere");
end

-- Takes the invite bot's relay element out of a preauth, so that no other module sees it; returns its proof.
local function take_relay_proof(preauth)
	local relay = preauth:get_child("relay", RELAY_NS);
	if not relay then return nil; end
	preauth:remove_children("relay", RELAY_NS);
	return relay.attr.proof or "";
end

-- Whether the invite bot relays this preauth: its proof is a MAC of the token with the invite signing key
-- (docs/prosody.md). A proof that does not verify changes nothing: the check counts for the address as usual.
local function relayed(token, proof)
	if proof == nil then return false; end
	if checks.plausible_token(token) and redis_store:relay_proof_valid(token, proof) then return true; end
	module:log("debug", "Ignoring a relay proof that does not verify (another signing key, host or token)");
	return false;
end

-- XEP-0401 §4: the preauth IQ, answered here instead of by mod_invites_register
-- (whose own handler cannot tell "no such invite" from "Redis is down"), with the
-- same outcome: the session remembers the validated invite for its registration.
module:hook("stanza/iq/urn:xmpp:pars:0:preauth", function (event)
	local origin, stanza = event.origin, event.stanza;
	local preauth = stanza.tags[1];
	local proof = take_relay_proof(preauth);
	if stanza.attr.type ~= "set" then return; end
	local token = preauth.attr.token;
	-- Decided anew by each preauth: a proof is good for its own token only. The registration's check follows it.
	origin.invite_checks_relayed = relayed(token, proof);
	local allowed, too_many = checks.check_allowed(origin);
	if not allowed then
		origin.send(st.error_reply(stanza, "wait", "policy-violation", too_many));
		return true;
	end
	if not checks.plausible_token(token) then
		origin.send(st.error_reply(stanza, "cancel", "forbidden", checks.INVALID));
		return true;
	end
	local record, hash, tag = redis_store:get_record(token);
	if record == nil and hash then -- nil, err: Redis trouble or an unusable store
		module:log("warn", "Refusing a preauth request: %s", hash);
		origin.send(st.error_reply(stanza, "wait", "internal-server-error", checks.UNAVAILABLE));
		return true;
	end
	local validated = record and redis_store:with_known_record(token, record, hash, tag, function ()
		return invites.get(token);
	end);
	if not validated then
		origin.send(st.error_reply(stanza, "cancel", "forbidden", checks.INVALID));
		return true;
	end
	origin.validated_invite = validated;
	origin.send(st.reply(stanza));
	return true;
end, 10);

---------- The registration and XEP-0379 paths, and the uses they claim ----------

local settling = module:require("invites_redis_settling").new(redis_store);
-- After a registration with an invite to circles: membership and mutual contacts (docs/circles.md).
local circles = module:require("invites_redis_circles").new(redis_store, settling.retry);
-- Prosody 13: the role the bot's invite names; the bot offers roles only where the host announces the feature.
local roles = module:require("invites_redis_roles").new(redis_store.trust_roles);
if roles.supported then module:add_feature(roles.FEATURE); end
-- Prosody 13: a user's role, for the bot's policy for users' invites (invites_bot_jid names who may ask).
module:require("invites_redis_user_roles").hook();
-- Accounts through a user's invite that wait for an admin (APPROVE_USER_INVITED): disabled (13) or kept from binding.
local approval = module:require("invites_redis_approval").new(redis_store);
module:require("invites_redis_registration").hook(redis_store, checks, settling, circles, roles, approval);
module:require("invites_redis_subscription").hook(redis_store, settling, circles);

-- Uses left unsettled by a run of Prosody that stopped in between: swept at start, then from time to time; a
-- registration among them gets its role and joins its circles then (its run may have stopped before that too).
if prosody.process_type == "prosody" then
	settling.start_sweeping(function (event, record)
		approval.swept(event);
		roles.swept(event, record);
		circles.swept(event, record);
	end);
end
