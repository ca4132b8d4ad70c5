-- A Redis connection over a plain LuaSocket socket, for callers that cannot
-- wait asynchronously: prosodyctl (which runs no event loop for its commands)
-- and the rare server code outside an async context. Each call blocks its
-- caller for at most the timeout; the breaker in resp_client.lib.lua keeps a
-- dead Redis from costing that more than once per retry period.
local socket = require "socket";
local gettime = require "util.time".now;
local protocol = module:require("resp_protocol");

local connection_mt = {};
connection_mt.__index = connection_mt;

function connection_mt:close()
	if self.sock then self.sock:close(); end
	self.sock, self.parser = nil, nil;
end

function connection_mt:saturated() return false; end

-- Sends one command and reads its reply, all within the timeout.
function connection_mt:_exchange(args)
	local sock, parser = self.sock, self.parser;
	local deadline = gettime() + self.timeout;
	sock:settimeout(self.timeout);
	local sent, serr = sock:send(protocol.encode_command(args));
	if not sent then return nil, serr; end
	sock:settimeout(0);
	while true do
		local ok, value = parser:next();
		if ok then return value; end
		if ok == nil then return nil, value; end
		local remaining = deadline - gettime();
		if remaining <= 0 then return nil, "no reply within "..self.timeout.." s"; end
		local readable = socket.select({ sock }, nil, remaining);
		if readable[1] then
			local data, err, partial = sock:receive(65536);
			data = data or partial;
			if data and #data > 0 then parser:feed(data); end
			if err == "closed" then return nil, "closed"; end
		end
	end
end

function connection_mt:_connect()
	if self.sock then return true; end
	local sock = socket.tcp();
	sock:settimeout(self.timeout);
	local ok, err = sock:connect(self.settings.host, self.settings.port);
	if not ok then
		sock:close();
		return nil, "cannot connect: "..tostring(err);
	end
	sock:setoption("tcp-nodelay", true);
	self.sock, self.parser, self.fresh = sock, protocol.new_parser(), true;
	for _, command in ipairs(self.hello) do
		local reply, herr = self:_exchange(command);
		if reply == nil or protocol.is_reply_error(reply) then
			self:close();
			return nil, command[1].." failed: "..tostring(herr or reply.redis_error);
		end
	end
	return true;
end

--- The reply (an error reply as an error object), or nil, reason when Redis did not answer.
function connection_mt:call(args)
	local ok, err = self:_connect();
	if not ok then return nil, err; end
	local reply, rerr = self:_exchange(args);
	if reply == nil and rerr == "closed" and not self.fresh then
		-- The socket was closed under us (Redis restarted): the command never reached a live
		-- server, so it is safe to send it again, once, on a new connection. A timeout is not
		-- retried: the command may have run.
		self:close();
		ok, err = self:_connect();
		if not ok then return nil, err; end
		reply, rerr = self:_exchange(args);
	end
	self.fresh = false;
	if reply == nil then self:close(); end
	return reply, rerr;
end

--- The replies of several commands, one after the other on this connection (nothing else can come between them:
-- the caller blocks), or nil, reason at the first that got no answer.
function connection_mt:call_many(list)
	local replies = {};
	for i, args in ipairs(list) do
		local reply, err = self:call(args);
		if reply == nil then return nil, err; end
		replies[i] = reply;
	end
	return replies;
end

local function new(settings, timeout, hello)
	return setmetatable({ settings = settings; timeout = timeout; hello = hello }, connection_mt);
end

return { new = new };
