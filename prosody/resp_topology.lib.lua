-- Where resp_client.lib.lua sends a command: one Redis (invites_redis_url), the master a Redis Sentinel names
-- (invites_redis_sentinels with invites_redis_sentinel_name), or the node of a Redis Cluster that serves the keys
-- (invites_redis_cluster_nodes). docs/prosody.md, "Redis Sentinel and Redis Cluster".
--
-- Every key of a host is invite:{HOST}:..., one hash slot, so a cluster client needs no slot map: it follows the
-- MOVED redirection it is given (Redis Cluster specification, "Redirection and resharding") and stays with that
-- node; a Sentinel client asks the Sentinels for the master (SENTINEL get-master-addr-by-name, Sentinel
-- documentation, "Sentinel API") and asks again when the master stops answering or turns out to be a replica
-- (READONLY), which is how a failover shows, and every second with how many replicas a claim waits for
-- (resp_replicas.lib.lua).
local replicas_lib = module:require("resp_replicas");
local gettime = require "util.time".now;

local topology_mt = {};
topology_mt.__index = topology_mt;

--- "host:port" (IPv6 in brackets) as host, port; nil, err for anything else.
local function parse_address(text)
	if type(text) ~= "string" then return nil, "not a string"; end
	local host, port = text:match("^%[(.+)%]:(%d+)$");
	if not host then host, port = text:match("^([^:%[%]]+):(%d+)$"); end
	port = tonumber(port);
	if not host or not port or port < 1 or port > 65535 then return nil, "not host:port: "..text; end
	return host, port;
end

local function parse_list(option, list)
	if type(list) ~= "table" or #list == 0 then return nil, option.." must be a list of \"host:port\""; end
	local nodes = {};
	for i, text in ipairs(list) do
		local host, port = parse_address(text);
		if not host then return nil, option.."["..i.."] is "..tostring(port); end
		nodes[i] = { host = host; port = port };
	end
	return nodes;
end

--- The address of a redirection reply: "MOVED 3999 127.0.0.1:6381" → "MOVED", host, port.
local function redirection(message)
	local kind, address = tostring(message):match("^(%u+) %d+ (%S+)$");
	if kind ~= "MOVED" and kind ~= "ASK" then return nil; end
	local host, port = parse_address(address);
	if not host then return nil; end
	return kind, host, port;
end

--- The node to send to now: host, port; or nil, err when none is known (no Sentinel answered).
-- `ask(host, port, args)` runs one command on a Sentinel, `ask_node` on a data node (the client's transport). Behind
-- Sentinel, the master and its replicas are asked when none is known, and again once the answer is REFRESH seconds
-- old (resp_replicas.lib.lua).
function topology_mt:target(ask, ask_node)
	if self.mode == "sentinel" and (not self.current or self.clock() - self.asked_at >= replicas_lib.REFRESH) then
		local current = self.current;
		-- The master named so far becomes a former one if the Sentinels name another (resp_replicas.lib.lua).
		if current then self.former[current.host..":"..current.port] = true; end
		local view, err = replicas_lib.ask_sentinels(self.sentinels, self.name, ask, self.former, ask_node);
		self.asked_at = self.clock();
		if view then
			self.current = { host = view.host; port = view.port };
			self.replicas = view.replicas;
		elseif not self.current then
			return nil, err;
		end -- else: the master known stays, until it fails
	end
	return self.current.host, self.current.port;
end

--- The replicas a claim waits for (WAIT) now: a number, 0 for none (no confirmation: not behind Sentinel, or the
-- option is 0); nil when the Sentinels have not said how many are up.
function topology_mt:replicas_needed()
	if self.mode ~= "sentinel" then return 0; end
	return replicas_lib.needed(self.confirm, self.replicas);
end

--- The node at host:port did not answer, or is no longer the master: look elsewhere next time.
function topology_mt:lost(host, port)
	local current = self.current;
	if not current or current.host ~= host or current.port ~= port then return; end
	if self.mode == "sentinel" then
		-- Kept as a former master: if the Sentinels name another, it is listed as that one's replica while it
		-- still says it is master (resp_replicas.lib.lua); if they name it again, it leaves the set.
		self.former[host..":"..port] = true;
		self.current = nil;
	elseif self.mode == "cluster" then
		self.seed = self.seed % #self.nodes + 1;
		self.current = self.nodes[self.seed];
	end
end

--- The cluster moved the keys to host:port: stay there.
function topology_mt:moved(host, port)
	self.current = { host = host; port = port };
end

--- A topology from the module's options; nil, err when they are wrong. `url` is the parsed invites_redis_url.
local function new(url, options)
	local sentinels, cluster = options.sentinels, options.cluster_nodes;
	if sentinels and cluster then
		return nil, "set invites_redis_sentinels or invites_redis_cluster_nodes, not both";
	end
	if sentinels then
		if type(options.sentinel_name) ~= "string" or options.sentinel_name == "" then
			return nil, "invites_redis_sentinels needs invites_redis_sentinel_name (the master's name)";
		end
		local nodes, err = parse_list("invites_redis_sentinels", sentinels);
		if not nodes then return nil, err; end
		local confirm, cerr = replicas_lib.parse_option(options.confirm_replicas);
		if not confirm then return nil, cerr; end
		return setmetatable({ mode = "sentinel"; sentinels = nodes; name = options.sentinel_name; confirm = confirm;
			asked_at = 0; clock = options.clock or gettime; former = {} }, topology_mt);
	end
	if cluster then
		local nodes, err = parse_list("invites_redis_cluster_nodes", cluster);
		if not nodes then return nil, err; end
		if url.db and url.db ~= 0 then return nil, "a Redis Cluster has database 0 only: drop /"..url.db.." from invites_redis_url"; end
		return setmetatable({ mode = "cluster"; nodes = nodes; seed = 1; current = nodes[1] }, topology_mt);
	end
	return setmetatable({ mode = "single"; current = { host = url.host; port = url.port } }, topology_mt);
end

return { new = new; redirection = redirection };
