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
-- Errors are returned (nil, err), never raised. Why not lua-redis: it raises on
-- every failure, blocks, and is only packaged for Lua 5.1-5.3.
local async = require "util.async";
local protocol = module:require("resp_protocol");
local new_breaker = module:require("redis_breaker").new;
local new_async = module:require("resp_async").new;
local new_blocking = module:require("resp_blocking").new;

local client_mt = {};
client_mt.__index = client_mt;

-- AUTH and SELECT, sent first on every new connection.
local function hello_commands(s)
	local hello = {};
	if s.password then hello[#hello+1] = s.user and { "AUTH", s.user, s.password } or { "AUTH", s.password }; end
	if s.db and s.db ~= 0 then hello[#hello+1] = { "SELECT", s.db }; end
	return hello;
end

--- The connection for the caller: the event loop's when the caller can wait (a running server, in a runner).
function client_mt:connection()
	if prosody.process_type == "prosody" and async.ready() then return self.evented; end
	return self.blocking;
end

--- Runs one command: returns the reply (false for a nil reply), or nil, err, unanswered: `unanswered` is true when
-- the command was sent (or may have been) and no answer came (timeout, dropped or failed connection), so Redis may
-- have run it; false when it was never sent (failing fast) or Redis answered with an error.
function client_mt:command(...)
	local connection = self:connection();
	if connection:saturated() then
		return nil, "Redis is not keeping up (too many requests waiting for it)", false;
	end
	local allowed, why = self.breaker:allow();
	if not allowed then return nil, "Redis is unreachable ("..tostring(why)..")", false; end
	local reply, err = connection:call({ ... });
	if reply == nil then
		self.breaker:failed(err);
		return nil, "Redis is unreachable ("..tostring(err)..")", true;
	end
	self.breaker:succeeded();
	if protocol.is_reply_error(reply) then return nil, "Redis error: "..reply.redis_error, false; end
	return reply;
end

--- Whether calls are failing fast now (Redis did not answer a moment ago).
function client_mt:unreachable()
	return self.breaker:is_open();
end

--- A client for `url`: `timeout` seconds per call, `retry_after` seconds of failing fast after a call went unanswered.
local function new(url, timeout, retry_after, log)
	local settings, err = protocol.parse_url(url);
	if not settings then return nil, err; end
	local hello = hello_commands(settings);
	local where = settings.host..":"..settings.port;
	local breaker = new_breaker(retry_after, function (reason)
		log("error", "Redis unreachable at %s: %s; invite requests fail at once until it answers again", where,
			tostring(reason));
	end, function ()
		log("info", "Redis connection restored (%s)", where);
	end);
	return setmetatable({
		breaker = breaker;
		evented = new_async(settings, timeout, hello);
		blocking = new_blocking(settings, timeout, hello);
	}, client_mt);
end

return {
	new = new;
	parse_url = protocol.parse_url;
};
