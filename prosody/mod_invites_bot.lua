-- mod_invites_bot: the apps' own "invite" buttons lead to the invite bot (docs/clients.md).
--
--   modules_enabled = { ..., "invites_bot" }      -- instead of "invites_adhoc"
--   invites_bot_jid = "invites@example.org"    -- its bare JID: whichever instance is online (or a full JID, a list)
--
-- Conversations, Monal, Gajim and the others never look at the bot: they ask the user's own server for the
-- XEP-0401 commands (XEP-0050 §2.1, disco#items of node "commands" at the domain) and run them there.
-- This module:
-- 1. lists the bot's #invite and #create-account in the server's own command list, as the bot would list them
--    for this user (asked of the bot on the user's behalf), after Prosody's own commands: once with the
--    domain as jid (Monal, yaxim and poezio use only those) and then with the bot's full JID (the
--    Conversations family keeps the last item of a node and runs it there, straight at the bot);
--    the bot asked is the session of invites_bot_jid picked for each request (invites_bot_target.lib.lua): with
--    several instances of the bot online, the one that answers chat, and another at once when that one goes away;
-- 2. answers those two commands executed at the domain by forwarding them to the bot and relaying its answer;
-- 3. lists nothing, and answers wait/recipient-unavailable, while the bot is offline;
-- 4. hides the commands of another module with those two nodes, i.e. Prosody's mod_invites_adhoc, which
--    Debian's default prosody.cfg.lua enables: the domain lists and runs the bot's alone, whichever loaded first.
-- Only on the bot's own host (the host of invites_bot_jid): loaded globally or on another VirtualHost, it does
-- nothing there, since the bot makes invites for its own domain only and accepts forwards from it alone.
--
-- Forwarding uses XEP-0355's wrapper: <iq from=DOMAIN><delegation xmlns='urn:xmpp:delegation:2'>
-- <forwarded xmlns='urn:xmpp:forward:0'> the user's own IQ, its from stamped by this server </forwarded>
-- </delegation></iq>. The bot trusts such a request only from the bare domain, which no user can send.
-- XEP-0297 §4: the forwarded IQ, in both directions, is in jabber:client.
local st = require "util.stanza";
local jid = require "util.jid";
local async = require "util.async";
local new_id = require "util.id".short;

local xmlns_cmd = "http://jabber.org/protocol/commands";
local xmlns_items = "http://jabber.org/protocol/disco#items";
local xmlns_info = "http://jabber.org/protocol/disco#info";
local xmlns_delegation = "urn:xmpp:delegation:2";
local xmlns_forward = "urn:xmpp:forward:0";
local xmlns_client = "jabber:client";

-- XEP-0401 §3 and §5: the two commands the apps' buttons run.
local RELAYED = { ["urn:xmpp:invite#invite"] = true; ["urn:xmpp:invite#create-account"] = true };

local OFFLINE = "The invite service is offline at the moment. Please try again in a few minutes.";
local SLOW = "The invite service did not answer in time. Please try again in a minute.";

local target = module:require("invites_bot_target");
local targets, wrong = target.parse(module:get_option("invites_bot_jid"));
-- Well under Conversations' 2 s, after which it silently shares a plain address instead of an invite.
local timeout = module:get_option_number("invites_bot_timeout", 1.5);

if not targets then
	module:log("error", "invites_bot_jid must be the invite bot's JID, e.g. \"invites@%s\" (its "
		.."XMPP_USERNAME@XMPP_DOMAIN; or a full JID, or a list of them): %s; the apps' invite buttons stay "
		.."unanswered", module.host, wrong);
	return;
end

local bot_host = jid.host(targets[1]);
for _, each in ipairs(targets) do
	if jid.host(each) ~= bot_host then
		module:log("error", "invites_bot_jid names accounts of several hosts (%s, %s): the bot is one account; "
			.."the apps' invite buttons stay unanswered", bot_host, jid.host(each));
		return;
	end
end

if bot_host ~= module.host then
	module:log("info", "The invite bot %s is a user of %s, not of this host: %s's users keep this server's own "
		.."commands (docs/prosody.md)", targets[1], bot_host, module.host);
	return;
end

-- The full JID to ask now, or nil while the bot is offline (none of its sessions is here).
local pick = target.picker(targets);

-- A failure repeated by every request (the bot refusing, rate limiting or slow) is logged once per kind and
-- interval, then as one line with how many more there were: a flood of requests must not flood the log.
local log_interval = module:get_option_number("invites_bot_log_interval", 60);
local held_back = {}; -- kind → lines not logged in the current interval

local function log_limited(level, kind, detail)
	if held_back[kind] then
		held_back[kind] = held_back[kind] + 1;
		return;
	end
	module:log(level, "%s: %s", kind, detail);
	held_back[kind] = 0;
	module:add_timer(log_interval, function ()
		local count = held_back[kind];
		held_back[kind] = nil;
		if count > 0 then
			module:log(level, "%s, %d more time(s) in the last %g s (not logged one by one)", kind, count, log_interval);
		end
	end);
end

-- 4. mod_adhoc lists and runs what modules provide (module:provides("adhoc", ...)), collected into its own table
-- both when it loads and on "item-added/adhoc-provider" events later. The order of mod_adhoc, mod_invites_adhoc
-- and this module changes from one start to the next (modules_enabled is a set), so rather than keep another
-- module's commands out of that table, this module overrides them on every request: it drops their items from
-- the domain's list (1.) and answers disco#info (XEP-0050 §2.2) and execution (2.) of the two nodes before
-- mod_adhoc. What it says about that, it says once per providing module: for the commands provided before it
-- loaded, at load; for those provided later (the other module loaded after this one), when they are added.
local noticed = {}; -- name of the module → true, once logged

local function notice_hidden(item)
	local by = item._provided_by or "?";
	if not RELAYED[item.node] or noticed[by] then return; end
	noticed[by] = true;
	module:log("warn", "mod_%s is loaded too, with commands of the invite bot's nodes: the domain lists and runs "
		.."the bot's instead. Remove \"%s\" from modules_enabled (docs/prosody.md)", by, by);
end

for _, item in ipairs(module:get_host_items("adhoc-provider")) do notice_hidden(item); end
module:hook("item-added/adhoc-provider", function (event) notice_hidden(event.item); end);

-- Another module's items for the two nodes at the domain (mod_adhoc lists mod_invites_adhoc's at priority 0).
local function drop_others_items(reply)
	local query = reply:get_child("query", xmlns_items);
	if not query then return; end
	query:maptags(function (item)
		if item.name == "item" and item.attr.jid == module.host and RELAYED[item.attr.node] then return nil; end
		return item;
	end);
