-- A small Redis client (RESP2) for Prosody modules that must never stall Prosody.
--
-- Prosody serves every user from one thread. A blocking socket to a slow or
-- hanging Redis would stop all of them for as long as each call waits, so:
--   * in an async context (every stanza handler) the call goes over Prosody's
--     own event loop (resp_async.lib.lua): only the session that asked waits;
--   * elsewhere (prosodyctl) over a blocking socket with a short timeout
--     (resp_blocking.lib.lua);
--   * one circuit breaker (redis_breaker.lib.lua) in front of both: a call
--     without an answer makes every call fail at once for a while
--     (invites_redis_retry_after, 1 s by default), then one
--     call finds out whether Redis is back.
-- Which Redis a call goes to is resp_topology.lib.lua's: one server, the master a Sentinel names, or the Cluster
-- node of the keys; a redirection or a failover is followed without a restart.
-- Errors are returned (nil, err), never raised. Why not lua-redis: it raises on
-- every failure, blocks, and is only packaged for Lua 5.1-5.3.
local async = require "util.async";
local protocol = module:require("resp_protocol");
local topology_lib = module:require("resp_topology");
local new_breaker = module:require("redis_breaker").new;
local new_async = module:require("resp_async").new;
local new_blocking = module:require("resp_blocking").new;

-- Redirections followed for one call: a MOVED after a failover, then perhaps an ASK during a resharding.
local MAX_REDIRECTIONS = 2;

local client_mt = {};
client_mt.__index = client_mt;

