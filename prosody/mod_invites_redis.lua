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
local jid_split = require "util.jid".split;
local jid_bare = require "util.jid".bare;
local async = require "util.async";
local filters = require "util.filters";
local rostermanager = require "core.rostermanager";
local usermanager = require "core.usermanager";
local st = require "util.stanza";
local new_throttle = require "util.throttle".create;
local new_cache = require "util.cache".new;

local store_lib = module:require("invites_redis_store");
local unsettled = module:require("invites_redis_unsettled");

-- The bot asks the server's disco#info whether it consumes invites itself (REGISTRATION=auto, docs/servers.md).
module:add_feature("urn:xmpp-invite-bot:registration-hook:0");
local redis_store = store_lib.open(module.host);
local invites = module:depends("invites");

local UNAVAILABLE = "Invites are unavailable at the moment (the invite store cannot be reached). Please try again in a few minutes.";
local INVALID = "The invite token is invalid or expired"; -- mod_invites_register's words
local TOO_MANY = "Too many invite checks from your address. Please wait a minute and try again.";
local TOO_MANY_IN_TOTAL = "Too many invite checks at the moment. Please wait a minute and try again.";
-- The invite bot's child of <preauth/>: <relay xmlns=RELAY_NS proof='…'/> (src/registration/relay-proof.ts).
local RELAY_NS = "urn:xmpp-invite-bot:relay:0";

if module:get_option("storage") == nil or type(module:get_option("storage")) ~= "table"
	or module:get_option("storage").invite_token ~= "invites_redis" then
	module:log("warn", "storage = { invite_token = \"invites_redis\" } is not set: Prosody keeps invites elsewhere");
end

---------- Rate limits for invite checks (preauth, and registrations that use an invite) ----------

local per_address = module:get_option_number("invites_redis_checks_per_minute", 10);
local in_total = module:get_option_number("invites_redis_checks_per_second", 50);
-- Addresses without a per-address limit (optional): the invite bot proves its relaying instead (relay proof),
-- so this is for other trusted relays. The limit for all clients together still applies to them.
local exempt = module:get_option_set("invites_redis_checks_exempt", {});
-- One bucket per client address, the least recently used forgotten first (a forgotten address starts full).
local addresses = new_cache(10000);
local total_bucket = new_throttle(in_total, 1);

-- util.throttle refills lazily, from the time of its last refill: bring it up to date first,
-- or a bucket that has been full for a while lets through twice its size at once.
local function take(bucket)
	bucket:update();
	return bucket:poll(1);
end

--- true when this session may check an invite now; nil, the words to refuse with otherwise.
local function check_allowed(session)
	local address = session.ip or "unknown";
	-- The invite bot relaying its visitors' invites (it limits each visitor itself, docs/web.md), by proof or address.
	if session.invite_checks_relayed or exempt:contains(address) then
		if take(total_bucket) then return true; end
		return nil, TOO_MANY_IN_TOTAL;
	end
	local entry = addresses:get(address);
	if not entry then
		entry = { bucket = new_throttle(per_address, 60); limited = false };
		addresses:set(address, entry);
	end
	-- The address first: one client over its own limit does not use up everybody's.
	if not take(entry.bucket) then
		if not entry.limited then -- logged once each time it goes over
			entry.limited = true;
			module:log("info", "Refusing invite checks from %s for a while: more than %d a minute", address, per_address);
		end
		return nil, TOO_MANY;
	end
	entry.limited = false;
	if not take(total_bucket) then
		module:log("debug", "Refusing an invite check from %s: more than %d a second from all clients", address, in_total);
		return nil, TOO_MANY_IN_TOTAL;
	end
	return true;
end

