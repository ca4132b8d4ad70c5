-- Usernames held for bound invites (docs/storage.md, "Usernames held for bound invites"): while an invite bound to
-- `bob` (XEP-0445) is pending, another invite cannot register `bob` (ejabberd's "reserved" rule for its own invites).
-- Read from the for:LOCAL index (members scored by expiry, pruned as they are read), whose records are verified:
-- a forged record holds nothing. A password reset link is in the same index but holds nothing: its account exists,
-- so the name is taken anyway. This is a read before the claim, not part of it: two registrations racing for one
-- free name are settled by the server's own account creation (one gets <conflict/>).
local bound_local_of = module:require("invites_redis_keys").bound_local_of;

-- How many invites bound to one name are looked at (a name has one or two; more is someone's mistake).
local MAX_BOUND = 100;

-- The words of the refusal; the bot's web pages recognise them (src/registration/in-band-answers.ts).
local function held_text(username)
	return "The username "..username.." is held for another invite";
end

-- The username a record holds: the name it is bound to, as the for:LOCAL index files it (bound_local_of), when it
-- can register and is not a reset link.
local function held_name_of(record)
	if not record.allow_registration then return nil; end
	local data = record.additional_data;
	if type(data) == "table" and data.allow_reset ~= nil then return nil; end
	return bound_local_of(record);
end

--- true when a pending invite other than `own_hash` holds `username`; false when none; nil, err on Redis trouble.
local function held_for_another(store, username, own_hash)
	local name = username:lower();
	local members, err = store:index_members(store:for_key(name), MAX_BOUND);
	if not members then return nil, err; end
	local others = {};
	for _, hash in ipairs(members) do
		if hash ~= own_hash then others[#others+1] = hash; end
	end
	local records, rerr = store:records_of(others);
	if not records then return nil, rerr; end
	for _, record in pairs(records) do
		if held_name_of(record) == name then return true; end
	end
	return false;
end

return {
	held_for_another = held_for_another;
	held_text = held_text;
};