-- AUTH and SELECT, sent first on every new connection.
local function hello_commands(s)
	local hello = {};
	if s.password then hello[#hello+1] = s.user and { "AUTH", s.user, s.password } or { "AUTH", s.password }; end
	if s.db and s.db ~= 0 then hello[#hello+1] = { "SELECT", s.db }; end
	return hello;
end

--- The connections to host:port (one per transport), made on first use: `credentials` are the data nodes' or the
-- Sentinels' own. `lane` names connections of their own to the same node (command_confirmed's).
function client_mt:_connections(host, port, credentials, lane)
	local key = host..":"..port..(lane and ("/"..lane) or "");
	local pair = self.pairs[key];
	if not pair then
		local settings = { host = host; port = port; user = credentials.user; password = credentials.password;
			db = credentials.db };
		local hello = hello_commands(settings);
		pair = { evented = new_async(settings, self.timeout, hello); blocking = new_blocking(settings, self.timeout, hello) };
		self.pairs[key] = pair;
	end
	-- The event loop's when the caller can wait (a running server, in a runner).
	if prosody.process_type == "prosody" and async.ready() then return pair.evented; end
	return pair.blocking;
end

--- The node to send to now (resp_topology.lib.lua's target, over this client's connections).
function client_mt:_target()
	return self.topology:target(function (shost, sport, args)
		return self:_connections(shost, sport, self.sentinel_credentials):call(args);
	end, function (host, port, args)
		return self:_connections(host, port, self.credentials):call(args);
	end);
end

--- One try: the replies of `list` from the node the topology names now, and where they went; or nil, err, why:
-- "unanswered" (sent, no answer: Redis may have run them), "no master" (no Sentinel named one), "saturated".
function client_mt:_send(list, lane)
	local host, port = self:_target();
	if not host then return nil, port, "no master"; end
	local connection = self:_connections(host, port, self.credentials, lane);
	if connection:saturated() then
		return nil, "Redis is not keeping up (too many requests waiting for it)", "saturated";
	end
	local replies, err = connection:call_many(list);
	if replies == nil then return nil, err, "unanswered", host, port; end
	return replies, nil, nil, host, port;
end

--- The first reply that says the keys or the master are elsewhere: its kind ("MOVED", "ASK" or "LOST"), host, port.
local function elsewhere(replies)
	for _, reply in ipairs(replies) do
		if protocol.is_reply_error(reply) then
			local kind, host, port = topology_lib.redirection(reply.redis_error);
			if kind then return kind, host, port; end
			-- A replica since a failover, or a master that is not ready: ask the Sentinels again.
			if reply.redis_error:match("^READONLY") or reply.redis_error:match("^MASTERDOWN")
				or reply.redis_error:match("^LOADING") then
				return "LOST";
			end
		end
	end
end

--- Runs several commands, sent as one write so that nothing comes between them (MULTI ... EXEC): returns their
-- replies (error replies as error objects), or nil, err, unanswered: `unanswered` is true when the commands were
-- sent (or may have been) and no answer came, so Redis may have run them; false when they were never sent. `lane`:
-- on connections of their own (see _connections).
function client_mt:pipeline(list, lane)
	local allowed, why = self.breaker:allow();
	if not allowed then return nil, "Redis is unreachable ("..tostring(why)..")", false; end
	local replies;
	for _ = 0, MAX_REDIRECTIONS do
		local err, failure, host, port;
		replies, err, failure, host, port = self:_send(list, lane);
		if replies == nil then
			if failure == "saturated" then return nil, err, false; end
			self.breaker:failed(err);
			if host then self.topology:lost(host, port); end
			return nil, "Redis is unreachable ("..tostring(err)..")", failure == "unanswered";
		end
		self.breaker:succeeded();
		local kind, to_host, to_port = elsewhere(replies);
		if kind == nil then return replies; end
		if kind == "MOVED" then
			self.topology:moved(to_host, to_port);
		elseif kind == "ASK" then
			-- This command only, at that node, right after ASKING (Redis Cluster specification, "ASK redirection").
			local asked = { { "ASKING" } };
			for i, args in ipairs(list) do asked[i + 1] = args; end
			local areplies, aerr = self:_connections(to_host, to_port, self.credentials):call_many(asked);
			if areplies == nil then return nil, "Redis is unreachable ("..tostring(aerr)..")", true; end
			table.remove(areplies, 1);
			return areplies;
		else
			self.topology:lost(host, port);
		end
	end
	return replies;
end

--- Runs one command: returns the reply (false for a nil reply), or nil, err, unanswered (as pipeline).
function client_mt:command(...)
	local replies, err, unanswered = self:pipeline({ { ... } });
	if replies == nil then return nil, err, unanswered; end
	local reply = replies[1];
	if protocol.is_reply_error(reply) then return nil, "Redis error: "..reply.redis_error, false; end
	return reply;
end

--- Runs one command that takes a use (claim.lua) as command() does, and behind Sentinel sends WAIT after it on the
-- same connection, in the same write, for the replicas resp_replicas.lib.lua names. When fewer confirm in half the
-- timeout, a failover may drop what it wrote: nil, err, true, as for a command without an answer (it may have run),
-- unless it answered a negative number (claim.lua: nothing taken). On a connection of its own: a WAIT holds its
-- connection until the replicas answer, and the invite checks must not wait behind it.
function client_mt:command_confirmed(...)
	-- The master first: finding it tells how many replicas it has.
	local found, ferr = self:_target();
	local needed = self.topology:replicas_needed();
	if not found or needed == nil then
		return nil, "Redis is unreachable ("..tostring(ferr or "no Sentinel said how many replicas are up")..")", false;
	end
	if needed == 0 then return self:command(...); end
	local replies, err, unanswered = self:pipeline({ { ... }, { "WAIT", needed, math.floor(self.timeout * 500) } },
		"confirmed");
	if replies == nil then return nil, err, unanswered; end
	local reply = replies[1];
	if protocol.is_reply_error(reply) then return nil, "Redis error: "..reply.redis_error, false; end
	-- A WAIT refused (an error: e.g. not in the ACL) confirms nothing.
	local acknowledged = tonumber(replies[2]) or 0;
	if acknowledged >= needed or (type(reply) == "number" and reply < 0) then return reply; end
	return nil, string.format("only %d of the %d replicas to wait for confirmed the write in time", acknowledged,
		needed), true;
end

--- Whether calls are failing fast now (Redis did not answer a moment ago).
function client_mt:unreachable()
	return self.breaker:is_open();
end

--- A client for `url` (its user, password and database; its host and port unless `options` name Sentinels or
-- Cluster nodes: resp_topology.lib.lua): `timeout` seconds per call, `retry_after` seconds of failing fast after a
-- call went unanswered.
local function new(url, timeout, retry_after, log, options)
	local settings, err = protocol.parse_url(url);
	if not settings then return nil, err; end
	local topology, terr = topology_lib.new(settings, options or {});
	if not topology then return nil, terr; end
	local where = topology.mode == "single" and (settings.host..":"..settings.port)
		or (topology.mode == "sentinel" and ("the master "..topology.name.." of the Sentinels") or "the Redis Cluster");
	local breaker = new_breaker(retry_after, function (reason)
		log("error", "Redis unreachable at %s: %s; invite requests fail at once until it answers again", where,
			tostring(reason));
	end, function ()
		log("info", "Redis connection restored (%s)", where);
	end);
	return setmetatable({
		breaker = breaker;
		topology = topology;
		timeout = timeout;
		pairs = {};
		credentials = { user = settings.user; password = settings.password; db = settings.db };
		sentinel_credentials = { user = options and options.sentinel_user; password = options and options.sentinel_password };
	}, client_mt);
end

return { new = new };
