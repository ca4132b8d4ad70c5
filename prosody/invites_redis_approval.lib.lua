-- Approval of accounts made through a user's invite (the bot's APPROVE_USER_INVITED; docs/prosody.md, "Approval"):
-- an account registered with a verified record of the bot that carries additional_data.approval = true is held at
-- `user-registered`, before anything else happens to it, and its use event says how (`held`, signed with it). The
-- bot asks its admins and answers for them (src/invites/approval-service.ts); settle.lua puts the account on the list
-- in Redis, invite:{HOST}:approvals, in the step that records the use.
--
-- Prosody 13: usermanager.disable_user (`held = "disabled"`): the account keeps its password, cannot log in, and any
-- session it has is ended (mod_c2s on `user-disabled`); `approve` is XEP-0133 reenable-user, `reject` delete-user.
--
-- Prosody 0.12 has no disabled accounts (usermanager has no disable_user, and mod_admin_adhoc no disable command).
-- There (`held = "no-login"`) the account gets a flag in Prosody's own storage, and its resource binding is refused
-- (`pre-resource-bind`, core/sessionmanager.lua) while the flag says so: it can authenticate but never binds, so it
-- sends and receives nothing. The flag is "waiting" until the use is recorded (the account is on the list from
-- then), "listed" after; a listed account whose entry left the list (the bot's `approve`) loses the flag at its next
-- binding and binds. Only flagged accounts cost a Redis read; while Redis does not answer, they wait. `reject` is
-- XEP-0133 delete-user, which 0.12's mod_admin_adhoc has too, and which takes the flag with the account's data.
-- new(store) gives { hold_way(record), hold(claimed), recorded(claimed), swept(event) }.
local jid_split = require "util.jid".split;
local usermanager = require "core.usermanager";

local disables = type(usermanager.disable_user) == "function";
local flags = module:open_store("invites_redis_approval");

--- Whether the bot wrote this (verified) record: as invites_redis_roles.lib.lua tells it.
local function from_bot(record)
	local data = type(record) == "table" and record.additional_data;
	return type(data) == "table" and record.written_by == nil and type(data.source) == "string";
end

local function new(redis_store)
	--- How an account registered with `record` is held, or nil when it is not.
	local function hold_way(record)
		if not from_bot(record) or record.additional_data.approval ~= true then return nil; end
		return disables and "disabled" or "no-login";
	end

	local function hold_account(username, way)
		local jid = username.."@"..module.host;
		if way == "disabled" then
			local ok, err = usermanager.disable_user(username, module.host, { reason = "awaiting approval" });
			if not ok then module:log("error", "Could not disable %s, held for approval: %s", jid, tostring(err)); end
		else
			local ok, err = flags:set(username, { state = "waiting" });
			if not ok then module:log("error", "Could not hold %s for approval: %s", jid, tostring(err)); end
		end
		module:log("info", "%s waits for an administrator's approval (%s)", jid, way);
	end

	--- At `user-registered`: the registration `claimed` (its event made when the use was claimed) is held.
	local function hold(claimed)
		local way = claimed.event and claimed.event.held;
		if way then hold_account(claimed.username, way); end
	end

	--- The use of a held account is recorded: it is on the list now (Prosody 0.12's flag says so).
	local function recorded(claimed)
		if claimed.event and claimed.event.held == "no-login" then
			flags:set(claimed.username, { state = "listed" });
		end
	end

	--- The sweep settled a registration a stopped run left unsettled: that run may have stopped before holding it.
	local function swept(event)
		local username, host = jid_split(event.invitee);
		if event.kind ~= "registered" or not event.held or not username or host ~= module.host then return; end
		if event.held == "disabled" and usermanager.user_is_enabled(username, module.host) then
			hold_account(username, "disabled");
		elseif event.held == "no-login" then
			flags:set(username, { state = "listed" });
		end
	end

	-- Prosody 0.12: a flagged account binds no resource while it waits (in the session's runner: Redis is awaited).
	if not disables then
		module:hook("pre-resource-bind", function (event)
			local session = event.session;
			local flag = flags:get(session.username);
			if type(flag) ~= "table" then return; end
			local jid = session.username.."@"..module.host;
			if flag.state == "listed" then
				local listed, err = redis_store.redis:command("HEXISTS", redis_store:approvals_key(), jid);
				if listed == 0 then
					flags:set(session.username, nil);
					module:log("info", "%s was approved and may log in", jid);
					return;
				end
				if listed == nil then module:log("warn", "Holding %s: Redis does not answer (%s)", jid, err); end
			end
			event.error = { type = "auth", condition = "not-authorized",
				text = "This account waits for an administrator's approval" };
			return false;
		end, 10);
	end

	return {
		hold_way = hold_way;
		hold = hold;
		recorded = recorded;
		swept = swept;
	};
end

return {
	new = new;
};
