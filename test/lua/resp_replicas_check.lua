-- Checks the confirmation of claims behind Redis Sentinel (prosody/resp_replicas.lib.lua, resp_topology.lib.lua,
-- resp_client.lib.lua's command_confirmed) outside Prosody, run by test/unit/lua/resp-replicas.test.ts with
-- Prosody's Lua and its util/ on the path, over fake transports that answer as Redis and the Sentinels do: which
-- replicas count (not s_down or o_down, also disconnected), WAIT sent in the same write as the claim, a claim fewer
-- replicas confirmed reported as unanswered, the option ("all", a number, 0), and a switch of master noticed when the
-- Sentinels are asked again. Prints "ok N" and exits 0, or prints what differs and exits 1.
local dir = arg[1];
prosody = { process_type = "prosodyctl" };

local nodes, batches, connection_of_batch, connections = {}, {}, {}, 0;
local function fake_transport()
	return { new = function (settings)
		local node = settings.host..":"..settings.port;
		connections = connections + 1;
		local connection = { serial = connections };
		function connection:saturated() return false; end
		function connection:call_many(list)
			local answer = nodes[node];
			local sent = {};
			for i, args in ipairs(list) do sent[i] = table.concat(args, " "); end
			batches[#batches + 1] = node.." "..table.concat(sent, " | ");
			connection_of_batch[#batches] = self.serial;
			if not answer then return nil, "cannot connect"; end
			local replies = {};
			for i, args in ipairs(list) do replies[i] = answer(args); end
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
local replicas = module:require("resp_replicas");
local function log() end

local failures, checks = {}, 0;
local function expect(what, got, wanted)
	checks = checks + 1;
	if got ~= wanted then failures[#failures + 1] = ("%s: got %s, wanted %s"):format(what, tostring(got), tostring(wanted)); end
end
local function reset() batches = {}; end

-- The option.
expect("option: all by default", replicas.parse_option(nil), "all");
expect("option: all", replicas.parse_option("all"), "all");
expect("option: a number", replicas.parse_option("2"), 2);
expect("option: 0", replicas.parse_option(0), 0);
expect("option: not a number", select(2, replicas.parse_option("some")):match("must be \"all\"") ~= nil, true);
expect("option: too many", replicas.parse_option("6"), nil);
expect("option: a fraction", replicas.parse_option("1.5"), nil);

-- Which replicas count.
local function replica(flags) return { "name", "127.0.0.1:1", "ip", "127.0.0.1", "flags", flags }; end
expect("count: down ones left out, disconnected counted", replicas.count_up({ replica("slave"),
	replica("s_down,slave"), replica("slave,disconnected"), replica("o_down,slave,disconnected") }), 2);
expect("count: none", replicas.count_up({}), 0);
local function as(role, port) return { "name", "127.0.0.1:"..port, "flags", "slave", "role-reported", role }; end
local former = { ["127.0.0.1:1"] = true };
-- What a node says to ROLE (count_up's ask_node), and which nodes were asked.
local asked_nodes = {};
local function says(answer)
	return function (host, port, args)
		asked_nodes[#asked_nodes + 1] = host..":"..port.." "..table.concat(args, " ");
		return answer;
	end;
end
expect("count: a former master that says it is master is left out",
	replicas.count_up({ as("master", 1), as("slave", 2) }, former, says({ "master", 0, {} })), 1);
expect("count: it was asked itself", table.concat(asked_nodes, ","), "127.0.0.1:1 ROLE");
local up, following = replicas.count_up({ as("master", 1), as("slave", 2) }, former, says({ "slave", "127.0.0.1", 2 }));
expect("count: a former master that says it follows counts, though the Sentinel still says master", up, 2);
expect("count: and is named as following", table.concat(following, ","), "127.0.0.1:1");
expect("count: its own word also against a Sentinel that says slave before it has asked",
	replicas.count_up({ as("slave", 1) }, former, says({ "master", 0, {} })), 0);
expect("count: a former master that does not answer is left out", replicas.count_up({ as("master", 1) }, former,
	says(nil)), 0);
expect("count: one that answers, but not ROLE (an ACL without +role), counts", replicas.count_up({ as("master", 1) },
	former, says({ redis_error = "NOPERM" })), 1);
asked_nodes = {};
-- A Sentinel whose link to it dropped (another Sentinel demoted it: SLAVEOF, then CLIENT KILL) still asks it.
expect("count: one a Sentinel flags disconnected is asked, and counts once it follows", replicas.count_up({ { "name",
	"127.0.0.1:1", "flags", "slave,disconnected", "role-reported", "master" } }, former, says({ "slave" })), 1);
expect("count: and asked", #asked_nodes, 1);
asked_nodes = {};
expect("count: one flagged down is left out", replicas.count_up({ { "name", "127.0.0.1:1", "flags",
	"s_down,slave,disconnected", "role-reported", "master" } }, former, says({ "slave" })), 0);
expect("count: and not asked", #asked_nodes, 0);
expect("count: another node saying it is master is being promoted, and counts, unasked",
	replicas.count_up({ as("master", 3), as("slave", 2) }, former, says(nil)), 2);
expect("count: without a set of former masters, every master-saying replica counts",
	replicas.count_up({ as("master", 1) }), 1);
expect("count: an error is not a count", replicas.count_up({ redis_error = "ERR no such master" }), nil);

-- A master with two replicas up, and one down.
local master, listed, acks, claim_reply = "127.0.0.1:7101", nil, 2, 0;
local function sentinel(args)
	if args[2] == "get-master-addr-by-name" then return { master:match("^(.*):(%d+)$") }; end
	if args[2] == "REPLICAS" then return listed or { replica("slave"), replica("slave"), replica("s_down,slave") }; end
	return { redis_error = "ERR unknown" };
end
local old_role = "master";
local function data(args)
	if args[1] == "WAIT" then return acks; end
	if args[1] == "ROLE" then return { old_role }; end
	if args[1] == "EVALSHA" then return claim_reply; end
	return "OK";
end
nodes = { ["127.0.0.1:26379"] = sentinel, ["127.0.0.1:7101"] = data, ["127.0.0.1:7102"] = data };
local now = 1000;
local function client(confirm)
	return assert(resp.new("redis://u:p@127.0.0.1:6379", 0.5, 0, log, { sentinels = { "127.0.0.1:26379" },
		sentinel_name = "m", confirm_replicas = confirm, clock = function () return now; end }));
end

local all = client(nil);
reset();
expect("all: the claim's reply once both replicas confirm", all:command_confirmed("EVALSHA", "x", 0), 0);
expect("all: WAIT for the two up, half the timeout, in the claim's write", batches[#batches],
	"127.0.0.1:7101 EVALSHA x 0 | WAIT 2 250");
acks = 1;
local reply, err, unanswered = all:command_confirmed("EVALSHA", "x", 0);
expect("all: one of two is no confirmation", reply, nil);
expect("all: said so", tostring(err):match("only 1 of the 2") ~= nil, true);
expect("all: as a claim that may have run (given back)", unanswered, true);
claim_reply = -1;
expect("all: a claim that took nothing needs no confirmation", all:command_confirmed("EVALSHA", "x", 0), -1);
claim_reply = 0;
local claimed_on = connection_of_batch[#batches];
reset();
expect("all: other commands wait for nothing", all:command("GET", "k"), "OK");
expect("all: no WAIT with them", batches[1], "127.0.0.1:7101 GET k");
expect("all: nor behind one: the claims have a connection of their own", connection_of_batch[1] ~= claimed_on, true);

-- A switch the old master does not show: the Sentinels are asked again a second later, and name the new master with
-- one replica up (the old master is not flagged down yet, so it counts: two).
master, acks = "127.0.0.1:7102", 2;
now = now + replicas.REFRESH;
reset();
expect("switch: the claim goes to the new master", all:command_confirmed("EVALSHA", "x", 0), 0);
expect("switch: the Sentinel asked first", batches[1], "127.0.0.1:26379 SENTINEL get-master-addr-by-name m");
expect("switch: then its replicas", batches[2], "127.0.0.1:26379 SENTINEL REPLICAS m");
expect("switch: WAIT at the new master", batches[3], "127.0.0.1:7102 EVALSHA x 0 | WAIT 2 250");
reset();
expect("switch: not asked again within the second", all:command("GET", "k") and #batches, 1);

-- The Sentinels list the old master among the new one's replicas while it still says it is master (they demote it
-- about 10 s later): it cannot confirm, and does not count. Once it follows, it counts, by its own word, though the
-- Sentinel may say "master" for 10 s more; and once the Sentinel says it follows too.
listed = { as("master", 7101), as("slave", 7103) };
now = now + replicas.REFRESH;
reset();
expect("demoting: the claim", all:command_confirmed("EVALSHA", "x", 0), 0);
expect("demoting: the old master asked", batches[3], "127.0.0.1:7101 ROLE");
expect("demoting: WAIT for the one replica that follows", batches[#batches], "127.0.0.1:7102 EVALSHA x 0 | WAIT 1 250");
old_role = "slave";
now = now + replicas.REFRESH;
reset();
all:command_confirmed("EVALSHA", "x", 0);
expect("following: it counts before the Sentinel says so", batches[#batches], "127.0.0.1:7102 EVALSHA x 0 | WAIT 2 250");
listed = { as("slave", 7101), as("slave", 7103) };
now = now + replicas.REFRESH;
reset();
all:command_confirmed("EVALSHA", "x", 0);
expect("demoted: it counts", batches[#batches], "127.0.0.1:7102 EVALSHA x 0 | WAIT 2 250");
expect("demoted: no longer asked", #batches, 3);
listed = nil;

-- No replica up (a lone master after a crash): nothing a failover could promote, so no WAIT.
listed = { replica("s_down,slave,disconnected") };
now = now + replicas.REFRESH;
reset();
expect("lone: the claim", all:command_confirmed("EVALSHA", "x", 0), 0);
expect("lone: without WAIT", batches[#batches], "127.0.0.1:7102 EVALSHA x 0");

-- The Sentinel does not say how many replicas are up: refused before anything is sent.
listed = { redis_error = "ERR no such master" };
local unknown = client("all");
reset();
reply, err, unanswered = unknown:command_confirmed("EVALSHA", "x", 0);
expect("unknown: refused", reply, nil);
expect("unknown: nothing sent, nothing to give back", unanswered, false);
expect("unknown: only the Sentinel asked", #batches, 2);
listed = nil;

-- A number: that many, whichever; 0: no confirmation.
acks = 1;
reset();
expect("one: confirmed by one", client("1"):command_confirmed("EVALSHA", "x", 0), 0);
expect("one: WAIT 1", batches[#batches], "127.0.0.1:7102 EVALSHA x 0 | WAIT 1 250");
reset();
expect("zero: the claim", client("0"):command_confirmed("EVALSHA", "x", 0), 0);
expect("zero: without WAIT", batches[#batches], "127.0.0.1:7102 EVALSHA x 0");
expect("a wrong option refused", select(2, resp.new("redis://127.0.0.1:6379", 0.5, 0, log, {
	sentinels = { "127.0.0.1:26379" }, sentinel_name = "m", confirm_replicas = "most" })):match("confirm_replicas") ~= nil,
	true);

-- One Redis: no Sentinel to ask, no WAIT.
nodes["127.0.0.1:7000"] = data;
local single = assert(resp.new("redis://127.0.0.1:7000", 0.5, 0, log));
reset();
expect("single: the claim", single:command_confirmed("EVALSHA", "x", 0), 0);
expect("single: without WAIT", batches[1], "127.0.0.1:7000 EVALSHA x 0");

if #failures > 0 then
	print(table.concat(failures, "\n"));
	os.exit(1);
end
print("ok "..checks);
