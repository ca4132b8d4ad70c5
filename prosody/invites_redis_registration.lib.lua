-- The registration path of mod_invites_redis (XEP-0401 §4, after the preauth): in `user-registering`, the username
-- binding (XEP-0445), the checks on a password reset link, then one atomic use of the invite, marked so that it can
-- go back; the use goes back when the registration's answer is an error (the give-back watch) and is recorded by
-- `user-registered`. Prosody fires no event when an account cannot be created after `user-registering`, and a
-- client may hang up at any moment, so what the outcome needs is taken when the claim succeeds.
-- hook(store, checks, settling, circles, roles, approval) adds the hooks: the store of the host
-- (invites_redis_uses.lib.lua), the invite checks (invites_redis_checks.lib.lua), the settling of claimed uses
-- (invites_redis_settling.lib.lua), the circles a new account joins (invites_redis_circles.lib.lua), the role it gets
-- (invites_redis_roles.lib.lua) and whether it waits for an admin (invites_redis_approval.lib.lua).
local jid_split = require "util.jid".split;
local jid_bare = require "util.jid".bare;
local async = require "util.async";
local filters = require "util.filters";
local usermanager = require "core.usermanager";
local max_uses_of = module:require("invites_redis_keys").max_uses_of;
local held = module:require("invites_redis_held");

-- Set by hook().
local redis_store, checks, settling, circles, roles, approval;

-- The username an invite is bound to (XEP-0445): the bot's additional_data.username,
-- or the local part of a Prosody account invite made for one user.
local function bound_username(invite)
	local data = invite.additional_data;
	if type(data) == "table" and type(data.username) == "string" then return data.username; end
	if invite.type == "register" and type(invite.jid) == "string" then return (jid_split(invite.jid)); end
	return nil;
end

-- Whether a claim of this invite takes a use (not for a reusable invite without max_uses): only such claims are
-- marked, and given back.
local function takes_a_use(invite)
	return max_uses_of(invite) >= 0;
end

---------- Registrations between their claim and `user-registered` ----------

