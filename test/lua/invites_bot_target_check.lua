-- Checks prosody/invites_bot_target.lib.lua outside Prosody (run by test/unit/lua/bot-target.test.ts with Prosody's
-- Lua and its util/ on the path): which session of the bot mod_invites_bot asks, with Prosody's session tables faked.
-- Prints "ok N" and exits 0, or prints what differs and exits 1.
prosody = { full_sessions = {}, bare_sessions = {} };
local target = dofile(arg[1]);

local failures, checks = {}, 0;
local function expect(what, got, wanted)
	checks = checks + 1;
	if got ~= wanted then failures[#failures + 1] = ("%s: got %s, wanted %s"):format(what, tostring(got), tostring(wanted)); end
end

-- The bot's sessions: resource → { priority = n } (available) or { } (no available presence yet).
local function online(sessions)
	prosody.full_sessions, prosody.bare_sessions = {}, {};
	local account = { sessions = {} };
	for resource, state in pairs(sessions) do
		local session = { presence = state.priority and {} or nil, priority = state.priority };
		account.sessions[resource] = session;
		prosody.full_sessions["bot@example.org/"..resource] = session;
	end
	if next(account.sessions) then prosody.bare_sessions["bot@example.org"] = account; end
end

-- Parsing the option.
expect("a bare JID", (target.parse("Bot@Example.org") or {})[1], "bot@example.org");
expect("a full JID", (target.parse("bot@example.org/Invites") or {})[1], "bot@example.org/Invites");
expect("a list", #(target.parse({ "bot@example.org/a", "bot@example.org/b" }) or {}), 2);
expect("nothing", target.parse(nil), nil);
expect("a domain", target.parse("example.org"), nil);
expect("not a string", target.parse({ 42 }), nil);

local bare = target.picker(target.parse("bot@example.org"));
online({});
expect("offline", bare(), nil);
online({ a = { priority = 0 } });
expect("one instance", bare(), "bot@example.org/a");
online({ a = { priority = -1 }, b = { priority = 0 }, c = { priority = -1 } });
expect("the leader at 0 over followers at -1", bare(), "bot@example.org/b");
expect("another when the leader is left out", bare("bot@example.org/b"), "bot@example.org/a");
online({ a = { priority = 0 }, b = { priority = 5 } });
expect("the highest priority", bare(), "bot@example.org/b");
online({ b = { priority = 0 }, a = { priority = 0 } });
expect("ties to the smaller JID", bare(), "bot@example.org/a");
online({ a = { priority = -1 }, b = { priority = -5 } });
expect("no leader: the highest negative", bare(), "bot@example.org/a");
online({ a = {}, b = { priority = -1 } });
expect("available before connected-only", bare(), "bot@example.org/b");
online({ a = {} });
expect("connected, no presence yet", bare(), "bot@example.org/a");
online({ a = { priority = 0 } });
prosody.full_sessions["bot@example.org/a"].destroyed = true;
prosody.bare_sessions["bot@example.org"].sessions.a.destroyed = true;
expect("a destroyed session", bare(), nil);

local full = target.picker(target.parse("bot@example.org/a"));
online({ a = {}, b = { priority = 0 } });
expect("a full JID: that session only", full(), "bot@example.org/a");
online({ b = { priority = 0 } });
expect("a full JID offline", full(), nil);

local list = target.picker(target.parse({ "bot@example.org/x", "bot@example.org/b" }));
online({ a = { priority = 5 }, b = { priority = -1 }, x = { priority = 0 } });
expect("a list: the best of those named", list(), "bot@example.org/x");
expect("a list without the best", list("bot@example.org/x"), "bot@example.org/b");

if #failures > 0 then
	print(table.concat(failures, "\n"));
	os.exit(1);
end
print("ok "..checks);
