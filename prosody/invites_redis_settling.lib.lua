-- What becomes of a use mod_invites_redis claimed (registration or XEP-0379): kept, given back, or recorded as a use
-- event for the bot, now or as soon as Redis answers (invites_redis_retry.lib.lua), and the sweep that settles what
-- a run of Prosody that stopped in between left unsettled (invites_redis_unsettled.lib.lua; docs/storage.md,
-- "Unsettled uses"). Each use is recorded exactly once, and never both recorded and given back.
-- new(store) gives the functions of one store (invites_redis_uses.lib.lua); `live` in it: claim id → true for the
-- claims this process settles itself (the sweep leaves their entries alone), kept by claim() and release().
local async = require "util.async";
local jid_split = require "util.jid".split;
local rostermanager = require "core.rostermanager";
local usermanager = require "core.usermanager";
local store_lib = module:require("invites_redis_store");
local unsettled = module:require("invites_redis_unsettled");
local retry = module:require("invites_redis_retry");

local RECORD_FOR, wait_for_redis = retry.RECORD_FOR, retry.wait_for_redis;
-- Seconds after which an entry of invite:{HOST}:unsettled that no process settled (it stopped in between) is settled
-- by the sweep, which also runs this often (docs/storage.md, "Unsettled uses").
local SETTLE_AFTER = module:get_option_number("invites_redis_settle_after", 60);

local function short_id(claimed) return claimed.hash:sub(1, 8); end

-- The short invite id the bot shows: the first eight characters of the token's
-- hash (docs/storage.md, "Names"). Events never carry the token itself.
local function invite_id(token)
	return store_lib.token_hash(token):sub(1, 8);
end

-- Whether the use of an entry happened: the account exists, or the contact is subscribed to the inviter.
local function use_happened(event)
	if event.kind == "subscribed" then
		local user, host = jid_split(event.inviter);
		return host == module.host and rostermanager.is_contact_subscribed(user, host, event.invitee) or false;
	end
	local user, host = jid_split(event.invitee);
	return host == module.host and usermanager.user_exists(user, host) or false;
end

