-- The circuit breaker in front of Redis: one per connection, shared by every
-- host and module of the process (resp_client.lib.lua). A call that gets no
-- answer (refused connection, timeout, dropped connection) opens it; while it is
-- open every call fails at once, without touching the network, so a hanging
-- Redis costs one timeout per `retry_after` seconds instead of one per stanza.
-- After that, one call is let through to find out (half-open); the others keep
-- failing fast until it has answered.
local gettime = require "util.time".now;

local breaker_mt = {};
breaker_mt.__index = breaker_mt;

--- true when a call may go to Redis; nil, reason when it must fail at once.
function breaker_mt:allow()
	if self.state == "closed" then return true; end
	if self.state == "open" and gettime() >= self.open_until then
		self.state = "probing"; -- this call is the one that finds out
		return true;
	end
	return nil, self.reason;
end

--- Redis answered (an error reply is an answer too).
function breaker_mt:succeeded()
	if self.state == "closed" then return; end
	self.state = "closed";
	self.on_close();
end

--- Redis did not answer: stop sending for `retry_after` seconds.
function breaker_mt:failed(reason)
	local was = self.state;
	if was == "open" then return; end -- already failing fast (a second request of the same outage)
	self.state, self.reason = "open", reason;
	self.open_until = gettime() + self.retry_after;
	if was == "closed" then self.on_open(reason); end
end

function breaker_mt:is_open() return self.state ~= "closed"; end

local function new(retry_after, on_open, on_close)
	return setmetatable({
		state = "closed";
		retry_after = retry_after;
		on_open = on_open;
		on_close = on_close;
	}, breaker_mt);
end

return { new = new };
