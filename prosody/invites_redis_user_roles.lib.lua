-- A user's role, for the bot's policy for users' invites (Prosody 13; docs/prosody.md, "Users' roles"): the bot asks
--   <iq type='get' to='HOST'><role xmlns='urn:xmpp-invite-bot:user-role:0' jid='user@HOST'/></iq>
-- and is answered with the account's primary role (usermanager.get_user_role):
--   <iq type='result'><role xmlns='urn:xmpp-invite-bot:user-role:0' jid='user@HOST' name='prosody:guest'/></iq>
-- Only the bot may ask: the bare JIDs of invites_bot_jid (the option mod_invites_bot reads too); anyone else is
-- answered `forbidden`, so no user learns another's role. Announced at the host (disco#info) only where Prosody has
-- primary roles and the option names the bot, so the bot asks only where it is answered. Prosody 0.12 has no primary
-- roles: nothing is announced, and the bot holds every user to its default policy.
local jid_lib = require "util.jid";
local st = require "util.stanza";
local usermanager = require "core.usermanager";
local target = module:require("invites_bot_target");

local NS = "urn:xmpp-invite-bot:user-role:0";

--- The bare JIDs allowed to ask, or nil (and why, for the log) when none is configured or Prosody has no roles.
local function askers()
	if type(usermanager.get_user_role) ~= "function" then return nil, nil; end
	local option = module:get_option("invites_bot_jid");
	if option == nil then return nil, nil; end
	local targets, wrong = target.parse(option);
	if not targets then return nil, wrong; end
	local set = {};
	for _, each in ipairs(targets) do set[jid_lib.bare(each)] = true; end
	return set;
end

local function hook()
	local allowed, wrong = askers();
	if wrong then
		module:log("error", "invites_bot_jid: %s; the invite bot cannot read users' roles", wrong);
	end
	if not allowed then return; end
	module:add_feature(NS);
	module:hook("iq-get/host/"..NS..":role", function (event)
		local origin, stanza = event.origin, event.stanza;
		if not allowed[jid_lib.bare(stanza.attr.from or "")] then
			origin.send(st.error_reply(stanza, "auth", "forbidden", "Only the invite bot may read users' roles"));
			return true;
		end
		local asked = jid_lib.prep(stanza.tags[1].attr.jid or "");
		local username, host = jid_lib.split(asked or "");
		if not username or host ~= module.host or not usermanager.user_exists(username, host) then
			origin.send(st.error_reply(stanza, "cancel", "item-not-found", "No such account here"));
			return true;
		end
		local role = usermanager.get_user_role(username, host);
		local name = type(role) == "table" and role.name or nil;
		origin.send(st.reply(stanza):tag("role", { xmlns = NS; jid = username.."@"..host; name = name }));
		return true;
	end);
end

return {
	NS = NS;
	hook = hook;
};
