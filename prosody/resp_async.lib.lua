-- A Redis connection on Prosody's own event loop (net.server through
-- net.connect), for callers in an async context (util.async): every stanza
-- handler, since mod_c2s and mod_s2s run each session's stanzas in a runner.
-- The calling session waits for the reply; Prosody goes on serving everybody
-- else. Requests are pipelined on one connection and answered in order
-- (RESP); each has its own timeout, and a timeout ends the connection and
-- every request on it, as their replies could no longer be matched.
local async = require "util.async";
local timer = require "util.timer";
local net_connect = require "net.connect".connect;
local basic_resolver = require "net.resolvers.basic";
local protocol = module:require("resp_protocol");

-- Requests waiting for a reply at once; beyond that Redis is not keeping up, and waiting longer helps nobody.
local MAX_IN_FLIGHT = 1000;

local connection_mt = {};
connection_mt.__index = connection_mt;

function connection_mt:saturated()
	return self.waiting >= MAX_IN_FLIGHT;
end

function connection_mt:_finish(request, reply, err)
	if request.finished then return; end
	request.finished = true;
	self.waiting = self.waiting - 1;
	timer.stop(request.timer);
	request.reply, request.err = reply, err;
	if request.done then request.done(); end
end

--- Ends the connection and fails every request on it.
function connection_mt:_abort(reason)
	local conn, queue = self.conn, self.queue;
	self.conn, self.attempt, self.queue = nil, nil, {};
	if conn then conn:close(); end
	for _, request in ipairs(queue) do self:_finish(request, nil, reason); end
end

function connection_mt:_on_connect(conn)
	self.conn = conn;
	-- Small requests, each waited for: do not let Nagle's algorithm hold them back.
	if conn.setoption then pcall(conn.setoption, conn, "tcp-nodelay", true); end
	-- AUTH and SELECT go first; an error reply to either ends the connection.
	local hello, data = {}, {};
	for _, command in ipairs(self.hello) do
		hello[#hello+1] = { hello = command[1]; finished = true }; -- nobody waits for these
		data[#data+1] = protocol.encode_command(command);
	end
	for _, request in ipairs(self.queue) do data[#data+1] = request.data; end
	for i = #hello, 1, -1 do table.insert(self.queue, 1, hello[i]); end
	conn:write(table.concat(data));
end

function connection_mt:_on_data(conn, data)
	local parser = self.parser;
	parser:feed(data);
	while self.conn == conn do
		local ok, value = parser:next();
		if ok == nil then return self:_abort(value); end
		if not ok then return; end
		local request = table.remove(self.queue, 1);
		if not request then return self:_abort("a reply from Redis that nobody asked for"); end
		if request.hello then
			if protocol.is_reply_error(value) then
				return self:_abort(request.hello.." failed: "..value.redis_error);
			end
		else
			self:_finish(request, value);
		end
	end
end

function connection_mt:_connect()
	local attempt = {};
	self.attempt, self.parser = attempt, protocol.new_parser();
	local listeners = {};
	function listeners.onconnect(conn)
		if self.attempt ~= attempt then return conn:close(); end -- gave up on it already (timeout)
		self:_on_connect(conn);
	end
	function listeners.onincoming(conn, data)
		if self.conn == conn then self:_on_data(conn, data); end
	end
	function listeners.ondisconnect(conn, err)
		if self.conn == conn then self:_abort("connection closed"..(err and (": "..tostring(err)) or "")); end
	end
	function listeners.onfail(_, err)
		if self.attempt == attempt then self:_abort("cannot connect: "..tostring(err)); end
	end
	-- An idle connection stays open; Prosody would close it after its read timeout.
	function listeners.onreadtimeout() return true; end
	local s = self.settings;
	-- A name is looked up in DNS by Prosody's resolver, which does not read /etc/hosts (unbound's
	-- hoststxt is off by default): say what "localhost" means here.
	local host = s.host:lower() == "localhost" and "127.0.0.1" or s.host;
	net_connect(basic_resolver.new(host, s.port, "tcp", {}), listeners);
end

--- The replies of several commands sent as one write (an error reply as an error object), or nil, reason when
-- Redis did not answer them all. Nothing of another caller can come between them on the connection, which a
-- MULTI ... EXEC needs, and an ASKING its command (Redis Cluster, resp_topology.lib.lua). Must be called from an
-- async context (util.async.ready()).
function connection_mt:call_many(list)
	local wait, done = async.waiter();
	local requests, data = {}, {};
	for i, args in ipairs(list) do
		requests[i] = { data = protocol.encode_command(args); finished = false };
		data[i] = requests[i].data;
		self.queue[#self.queue+1] = requests[i];
	end
	local last = requests[#requests];
	last.done = done;
	self.waiting = self.waiting + #requests;
	for _, request in ipairs(requests) do
		request.timer = timer.add_task(self.timeout, function ()
			if not request.finished then self:_abort("no reply within "..self.timeout.." s"); end
		end);
	end
	if self.conn then
		self.conn:write(table.concat(data));
	elseif not self.attempt then
		self:_connect();
	end -- else: connecting; written once connected
	wait();
	local replies = {};
	for i, request in ipairs(requests) do
		if request.reply == nil then return nil, request.err or last.err; end
		replies[i] = request.reply;
	end
	return replies;
end

--- The reply (an error reply as an error object), or nil, reason when Redis did not answer.
-- Must be called from an async context (util.async.ready()).
function connection_mt:call(args)
	local replies, err = self:call_many({ args });
	if not replies then return nil, err; end
	return replies[1];
end

local function new(settings, timeout, hello)
	return setmetatable({
		settings = settings;
		timeout = timeout;
		hello = hello;
		queue = {};
		waiting = 0;
	}, connection_mt);
end

return { new = new };