-- Prosody's tokens and the bot's are base64url; anything else is refused without asking Redis.
local function plausible_token(token)
	return type(token) == "string" and #token >= 8 and #token <= 128 and not token:find("[^%w%-_]");
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
	if plausible_token(token) and redis_store:relay_proof_valid(token, proof) then return true; end
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
	local allowed, too_many = check_allowed(origin);
	if not allowed then
		origin.send(st.error_reply(stanza, "wait", "policy-violation", too_many));
		return true;
	end
	if not plausible_token(token) then
		origin.send(st.error_reply(stanza, "cancel", "forbidden", INVALID));
		return true;
	end
	local record, hash, tag = redis_store:get_record(token);
	if record == nil and hash then -- nil, err: Redis trouble or an unusable store
		module:log("warn", "Refusing a preauth request: %s", hash);
		origin.send(st.error_reply(stanza, "wait", "internal-server-error", UNAVAILABLE));
		return true;
	end
	local validated = record and redis_store:with_known_record(token, record, hash, tag, function ()
		return invites.get(token);
	end);
	if not validated then
		origin.send(st.error_reply(stanza, "cancel", "forbidden", INVALID));
		return true;
	end
	origin.validated_invite = validated;
	origin.send(st.reply(stanza));
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

-- Prosody 0.12 and 13 fire no event when the account cannot be created after "user-registering" (mod_register_ibr
-- answers the registration IQ with an error, e.g. "Error saving to storage" for a name too long for a file name).
-- So the module remembers which IQ a session registers with, and watches the answer to it.
module:hook("stanza/iq/jabber:iq:register:query", function (event)
	if event.stanza.attr.type == "set" then event.origin.invites_redis_register_id = event.stanza.attr.id; end
end, 10);

-- Whether a claim of this invite takes a use (not for a reusable invite without max_uses): only such claims are
-- marked, and given back.
local function takes_a_use(invite)
	return store_lib.max_uses_of(invite) >= 0;
end

local function short_id(claimed) return claimed.hash:sub(1, 8); end

---------- Work that waits for Redis to answer ----------

-- A claim whose answer did not come (invites_redis_timeout passed, or the connection dropped) may have taken its
-- use in Redis all the same, and a give-back that got no answer may not have run. Either is given back with the
-- claim's marker (docs/storage.md, "Counted uses"), tried again every second until Redis answers it: a claim that
-- took a use gets it back once; one that took none, or that reaches Redis only after its give-back, gets nothing.
-- A use event Redis did not take waits here too, tried again the same way (docs/storage.md, "Use events"): its
-- marker makes every try after the first that ran write nothing. Give-backs wait until the invite expires (nothing
-- can go back after that), use events for RECORD_FOR seconds; at most MAX_PENDING jobs in all, in memory: a restart
-- of Prosody forgets them.
local RETRY_EVERY = 1;
local RECORD_FOR = 3600;
-- Seconds after which an entry of invite:{HOST}:unsettled that no process settled (it stopped in between) is settled
-- by the sweep, which also runs this often (docs/storage.md, "Unsettled uses").
local SETTLE_AFTER = module:get_option_number("invites_redis_settle_after", 60);
-- claim id → true: claims this process settles itself (the sweep leaves their entries alone).
local live = {};
local MAX_PENDING = 10000;
-- job → true. A job: { until_time = unix seconds; try = function () → true once done; expired = function () }.
local pending = {};
local pending_count = 0;
local armed = false; -- a round is scheduled or running

local function settled(job)
	pending[job], pending_count = nil, pending_count - 1;
end

