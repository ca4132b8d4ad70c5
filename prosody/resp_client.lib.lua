-- A small Redis client (RESP2 over LuaSocket) for Prosody modules.
--
-- Why not lua-redis: it raises Lua errors on every failure, has no notion of
-- "Redis is down, fail fast", and is only installed for Lua 5.1-5.3 while
-- Prosody runs on 5.4. This client returns nil, err instead of raising, keeps
-- one connection, bounds every call with a short timeout, and after a failed
-- connect refuses further attempts for a moment, so a dead Redis costs Prosody
-- at most one timeout per second instead of one per stanza.
local socket = require "socket";

local client_mt = {};
client_mt.__index = client_mt;

local RETRY_AFTER = 1; -- seconds without connect attempts after a failure

-- redis://[:password@]host[:port][/db] or redis://user:password@host...
local function parse_url(url)
	local rest = url:match("^redis://(.*)$");
	if not rest then return nil, "invites_redis_url must start with redis://"; end
	local auth, hostport = rest:match("^(.*)@([^@]*)$");
	if not auth then hostport = rest; end
	local path = hostport:match("/(.*)$");
	hostport = hostport:gsub("/.*$", "");
	local host, port = hostport:match("^%[(.+)%]:?(%d*)$");
	if not host then host, port = hostport:match("^([^:]*):?(%d*)$"); end
	local user, password;
	if auth then
		user, password = auth:match("^([^:]*):(.*)$");
		if not user then password = auth; end
		if user == "" then user = nil; end
	end
	local db = path and path:match("^(%d+)") or nil;
	return {
		host = (host and host ~= "") and host or "127.0.0.1";
		port = tonumber(port) or 6379;
		user = user;
		password = password;
		db = tonumber(db);
	};
end

local function encode_command(args)
	local parts = { "*", #args, "\r\n" };
	for _, arg in ipairs(args) do
		arg = tostring(arg);
		parts[#parts+1] = "$"..#arg.."\r\n"..arg.."\r\n";
	end
	return table.concat(parts);
end

local read_reply;

function read_reply(conn)
	local line, err = conn:receive("*l");
	if not line then return nil, err; end
	local prefix, payload = line:sub(1, 1), line:sub(2);
	if prefix == "+" then
		return payload;
	elseif prefix == "-" then
		return nil, payload, true; -- a Redis error reply: the connection is still fine
	elseif prefix == ":" then
		return tonumber(payload);
	elseif prefix == "$" then
		local size = tonumber(payload);
		if size < 0 then return false; end -- nil bulk string
		local data, rerr = conn:receive(size + 2);
		if not data then return nil, rerr; end
		return data:sub(1, size);
	elseif prefix == "*" then
		local count = tonumber(payload);
		if count < 0 then return false; end
		local items = {};
		for i = 1, count do
			local item, ierr, is_reply_error = read_reply(conn);
			if item == nil and not is_reply_error then return nil, ierr; end
			items[i] = item;
		end
		return items;
	end
	return nil, "unexpected reply from Redis: "..line;
end

function client_mt:_disconnect()
	if self.conn then self.conn:close(); end
	self.conn = nil;
end

function client_mt:_connect()
	if self.conn then return self.conn; end
	local now = socket.gettime();
	if self.down_since and now - self.last_attempt < RETRY_AFTER then
		return nil, "Redis is unreachable ("..tostring(self.last_error)..")";
	end
	self.last_attempt = now;
	local conn = socket.tcp();
	conn:settimeout(self.timeout);
	local ok, err = conn:connect(self.settings.host, self.settings.port);
	if not ok then
		conn:close();
		return self:_failed(err);
	end
	conn:setoption("tcp-nodelay", true);
	self.conn = conn;
	self.fresh = true; -- a failure on a connection just made is not a stale socket
	local s = self.settings;
	if s.password then
		local _, aerr = self:_call(s.user and { "AUTH", s.user, s.password } or { "AUTH", s.password });
		if aerr then self:_disconnect(); return self:_failed("AUTH failed: "..aerr); end
	end
	if s.db and s.db ~= 0 then
		local _, serr = self:_call({ "SELECT", s.db });
		if serr then self:_disconnect(); return self:_failed("SELECT failed: "..serr); end
	end
	if self.down_since then
		self.log("info", "Redis connection restored (%s:%d)", s.host, s.port);
	end
	self.down_since = nil;
	return conn;
end

function client_mt:_failed(err)
	if not self.down_since then
		self.down_since = socket.gettime();
		self.log("error", "Redis unreachable at %s:%d: %s", self.settings.host, self.settings.port, tostring(err));
	end
	self.last_error = err;
	return nil, "Redis is unreachable ("..tostring(err)..")";
end

function client_mt:_call(args)
	local ok, err = self.conn:send(encode_command(args));
	if not ok then return nil, err, false; end
	local reply, rerr, is_reply_error = read_reply(self.conn);
	return reply, rerr, is_reply_error;
end

--- Runs one command: returns the reply (false for a nil reply), or nil, err.
function client_mt:command(...)
	local args = { ... };
	local conn, cerr = self:_connect();
	if not conn then return nil, cerr; end
	local reply, err, is_reply_error = self:_call(args);
	if reply == nil and not is_reply_error and err == "closed" and not self.fresh then
		-- The socket was closed under us (Redis restarted): the command never reached a live
		-- server, so it is safe to send it again, once, on a new connection. A timeout is not
		-- retried: the command may have run.
		self:_disconnect();
		conn, cerr = self:_connect();
		if not conn then return nil, cerr; end
		reply, err, is_reply_error = self:_call(args);
	end
	self.fresh = false;
	if reply == nil and not is_reply_error then
		-- Timeout or broken socket: drop the connection; the next call reconnects.
		self:_disconnect();
		self.down_since = nil;
		return self:_failed(err);
	end
	if reply == nil then return nil, "Redis error: "..tostring(err); end
	return reply;
end

local function new(url, timeout, log)
	local settings, err = parse_url(url);
	if not settings then return nil, err; end
	return setmetatable({
		settings = settings;
		timeout = timeout;
		log = log;
		last_attempt = 0;
	}, client_mt);
end

return {
	new = new;
	parse_url = parse_url;
};
