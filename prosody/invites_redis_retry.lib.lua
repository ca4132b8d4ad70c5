-- Work that waits for Redis to answer (mod_invites_redis; its jobs are made by invites_redis_settling.lib.lua).
--
-- A claim whose answer did not come (invites_redis_timeout passed, or the connection dropped) may have taken its
-- use in Redis all the same, and a give-back that got no answer may not have run. Either is given back with the
-- claim's marker (docs/storage.md, "Counted uses"), tried again every second until Redis answers it: a claim that
-- took a use gets it back once; one that took none, or that reaches Redis only after its give-back, gets nothing.
-- A use event Redis did not take waits here too, tried again the same way (docs/storage.md, "Use events"): its
-- marker makes every try after the first that ran write nothing. Give-backs wait until the invite expires (nothing
-- can go back after that), use events for RECORD_FOR seconds; at most MAX_PENDING jobs in all, in memory: a restart
-- of Prosody forgets them.
local async = require "util.async";

local RETRY_EVERY = 1;
local RECORD_FOR = 3600;
local MAX_PENDING = 10000;
-- job → true. A job: { until_time = unix seconds; try = function () → true once done; expired = function () }.
local pending = {};
local pending_count = 0;
local armed = false; -- a round is scheduled or running

local function settled(job)
	pending[job], pending_count = nil, pending_count - 1;
end

local function retry_round()
	local round = {};
	for job in pairs(pending) do round[#round+1] = job; end
	for _, job in ipairs(round) do
		if job.until_time <= os.time() then
			settled(job);
			job.expired();
		elseif job.try() then -- else: still no answer, or failing fast; the next round tries again
			settled(job);
		end
	end
end

local retry_runner;
local function arm()
	if armed or pending_count == 0 then return; end
	armed = true;
	module:add_timer(RETRY_EVERY, function () retry_runner:run(true); end);
end
retry_runner = async.runner(function ()
	retry_round();
	armed = false;
	arm();
end, {
	error = function (_, err)
		module:log("error", "Retrying Redis work failed: %s", err);
		armed = false;
		arm();
	end;
});

--- Queues `job` for the retry rounds; false when MAX_PENDING jobs wait already. `first` is logged at warn when
-- nothing waited before (once for the jobs of one outage, not for each).
local function wait_for_redis(job, first)
	if pending_count >= MAX_PENDING then return false; end
	if pending_count == 0 then module:log("warn", "%s", first); end
	pending[job], pending_count = true, pending_count + 1;
	arm();
	return true;
end

return {
	RETRY_EVERY = RETRY_EVERY;
	RECORD_FOR = RECORD_FOR;
	wait_for_redis = wait_for_redis;
	--- How many jobs wait.
	waiting = function () return pending_count; end;
};
