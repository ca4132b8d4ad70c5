-- Invite checks in mod_invites_redis (the preauth IQ, and registrations that use an invite): the words a refused
-- check gets, the plausibility of a token, and the rate limits, per client address and for everybody together,
-- so that nobody can make Prosody ask Redis without end (docs/prosody.md, "Redis never stalls Prosody").
-- Required once by mod_invites_redis: the preauth and the registration share its buckets.
local new_throttle = require "util.throttle".create;
local new_cache = require "util.cache".new;

local UNAVAILABLE = "Invites are unavailable at the moment (the invite store cannot be reached). Please try again in a few minutes.";
local INVALID = "The invite token is invalid or expired"; -- mod_invites_register's words
local TOO_MANY = "Too many invite checks from your address. Please wait a minute and try again.";
local TOO_MANY_IN_TOTAL = "Too many invite checks at the moment. Please wait a minute and try again.";

-- Prosody's tokens and the bot's are base64url; anything else is refused without asking Redis.
local function plausible_token(token)
	return type(token) == "string" and #token >= 8 and #token <= 128 and not token:find("[^%w%-_]");
end

---------- Rate limits for invite checks ----------

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

return {
	UNAVAILABLE = UNAVAILABLE;
	INVALID = INVALID;
	plausible_token = plausible_token;
	check_allowed = check_allowed;
};
