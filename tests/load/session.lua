-- wrk script: GET one path, each request as the next seeded learner (their session cookie), so the server
-- loads a different session every time. nginx ignores the cookie and serves the same bytes.
-- Environment: BENCH_COOKIES (cookies.txt from load-seed), BENCH_PATH, BENCH_THREADS.
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  cookies = {}
  for line in io.lines(os.getenv("BENCH_COOKIES")) do
    if #line > 0 then cookies[#cookies + 1] = line end
  end
  stride = tonumber(os.getenv("BENCH_THREADS"))
  path = os.getenv("BENCH_PATH")
  n = 0
end

function request()
  n = n + 1
  local cookie = cookies[((n - 1) * stride + id) % #cookies + 1]
  return wrk.format("GET", path, { ["Cookie"] = "academy_session=" .. cookie })
end