end

-- The bot is an account of this server: it is online when one of its sessions named by invites_bot_jid is here.
local function bot_online()
	return pick() ~= nil;
end

-- The user's request in XEP-0355's wrapper, sent to the bot at `to`; returns the bot's reply IQ, or nil and an error.
local function ask_instance(stanza, to)
	local inner = st.clone(stanza);
	inner.attr.xmlns = xmlns_client;
	local wrapper = st.iq({ type = stanza.attr.type, from = module.host, to = to, id = new_id() })
		:tag("delegation", { xmlns = xmlns_delegation })
			:tag("forwarded", { xmlns = xmlns_forward })
				:add_child(inner);
	local event, err = async.wait_for(module:send_iq(wrapper, nil, timeout));
	if not event then return nil, err; end
	local forwarded = event.stanza:get_child("delegation", xmlns_delegation);
	forwarded = forwarded and forwarded:get_child("forwarded", xmlns_forward);
	for _, child in ipairs(forwarded and forwarded.tags or {}) do
		if child.name == "iq" and child.attr.xmlns == xmlns_client then return child; end
	end
	return nil, { type = "cancel", condition = "internal-server-error", text = "The invite service sent no answer" };
end

-- Asks the instance picked now; when its session went away meanwhile and the server answered for it at once (the
-- instance died with the request: RFC 6120 §10.5.3.2, service-unavailable), asks the next one, once.
local function ask_bot(stanza)
	if not async.ready() then return nil, { type = "wait", condition = "internal-server-error", text = SLOW }; end
	local to = pick();
	if not to then return nil, { type = "wait", condition = "recipient-unavailable", text = OFFLINE }; end
	local reply, err = ask_instance(stanza, to);
	if reply or (err and err.condition == "remote-server-timeout") or prosody.full_sessions[to] then
		return reply, err;
	end
	local next_to = pick(to);
	if not next_to then return reply, err; end
	return ask_instance(stanza, next_to);
