-- Checks prosody/resp_protocol.lib.lua's reply parser outside Prosody (run by
-- test/unit/lua/resp-protocol.test.ts with Prosody's Lua and its util/ on the path).
-- Every reply is fed whole, byte by byte and split at each position; the parser
-- must give the same value each way and nothing before the last byte.
-- Prints "ok N" and exits 0, or prints what differs and exits 1.
local protocol = dofile(arg[1]);

local function show(v)
	if type(v) == "string" then return string.format("%q", v):gsub("\\\n", "\\n"); end
	if type(v) ~= "table" then return tostring(v); end
	if v.redis_error then return "ERR(" .. v.redis_error .. ")"; end
	local n = 0;
	for k in pairs(v) do if type(k) == "number" and k > n then n = k; end end
	local out = {};
	for i = 1, n do out[i] = show(v[i]); end
	return "{" .. table.concat(out, ",") .. "}";
end

local function err(message) return { redis_error = message }; end
local cases = {
	{ "+OK\r\n", "OK" },
	{ "-NOSCRIPT No matching script\r\n", err("NOSCRIPT No matching script") },
	{ ":-3\r\n", -3 },
	{ "$5\r\nhe\r\no\r\n", "he\r\no" }, -- a bulk string may hold CR LF
	{ "$0\r\n\r\n", "" },
	{ "$-1\r\n", false },
	{ "*-1\r\n", false },
	{ "*0\r\n", {} },
	{ "*3\r\n$1\r\na\r\n$-1\r\n:7\r\n", { "a", false, 7 } },
	-- An error inside an array (EXEC) leaves a hole there.
	{ "*3\r\n+QUEUED\r\n-ERR refused\r\n:1\r\n", { "QUEUED", nil, 1 } },
	{ "*2\r\n*2\r\n:1\r\n*1\r\n$2\r\nxy\r\n*0\r\n", { { 1, { "xy" } }, {} } },
};

local failures, checked = 0, 0;
local function check(name, wire, expected, feeds)
	local parser = protocol.new_parser();
	local got;
	for i, chunk in ipairs(feeds) do
		parser:feed(chunk);
		local ok, value = parser:next();
		if ok and i < #feeds then
			print(name .. ": a value before the last byte"); failures = failures + 1; return;
		end
		if ok then got = value; end
		if ok == nil then print(name .. ": " .. tostring(value)); failures = failures + 1; return; end
	end
	checked = checked + 1;
	if show(got) ~= expected then
		print(string.format("%s: %q gave %s, not %s", name, wire, show(got), expected));
		failures = failures + 1;
	end
end

for _, case in ipairs(cases) do
	local wire, expected = case[1], show(case[2]);
	check("whole", wire, expected, { wire });
	local bytes = {};
	for i = 1, #wire do bytes[i] = wire:sub(i, i); end
	check("bytewise", wire, expected, bytes);
	for cut = 1, #wire - 1 do check("split at " .. cut, wire, expected, { wire:sub(1, cut), wire:sub(cut + 1) }); end
end

-- Two replies in one chunk come out one at a time, in order.
local parser = protocol.new_parser();
parser:feed(":1\r\n$3\r\nabc\r\n");
local a, first = parser:next();
local b, second = parser:next();
local c = parser:next();
if not (a and first == 1 and b and second == "abc" and c == false) then
	print("two replies in one chunk were not read in order"); failures = failures + 1;
end

-- A large reply in many chunks: 20,000 bulk strings of 100 bytes.
local items, count = {}, 20000;
for i = 1, count do items[i] = "$100\r\n" .. string.rep(string.char(65 + i % 26), 100) .. "\r\n"; end
local big = "*" .. count .. "\r\n" .. table.concat(items);
parser = protocol.new_parser();
local value;
for at = 1, #big, 8192 do
	parser:feed(big:sub(at, at + 8191));
	local ok, v = parser:next();
	if ok then value = v; end
end
if not (value and #value == count and value[count] == string.rep(string.char(65 + count % 26), 100)) then
	print("a large reply in chunks was not read whole"); failures = failures + 1;
end

-- Anything that is not RESP is an error, not a value.
parser = protocol.new_parser();
parser:feed("HTTP/1.1 400 Bad Request\r\n");
local ok, err = parser:next();
if ok ~= nil or not tostring(err):match("unexpected reply") then
	print("a non-RESP line was not refused"); failures = failures + 1;
end

if failures > 0 then os.exit(1); end
print("ok " .. checked);
