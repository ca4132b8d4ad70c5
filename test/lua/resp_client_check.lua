-- Checks prosody/resp_client.lib.lua with prosody/resp_topology.lib.lua outside Prosody (run by
-- test/unit/lua/resp-client.test.ts with Prosody's Lua and its util/ on the path): where commands go in each
-- topology, with fake transports that answer as Redis does. A Cluster's MOVED is followed and remembered, an ASK
-- is asked once at its node after ASKING, a Sentinel is asked for the master and asked again after READONLY or
-- a master that does not answer; several commands go as one write; wrong options are refused with the reason.
-- Prints "ok N" and exits 0, or prints what differs and exits 1.
local dir = arg[1];
prosody = { process_type = "prosodyctl" };

-- What each fake node answers: node "host:port" → function (args, node) → reply, err.
local nodes, sent = {}, {};
local function fake_transport()
	return { new = function (settings)
		local node = settings.host..":"..settings.port;
		local connection = {};
		function connection:saturated() return false; end
		function connection:call_many(list)
			local replies = {};
			for i, args in ipairs(list) do
				sent[#sent + 1] = node.." "..table.concat(args, " ");
				local answer = nodes[node];
				if not answer then return nil, "cannot connect"; end
				local reply, err = answer(args, node);
				if reply == nil then return nil, err; end
				replies[i] = reply;
			end
			return replies;
		end
		function connection:call(args)
			local replies, err = self:call_many({ args });
			return replies and replies[1], err;
		end
		return connection;
	end };
end

module = {};
function module:require(name)
	if name == "resp_async" or name == "resp_blocking" then return fake_transport(); end
	return dofile(dir.."/"..name..".lib.lua");
end

local resp = module:require("resp_client");
local logs = {};
local function log(level, message, ...) logs[#logs + 1] = level..": "..message:format(...); end

local failures, checks = {}, 0;
local function expect(what, got, wanted)
	checks = checks + 1;
	if got ~= wanted then failures[#failures + 1] = ("%s: got %s, wanted %s"):format(what, tostring(got), tostring(wanted)); end
end
local function err(message) return { redis_error = message }; end
local function reset() sent = {}; end

-- One Redis, as before.
nodes = { ["127.0.0.1:7000"] = function (args) return args[1] == "GET" and "v" or "OK"; end };
local single = assert(resp.new("redis://u:p@127.0.0.1:7000/2", 0.5, 1, log));
expect("single: a GET", single:command("GET", "k"), "v");
expect("single: AUTH and SELECT are the transport's hello, not commands", #sent, 1);

-- Several commands go as one list, MULTI to EXEC.
reset();
local replies = single:pipeline({ { "MULTI" }, { "SET", "a", "1" }, { "EXEC" } });
expect("pipeline: every reply", replies and #replies, 3);
expect("pipeline: in one call, in order", sent[1].." | "..sent[3], "127.0.0.1:7000 MULTI | 127.0.0.1:7000 EXEC");

-- A Cluster: the first node sends the host's slot to the second, which keeps it.
reset();
nodes = {
	["127.0.0.1:7001"] = function () return err("MOVED 3999 127.0.0.1:7002"); end,
	["127.0.0.1:7002"] = function (args) return args[1] == "GET" and "there" or "OK"; end,
};
local cluster = assert(resp.new("redis://u:p@127.0.0.1:6379", 0.5, 1, log,
	{ cluster_nodes = { "127.0.0.1:7001", "127.0.0.1:7002" } }));
expect("cluster: MOVED followed", cluster:command("GET", "invite:{h}:x"), "there");
expect("cluster: asked the seed first", sent[1], "127.0.0.1:7001 GET invite:{h}:x");
reset();
expect("cluster: the new node kept", cluster:command("GET", "invite:{h}:x"), "there");
expect("cluster: straight to it", sent[1], "127.0.0.1:7002 GET invite:{h}:x");

-- An ASK: once at the node named, after ASKING; the next call goes where it went before.
reset();
nodes["127.0.0.1:7002"] = function (args)
	if args[1] == "ASKING" then return "OK"; end
	return err("ASK 3999 127.0.0.1:7003");
end
nodes["127.0.0.1:7003"] = function (args) return args[1] == "ASKING" and "OK" or "migrating"; end
expect("cluster: ASK followed", cluster:command("GET", "invite:{h}:x"), "migrating");
expect("cluster: ASKING first", sent[2].." | "..sent[3], "127.0.0.1:7003 ASKING | 127.0.0.1:7003 GET invite:{h}:x");

-- A node that does not answer: the next call tries the next seed.
reset();
nodes["127.0.0.1:7002"] = nil;
nodes["127.0.0.1:7001"] = function () return "back"; end
local reply, _, unanswered = cluster:command("GET", "k");
expect("cluster: an unanswered node fails the call", reply, nil);
expect("cluster: which may have run", unanswered, true);

-- Sentinel: the first Sentinel is down, the second names the master.
reset();
local master = "127.0.0.1:7101";
nodes = {
	["127.0.0.1:26380"] = function (args)
		if args[1] == "SENTINEL" and args[3] == "mymaster" then
			local host, port = master:match("^(.*):(%d+)$");
			return { host, port };
		end
		return err("ERR unknown");
	end,
	["127.0.0.1:7101"] = function () return "from 7101"; end,
	["127.0.0.1:7102"] = function () return "from 7102"; end,
};
local sentinel = assert(resp.new("redis://u:p@127.0.0.1:6379", 0.5, 0, log, {
	sentinels = { "127.0.0.1:26379", "127.0.0.1:26380" }, sentinel_name = "mymaster" }));
expect("sentinel: the master's answer", sentinel:command("GET", "k"), "from 7101");
expect("sentinel: asked the Sentinels first", sent[1], "127.0.0.1:26379 SENTINEL get-master-addr-by-name mymaster");
reset();
expect("sentinel: the master kept", sentinel:command("GET", "k"), "from 7101");
expect("sentinel: no Sentinel asked again", #sent, 1);

-- A failover: the old master is a replica now (READONLY); the Sentinels name the new one.
reset();
master = "127.0.0.1:7102";
nodes["127.0.0.1:7101"] = function () return err("READONLY You can't write against a read only replica."); end
expect("sentinel: READONLY sends to the new master", sentinel:command("SET", "k", "v"), "from 7102");

-- A master that does not answer: the call fails; the next one asks the Sentinels again.
reset();
nodes["127.0.0.1:7102"] = nil;
master = "127.0.0.1:7103";
nodes["127.0.0.1:7103"] = function () return "from 7103"; end
expect("sentinel: the dead master fails the call", sentinel:command("GET", "k"), nil);
expect("sentinel: then the new master", sentinel:command("GET", "k"), "from 7103");

-- No Sentinel answers: a clean error.
reset();
nodes = {};
local lonely = assert(resp.new("redis://127.0.0.1:6379", 0.5, 0, log, {
	sentinels = { "127.0.0.1:26379" }, sentinel_name = "mymaster" }));
local none, why = lonely:command("GET", "k");
expect("sentinel: nothing without a Sentinel", none, nil);
expect("sentinel: says so", tostring(why):match("no Sentinel named the master") ~= nil, true);

-- Wrong options.
local function refused(options, url)
	local client, reason = resp.new(url or "redis://127.0.0.1:6379", 0.5, 1, log, options);
	return client == nil and reason or "accepted";
end
expect("both", refused({ sentinels = { "a:1" }, sentinel_name = "m", cluster_nodes = { "b:2" } }):match("not both") ~= nil, true);
expect("no name", refused({ sentinels = { "a:1" } }):match("sentinel_name") ~= nil, true);
expect("no port", refused({ cluster_nodes = { "a" } }):match("host:port") ~= nil, true);
expect("a cluster database", refused({ cluster_nodes = { "a:1" } }, "redis://127.0.0.1/3"):match("database 0") ~= nil, true);
expect("an IPv6 node", refused({ cluster_nodes = { "[::1]:7000" } }), "accepted");

if #failures > 0 then
	print(table.concat(failures, "\n"));
	os.exit(1);
end
print("ok "..checks);
