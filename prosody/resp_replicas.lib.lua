-- How many replicas must confirm a claim behind Redis Sentinel before the registration goes ahead (docs/redis.md,
-- "Failover without losing invites", "Prosody's claims"; docs/prosody.md, invites_redis_confirm_replicas).
--
-- Redis replicates asynchronously: a claim the master took and had not copied is gone when a replica is promoted,
-- and the single-use invite it took works again. So the module sends WAIT after a claim, on the same connection
-- (Redis documentation, WAIT), for every replica the Sentinels see up (SENTINEL REPLICAS, Sentinel documentation,
-- "Sentinel API"), as the bot does (src/storage/sentinel-replicas.ts). The Sentinels' view, not the master's: when
-- they promote a replica it leaves the old master at once, and the claims the old master takes after that, which
-- its other replicas confirm, are exactly the ones the failover drops; the Sentinels list the promoted replica until
-- the switch is done, so a WAIT for all of them fails for those claims.
--
-- One exception, or every planned failover would stop claims for 10 to 20 s: after the switch the Sentinels list the
-- old master among the new one's replicas, still a master by its own account until they demote it (8 s and more),
-- so it confirms nothing. A replica that reports itself master does not count when the Sentinels named it master
-- before (`former`): that is the demoted one, not a replica being promoted.
--
-- The Sentinels are asked when the master is found and again every REFRESH seconds, by the call that finds the
-- answer stale (an async call: only its session waits). The same question also names the master, so a switch the
-- old master does not show (it takes writes until the Sentinels demote it) moves the module within REFRESH seconds.
local REFRESH = 1;
-- Not `disconnected`: a Sentinel flags so the replicas it has just learned of (the old master and the other
-- replicas, right after a switch), and counting none then would let the old master's claims through unconfirmed.
local DOWN_FLAGS = { "s_down", "o_down" };
-- The most replicas a number may name (as the bot's REDIS_SENTINEL_CONFIRM_REPLICAS).
local MAX_REPLICAS = 5;

--- The invites_redis_confirm_replicas option: "all" (the default) or a whole number; nil, err otherwise.
local function parse_option(value)
	if value == nil or value == "all" then return "all"; end
	local n = tonumber(value);
	if n and n >= 0 and n <= MAX_REPLICAS and n == math.floor(n) then return n; end
	return nil, "invites_redis_confirm_replicas must be \"all\" or a whole number of replicas from 0 to "
		..MAX_REPLICAS..", not "..tostring(value);
end

local function is_up(flags)
	for flag in tostring(flags):gmatch("[^,]+") do
		for _, down in ipairs(DOWN_FLAGS) do
			if flag == down then return false; end
		end
	end
	return true;
end

--- The replicas up in a SENTINEL REPLICAS reply (a list of flat field/value lists), leaving out a former master
-- (`former`: a set of "ip:port") that still reports itself master; and those that follow (report "slave"), which
-- are no longer former masters. nil when the reply is not such a list.
local function count_up(reply, former)
	if type(reply) ~= "table" or reply.redis_error then return nil; end
	local up, following = 0, {};
	for _, fields in ipairs(reply) do
		if type(fields) ~= "table" then return nil; end
		local field = {};
		for i = 1, #fields - 1, 2 do field[fields[i]] = fields[i + 1]; end
		local role = field["role-reported"] or "slave";
		if role == "slave" and field.name then following[#following+1] = field.name; end
		local demoted = role == "master" and former and former[field.name];
		if field.flags and is_up(field.flags) and not demoted then up = up + 1; end
	end
	return up, following;
end

--- Asks the Sentinels in turn, until one answers, for the master and its replicas: { host, port, replicas }; or
-- nil, err. `ask(host, port, args)` runs one command on a Sentinel. `former` is the set of masters the Sentinels
-- named before ("ip:port"), kept up to date here: the one named now leaves it, a replica that follows leaves it.
local function ask_sentinels(sentinels, name, ask, former)
	local errors = {};
	for _, sentinel in ipairs(sentinels) do
		local master, err = ask(sentinel.host, sentinel.port, { "SENTINEL", "get-master-addr-by-name", name });
		if type(master) == "table" and not master.redis_error and master[1] and tonumber(master[2]) then
			-- A count this Sentinel does not give stays unknown (nil): claims are refused until one does.
			local reply = ask(sentinel.host, sentinel.port, { "SENTINEL", "REPLICAS", name });
			former = former or {};
			former[master[1]..":"..master[2]] = nil;
			local up, following = count_up(reply, former);
			for _, address in ipairs(following or {}) do former[address] = nil; end
			return { host = master[1]; port = tonumber(master[2]); replicas = up };
		end
		errors[#errors+1] = sentinel.host..":"..sentinel.port..": "
			..tostring(err or (type(master) == "table" and master.redis_error) or "knows no master "..name);
	end
	return nil, "no Sentinel named the master ("..table.concat(errors, "; ")..")";
end

--- The replicas a claim waits for now: a number (0: none), or nil when the Sentinels did not say how many are up.
local function needed(confirm, known)
	if confirm == "all" then return known; end
	return confirm;
end

return {
	REFRESH = REFRESH;
	parse_option = parse_option;
	count_up = count_up;
	ask_sentinels = ask_sentinels;
	needed = needed;
};
