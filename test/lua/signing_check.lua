-- Runs prosody/invites_redis_store.lib.lua's MACs outside Prosody (for test/unit/lua/signing.test.ts), with a
-- stand-in for Prosody's `module` that gives it the signing keys and no Redis. Reads JSON on stdin:
--   { "host": H, "current": KEY, "old": [KEY...], "proofs": [{ "token", "proof" }...],
--     "tags": [{ "hash", "record", "tag" }...], "events": [{ "kind", "inviter", "invitee", "invite", "at" }...] }
-- and prints one line for each proof: "proof true|false" (relay_proof_valid), then one for each tag:
-- "tag OURS true|false" (the tag this side makes with the current key, and whether verify accepts the given one),
-- then one for each use event: "event TAG" (event_tag with the current key; absent fields are absent or null).
-- With "circles": [{ "id", "raw" }...] and "members": [{ "id", "jid", "tag" }...], prosody/invites_redis_circles
-- too: "circle NAME" (or "circle -" when the record does not verify) for each circle, then "member OURS TAGS BOOL"
-- for each membership (the tag this side makes with the current key, how many it makes, whether it accepts the given
-- one).
local json = require "util.json";

local dir = arg[1];
local input = json.decode(io.read("*a"));
local options = {
	invites_redis_signing_key = input.current;
	invites_redis_signing_keys_old = input.old;
};

local function option(_, name, default)
	if options[name] ~= nil then return options[name]; end
	return default;
end

-- What the circles library requires beside the store, unused by its MACs.
package.loaded["core.rostermanager"], package.loaded["core.usermanager"] = {}, {};

module = {
	require = function (_, name)
		if name == "invites_redis_store" then return dofile(dir.."/invites_redis_store.lib.lua"); end
		if name == "invites_redis_rosters" then return {}; end
		assert(name == "resp_client", "unexpected module:require "..name);
		return { new = function () return {}; end };
	end;
	load_resource = function (_, path) return io.open(dir.."/"..path); end;
	get_option_string = option;
	get_option_number = option;
	get_option_boolean = option;
	get_option_array = option;
	shared = function () return {}; end;
	log = function () end;
};
prosody = { process_type = "check" };

local store = dofile(dir.."/invites_redis_store.lib.lua").open(input.host);

for _, case in ipairs(input.proofs) do
	print("proof "..tostring(store:relay_proof_valid(case.token, case.proof)));
end
for _, case in ipairs(input.tags) do
	local accepted = store:verify(case.hash, { record = case.record; tag = case.tag }) ~= nil;
	print("tag "..store:tag_with(store.keys[1], case.hash, case.record).." "..tostring(accepted));
end
for _, case in ipairs(input.events or {}) do
	local fields = {};
	for name, value in pairs(case) do
		if value ~= json.null then fields[name] = value; end
	end
	print("event "..store:event_tag(fields));
end

local circles = (input.circles or input.members) and dofile(dir.."/invites_redis_circles.lib.lua");
for _, case in ipairs(input.circles or {}) do
	local circle = circles.verify_circle(store, case.id, case.raw);
	print("circle "..(circle and circle.name or "-"));
end
for _, case in ipairs(input.members or {}) do
	local tags = circles.member_tags(store, case.id, case.jid);
	print("member "..tags[1].." "..#tags.." "..tostring(circles.is_member(store, case.id, case.jid, case.tag)));
end