end

-- An element of the forwarded reply in jabber:client (the IQ, its <error/>) goes to the user in the namespace of
-- their own stream, which Prosody writes as no xmlns at all (RFC 6120 §4.8.3); payloads keep theirs.
local function into_stream_namespace(element)
	element.attr.xmlns = nil;
	for _, child in ipairs(element.tags) do
		if child.attr.xmlns == xmlns_client then into_stream_namespace(child); end
	end
end

-- The bot's reply, as this server's own answer to the user.
local function relay(origin, stanza, reply)
	local answer = st.clone(reply);
	into_stream_namespace(answer);
	answer.attr.from, answer.attr.to, answer.attr.id = stanza.attr.to, stanza.attr.from, stanza.attr.id;
	origin.send(answer);
end

local function refuse(origin, stanza, err)
	local timed_out = err and err.condition == "remote-server-timeout";
	origin.send(st.error_reply(stanza, err and err.type or "wait", err and err.condition or "internal-server-error",
		timed_out and SLOW or (err and err.text) or SLOW));
end

-- 1. The server's command list, with the bot's commands this user may run (after mod_adhoc's, priority 0).
module:hook("host-disco-items-node", function (event)
	if event.node ~= xmlns_cmd then return; end
	drop_others_items(event.reply);
	if not bot_online() then return; end
	local query = st.iq({ type = "get", from = event.stanza.attr.from, to = module.host, id = new_id() })
		:tag("query", { xmlns = xmlns_items, node = xmlns_cmd });
	local reply, err = ask_bot(query);
	if not reply or reply.attr.type ~= "result" then
		local _, condition, text = (reply or st.stanza("iq")):get_error();
		log_limited("warn", "The invite bot did not list its commands",
			err and (err.text or err.condition) or text or condition or "an error");
		return;
	end
	local items = reply:get_child("query", xmlns_items);
	for _, item in ipairs(items and items.tags or {}) do
		if item.name == "item" and RELAYED[item.attr.node] then
			event.reply:tag("item", { jid = module.host, node = item.attr.node, name = item.attr.name }):up();
			event.reply:tag("item", { jid = item.attr.jid, node = item.attr.node, name = item.attr.name }):up();
		end
	end
	event.exists = true;
end, -10);

-- XEP-0050 §2.2: disco#info of those nodes at the domain, as the bot answers it for this user; answered here,
-- before mod_adhoc (priority 0) could describe another module's command of the node, and as mod_disco would.
module:hook("host-disco-info-node", function (event)
	if not RELAYED[event.node] then return; end
	local reply = bot_online() and ask_bot(st.iq({ type = "get", from = event.stanza.attr.from, to = module.host,
		id = new_id() }):tag("query", { xmlns = xmlns_info, node = event.node }));
	local info = reply and reply.attr.type == "result" and reply:get_child("query", xmlns_info);
	if not info then
		event.origin.send(st.error_reply(event.stanza, "cancel", "item-not-found", "Node does not exist"));
		return true;
	end
	for _, child in ipairs(info.tags) do event.reply:add_child(st.clone(child)); end
	event.origin.send(event.reply);
	return true;
end, 10);

-- 2. The two commands executed at the domain (before mod_adhoc, priority 500, which would run another module's).
module:hook("iq-set/host/"..xmlns_cmd..":command", function (event)
	local origin, stanza = event.origin, event.stanza;
	if not RELAYED[stanza.tags[1].attr.node] then return; end
	if not bot_online() then
		origin.send(st.error_reply(stanza, "wait", "recipient-unavailable", OFFLINE));
		return true;
	end
	local reply, err = ask_bot(stanza);
	if reply then
		relay(origin, stanza, reply);
	else
		log_limited("info", "Forwarding a command to the invite bot failed", stanza.tags[1].attr.node..": "
			..(err and (err.text or err.condition) or "?"));
		refuse(origin, stanza, err);
	end
	return true;
end, 600);