-- mod_register_ibr answers the registration before it fires `user-registered`, and mod_invites_register's handler
-- of that event (priority 0, before ours) waits for Redis as it removes the invite. A client that hangs up on the
-- answer has its session destroyed meanwhile, and Prosody empties a destroyed session of every field
-- (validated_invite too). So what the use event needs is taken when the claim succeeds, keyed by the session table
-- itself (the event's `session` is the same table, emptied or not), with weak keys: an entry goes with its session,
-- so there are never more entries than sessions. The username tells apart two registrations on one stream.
local registering = setmetatable({}, { __mode = "k" });
-- username → claim, for registrations without a session (until `user-registered`, or the check a second later).
local without_session = {};

-- Whoever asked for an account invite (the bot and Prosody's ad-hoc record it).
local function source_of(data)
	if type(data) == "table" and type(data.source) == "string" then return jid_bare(data.source); end
	return nil;
end

-- The inviter of a validated invite: Prosody sets `inviter` for contact invites; account invites name their source.
local function inviter_of(validated)
	return validated.inviter and (validated.inviter.."@"..module.host) or source_of(validated.additional_data);
end

local function forget(session, username)
	local entry = session and registering[session];
	if entry and entry.username == username then registering[session] = nil; end
	if not session then without_session[username] = nil; end
end

-- The claim stands if the account exists now, else its use goes back. For a session destroyed while the claim was
-- on its way: nobody hears the answer to the registration, and a destroyed session sends without filters.
-- mod_register_ibr's handler, which waits for this hook, makes the account (or fails to) without waiting for
-- anything else, so a second later the outcome is known.
local function settle_later(session, claimed)
	module:add_timer(settling.RETRY_EVERY, function ()
		if usermanager.user_exists(claimed.username, claimed.host) then
			-- `user-registered` settles it too (or has): the entry makes it one record.
			if not session then without_session[claimed.username] = nil; end
			if claimed.unsettled then async.runner(settling.settle):run(claimed); else settling.keep_later(claimed); end
		else
			forget(session, claimed.username);
			async.runner(settling.give_back):run(claimed);
		end
	end);
end

-- After a claim for `session`'s registration (the IQ `id`, taken before the claim): when its answer is an error, the
-- use goes back before the client hears of it (also when the name was taken meanwhile by a registration that
-- claimed nothing: mod_register_ibr checks for a conflict after `user-registering`). When it is a result, the use
-- stands: `user-registered` settles it (a password reset's just stays taken).
local function give_back_unless_done(session, id, claimed)
	if session.destroyed then return settle_later(session, claimed); end
	if id == nil then return; end
	local function watch(stanza)
		if stanza.name ~= "iq" or stanza.attr.id ~= id
			or (stanza.attr.type ~= "result" and stanza.attr.type ~= "error") then
			return stanza;
		end
		filters.remove_filter(session, "stanzas/out", watch);
		if stanza.attr.type == "error" then
			forget(session, claimed.username);
			-- In the session's runner (as mod_register_ibr's handler is) the answer waits for Redis; elsewhere the
			-- use goes back in a runner of its own.
			if async.ready() then settling.give_back(claimed); else async.runner(settling.give_back):run(claimed); end
		elseif not claimed.unsettled then
			settling.keep_later(claimed); -- the password was reset: the use stands
		end
		return stanza;
	end
	filters.add_filter(session, "stanzas/out", watch);
end

local function refuse(event, error_type, condition, reason)
	event.allowed = false;
	event.error_type, event.error_condition, event.reason = error_type, condition, reason;
end

-- Prosody 0.12 and 13 fire no event when the account cannot be created after "user-registering" (mod_register_ibr
-- answers the registration IQ with an error, e.g. "Error saving to storage" for a name too long for a file name).
-- So the module remembers which IQ a session registers with, and watches the answer to it.
local function on_register_iq(event)
	if event.stanza.attr.type == "set" then event.origin.invites_redis_register_id = event.stanza.attr.id; end
end

-- Runs after mod_invites_register (priority 0) has accepted the invite, and
-- before the account is created: binding, then one atomic use.
local function on_registering(event)
	if event.allowed == false then return; end
	-- Everything read from the session is read now: it may be destroyed while this hook waits for Redis.
	local session = event.session;
	local validated = event.validated_invite or (session and session.validated_invite);
	if not validated then return; end
	local register_id = session and session.invites_redis_register_id;
	if session then
		local allowed, too_many = checks.check_allowed(session);
		if not allowed then return refuse(event, "wait", "policy-violation", too_many); end
	end
	local invite, hash, tag, raw = redis_store:get_record(validated.token);
	if invite == nil then
		if hash then -- get_record returned nil, err: Redis trouble or an unusable store
			module:log("warn", "Refusing a registration: %s", hash);
			return refuse(event, "wait", "internal-server-error", checks.UNAVAILABLE);
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
	-- A free name held by another pending invite bound to it (invites_redis_held.lib.lua) is refused as a taken one
	-- is (XEP-0077 §3.1 <conflict/>, as mod_register_ibr does), so apps offer to pick another; the invite is untouched.
	if not bound then
		local is_held, herr = held.held_for_another(redis_store, event.username, hash);
		if is_held == nil then
			module:log("warn", "Refusing a registration: %s", herr);
			return refuse(event, "wait", "internal-server-error", checks.UNAVAILABLE);
		elseif is_held then
			return refuse(event, "cancel", "conflict", held.held_text(event.username));
		end
	end

	-- With the record as read now (raw), the use can go back: the claim is marked (claim_id) when it takes one. A
	-- registration's claim also writes its entry (invites_redis_unsettled.lib.lua), with the use event it settles to.
	local claimed = raw and {
		hash = hash; raw = raw; record = invite; username = event.username;
		host = event.host or module.host; resetting = resetting;
		claim_id = (takes_a_use(invite) or not resetting) and redis_store:new_claim_id() or nil;
	};
	if claimed and not resetting then
		claimed.unsettled = true;
		claimed.event = redis_store:event_fields({
			kind = "registered"; inviter = inviter_of(validated); invitee = event.username.."@"..module.host;
			invite = settling.invite_id(validated.token); at = os.time(); rooms = circles.rooms_of(invite);
			held = approval.hold_way(invite);
		});
	end
	-- A claim that got no answer may have taken the use all the same: settling.claim gives it back then.
	local left, cerr = settling.claim(hash, tag, invite, claimed);
	if left == nil then
		module:log("warn", "Refusing a registration: %s", cerr);
		refuse(event, "wait", "internal-server-error", checks.UNAVAILABLE);
	elseif left == -2 then
		refuse(event, "cancel", "forbidden", "This invite has been used as many times as it allows");
	elseif left < 0 then
		module:log("info", "Refusing a registration with an invite that was just used by someone else");
		refuse(event, "cancel", "forbidden", "This invite has already been used");
	elseif claimed and session then
		if not resetting then registering[session] = { username = event.username; claimed = claimed }; end
		give_back_unless_done(session, register_id, claimed);
	elseif claimed and not resetting then
		-- A registration without a session (a web registration module): `user-registered` settles it, or the account
		-- is looked for in a second.
		without_session[event.username] = claimed;
		settle_later(nil, claimed);
	elseif claimed then
		settling.keep_later(claimed); -- nothing watches the outcome: the use stands
	end
end

-- A registration with an invite succeeded: the new account gets the role and joins the circles the invite names (its
-- record as the claim read it, verified: what Prosody itself sees has no `roles` or `groups`), then the bot is told
-- and who invited whom remembered. What it needs was taken when the use was claimed (`registering`): the session
-- may be gone by now.
local function on_registered(event)
	local session = event.session;
	local entry = session and registering[session];
	local claimed = entry and entry.username == event.username and entry.claimed;
	if claimed then
		registering[session] = nil;
	else
		claimed = without_session[event.username];
		without_session[event.username] = nil;
	end
	if claimed then
		approval.hold(claimed); -- first: a held account never gets a moment with its new role or contacts
		roles.apply(claimed.username, claimed.record);
		return circles.join(claimed.username, claimed.record, function () settling.settle(claimed, approval.recorded); end);
	end
	-- A registration this module did not claim (e.g. its record was not read anew: no entry to settle).
	local validated = event.validated_invite or (session and session.validated_invite);
	if not validated then return; end
	settling.record_use("registered", inviter_of(validated), event.username.."@"..module.host, validated.token);
end

local function hook(store, invite_checks, claimed_uses, circle_joins, join_roles, approvals)
	redis_store, checks, settling, circles, roles = store, invite_checks, claimed_uses, circle_joins, join_roles;
	approval = approvals;
	module:hook("stanza/iq/jabber:iq:register:query", on_register_iq, 10);
	module:hook("user-registering", on_registering, -10);
	module:hook("user-registered", on_registered, -10);
end

return {
	hook = hook;
};