local function retry_round()
	local round = {};
	for job in pairs(pending) do round[#round+1] = job; end
	for _, job in ipairs(round) do
		if job.until_time <= os.time() then
			settled(job);
			job.expired();
		elseif job.try() then -- else: still no answer, or failing fast; the next round tries again
			settled(job);
		end
	end
end

local retry_runner;
local function arm()
	if armed or pending_count == 0 then return; end
	armed = true;
	module:add_timer(RETRY_EVERY, function () retry_runner:run(true); end);
end
retry_runner = async.runner(function ()
	retry_round();
	armed = false;
	arm();
end, {
	error = function (_, err)
		module:log("error", "Retrying Redis work failed: %s", err);
		armed = false;
		arm();
	end;
});

--- Queues `job` for the retry rounds; false when MAX_PENDING jobs wait already. `first` is logged at warn when
-- nothing waited before (once for the jobs of one outage, not for each).
local function wait_for_redis(job, first)
	if pending_count >= MAX_PENDING then return false; end
	if pending_count == 0 then module:log("warn", "%s", first); end
	pending[job], pending_count = true, pending_count + 1;
	arm();
	return true;
end

--- Gives the use of a marked claim back as soon as Redis answers; `why` is for the log.
local function give_back_later(claimed, why)
	if claimed.waiting then return; end
	local job = { until_time = claimed.record.expires };
	function job.try()
		local given = redis_store:give_back(claimed.hash, claimed.raw, claimed.record, claimed.claim_id,
			claimed.unsettled);
		if given == nil then return false; end
		claimed.waiting = nil;
		if claimed.claim_id then live[claimed.claim_id] = nil; end
		if given then
			module:log("info", "Gave back the use of invite %s: %s", short_id(claimed), why);
		else
			module:log("info", "Nothing to give back for invite %s: its claim had taken no use (or it went "
				.."back already)", short_id(claimed));
		end
		return true;
	end
	function job.expired()
		claimed.waiting = nil;
		module:log("warn", "Gave up giving back the use of invite %s: the invite has expired", short_id(claimed));
	end
	if not wait_for_redis(job, string.format("The use of invite %s goes back as soon as Redis answers (%s)",
		short_id(claimed), why)) then
		module:log("error", "Cannot give back the use of invite %s later (%s): %d jobs are waiting for Redis already",
			short_id(claimed), why, pending_count);
		return;
	end
	claimed.waiting = true;
end

-- The use of a marked claim stands: its marker goes (it would expire with the invite otherwise). Not waited for.
local function keep(claimed)
	local ok, err = redis_store:keep(claimed.claim_id);
	if not ok then
		module:log("debug", "Could not delete the claim marker of invite %s (it expires with the invite): %s",
			short_id(claimed), err);
	end
end

local function keep_later(claimed)
	if claimed.claim_id then async.runner(keep):run(claimed); end
end

-- The use of a claim with an entry stands: its event is recorded and its entry goes (settle.lua), now or as soon as
-- Redis answers; a try whose answer was lost, a retry, and the sweep record it once in all.
local function settle(claimed)
	local event = claimed.event;
	local function done() live[claimed.claim_id] = nil; end
	local ok, err, retry = unsettled.settle(redis_store, claimed.claim_id, event);
	if ok ~= nil then return done(); end
	if not retry then
		module:log("warn", "Could not record the use of invite %s: %s (the sweep tries again)", event.invite, err);
		return done();
	end
	local job = { until_time = os.time() + RECORD_FOR };
	function job.try()
		local recorded, again_err, again = unsettled.settle(redis_store, claimed.claim_id, event);
		if recorded == nil and again then return false; end
		done();
		if recorded then
			module:log("info", "Recorded the use of invite %s by %s", event.invite, event.invitee);
		elseif recorded == nil then
			module:log("warn", "Could not record the use of invite %s: %s (the sweep tries again)", event.invite,
				again_err);
		end
		return true;
	end
	function job.expired()
		done();
		module:log("error", "Redis did not answer the record of invite %s's use by %s for %d s; the sweep records it "
			.."when it answers", event.invite, event.invitee, RECORD_FOR);
	end
	if not wait_for_redis(job, string.format("The use of invite %s is recorded as soon as Redis answers (%s)",
		event.invite, tostring(err))) then
		done();
		module:log("warn", "Could not record the use of invite %s now: %s; %d jobs are waiting for Redis already (the "
			.."sweep records it)", event.invite, err, pending_count);
	end
end

local function give_back(claimed)
	local given, err = redis_store:give_back(claimed.hash, claimed.raw, claimed.record, claimed.claim_id,
		claimed.unsettled);
	if given ~= nil and claimed.claim_id then live[claimed.claim_id] = nil; end
	if given == nil then
		if claimed.claim_id then
			give_back_later(claimed, "the registration of "..claimed.username.." failed; the give-back got no answer: "
				..tostring(err));
		else
			module:log("error", "Could not give back the use of invite %s after a failed registration: %s",
				short_id(claimed), err);
		end
	elseif given then
		module:log("info", "Gave back the use of invite %s: the registration of %s failed", short_id(claimed),
			claimed.username);
	end
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
	module:add_timer(RETRY_EVERY, function ()
		if usermanager.user_exists(claimed.username, claimed.host) then
			-- `user-registered` settles it too (or has): the entry makes it one record.
			if not session then without_session[claimed.username] = nil; end
			if claimed.unsettled then async.runner(settle):run(claimed); else keep_later(claimed); end
		else
			forget(session, claimed.username);
			async.runner(give_back):run(claimed);
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
			if async.ready() then give_back(claimed); else async.runner(give_back):run(claimed); end
		elseif not claimed.unsettled then
			keep_later(claimed); -- the password was reset: the use stands
		end
		return stanza;
	end
	filters.add_filter(session, "stanzas/out", watch);
end

-- The short invite id the bot shows: the first eight characters of the token's
-- hash (docs/storage.md, "Names"). Events never carry the token itself.
local function invite_id(token)
	return store_lib.token_hash(token):sub(1, 8);
end

local function refuse(event, error_type, condition, reason)
	event.allowed = false;
	event.error_type, event.error_condition, event.reason = error_type, condition, reason;
end

-- Runs after mod_invites_register (priority 0) has accepted the invite, and
-- before the account is created: binding, then one atomic use.
module:hook("user-registering", function (event)
	if event.allowed == false then return; end
	-- Everything read from the session is read now: it may be destroyed while this hook waits for Redis.
	local session = event.session;
	local validated = event.validated_invite or (session and session.validated_invite);
	if not validated then return; end
	local register_id = session and session.invites_redis_register_id;
	if session then
		local allowed, too_many = check_allowed(session);
		if not allowed then return refuse(event, "wait", "policy-violation", too_many); end
	end
	local invite, hash, tag, raw = redis_store:get_record(validated.token);
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

	-- With the record as read now (raw), the use can go back: the claim is marked (claim_id) when it takes one. A
	-- registration's claim also writes its entry (invites_redis_unsettled.lib.lua), with the use event it settles to.
	local claimed = raw and {
		hash = hash; raw = raw; record = invite; username = event.username;
		host = event.host or module.host; resetting = resetting;
		claim_id = (takes_a_use(invite) or not resetting) and redis_store:new_claim_id() or nil;
	};
	local entry;
	if claimed and not resetting then
		claimed.unsettled = true;
		claimed.event = redis_store:event_fields({
			kind = "registered"; inviter = inviter_of(validated); invitee = event.username.."@"..module.host;
			invite = invite_id(validated.token); at = os.time();
		});
		entry = unsettled.entry_of(redis_store, claimed, claimed.event);
		live[claimed.claim_id] = true;
	end
	local left, cerr, unanswered = redis_store:claim(hash, tag, invite, claimed and claimed.claim_id, entry);
	if left ~= nil and left < 0 and claimed and claimed.claim_id then live[claimed.claim_id] = nil; end
	if left == nil then
		module:log("warn", "Refusing a registration: %s", cerr);
		-- The script may have run, and taken the use, all the same.
		if unanswered and claimed and claimed.claim_id then
			give_back_later(claimed, "its claim got no answer: "..tostring(cerr));
		end
		refuse(event, "wait", "internal-server-error", UNAVAILABLE);
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
		keep_later(claimed); -- nothing watches the outcome: the use stands
	end
end, -10);

-- Writes the use event now, or as soon as Redis answers: the use is taken already, so the inviter must hear of it.
-- The event's own marker (docs/storage.md, "Use events") keeps a retry whose first try ran from writing it twice.
local function record_use(kind, inviter, invitee, token)
	local event = { kind = kind; inviter = inviter; invitee = invitee; invite = invite_id(token); at = os.time() };
	local marker_id = redis_store:new_claim_id();
	local ok, err, retry = redis_store:record_use(event, marker_id);
	if ok then return; end
	if not retry then
		module:log("warn", "Could not record the use of invite %s: %s", event.invite, err);
		return;
	end
	local job = { until_time = event.at + RECORD_FOR };
	function job.try()
		local done, again_err, again = redis_store:record_use(event, marker_id);
		if done then
			module:log("info", "Recorded the use of invite %s by %s", event.invite, invitee);
		elseif again then
			return false;
		else
			module:log("warn", "Could not record the use of invite %s: %s", event.invite, again_err);
		end
		return true;
	end
	function job.expired()
		module:log("error", "Gave up recording the use of invite %s by %s: Redis did not answer for %d s",
			event.invite, invitee, RECORD_FOR);
	end
	if not wait_for_redis(job, string.format("The use of invite %s is recorded as soon as Redis answers (%s)",
		event.invite, tostring(err))) then
		module:log("error", "Could not record the use of invite %s: %s; %d jobs are waiting for Redis already",
			event.invite, err, pending_count);
	end
end

-- A registration with an invite succeeded: tell the bot, remember who invited whom. What it needs was taken when
-- the use was claimed (`registering`): the session may be gone by now.
module:hook("user-registered", function (event)
	local session = event.session;
	local entry = session and registering[session];
	if entry and entry.username == event.username then
		registering[session] = nil;
		return settle(entry.claimed);
	end
	local claimed = without_session[event.username];
	if claimed then
		without_session[event.username] = nil;
		return settle(claimed);
	end
	-- A registration this module did not claim (e.g. its record was not read anew: no entry to settle).
	local validated = event.validated_invite or (session and session.validated_invite);
	if not validated then return; end
	record_use("registered", inviter_of(validated), event.username.."@"..module.host, validated.token);
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
			kind = "subscribed"; inviter = username.."@"..host; invitee = contact; invite = invite_id(token);
			at = os.time();
		});
	} or nil;
	if claimed then live[claimed.claim_id] = true; end
	local left, cerr, unanswered = redis_store:claim(hash, tag, invite, claimed and claimed.claim_id,
		claimed and unsettled.entry_of(redis_store, claimed, claimed.event));
	if left == nil and unanswered and claimed then
		give_back_later(claimed, "its claim got no answer: "..tostring(cerr));
	elseif claimed and (left == nil or left < 0) then
		live[claimed.claim_id] = nil;
	end
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
	if claimed then settle(claimed); else record_use("subscribed", username.."@"..host, contact, token); end
	-- mod_presence goes on: the contact is now subscribed, so it answers "subscribed".
end, 10);

---------- Uses left unsettled by a run of Prosody that stopped in between ----------

-- Whether the use of an entry happened: the account exists, or the contact is subscribed to the inviter.
local function use_happened(event)
	if event.kind == "subscribed" then
		local user, host = jid_split(event.inviter);
		return host == module.host and rostermanager.is_contact_subscribed(user, host, event.invitee) or false;
	end
	local user, host = jid_split(event.invitee);
	return host == module.host and usermanager.user_exists(user, host) or false;
end

local sweeper = async.runner(function ()
	local settled, err = unsettled.sweep(redis_store, SETTLE_AFTER, function (claim_id) return live[claim_id]; end,
		use_happened);
	if settled == nil then module:log("debug", "Unsettled uses not swept this time: %s", err); end
end, {
	error = function (_, err) module:log("error", "Sweeping unsettled uses failed: %s", err); end;
});

-- At start, then every SETTLE_AFTER seconds: an entry older than that whose claim this process does not hold was
-- left by a process that stopped (or by one that gave up waiting for Redis).
if prosody.process_type == "prosody" then
	module:add_timer(math.min(SETTLE_AFTER, RETRY_EVERY), function ()
		sweeper:run(true);
		return SETTLE_AFTER;
	end);
end

