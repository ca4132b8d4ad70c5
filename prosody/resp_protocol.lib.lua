-- RESP2, the Redis protocol (https://redis.io/docs/latest/develop/reference/protocol-spec/):
-- the URL, the encoding of a command, and an incremental reply parser. Shared by
-- both transports of resp_client.lib.lua; no I/O here.
local dbuffer = require "util.dbuffer";

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

--- A command as a RESP array of bulk strings.
local function encode_command(args)
	local parts = { "*", #args, "\r\n" };
	for _, arg in ipairs(args) do
		arg = tostring(arg);
		parts[#parts+1] = "$"..#arg.."\r\n"..arg.."\r\n";
	end
	return table.concat(parts);
end

-- An error reply ("-ERR ..."): a table with `redis_error`, so that it is never taken for data. (Not told
-- apart by a metatable: module:require loads this file once per module that requires it.)
local function is_reply_error(value) return type(value) == "table" and value.redis_error ~= nil; end

local parser_mt = {};
parser_mt.__index = parser_mt;

function parser_mt:feed(data)
	-- dbuffer collapses its chunks when the queue is full, so a large reply is not copied per chunk.
	assert(self.buffer:write(data));
end

-- Attaches a complete value to the arrays being read; returns true, value once the outermost is complete.
function parser_mt:_complete(value)
	local stack = self.stack;
	while true do
		local top = stack[#stack];
		if not top then return true, value; end
		top.i = top.i + 1;
		-- An error inside an array (e.g. a refused command in EXEC) leaves a hole there.
		if not is_reply_error(value) then top.items[top.i] = value; end
		if top.i < top.n then return false; end
		stack[#stack] = nil;
		value = top.items;
	end
end

--- The next complete reply: true, value (false for a nil reply, an error object for "-");
-- false while more bytes are needed; nil, err when the stream is not RESP (drop the connection).
-- Resumable: what was read stays read, so a large reply costs one pass however it is split.
function parser_mt:next()
	local buffer = self.buffer;
	while true do
		local done, value;
		if self.bulk then
			if buffer:length() < self.bulk + 2 then return false; end
			value = buffer:read(self.bulk + 2):sub(1, self.bulk);
			self.bulk = nil;
			done, value = self:_complete(value);
		else
			local line = buffer:read_until("\n");
			if not line then return false; end
			local prefix, payload = line:sub(1, 1), line:sub(2, -3);
			local count = tonumber(payload);
			if prefix == "+" then
				done, value = self:_complete(payload);
			elseif prefix == "-" then
				done, value = self:_complete({ redis_error = payload });
			elseif prefix == ":" and count then
				done, value = self:_complete(count);
			elseif prefix == "$" and count then
				if count < 0 then done, value = self:_complete(false); else self.bulk = count; end
			elseif prefix == "*" and count then
				if count < 0 then
					done, value = self:_complete(false);
				elseif count == 0 then
					done, value = self:_complete({});
				else
					self.stack[#self.stack+1] = { items = {}, n = count, i = 0 };
				end
			else
				return nil, "unexpected reply from Redis: "..line:sub(1, 80);
			end
		end
		if done then return true, value; end
	end
end

local function new_parser()
	return setmetatable({ buffer = dbuffer.new(nil, 256), stack = {} }, parser_mt);
end

return {
	parse_url = parse_url;
	encode_command = encode_command;
	new_parser = new_parser;
	is_reply_error = is_reply_error;
};
