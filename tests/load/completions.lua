-- wrk script: each request marks the next not-yet-completed lesson complete for its learner, the way the
-- lesson page's "Mark as complete" button does. Counts statuses, so the runner can check every 200 was stored.
-- Environment: BENCH_COMPLETIONS (completions.txt from load-seed), BENCH_THREADS.
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  rows = {}
  for line in io.lines(os.getenv("BENCH_COMPLETIONS")) do
    local cookie, module, lesson = line:match("^(%S+) (%S+) (%S+)$")
    if cookie then rows[#rows + 1] = { cookie, module, lesson } end
  end
  stride = tonumber(os.getenv("BENCH_THREADS"))
  n = 0
  ok = 0
  failed = 0
end

function request()
  n = n + 1
  -- Past the end of the list a row comes round again: completing a lesson twice is allowed and stores nothing.
  local row = rows[((n - 1) * stride + id) % #rows + 1]
  return wrk.format("POST", "/api/complete-lesson", {
    ["Cookie"] = "academy_session=" .. row[1],
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Accept"] = "application/json",
  }, "module=" .. row[2] .. "&lesson=" .. row[3])
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1 else failed = failed + 1 end
end

function done(summary, latency, requests)
  local all_ok, all_failed = 0, 0
  for _, thread in ipairs(threads) do
    all_ok = all_ok + thread:get("ok")
    all_failed = all_failed + thread:get("failed")
  end
  io.write(string.format("statuses: ok=%d failed=%d\n", all_ok, all_failed))
end
