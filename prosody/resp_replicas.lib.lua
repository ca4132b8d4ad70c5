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
-- old master among the new one's replicas, still a master by its own account until they demote it (on their second
-- INFO to it, about 10 s later), so it confirms nothing. A replica the Sentinels named master before (`former`) is
-- asked itself (ROLE), since what they report of its role is as old as their last INFO to it, up to 10 s: one
-- Sentinel demotes it and the others list it as master for up to 10 s more while it follows. Still a master, or out
-- of reach: it does not count. Following, even while it syncs: it counts, since it may be promoted next and what it
-- has not confirmed would be lost. A replica being promoted, which also says it is master, always counts.
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

local function has_flag(flags, wanted)
	for flag in tostring(flags):gmatch("[^,]+") do
		for _, one in ipairs(wanted) do
			if flag == one then return true; end
		end
	end
	return false;
end

--- What a node says it is now, by `ask_node(host, port, args)`: "master", "slave", "unknown" (it answered, not
-- ROLE: e.g. an ACL without +role), or nil (no answer).
local function own_role(name, ask_node)
	local host, port = tostring(name):match("^(.+):(%d+)$");
	if not host or not ask_node then return nil; end
	local reply = ask_node(host, tonumber(port), { "ROLE" });
	if type(reply) ~= "table" then return nil; end
	if reply.redis_error or type(reply[1]) ~= "string" then return "unknown"; end
	return reply[1];
end

--- The replicas up in a SENTINEL REPLICAS reply (a list of flat field/value lists), and the former masters (a set of
-- "ip:port") among them that follow now; nil when the reply is not such a list. A former master is asked what it is
-- (`ask_node`, own_role): still a master or no answer, it does not count. Asked also when a Sentinel flags it
-- `disconnected`: when one Sentinel demotes it (SLAVEOF, then CLIENT KILL), the others' links drop just as it follows.
local function count_up(reply, former, ask_node)
	if type(reply) ~= "table" or reply.redis_error then return nil; end
	local up, following = 0, {};
	for _, fields in ipairs(reply) do
		if type(fields) ~= "table" then return nil; end
		local field = {};
		for i = 1, #fields - 1, 2 do field[fields[i]] = fields[i + 1]; end
		local counts = field.flags ~= nil and not has_flag(field.flags, DOWN_FLAGS);
		if counts and former and former[field.name] then
			local own = own_role(field.name, ask_node);
			if own == "slave" then following[#following+1] = field.name; end
			counts = own == "slave" or own == "unknown";
		end
		if counts then up = up + 1; end
	end
	return up, following;
end

--- Asks the Sentinels in turn, until one answers, for the master and its replicas: { host, port, replicas }; or
-- nil, err. `ask(host, port, args)` runs one command on a Sentinel, `ask_node` on a data node. `former` is the set
-- of masters the Sentinels named before ("ip:port"), kept up to date here: the one named now leaves it, and so does
-- one that says it follows.
local function ask_sentinels(sentinels, name, ask, former, ask_node)
	local errors = {};
	for _, sentinel in ipairs(sentinels) do
		local master, err = ask(sentinel.host, sentinel.port, { "SENTINEL", "get-master-addr-by-name", name });
		if type(master) == "table" and not master.redis_error and master[1] and tonumber(master[2]) then
			-- A count this Sentinel does not give stays unknown (nil): claims are refused until one does.
			local reply = ask(sentinel.host, sentinel.port, { "SENTINEL", "REPLICAS", name });
			former = former or {};
			former[master[1]..":"..master[2]] = nil;
			local up, following = count_up(reply, former, ask_node);
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
