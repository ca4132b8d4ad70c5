-- Group chats outside circles (docs/circles.md, "Invites to circles"): the room JIDs an invite's signed record names
-- in additional_data.rooms, as the module reads them for the use event's `rooms` field (docs/storage.md, "Use events")
-- and for the newcomer's bookmarks (invites_redis_bookmarks.lib.lua). The bot reads a record the same way
-- (roomsOfRecord in src/invites/use-rooms.ts, after validRoomJid in src/invites/circle-choice.ts), so both writers of
-- an event put the same text under its tag.
local jid_prep = require "util.jid".prep;
local jid_split = require "util.jid".split;

-- Group chats one invite names outside circles; the bot names at most 10 (MAX_INVITE_ROOMS).
local MAX_ROOMS = 10;

--- The room JIDs of `list` (an array, or a text of JIDs separated by spaces) that are group chats: bare JIDs
-- node@domain (RFC 7622, prepped as Prosody stores them), no resource, not an account of `host` itself; in their
-- order, each once, at most `max` (MAX_ROOMS by default: what an invite names). Anything else is left out: the bot
-- checked them when it made the invite, and a record is signed, so this is the belt.
local function valid_rooms(list, host, max)
	max = max or MAX_ROOMS;
	if type(list) == "string" then
		local words = {};
		for word in list:gmatch("%S+") do words[#words+1] = word; end
		list = words;
	end
	local rooms, seen = {}, {};
	if type(list) ~= "table" then return rooms; end
	for _, text in ipairs(list) do
		local room = type(text) == "string" and jid_prep(text:match("^%s*(.-)%s*$")) or nil;
		local node, domain, resource = jid_split(room);
		if node and domain and not resource and domain ~= host and not seen[room] and #rooms < max then
			seen[room], rooms[#rooms+1] = true, room;
		end
	end
	return rooms;
end

--- The group chats outside circles an invite's record names (additional_data.rooms) on this host: the valid room
-- JIDs, in order, each once, at most MAX_ROOMS. What its use event carries as `rooms`, and what the newcomer gets
-- bookmarks of.
local function rooms_of(record)
	local data = type(record) == "table" and record.additional_data;
	return valid_rooms(type(data) == "table" and data.rooms or nil, module.host:lower());
end

return {
	valid_rooms = valid_rooms;
	rooms_of = rooms_of;
};
