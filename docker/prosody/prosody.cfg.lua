-- Prosody for docker-compose.yml: one VirtualHost (XMPP_DOMAIN, from .env), Prosody's own
-- invite-based registration, and the invites kept in Redis, where the bot writes them too.
-- Prosody 0.12 (Debian 12). Options: https://prosody.im/doc/configure

-- Prosody 0.12 lets the config read Lua's globals directly; 13.0 only through `Lua`.
local lua = Lua or _G
local function getenv(name)
	local value = lua.os.getenv(name)
	if value == nil or value == "" then return nil end
	return value
end

local domain = getenv("XMPP_DOMAIN")
if domain == nil then
	lua.error("XMPP_DOMAIN is not set: docker-compose.yml passes it to this container from .env", 0)
end

---------- Container basics ----------

-- Started in the foreground (`prosody -F`) as the prosody user by the entrypoint.
pidfile = "/run/prosody/prosody.pid"
data_path = "/var/lib/prosody" -- the prosody-data volume
-- To the console, so `docker compose logs prosody` shows it.
log = { { levels = { min = "info" }, to = "console" } }

-- IPv4 inside the container; docker-compose.yml publishes 5222 (publish 5269 for federation).
interfaces = { "*" }
c2s_ports = { 5222 }
s2s_ports = { 5269 }

-- Server administrators (Prosody's own admin commands). The bot's admins are its ADMIN_JIDS.
admins = { }

---------- Our module ----------

-- mod_invites_redis lives in ./prosody of this repository, which docker-compose.yml mounts
-- read-only at this path. It stores Prosody's invites in Redis in the layout the bot writes
-- (docs/storage.md), so the bot's invite links register accounts and add contacts here.
plugin_paths = { "/opt/xmpp-invite-bot/prosody" }

modules_enabled = {
	-- Debian's default set
	"disco"; "roster"; "saslauth"; "tls"; "dialback"; "blocklist"; "bookmarks"; "carbons";
	"pep"; "private"; "smacks"; "vcard4"; "vcard_legacy"; "csi_simple"; "limits";
	"ping"; "register"; "time"; "uptime"; "version"; "admin_adhoc"; "admin_shell"; "posix";

	-- Invite-based registration as Prosody ships it (XEP-0401, XEP-0379, XEP-0445)
	"invites"; -- the invite store and its API
	-- (not "invites_adhoc": mod_invites_bot below puts the bot's commands where Prosody's own would be)
	"invites_register"; -- in-band registration with an invite token; makes inviter and invitee contacts

	-- Ours (./prosody): the invite store in Redis, and the apps' invite buttons leading to the bot
	"invites_redis";
	"invites_bot";
}

-- The bot's JID, from the same .env as the bot (docs/clients.md, docs/prosody.md). Its bare JID: the module asks
-- whichever of the bot's instances is online, the leader first (one bot or two, docker-compose.instances.yml;
-- docs/instances.md). Its full JID only when .env names the resource (XMPP_RESOURCE): that instance alone.
local bot_jid = (getenv("XMPP_USERNAME") or "invites") .. "@" .. domain
local bot_resource = getenv("XMPP_RESOURCE")
if bot_resource ~= nil then bot_jid = bot_jid .. "/" .. bot_resource end
invites_bot_jid = bot_jid

-- Prosody's invite store (map store "invite_token") goes to Redis; everything else stays
-- "internal" (files in the prosody-data volume).
storage = { invite_token = "invites_redis" }
-- The same Redis and database as the bot's REDIS_URL in docker-compose.yml, as Prosody's own
-- ACL user (docs/security.md).
local redis_password = getenv("REDIS_PROSODY_PASSWORD")
if redis_password == nil then
	lua.error("REDIS_PROSODY_PASSWORD is not set: docker-compose.yml passes it to this container from .env", 0)
end
invites_redis_url = "redis://prosody:" .. redis_password .. "@redis:6379/0"
-- The key the bot signs invite records with, too (INVITE_SIGNING_KEY in .env): Prosody refuses
-- records without a valid signature, so write access to Redis cannot make invites.
invites_redis_signing_key = getenv("INVITE_SIGNING_KEY")
-- Old keys still accepted after a rotation (docs/security.md), comma-separated in .env.
local old_keys = {}
for key in (getenv("INVITE_SIGNING_KEYS_OLD") or ""):gmatch("[^,%s]+") do
	old_keys[#old_keys + 1] = key
end
invites_redis_signing_keys_old = old_keys
-- No invites_redis_checks_exempt: the bot's web registrations prove with the signing key that they come from
-- the bot, so they are not limited per address (docs/prosody.md); the bot limits each visitor itself.

-- Only people with an invite may register (mod_invites_register loads in-band registration
-- for them); open registration stays off.
allow_registration = false
registration_invite_only = true

-- Send the last bytes of a large stanza at once: with Nagle's algorithm a stanza just over 8 KiB (a
-- 25-row list of invites) waits ~40 ms for the client's delayed ACK (docs/prosody.md).
network_settings = { nagle = false }

---------- Security ----------

authentication = "internal_hashed"
c2s_require_encryption = true
s2s_require_encryption = true
s2s_secure_auth = true

limits = {
	c2s = { rate = "10kb/s" };
	s2sin = { rate = "30kb/s" };
}

-- ./certs, copied here by the entrypoint: DOMAIN.crt + DOMAIN.key, or
-- DOMAIN/fullchain.pem + DOMAIN/privkey.pem.
certificates = "/etc/prosody/certs"

VirtualHost(domain)
