-- Roles on join (Prosody 13; docs/prosody.md): an account registered with one of the bot's invites whose signed record
-- names a role (additional_data.roles, a list of one: src/invites/creation.ts) gets it as its primary role, at
-- `user-registered`, with Prosody's own usermanager.set_user_role. Only the four roles the bot offers are set; any
-- other is logged at warn and ignored.
--
-- Trusted without invites_redis_trust_roles because the record is the bot's and signed: nobody without the signing key
-- can write one. Records Prosody itself made (its command line, ad-hoc commands, other modules) keep that option's
-- rule, applied by Prosody's mod_invites_register, and are never read here: the storage driver marks each record it
-- writes for Prosody with `written_by = "prosody"` (invites_redis_records.lib.lua), and every record of the bot names
-- its `source` (Prosody's `shell invite create_account --role`, the only one of its own paths that writes a role
-- list, names none: so records written before the mark are told apart too).
--
-- With invites_redis_trust_roles = true, mod_invites_register (its `user-registered` handler runs before ours) has set
-- the record's roles already: the role found in place is left alone, so nothing is set twice. Prosody 0.12 has no
-- primary roles (nor this call): there, nothing here does anything, and mod_invites_redis does not announce the
-- feature the bot asks for before it offers roles.
-- new(trust_roles) gives { FEATURE, supported, apply(username, record), swept(event, record) }.
local jid_split = require "util.jid".split;
local usermanager = require "core.usermanager";

-- What the bot asks the host's disco#info before it offers roles (src/xmpp/server-features.ts).
local FEATURE = "urn:xmpp-invite-bot:roles:0";

-- The roles the bot offers (src/invites/roles.ts): Prosody 13's built-in ones.
local JOIN_ROLES = {
	["prosody:registered"] = true; ["prosody:guest"] = true; ["prosody:member"] = true; ["prosody:admin"] = true;
};

-- Prosody 13 sets an account's primary role; 0.12 keeps role sets, with other calls.
local supported = type(usermanager.set_user_role) == "function" and type(usermanager.get_user_role) == "function";

--- Whether the bot wrote this (verified) record: not marked as Prosody's, and naming the source the bot always names.
local function from_bot(record)
	local data = type(record) == "table" and record.additional_data;
	return type(data) == "table" and record.written_by == nil and type(data.source) == "string";
end

--- The role a record of the bot names: the first of additional_data.roles; nil when it names none.
local function role_named(record)
	local roles = record.additional_data.roles;
	if roles == nil or (type(roles) == "table" and next(roles) == nil) then return nil; end
	if type(roles) == "table" and roles[1] ~= nil then return roles[1]; end
	return "(not a list of roles)";
end

local function new(trust_roles)
	-- The role a new account is made with by mod_register_ibr: the sweep changes no other (someone chose it since).
	local registration_role = module:get_option_string("register_ibr_default_role", "prosody:registered");

	--- Gives the local account `username` the role its invite's verified `record` names, if the bot wrote it and the
	-- role is one of JOIN_ROLES. With `unless_changed` (the sweep, maybe long after), only while the account has the
	-- role a registration gives. Synchronous (Prosody's account storage).
	local function apply(username, record, unless_changed)
		if not supported or not from_bot(record) then return; end
		local role = role_named(record);
		if role == nil then return; end
		local jid = username.."@"..module.host;
		if type(role) ~= "string" or not JOIN_ROLES[role] then
			-- With trust_roles, mod_invites_register has applied whatever the record names.
			if not trust_roles then
				module:log("warn", "Ignoring the role %q named by the invite of %s: not one of prosody:registered, "
					.."prosody:guest, prosody:member, prosody:admin (the account keeps its role)", tostring(role), jid);
			end
			return;
		end
		local current = usermanager.get_user_role(username, module.host);
		local current_name = type(current) == "table" and current.name or nil;
		if current_name == role then return; end -- set by mod_invites_register (trust_roles), or the default
		if unless_changed and current_name ~= registration_role then return; end
		local ok, err = usermanager.set_user_role(username, module.host, role);
		if not ok then
			module:log("error", "Could not give %s the role %s named by its invite: %s", jid, role, tostring(err));
			return;
		end
		module:log("info", "%s has the role %s, named by its invite", jid, role);
	end

	--- The sweep settled a registration a stopped run left unsettled (invites_redis_unsettled.lib.lua): that run may
	-- have stopped before it set the role.
	local function swept(event, record)
		local username, host = jid_split(event.invitee);
		if event.kind == "registered" and username and host == module.host then apply(username, record, true); end
	end

	return {
		FEATURE = FEATURE;
		supported = supported;
		apply = apply;
		swept = swept;
	};
end

return {
	new = new;
};
