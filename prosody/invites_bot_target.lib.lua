-- Which session of the invite bot mod_invites_bot asks (docs/prosody.md, "invites_bot_jid"): several instances of
-- the bot may be online at once, each a resource of the bot's account (docs/instances.md), and the module must keep
-- asking one that is there when another goes away.
--
-- invites_bot_jid is the bot's bare JID, one full JID, or a list of either. Each request picks afresh, among the
-- sessions of this server those JIDs name:
-- 1. an available session at priority >= 0, the highest first: RFC 6121 §8.5.2.1.1 sends a message to the bare JID
--    to those alone, and the bot's instances announce the one that answers chat (the leader) at 0 and the others
--    at -1, so the buttons follow the chat;
-- 2. else an available session at a negative priority;
-- 3. else a session without available presence yet (an instance that has just connected answers IQs already, and a
--    configured full JID counted as online as soon as it had a session).
-- Ties go to the smaller JID, so that requests go to one instance while nothing changes. A session that went away is
-- no longer in prosody.full_sessions / bare_sessions, so the next request goes to another one at once.
local jid = require "util.jid";

local M = {};

-- The prepped JIDs of the option (a string or a list of strings), or nil and what is wrong.
function M.parse(option)
	local list = type(option) == "table" and option or { option };
	local targets = {};
	for _, each in ipairs(list) do
		local prepped = type(each) == "string" and jid.prep(each);
		if not prepped or not jid.node(prepped) then
			return nil, ("%q is not the invite bot's JID"):format(tostring(each));
		end
		targets[#targets + 1] = prepped;
	end
	if #targets == 0 then return nil, "no JID given"; end
	return targets;
end

-- A session's rank: tier (3, 2, 1 as above), then its priority within the tier.
local function rank(session)
	if session.presence == nil then return 1, 0; end
	local priority = session.priority or 0;
	return priority >= 0 and 3 or 2, priority;
end

local function better(tier, priority, full, best)
	if best == nil then return true; end
	if tier ~= best.tier then return tier > best.tier; end
	if priority ~= best.priority then return priority > best.priority; end
	return full < best.full;
end

-- A function that returns the full JID to ask now (nil while no session is there), skipping `except` if given.
function M.picker(targets)
	return function (except)
		local best;
		local function consider(full, session)
			if session == nil or full == except or session.destroyed then return; end
			local tier, priority = rank(session);
			if better(tier, priority, full, best) then best = { tier = tier, priority = priority, full = full }; end
		end
		for _, target in ipairs(targets) do
			if jid.resource(target) then
				consider(target, prosody.full_sessions[target]);
			else
				local account = prosody.bare_sessions[target];
				for resource, session in pairs(account and account.sessions or {}) do
					consider(target.."/"..resource, session);
				end
			end
		end
		return best and best.full;
	end
end

return M;