local function new(redis_store)
	local live = {};

	-- This process no longer settles the claim itself: the sweep may settle its entry, if one is left.
	local function release(claimed)
		if claimed.claim_id then live[claimed.claim_id] = nil; end
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
			release(claimed);
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
			release(claimed);
			module:log("warn", "Gave up giving back the use of invite %s: the invite has expired", short_id(claimed));
		end
		if not wait_for_redis(job, string.format("The use of invite %s goes back as soon as Redis answers (%s)",
			short_id(claimed), why)) then
			module:log("error", "Cannot give back the use of invite %s later (%s): %d jobs are waiting for Redis already",
				short_id(claimed), why, retry.waiting());
			release(claimed);
			return;
		end
		claimed.waiting = true;
	end

	--- One use of the invite of `hash` (redis_store:claim), for `claimed` when the use can go back (nil otherwise):
	-- marked with its claim id, and with its entry when it has an event to settle to (claimed.unsettled), which this
	-- process then settles itself (`live`). A claim that got no answer may have taken the use all the same: it goes
	-- back as soon as Redis answers. Returns the uses left (or -1, -2, -3), or nil, err.
	local function claim(hash, tag, record, claimed)
		local claim_id = claimed and claimed.claim_id;
		local entry = claim_id and claimed.unsettled and unsettled.entry_of(claimed) or nil;
		if entry then live[claim_id] = true; end
		local left, err, unanswered = redis_store:claim(hash, tag, record, claim_id, entry);
		if left == nil and unanswered and claim_id then
			give_back_later(claimed, "its claim got no answer: "..tostring(err));
		elseif claim_id and (left == nil or left < 0) then
			release(claimed);
		end
		return left, err;
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

	-- The use of a claim with an entry stands: its event is recorded and its entry goes (settle.lua), now or as soon
	-- as Redis answers; a try whose answer was lost, a retry, and the sweep record it once in all. `on_recorded`, when
	-- given, is called once Redis says it is recorded (now or before).
	local function settle(claimed, on_recorded)
		local event = claimed.event;
		local function done() release(claimed); end
		local ok, err, again = unsettled.settle(redis_store, claimed.claim_id, event);
		if ok ~= nil and on_recorded then on_recorded(claimed); end
		if ok ~= nil then return done(); end
		if not again then
			module:log("warn", "Could not record the use of invite %s: %s (the sweep tries again)", event.invite, err);
			return done();
		end
		local job = { until_time = os.time() + RECORD_FOR };
		function job.try()
			local recorded, again_err, still = unsettled.settle(redis_store, claimed.claim_id, event);
			if recorded == nil and still then return false; end
			if recorded ~= nil and on_recorded then on_recorded(claimed); end
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
			module:log("error", "Redis did not answer the record of invite %s's use by %s for %d s; the sweep records "
				.."it when it answers", event.invite, event.invitee, RECORD_FOR);
		end
		if not wait_for_redis(job, string.format("The use of invite %s is recorded as soon as Redis answers (%s)",
			event.invite, tostring(err))) then
			done();
			module:log("warn", "Could not record the use of invite %s now: %s; %d jobs are waiting for Redis already "
				.."(the sweep records it)", event.invite, err, retry.waiting());
		end
	end

	-- A claimed use goes back after a failed registration, now or (for a marked claim) as soon as Redis answers.
	local function give_back(claimed)
		local given, err = redis_store:give_back(claimed.hash, claimed.raw, claimed.record, claimed.claim_id,
			claimed.unsettled);
		if given ~= nil then release(claimed); end
		if given == nil then
			if claimed.claim_id then
				give_back_later(claimed, "the registration of "..claimed.username.." failed; the give-back got no "
					.."answer: "..tostring(err));
			else
				module:log("error", "Could not give back the use of invite %s after a failed registration: %s",
					short_id(claimed), err);
			end
		elseif given then
			module:log("info", "Gave back the use of invite %s: the registration of %s failed", short_id(claimed),
				claimed.username);
		end
	end

	-- Writes the use event now, or as soon as Redis answers: the use is taken already, so the inviter must hear of
	-- it. The event's own marker (docs/storage.md, "Use events") keeps a retry whose first try ran from writing it
	-- twice.
	local function record_use(kind, inviter, invitee, token)
		local event = { kind = kind; inviter = inviter; invitee = invitee; invite = invite_id(token); at = os.time() };
		local marker_id = redis_store:new_claim_id();
		local ok, err, again = redis_store:record_use(event, marker_id);
		if ok then return; end
		if not again then
			module:log("warn", "Could not record the use of invite %s: %s", event.invite, err);
			return;
		end
		local job = { until_time = event.at + RECORD_FOR };
		function job.try()
			local done, again_err, still = redis_store:record_use(event, marker_id);
			if done then
				module:log("info", "Recorded the use of invite %s by %s", event.invite, invitee);
			elseif still then
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
				event.invite, err, retry.waiting());
		end
	end

	-- At start, then every SETTLE_AFTER seconds: an entry older than that whose claim this process does not hold was
	-- left by a process that stopped (or by one that gave up waiting for Redis). `happened(event, record)` is told of
	-- each use the sweep finds done.
	local function start_sweeping(happened)
		local sweeper = async.runner(function ()
			local swept, err = unsettled.sweep(redis_store, SETTLE_AFTER, function (claim_id) return live[claim_id]; end,
				use_happened, happened);
			if swept == nil then module:log("debug", "Unsettled uses not swept this time: %s", err); end
		end, {
			error = function (_, err) module:log("error", "Sweeping unsettled uses failed: %s", err); end;
		});
		module:add_timer(math.min(SETTLE_AFTER, retry.RETRY_EVERY), function ()
			sweeper:run(true);
			return SETTLE_AFTER;
		end);
	end

	return {
		-- The queue of work that waits for Redis (one per module: invites_redis_circles.lib.lua uses it too).
		retry = retry;
		claim = claim;
		keep_later = keep_later;
		settle = settle;
		give_back = give_back;
		record_use = record_use;
		start_sweeping = start_sweeping;
		invite_id = invite_id;
		-- Seconds between tries of the work that waits for Redis.
		RETRY_EVERY = retry.RETRY_EVERY;
	};
end

return {
	new = new;
};
